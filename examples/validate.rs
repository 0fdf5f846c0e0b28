//! Validation harness: every case with a reference posterior, fitted with default settings
//! over seeds 0, 1000, 2000, 3000, 4000, each fit compared with its reference component by
//! component. Prints one Markdown table: per case and seed the worst |Δmean| / ref sd, the
//! range of fitted sd / ref sd, iterations, stop reason, the fixed-draw error, the Pareto k̂
//! of the guide, the log-joint evaluations (value only / with gradient / with gradient and
//! Hessian), the wall time of `Ngvi::fit`, and pass/fail against the bar (every mean within 0.1 ref sd, every
//! sd within 15 %); then per case a cross-seed row, the largest spread of a posterior mean
//! across the seeds in ref sd units.
//!
//! Cases: the conjugate ones as a sanity check (coin, counts, normal, linreg: exact
//! references), logistic and Poisson regression and eight schools (NUTS references),
//! eight schools centred and the robust regression (adaptive-Metropolis references, made by
//! `mcmc_reference`), a centred hierarchical model with 100 groups (exact by quadrature,
//! written by `scale_hierarchical -- --write 100`), and the six posteriordb cases (Stan
//! NUTS references; diamonds only with `NGVI_POSTERIORDB` set, see the `posteriordb`
//! example). The models are those of the single-case examples (`examples/common/`).
//!
//! `cargo run --release --example validate [-- [--cubature] NAME ...]` (names filter the
//! cases by substring, e.g. `-- kidiq logistic`; `--cubature` fits with
//! `Expectation::Cubature` instead of the default)

mod common;

use std::error::Error;
use std::time::Instant;

use common::cases;
use common::compare::{Verdict, MEAN_TOL, SD_TOL};
use ngvi::prelude::*;

const SEEDS: [u64; 5] = [0, 1000, 2000, 3000, 4000];

/// `Converged { change: 0.00023 }` → `Converged (2.3e-4)`: the variant and its first
/// number, read off the `Debug` form so that new variants need no change here.
fn stop_label(stop: StopReason) -> String {
    let debug = format!("{stop:?}");
    match debug.split_once(" { ") {
        Some((name, rest)) => {
            let value = rest
                .trim_end_matches('}')
                .split(',')
                .next()
                .and_then(|f| f.split_once(": "))
                .and_then(|(_, v)| v.trim().parse::<f64>().ok());
            match value {
                Some(v) => format!("{name} ({v:.1e})"),
                None => name.to_string(),
            }
        }
        None => debug,
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cubature = args.iter().any(|a| a == "--cubature");
    let filters: Vec<String> = args.into_iter().filter(|a| a != "--cubature").collect();
    let expectation = if cubature {
        Expectation::Cubature
    } else {
        Expectation::Auto
    };
    let start = Instant::now();
    println!(
        "Bar: every mean within {MEAN_TOL} ref sd and every sd within {:.0} % of the \
         reference; default settings (`Ngvi::new().seed(s)`), seeds {SEEDS:?}.\n",
        SD_TOL * 100.0
    );
    // COLUMN: when `Fit` exposes more, add its header here, a `|---:` below, its value in
    // `fit_row`, and one more `|` in the not-run, fit-failed and across-seeds rows.
    println!(
        "| case | seed | worst \\|Δmean\\|/sd | sd ratio min–max | iterations | stop reason \
         | draw error | k̂ | evaluations | wall | pass |"
    );
    println!("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|");
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    for (name, build) in cases::all() {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let case = match build() {
            Ok(case) => case,
            Err(e) => {
                println!("| {name} | – | not run: {e} |||||||||");
                continue;
            }
        };
        // Each seed's fitted mean per component, for the cross-seed spread.
        let mut means: Vec<(String, f64, Vec<f64>)> = Vec::new();
        for seed in SEEDS {
            match case.run(&Ngvi::new().seed(seed).expectation(expectation)) {
                Ok(out) => {
                    let v = Verdict::of(&out.rows);
                    if v.pass {
                        passed += 1;
                    } else {
                        failed += 1;
                    }
                    println!("{}", fit_row(&name, seed, &out, &v));
                    for r in out.rows.iter().filter(|r| !r.derived) {
                        match means.iter_mut().find(|m| m.0 == r.label) {
                            Some(m) => m.2.push(r.mean),
                            None => means.push((r.label.clone(), r.ref_sd, vec![r.mean])),
                        }
                    }
                }
                Err(e) => {
                    errors += 1;
                    println!(
                        "| {name} | {seed} | fit failed: {} |||||||| FAIL |",
                        gist(&e)
                    );
                }
            }
        }
        let spread = means
            .iter()
            .filter(|m| m.2.len() > 1)
            .map(|(label, ref_sd, v)| {
                let (lo, hi) = v
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                        (lo.min(x), hi.max(x))
                    });
                ((hi - lo) / ref_sd, label)
            })
            .fold(None, |best: Option<(f64, &String)>, (s, l)| match best {
                // A NaN spread, once found, stays the largest.
                Some((b, _)) if b.is_nan() || s <= b => best,
                _ => Some((s, l)),
            });
        match spread {
            Some((s, label)) => println!(
                "| {name} | across seeds | largest spread of a mean: {s:.3} sd ({label}) |||||||||"
            ),
            None => println!("| {name} | across seeds | fewer than two fits |||||||||"),
        }
    }
    println!(
        "\n{passed} fits pass, {failed} fail the bar, {errors} failed to fit; {:.1} s in all.",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// An error's first clause (up to `; ` or ` (`): the table keeps one line per fit.
fn gist(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let end = [text.find("; "), text.find(" (")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(text.len());
    text[..end].to_string()
}

/// One table row for one fit.
fn fit_row(name: &str, seed: u64, out: &cases::Outcome, v: &Verdict) -> String {
    let fit = &out.fit;
    let opt = |v: Option<f64>| v.map_or("–".to_string(), |e| format!("{e:.3}"));
    let (draw_error, k_hat) = (opt(fit.draw_error()), opt(fit.pareto_k()));
    let evals = fit.evaluations();
    format!(
        "| {name} | {seed} | {:.3} ({}) | {:.3}–{:.3} | {} | {} | {draw_error} | {k_hat} \
         | {} / {} / {} | {:.0} ms | {} |",
        v.worst_z,
        v.worst_label,
        v.ratio_min,
        v.ratio_max,
        fit.iterations(),
        stop_label(fit.stop_reason()),
        evals.values,
        evals.gradients,
        evals.hessians,
        out.wall.as_secs_f64() * 1e3,
        if v.pass { "pass" } else { "FAIL" }
    )
}
