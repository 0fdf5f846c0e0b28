//! NGVI beside ADVI (`ngvi::Advi`, black-box VI with Adam) on the same log joints: the coin
//! on 10⁶ flips, linear regression, logistic regression, Poisson regression, eight schools
//! (non-centred) and the centred hierarchical normal model of 100 groups. For each method
//! and setting: steps, log-joint evaluations (value / gradient / gradient-and-Hessian),
//! their cost in gradient equivalents, wall time, peak resident memory during the fit, the
//! worst |Δmean| / reference sd, the sd-ratio range and whether the fit passes the bar
//! (every mean within 0.1 reference sd, every sd within 15 %). ADVI runs at four constant
//! Adam step sizes, mean-field and full-rank, and with NumPyro's best schedule (0.05
//! decaying to 0.0005) over growing budgets of steps until one reaches the bar. Every
//! ADVI fit is also checked against the bar every 25 steps, on the answer it would give if
//! it stopped there (`Advi::fit_watched`), as `bench/compare/compare.py` checks NumPyro's
//! current parameters, and its first check at the bar is printed (step, gradient
//! equivalents so far, time so far); ADVI's best is the fewest gradient equivalents at such
//! a check, the fair comparison.
//!
//! Gradient equivalents weigh each evaluation by its measured cost on that model: a value
//! (f64), a gradient (first-order duals) and a Hessian (second-order duals) of the log joint
//! at the NGVI posterior mean, each timed over repeated calls.
//!
//! `cargo run --release --example ngvi_vs_advi [-- SEED [CASE]]`, CASE one of `coin_1e6`,
//! `linreg`, `logistic`, `poisson_reg`, `eight_schools`, `hierarchical` (default: all).

mod common;

use std::error::Error;
use std::time::Instant;

use common::cases::{design, seed_arg};
use common::compare::{latent_rows, rows_from, Labels, Reference, Verdict};
use common::hierarchical::centred;
use common::memory::peak_of;
use common::models::{coin, linear_regression};
use common::nonconjugate::{eight_schools, logistic_regression, poisson_regression};
use common::synthetic::flips;
use common::{linreg, Table};
use ngvi::prelude::*;
use ngvi::{AdviCheck, Evaluations};

/// Seconds per evaluation of the log joint at `z`: value, gradient, gradient and Hessian,
/// gradient and the Hessian's diagonal.
#[derive(Debug, Clone, Copy)]
struct Costs {
    value: f64,
    gradient: f64,
    hessian: f64,
    diagonal: f64,
}

impl Costs {
    /// Each kind of evaluation timed over repeated calls (at least 0.2 s each).
    fn measure<M: Model>(model: &M, z: &[f64]) -> Result<Costs, Box<dyn Error>> {
        fn per_call(mut f: impl FnMut() -> bool) -> Result<f64, Box<dyn Error>> {
            let start = Instant::now();
            let mut calls = 0u32;
            while calls < 3 || start.elapsed().as_secs_f64() < 0.2 {
                if !f() {
                    return Err("the log joint failed at the NGVI mean".into());
                }
                calls += 1;
            }
            Ok(start.elapsed().as_secs_f64() / f64::from(calls))
        }
        Ok(Costs {
            value: per_call(|| model.log_joint(z).is_ok())?,
            gradient: per_call(|| model.log_joint(&Dual::variables(z)).is_ok())?,
            hessian: per_call(|| model.log_joint(&Dual2::variables(z)).is_ok())?,
            diagonal: per_call(|| model.log_joint(&DualDiag::variables(z)).is_ok())?,
        })
    }

    /// The evaluations' cost in gradients.
    fn gradient_equivalents(&self, e: Evaluations) -> f64 {
        e.gradients as f64
            + (e.hessians as f64 * self.hessian
                + e.diagonals as f64 * self.diagonal
                + e.values as f64 * self.value)
                / self.gradient
    }
}

/// The first check at the bar of a watched ADVI fit (checked every [`CHECK_EVERY`] steps,
/// on the answer it would give if it stopped there, as `bench/compare/compare.py` checks
/// NumPyro's).
#[derive(Debug, Clone, Copy)]
struct Crossing {
    step: usize,
    evaluations: Evaluations,
    elapsed: f64,
}

/// Whether a fit was watched, and its first check at the bar if it was.
#[derive(Debug, Clone, Copy)]
enum Watch {
    Unwatched,
    Never,
    At(Crossing),
}

/// Steps between the checks of an ADVI fit against the reference.
const CHECK_EVERY: usize = 25;

