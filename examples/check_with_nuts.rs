//! Check a fit with NUTS on the same model (feature `nuts`, on the nuts-rs crate).
//!
//! `cargo run --release --features nuts --example check_with_nuts` samples the non-centred
//! eight schools by NUTS (4 chains × 1000 draws after 1000 warmup, target acceptance 0.9:
//! at the default 0.8 a few transitions diverge near small tau), checks the draws against
//! the shared long-run NUTS reference (`examples/data/eight_schools.json`: every mean within
//! 0.1 reference sd, every sd within 10 %, R̂ < 1.01), then prints the NGVI fit beside NUTS.
//!
//! `... -- cases [NAME ...]` runs NUTS on every shared-data model with a reference (or those
//! whose names contain a NAME), with the same settings and seed 2026, and prints, per model, the worst |Δmean|/sd and the range of
//! sd ratios against the reference: the table of `docs/validation.md`, "References checked
//! by NUTS".

mod common;

use std::error::Error;
use std::time::Instant;

use common::cases::{design, ROBUST_NU};
use common::compare::{rows_from, Labels, Reference, Row, Verdict};
use common::models::{coin, counts, linear_regression, normal_known_sd};
use common::nonconjugate::*;
use common::Table;
use ngvi::prelude::*;
use ngvi::NutsFit;

/// The non-centred eight schools' latent `eta` is `theta_tilde` in the reference.
const SCHOOLS: Labels<'static> = Labels {
    rename: &[("eta", "theta_tilde")],
    base: 0,
};

/// The bar for the eight-schools check: means within this many reference sds ...
const MEAN_TOL: f64 = 0.1;
/// ... and sds within this fraction of the reference sd.
const SD_TOL: f64 = 0.1;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("cases") {
        return cases(&args[1..]);
    }
    let table = Table::read("eight_schools.csv")?;
    let (y, sigma) = (table.column("y")?, table.column("sigma")?);
    let model = eight_schools(&y, &sigma);

    let start = Instant::now();
    let nuts = Nuts::new()
        .chains(4)
        .draws(1000)
        .warmup(1000)
        .target_accept(0.9)
        .seed(1)
        .sample(&model)?;
    println!("{}", nuts.summary());
    println!(
        "{} gradient evaluations in {:.2} s\n",
        nuts.gradients(),
        start.elapsed().as_secs_f64()
    );

    let reference = Reference::shared("eight_schools")?;
    let rows = rows(&model, &nuts, &reference, SCHOOLS)?;
    let verdict = Verdict::of(&rows);
    let sds_ok = rows.iter().all(|r| (r.ratio() - 1.0).abs() <= SD_TOL);
    let pass = verdict.worst_z <= MEAN_TOL && sds_ok && nuts.max_rhat() < ngvi::RHAT_LIMIT;
    println!(
        "NUTS against the reference ({}): worst |Δmean|/sd {:.3} ({}), sd ratio {:.3}–{:.3}, \
         max R̂ {:.4}, min bulk ESS {:.0}, {} divergences: {}",
        reference.method,
        verdict.worst_z,
        verdict.worst_label,
        verdict.ratio_min,
        verdict.ratio_max,
        nuts.max_rhat(),
        nuts.min_ess_bulk(),
        nuts.divergences(),
        if pass {
            "PASS"
        } else {
            "FAIL (bar: means within 0.1 sd, sds within 10 %, R̂ < 1.01)"
        }
    );

    let fit = Ngvi::new().seed(7).samples(256).fit(&model)?;
    println!("\n{}", fit.summary());
    println!("The NGVI fit beside NUTS:\n\n{}", fit.compare(&nuts));
    if pass {
        Ok(())
    } else {
        Err("NUTS does not reproduce the eight-schools reference".into())
    }
}

/// One row per latent component: NUTS's mean and sd beside the reference's.
fn rows<M: Model>(
    model: &M,
    nuts: &NutsFit,
    reference: &Reference,
    labels: Labels<'_>,
) -> Result<Vec<Row>, Box<dyn Error>> {
    let latents = model.latents()?;
    let (mut mean, mut sd) = (Vec::new(), Vec::new());
    for l in &latents {
        mean.extend(nuts.mean(l.name).ok_or("missing latent")?);
        sd.extend(nuts.sd(l.name).ok_or("missing latent")?);
    }
    rows_from(&latents, &mean, &sd, reference, labels)
}

/// NUTS on one model against its reference, as a table row.
fn case<M: Model + Sync>(
    name: &str,
    model: &M,
    reference: &str,
    labels: Labels<'_>,
) -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    let nuts = Nuts::new()
        .chains(4)
        .draws(1000)
        .warmup(1000)
        .target_accept(0.9)
        .seed(2026)
        .sample(model)?;
    let wall = start.elapsed().as_secs_f64();
    let reference = Reference::shared(reference)?;
    let v = Verdict::of(&rows(model, &nuts, &reference, labels)?);
    println!(
        "| {name} | {:.3} ({}) | {:.3}–{:.3} | {:.4} | {:.0} | {} | {wall:.1} s |",
        v.worst_z,
        v.worst_label,
        v.ratio_min,
        v.ratio_max,
        nuts.max_rhat(),
        nuts.min_ess_bulk(),
        nuts.divergences()
    );
    Ok(())
}

/// Every shared-data model with a reference (or those whose names contain a filter).
fn cases(filters: &[String]) -> Result<(), Box<dyn Error>> {
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f));
    println!(
        "| case | worst \\|Δmean\\|/ref sd | sd ratio | R̂ max | bulk ESS min | divergences | wall |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let column = |file: &str| Table::read(file).and_then(|t| t.column("y"));
    if wanted("coin") {
        case("coin", &coin(&column("coin.csv")?), "coin", Labels::SAME)?;
    }
    if wanted("counts") {
        case(
            "counts",
            &counts(&column("counts.csv")?),
            "counts",
            Labels::SAME,
        )?;
    }
    if wanted("normal") {
        let y = column("normal.csv")?;
        case("normal", &normal_known_sd(&y, 2.0), "normal", Labels::SAME)?;
    }
    if wanted("linreg") {
        let (x, y) = common::linreg()?;
        let model = linear_regression(&x, &y, 0.5);
        case("linreg", &model, "linreg", Labels::SAME)?;
    }
    if wanted("logistic") {
        let (x, y) = design("logistic.csv", 20)?;
        let model = logistic_regression(&x, &y);
        case("logistic", &model, "logistic", Labels::SAME)?;
    }
    if wanted("poisson_reg") {
        let (x, y) = design("poisson_reg.csv", 5)?;
        let model = poisson_regression(&x, &y);
        case("poisson_reg", &model, "poisson_reg", Labels::SAME)?;
    }
    let schools = Table::read("eight_schools.csv")?;
    let (y, sigma) = (schools.column("y")?, schools.column("sigma")?);
    if wanted("eight_schools") {
        let model = eight_schools(&y, &sigma);
        case("eight_schools", &model, "eight_schools", SCHOOLS)?;
    }
    if wanted("eight_schools_centered") {
        let model = eight_schools_centered(&y, &sigma);
        let reference = "eight_schools_centered_reference";
        case("eight_schools_centered", &model, reference, Labels::SAME)?;
    }
    if wanted("robust") {
        let (x, y) = design("robust.csv", 2)?;
        let model = robust_regression(&x, &y, ROBUST_NU);
        let reference = "robust_regression_reference";
        case("robust_regression", &model, reference, Labels::SAME)?;
    }
    Ok(())
}
