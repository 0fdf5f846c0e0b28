//! NGVI beside ADVI (`ngvi::Advi`, black-box VI with Adam) on the same log joints:
//! logistic regression, Poisson regression and eight schools (non-centred). For each method
//! and setting: steps, log-joint evaluations (value / gradient / gradient-and-Hessian), wall
//! time, the worst |Δmean| / reference sd, the sd-ratio range and whether the fit passes the
//! bar (every mean within 0.1 reference sd, every sd within 15 %). ADVI runs at four Adam
//! step sizes, mean-field and full-rank; the best passing setting is the fair comparison.
//!
//! `cargo run --release --example ngvi_vs_advi [-- SEED]`

mod common;

use std::error::Error;
use std::time::Instant;

use common::cases::{design, seed_arg};
use common::compare::{latent_rows, Labels, Reference, Verdict};
use common::nonconjugate::{eight_schools, logistic_regression, poisson_regression};
use common::Table;
use ngvi::prelude::*;

/// One line of the table for one fit.
fn line<M: Model>(
    case: &str,
    method: &str,
    model: &M,
    (reference, labels): (&Reference, Labels<'_>),
    fit: impl FnOnce(&M) -> Result<Fit, ngvi::Error>,
) -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    let outcome = fit(model);
    let wall = start.elapsed().as_secs_f64();
    let fit = match outcome {
        Ok(fit) => fit,
        Err(e) => {
            println!("| {case} | {method} | failed: {e} |||||||");
            return Ok(());
        }
    };
    let v = Verdict::of(&latent_rows(model, &fit, reference, labels)?);
    let e = fit.evaluations();
    println!(
        "| {case} | {method} | {} | {} / {} / {} | {:.3} s | {:.3} ({}) | {:.3}–{:.3} | {} | {} |",
        fit.iterations(),
        e.values,
        e.gradients,
        e.hessians,
        wall,
        v.worst_z,
        v.worst_label,
        v.ratio_min,
        v.ratio_max,
        if fit.stop_reason().is_converged() {
            "converged"
        } else {
            "not converged"
        },
        if v.pass { "pass" } else { "FAIL" },
    );
    Ok(())
}

/// NGVI at its defaults, then ADVI at each setting.
fn compare<M: Model>(
    case: &str,
    model: &M,
    reference: (&Reference, Labels<'_>),
    seed: u64,
) -> Result<(), Box<dyn Error>> {
    line(case, "NGVI (defaults)", model, reference, |m| {
        Ngvi::new().seed(seed).fit(m)
    })?;
    for full_rank in [false, true] {
        for eta in [0.005, 0.01, 0.05, 0.1] {
            let name = format!(
                "ADVI {} η={eta}",
                if full_rank { "full-rank" } else { "mean-field" }
            );
            line(case, &name, model, reference, |m| {
                Advi::new()
                    .seed(seed)
                    .full_rank(full_rank)
                    .step_size(eta)
                    .fit(m)
            })?;
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let seed = seed_arg(1)?;
    println!("seed {seed}; bar: every mean within 0.1 ref sd, every sd within 15 %\n");
    println!("| case | method | steps | evaluations (value / gradient / Hessian) | wall | worst \\|Δmean\\|/sd | sd ratio | stop | bar |");
    println!("|---|---|---:|---:|---:|---:|---:|---|---|");
    let same = Labels::SAME;
    let (x, y) = design("logistic.csv", 20)?;
    let reference = Reference::shared("logistic")?;
    compare(
        "logistic",
        &logistic_regression(&x, &y),
        (&reference, same),
        seed,
    )?;
    let (x, y) = design("poisson_reg.csv", 5)?;
    let reference = Reference::shared("poisson_reg")?;
    compare(
        "poisson_reg",
        &poisson_regression(&x, &y),
        (&reference, same),
        seed,
    )?;
    let table = Table::read("eight_schools.csv")?;
    let (y, sigma) = (table.column("y")?, table.column("sigma")?);
    let reference = Reference::shared("eight_schools")?;
    let renamed = Labels {
        rename: &[("eta", "theta_tilde")],
        base: 0,
    };
    compare(
        "eight_schools",
        &eight_schools(&y, &sigma),
        (&reference, renamed),
        seed,
    )?;
    Ok(())
}