/// One line of the table for one fit, with `fit`'s first check at the bar for ADVI; whether
/// the fit passed at its end, and that first check's cost in gradient equivalents.
fn line<M: Model>(
    case: &str,
    method: &str,
    (model, costs): (&M, Costs),
    (reference, labels): (&Reference, Labels<'_>),
    fit: impl FnOnce(&M) -> (Result<Fit, ngvi::Error>, Watch),
) -> Result<(bool, Option<f64>), Box<dyn Error>> {
    let start = Instant::now();
    let ((outcome, crossing), peak) = peak_of(|| fit(model));
    let wall = start.elapsed().as_secs_f64();
    let fit = match outcome {
        Ok(fit) => fit,
        Err(e) => {
            println!("| {case} | {method} | failed: {e} ||||||||||");
            return Ok((false, None));
        }
    };
    let v = Verdict::of(&latent_rows(model, &fit, reference, labels)?);
    let e = fit.evaluations();
    let first = match crossing {
        Watch::At(c) => Some((c, costs.gradient_equivalents(c.evaluations))),
        Watch::Never | Watch::Unwatched => None,
    };
    let shown = match (crossing, first) {
        (Watch::Unwatched, _) => "—".to_string(),
        (_, Some((c, eq))) => format!("step {}: {eq:.0} in {:.3} s", c.step, c.elapsed),
        (_, None) => "never".to_string(),
    };
    println!(
        "| {case} | {method} | {} | {} / {} / {} | {:.0} | {:.3} s | {} | {:.3} ({}) | {:.3}–{:.3} | {} | {} | {} |",
        fit.iterations(),
        e.values,
        e.gradients,
        e.hessians,
        costs.gradient_equivalents(e),
        wall,
        peak.map_or("—".to_string(), |mib| format!("{mib:.1} MiB")),
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
        shown,
    );
    Ok((v.pass, first.map(|f| f.1)))
}

/// `advi` on `model`, watched every [`CHECK_EVERY`] steps: the fit and its first check at
/// the bar against `reference`.
fn watched<M: Model>(
    advi: Advi,
    model: &M,
    (reference, labels): (&Reference, Labels<'_>),
) -> (Result<Fit, ngvi::Error>, Watch) {
    let latents = match model.latents() {
        Ok(l) => l,
        Err(e) => return (Err(e.into()), Watch::Never),
    };
    let mut first = Watch::Never;
    let fit = advi.fit_watched(model, CHECK_EVERY, |c: &AdviCheck| {
        let at_bar = || {
            rows_from(&latents, &c.means(), &c.sds(), reference, labels)
                .is_ok_and(|rows| Verdict::of(&rows).pass)
        };
        if matches!(first, Watch::Never) && at_bar() {
            first = Watch::At(Crossing {
                step: c.step,
                evaluations: c.evaluations,
                elapsed: c.elapsed.as_secs_f64(),
            });
        }
    });
    (fit, first)
}

/// Steps of the decaying-step ADVI runs, tried in turn until one reaches the bar at a check.
const BUDGETS: [usize; 5] = [2_000, 5_000, 10_000, 20_000, 50_000];

/// NGVI at its defaults, then ADVI at each constant step size, then ADVI with the decaying
/// step over growing budgets until one reaches the bar at a check; last, NGVI's cost
/// against ADVI's fewest gradient equivalents at a first check at the bar.
fn compare<M: Model>(
    case: &str,
    model: &M,
    reference: (&Reference, Labels<'_>),
    seed: u64,
) -> Result<(), Box<dyn Error>> {
    let ngvi = Ngvi::new().seed(seed).fit(model)?;
    let mean: Vec<f64> = model
        .latents()?
        .iter()
        .flat_map(|l| ngvi.mean(l.name).unwrap_or_default())
        .collect();
    let costs = Costs::measure(model, &mean)?;
    println!(
        "| {case} | (one evaluation: value {:.1} µs, gradient {:.1} µs, Hessian {:.1} µs) ||||||||||||",
        costs.value * 1e6,
        costs.gradient * 1e6,
        costs.hessian * 1e6
    );
    let with = (model, costs);
    let (ngvi_passes, _) = line(case, "NGVI (defaults)", with, reference, |m| {
        (Ngvi::new().seed(seed).fit(m), Watch::Unwatched)
    })?;
    let ngvi_cost = costs.gradient_equivalents(ngvi.evaluations());
    let mut best: Option<(String, f64)> = None;
    let mut keep = |name: String, first: Option<f64>| {
        if let Some(eq) = first.filter(|&eq| best.as_ref().is_none_or(|b| eq < b.1)) {
            best = Some((name, eq));
        }
    };
    for full_rank in [false, true] {
        let kind = if full_rank { "full-rank" } else { "mean-field" };
        for eta in [0.005, 0.01, 0.05, 0.1] {
            let name = format!("ADVI {kind} η={eta}");
            let (_, first) = line(case, &name, with, reference, |m| {
                let advi = Advi::new().seed(seed).full_rank(full_rank).step_size(eta);
                watched(advi, m, reference)
            })?;
            keep(name, first);
        }
        for budget in BUDGETS {
            let name = format!("ADVI {kind} η=0.05→0.0005 over {budget} steps");
            let (_, first) = line(case, &name, with, reference, |m| {
                let advi = Advi::new()
                    .seed(seed)
                    .full_rank(full_rank)
                    .step_size(0.05)
                    .step_size_decay(0.0005)
                    .max_iters(budget)
                    .tol(0.0);
                watched(advi, m, reference)
            })?;
            let crossed = first.is_some();
            keep(name, first);
            if crossed {
                break;
            }
        }
    }
    // NGVI's cost to its answer, and with the diagnostics every fit of either method runs
    let alone = costs.gradient_equivalents(ngvi.fit_evaluations());
    let diagnostics = ngvi_cost - alone;
    let verdict = if ngvi_passes { "passes" } else { "FAILS" };
    match best {
        Some((name, eq)) => println!(
            "| {case} | NGVI {verdict}: {alone:.0} gradient equivalents to its answer, \
             {ngvi_cost:.0} with its diagnostics; ADVI's first check at the bar at best \
             {eq:.0} ({name}): {:.1}× NGVI's to the answer, {:.1}× with the same diagnostics \
             added to both ||||||||||||",
            eq / alone,
            (eq + diagnostics) / ngvi_cost
        ),
        None => println!(
            "| {case} | NGVI {verdict}: {alone:.0} gradient equivalents to its answer, \
             {ngvi_cost:.0} with its diagnostics; no ADVI setting reached the bar at any \
             check ||||||||||||"
        ),
    }
    Ok(())
}

/// Flips in the coin case: the N = 10⁶.
const FLIPS: usize = 1_000_000;

/// The coin on [`FLIPS`] flips, 3 in 10 ones (as `scale_data`'s), with its exact Beta
/// posterior.
fn coin_flips() -> (Vec<f64>, Reference) {
    let flips: Vec<f64> = flips(FLIPS);
    let k: f64 = flips.iter().sum();
    let (a, b) = (1.0 + k, 1.0 + FLIPS as f64 - k);
    let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
    let exact = Reference::from_entries(
        "exact Beta(1 + k, 1 + N − k)",
        [("p".to_string(), (a / (a + b), sd))],
    );
    (flips, exact)
}

/// The cases, in BENCHMARKS.md's order.
const CASES: [&str; 6] = [
    "coin_1e6",
    "linreg",
    "logistic",
    "poisson_reg",
    "eight_schools",
    "hierarchical",
];

fn main() -> Result<(), Box<dyn Error>> {
    let seed = seed_arg(1)?;
    let only = std::env::args().nth(2);
    if let Some(name) = only.as_deref().filter(|n| !CASES.contains(n)) {
        return Err(format!("unknown case `{name}`: one of {}", CASES.join(", ")).into());
    }
    let runs = |name: &str| only.as_deref().is_none_or(|o| o == name);
    println!("seed {seed}; bar: every mean within 0.1 ref sd, every sd within 15 %\n");
    println!("| case | method | steps | evaluations (value / gradient / Hessian) | gradient equivalents | wall | peak memory | worst \\|Δmean\\|/sd | sd ratio | stop | bar | first check at the bar (every 25 steps): step, gradient equivalents, time |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|");
    let same = Labels::SAME;
    if runs("coin_1e6") {
        let (flips, exact) = coin_flips();
        compare("coin_1e6", &coin(&flips), (&exact, same), seed)?;
    }
    if runs("linreg") {
        let (x, y) = linreg()?;
        let reference = Reference::shared("linreg")?;
        compare(
            "linreg",
            &linear_regression(&x, &y, 0.5),
            (&reference, same),
            seed,
        )?;
    }
    if runs("logistic") {
        let (x, y) = design("logistic.csv", 20)?;
        let reference = Reference::shared("logistic")?;
        compare(
            "logistic",
            &logistic_regression(&x, &y),
            (&reference, same),
            seed,
        )?;
    }
    if runs("poisson_reg") {
        let (x, y) = design("poisson_reg.csv", 5)?;
        let reference = Reference::shared("poisson_reg")?;
        compare(
            "poisson_reg",
            &poisson_regression(&x, &y),
            (&reference, same),
            seed,
        )?;
    }
    if runs("eight_schools") {
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
    }
    if runs("hierarchical") {
        let table = Table::read("hierarchical.csv")?;
        let y = table.column("y")?;
        let group: Vec<usize> = table.column("group")?.iter().map(|&g| g as usize).collect();
        let groups = group.iter().max().map_or(0, |g| g + 1);
        let reference = Reference::shared("hierarchical")?;
        compare(
            "hierarchical",
            &centred(&y, &group, groups),
            (&reference, same),
            seed,
        )?;
    }
    Ok(())
}
