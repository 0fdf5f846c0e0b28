//! References made independently of the NGVI engine, by long adaptive random-walk
//! Metropolis runs (Haario et al. 2001; `examples/common/mcmc.rs`) over the models' log
//! joints on the unconstrained scale.
//!
//! `cargo run --release --example mcmc_reference` (about a minute):
//!
//! 1. checks the sampler against the shared NumPyro NUTS reference of eight schools
//!    (non-centred): every mean within 0.05 reference sd, and prints that check;
//! 2. writes `examples/data/eight_schools_centered_reference.json`: mu, tau and
//!    theta[j] = mu + tau eta[j] from the same non-centred chains (the shared reference has
//!    no theta), for the centred example;
//! 3. writes `examples/data/robust_regression_reference.json` for `robust_regression`
//!    (simulating `examples/data/robust.csv` first if it is missing, or with `simulate`).
//!
//! `... -- logistic` also checks against the logistic-regression NUTS reference (21
//! dimensions, 2000 rows: two minutes); `... -- cases [NAME ...]` runs the sampler on every
//! case of `validate` (or those whose names contain a NAME) against that case's reference:
//! a check of the models' translations, the posteriordb ones included (a few minutes;
//! diamonds only with `NGVI_POSTERIORDB` set); `... -- check` only runs the checks and
//! writes nothing but a missing `robust.csv`.

mod common;

use std::error::Error;
use std::time::Instant;

use common::cases::{self, design, ROBUST_NU};
use common::compare::{data_path, num, Reference};
use common::mcmc::{self, Chains, Rng, Settings};
use common::nonconjugate::{eight_schools, logistic_regression, robust_regression};
use common::Table;
use serde_json::json;

/// 4 chains × 200 000 iterations after 50 000 of burn-in, every 10th kept: 80 000 draws.
const SETTINGS: Settings = Settings {
    chains: 4,
    burn_in: 50_000,
    iterations: 200_000,
    thin: 10,
    seed: 20_251_124,
};

/// The check's bar: every mean within this many reference sds.
const CHECK_TOL: f64 = 0.05;

