//! A Bayesian neural network: one hidden layer of H tanh units on three inputs
//! (`common::bnn`: w1[3H], b1[H], w2[H], b2 and the noise sd sigma, D = 5H + 2), fitted
//! by NGVI with a diagonal Gaussian guide (VOGN-like) to N simulated rows
//! (y = sin(1.5 x₁) + ½ x₂² − 0.3 x₁x₃ + Normal(0, 0.3²), x uniform on (−2, 2)³). Then the
//! posterior predictive on 500 held-out rows: for every posterior draw, the network's output
//! plus Normal(0, sigma) noise. Prints the fit (time, sweeps, stop reason, k̂, the ELBO on
//! its fixed draws at the start and at the end), the held-out RMSE of the predictive mean
//! beside the RMSE of predicting the training mean, and the coverage of the central 90 %
//! predictive intervals; fails unless that coverage is within 85–95 %.
//!
//! The hidden units are interchangeable, so a start with all weights at 0 is a saddle point
//! the fit cannot leave; as in training any network, w1 starts at small random values.
//!
//! By default H = 100 (D = 502) and N = 2000. The diagonal block starts at the mode found by
//! L-BFGS with the exact diagonal of the Hessian there as its precision (docs/design.md
//! (4.18a)); the sweeps then climb the mean-field ELBO by about a nat each, for hundreds of
//! sweeps, while the held-out RMSE and coverage stay where the first sweeps put them
//! (BENCHMARKS.md, "A Bayesian neural network"). So the fit stops after `SWEEPS` sweeps (or
//! as many as given) and says it has not converged. With fewer rows the mean-field predictive is too wide: at
//! N = 600 its 90 % intervals cover 97 % of held-out rows.
//!
//! `cargo run --release --example bnn [-- SEED [HIDDEN [ROWS [SWEEPS]]]]`

mod common;

use std::time::Instant;

use common::bnn::{baseline_rmse, bnn, predictive, simulate, NOISE_SD};
use common::cases::seed_arg;
use ngvi::dist::{Normal, Sampling};
use ngvi::prelude::*;
use rand::SeedableRng;

const HELD_OUT: usize = 500;
/// Sweeps after the start by default (see the module docs).
const SWEEPS: usize = 10;
/// The central predictive intervals should hold this share of held-out points, within
/// `COVERAGE_BAND`.
const COVERAGE_BAND: (f64, f64) = (0.85, 0.95);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = seed_arg(1)?;
    let count = |k: usize, name: &str, default: usize| match std::env::args().nth(k) {
        Some(a) => a.parse().map_err(|e| format!("{name} `{a}`: {e}")),
        None => Ok(default),
    };
    let hidden: usize = count(2, "HIDDEN", 100)?;
    let rows: usize = count(3, "ROWS", 2000)?;
    let sweeps: usize = count(4, "SWEEPS", SWEEPS)?;
    let (x, y) = simulate(rows, 2026)?;
    let (x_new, y_new) = simulate(HELD_OUT, 2027)?;
    let model = bnn(&x, &y, hidden, 1.0 / (hidden as f64).sqrt());
    let d: usize = model.latents()?.iter().map(|l| l.shape.len()).sum();

    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let small = Normal::new(0.0, 0.5)?;
    let w1_start: Vec<f64> = (0..hidden * x.ncols())
        .map(|_| small.sample(&mut rng))
        .collect();

    let start = Instant::now();
    let fit = Ngvi::new()
        .seed(seed)
        .diagonal(true)
        .init("w1", &w1_start)
        .max_iters(sweeps)
        .draws(2000)
        .fit(&model)?;
    let wall = start.elapsed().as_secs_f64();
    let pred = predictive(&fit, hidden, &x_new, &y_new, seed)?;

    println!("Bayesian neural network, {hidden} tanh units, D = {d} latents, N = {rows} rows");
    println!(
        "fit: {wall:.1} s, {} sweeps, {} ({:?}), k̂ = {}",
        fit.iterations(),
        if fit.stop_reason().is_converged() {
            "converged"
        } else {
            "NOT converged"
        },
        fit.stop_reason(),
        fit.pareto_k()
            .map_or("none".to_string(), |k| format!("{k:.2}"))
    );
    let trace = fit.elbo();
    println!(
        "ELBO on the fixed draws: {:.1} at the start, {:.1} after the last sweep",
        trace.first().copied().unwrap_or(f64::NAN),
        trace.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "sigma: {:.3} ± {:.3} (simulated with {NOISE_SD})",
        fit.mean("sigma").ok_or("no sigma")?[0],
        fit.sd("sigma").ok_or("no sigma")?[0]
    );
    println!("held-out rows: {HELD_OUT}");
    println!(
        "  RMSE of the predictive mean: {:.3} (the training mean: {:.3}; the noise sd: {NOISE_SD})",
        pred.rmse,
        baseline_rmse(&y, &y_new)
    );
    println!(
        "  coverage of the 90 % predictive intervals: {:.1} % (mean width {:.3})",
        100.0 * pred.coverage,
        pred.width
    );
    let (lo, hi) = COVERAGE_BAND;
    if !(lo..=hi).contains(&pred.coverage) {
        return Err(format!(
            "coverage {:.3} outside {lo}–{hi}: the predictive intervals are not calibrated",
            pred.coverage
        )
        .into());
    }
    Ok(())
}