const METHOD: &str = "adaptive random-walk Metropolis (Haario, Saksman & Tamminen 2001) on the \
    unconstrained scale (log for positive latents, with the Jacobian), examples/common/mcmc.rs: \
    4 chains started over-dispersed around the mode, 50000 burn-in iterations each adapting \
    the proposal covariance (2.4^2/d times the running covariance) and a global scale \
    (Robbins-Monro towards acceptance 0.234), then 200000 iterations with the proposal frozen, \
    every 10th kept: 80000 draws";

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |a: &str| args.iter().any(|x| x == a);
    if has("cases") {
        let filters: Vec<&String> = args.iter().filter(|a| *a != "cases").collect();
        return all_cases(&filters);
    }
    let write = !has("check");

    // 1. eight schools, non-centred, against NUTS.
    let table = Table::read("eight_schools.csv")?;
    let (y, sigma) = (table.column("y")?, table.column("sigma")?);
    let model = eight_schools(&y, &sigma);
    let start = Instant::now();
    let chains = mcmc::sample(&model, &mcmc::default_init(&model)?, 2.0, SETTINGS)?;
    println!(
        "eight schools (non-centred): {} draws in {:.1} s, acceptance {}",
        total(&chains),
        start.elapsed().as_secs_f64(),
        rates(&chains)
    );
    let labels = mcmc::labels(&model)?;
    let nuts = Reference::shared("eight_schools")?;
    let theirs: Vec<String> = labels
        .iter()
        .map(|l| l.replace("eta", "theta_tilde"))
        .collect();
    let ok = check(&chains, &labels, &theirs, &nuts);

    // 2. the centred reference: theta[j] = mu + tau eta[j] per draw.
    let centred = chains.map(|z| {
        let (mu, tau) = (z[0], z[1]);
        let mut v = vec![mu, tau];
        v.extend(z[2..].iter().map(|eta| mu + tau * eta));
        v
    });
    let mut centred_labels = vec!["mu".to_string(), "tau".to_string()];
    centred_labels.extend((0..y.len()).map(|j| format!("theta[{j}]")));
    if write {
        save(
            "eight_schools_centered_reference.json",
            "eight_schools_centered",
            "theta[j] ~ Normal(mu, tau), y[j] ~ Normal(theta[j], sigma[j]), mu ~ Normal(0, 5), \
             tau ~ HalfCauchy(5); sampled in the non-centred parameterisation \
             (theta[j] = mu + tau eta[j], eta[j] ~ Normal(0, 1)), the same posterior",
            "examples/data/eight_schools.csv",
            &centred,
            &centred_labels,
            json!({ "check": format!(
                "the same chains against the shared NumPyro NUTS reference (eight_schools.json): \
                 {}", if ok { "every mean within 0.05 sd" } else { "FAILED" }) }),
        )?;
    }

    // 3. robust regression.
    let path = data_path("robust.csv");
    if has("simulate") || !std::path::Path::new(&path).exists() {
        simulate_robust(&path)?;
        println!("wrote {path}");
    }
    let (x, y) = design("robust.csv", 2)?;
    let model = robust_regression(&x, &y, ROBUST_NU);
    let start = Instant::now();
    let chains = mcmc::sample(&model, &mcmc::default_init(&model)?, 2.0, SETTINGS)?;
    let labels = mcmc::labels(&model)?;
    println!(
        "\nrobust regression: {} draws in {:.1} s, acceptance {}",
        total(&chains),
        start.elapsed().as_secs_f64(),
        rates(&chains)
    );
    print_moments(&chains, &labels);
    if write {
        save(
            "robust_regression_reference.json",
            "robust_regression",
            "y[i] ~ StudentT(4, alpha + x[i] . beta, sigma), alpha ~ Normal(0, 10), \
             beta[2] ~ Normal(0, 10), sigma ~ HalfNormal(5)",
            "examples/data/robust.csv",
            &chains,
            &labels,
            json!({ "check": format!(
                "the same sampler and settings reproduce the shared NumPyro NUTS reference of \
                 eight_schools (non-centred): {}",
                if ok { "every mean within 0.05 sd" } else { "FAILED" }) }),
        )?;
    }

    // Optionally, logistic regression against NUTS.
    if has("logistic") {
        let (x, y) = design("logistic.csv", 20)?;
        let model = logistic_regression(&x, &y);
        let start = Instant::now();
        let chains = mcmc::sample(&model, &mcmc::default_init(&model)?, 2.0, SETTINGS)?;
        println!(
            "\nlogistic regression: {} draws in {:.1} s, acceptance {}",
            total(&chains),
            start.elapsed().as_secs_f64(),
            rates(&chains)
        );
        let labels = mcmc::labels(&model)?;
        check(&chains, &labels, &labels, &Reference::shared("logistic")?);
    }
    Ok(())
}

fn total(chains: &Chains) -> usize {
    chains.draws.iter().map(Vec::len).sum()
}

fn rates(chains: &Chains) -> String {
    chains
        .acceptance
        .iter()
        .map(|a| format!("{a:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Print the chains' moments beside a reference; true when every mean is within
/// `CHECK_TOL` reference sds.
fn check(chains: &Chains, labels: &[String], theirs: &[String], reference: &Reference) -> bool {
    let m = chains.moments();
    println!("\nagainst the reference ({}):\n", reference.method);
    println!(
        "| component | AM mean | ref mean | \\|Δmean\\|/ref sd | AM sd / ref sd | R-hat | ESS |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut worst: f64 = 0.0;
    for (j, (ours, theirs)) in labels.iter().zip(theirs).enumerate() {
        let Some((rm, rs)) = reference.get(theirs) else {
            println!("| {ours} | the reference has no `{theirs}` |||||");
            worst = f64::INFINITY;
            continue;
        };
        let z = (m.mean[j] - rm).abs() / rs;
        worst = worst.max(z);
        println!(
            "| {ours} | {} | {} | {z:.3} | {:.3} | {:.4} | {:.0} |",
            num(m.mean[j]),
            num(rm),
            m.sd[j] / rs,
            m.r_hat[j],
            m.ess[j]
        );
    }
    let ok = worst <= CHECK_TOL;
    println!(
        "\ncheck: worst |Δmean|/sd {worst:.3}: {} (bar {CHECK_TOL})",
        if ok { "PASS" } else { "FAIL" }
    );
    ok
}

fn print_moments(chains: &Chains, labels: &[String]) {
    let m = chains.moments();
    println!("\n| component | mean | sd | R-hat | ESS |\n|---|---:|---:|---:|---:|");
    for (j, l) in labels.iter().enumerate() {
        println!(
            "| {l} | {} | {} | {:.4} | {:.0} |",
            num(m.mean[j]),
            num(m.sd[j]),
            m.r_hat[j],
            m.ess[j]
        );
    }
}

/// Write a reference in the shared-data layout (`labels`, `flat.mean`, `flat.sd`).
fn save(
    file: &str,
    model: &str,
    note: &str,
    data: &str,
    chains: &Chains,
    labels: &[String],
    extra: serde_json::Value,
) -> Result<(), Box<dyn Error>> {
    let m = chains.moments();
    let mut details = json!({
        "chains": SETTINGS.chains,
        "burn_in": SETTINGS.burn_in,
        "iterations": SETTINGS.iterations,
        "thin": SETTINGS.thin,
        "draws": total(chains),
        "seed": SETTINGS.seed,
        "acceptance": chains.acceptance,
        "r_hat_max": m.r_hat.iter().copied().fold(f64::NAN, f64::max),
        "ess_min": m.ess.iter().copied().fold(f64::NAN, f64::min),
        "r_hat": m.r_hat,
        "ess_batch_means": m.ess,
    });
    if let (Some(d), serde_json::Value::Object(e)) = (details.as_object_mut(), extra) {
        d.extend(e);
    }
    let value = json!({
        "model": model,
        "model_note": note,
        "data": data,
        "reference": "long-run adaptive random-walk Metropolis",
        "method": METHOD,
        "made_by": "cargo run --release --example mcmc_reference",
        "labels": labels,
        "flat": { "mean": m.mean, "sd": m.sd },
        "details": details,
    });
    let path = data_path(file);
    std::fs::write(&path, serde_json::to_string_pretty(&value)? + "\n")?;
    println!("wrote {path}");
    Ok(())
}

/// `robust.csv`: N = 100, x1, x2 ~ Normal(0, 1), y = 1 + 2 x1 − x2 + Normal(0, 0.5²), then
/// five rows (every 20th) shifted by ±(10 … 20): gross outliers. Deterministic (our own
/// generator, seed 20251124).
fn simulate_robust(path: &str) -> Result<(), Box<dyn Error>> {
    let mut rng = Rng::new(20_251_124);
    let mut out = String::from("x1,x2,y\n");
    for i in 0..100 {
        let (x1, x2) = (rng.normal(), rng.normal());
        let mut y = 1.0 + 2.0 * x1 - x2 + 0.5 * rng.normal();
        if i % 20 == 7 {
            let sign = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
            y += sign * (10.0 + 10.0 * rng.uniform());
        }
        out.push_str(&format!("{x1:.10},{x2:.10},{y:.10}\n"));
    }
    std::fs::write(path, out)?;
    Ok(())
}

/// The sampler on the cases of `validate` (shorter chains: 4 × 100 000 after 20 000), each
/// against its case's reference. The centred eight schools is left out: its reference comes
/// from this sampler on the non-centred model.
fn all_cases(filters: &[&String]) -> Result<(), Box<dyn Error>> {
    let settings = Settings {
        chains: 4,
        burn_in: 20_000,
        iterations: 100_000,
        thin: 10,
        seed: 7,
    };
    println!(
        "| case | worst \\|Δmean\\|/ref sd | sd ratio | R-hat max | ESS min | acceptance | wall |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, build) in cases::all() {
        if name == "eight_schools_centered"
            || (!filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())))
        {
            continue;
        }
        let result = build().and_then(|c| c.mcmc(&settings));
        match result {
            Ok(m) => {
                let v = common::compare::Verdict::of(&m.rows);
                println!(
                    "| {name} | {:.3} ({}) | {:.3}–{:.3} | {:.4} | {:.0} | {:.2} | {:.1} s |",
                    v.worst_z,
                    v.worst_label,
                    v.ratio_min,
                    v.ratio_max,
                    m.r_hat_max,
                    m.ess_min,
                    m.acceptance.iter().sum::<f64>() / m.acceptance.len() as f64,
                    m.wall.as_secs_f64()
                );
            }
            Err(e) => println!("| {name} | not run: {e} ||||||"),
        }
    }
    Ok(())
}
