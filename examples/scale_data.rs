//! Fit time and peak memory against the number of rows N: the coin (Beta–Bernoulli, with a
//! plain `for` and with a `plate`) against its exact posterior, and a logistic regression
//! with D = 21 (20 predictors and an intercept) on simulated data against the weights it was
//! simulated with, on all the data or on minibatches. One fit per case; the curves of
//! BENCHMARKS.md's "Scale" section.
//!
//! ```text
//! cargo run --release --example scale_data                 # small and quick: every case
//! cargo run --release --example scale_data -- CASE N [BATCH]
//! /usr/bin/time -v target/release/examples/scale_data logistic 1000000 1000
//! ```
//!
//! CASE is `coin`, `coin-plate`, `coin-bool` (the flips held as `bool`), `logistic` (with
//! BATCH: `Ngvi::minibatch(BATCH)`), `logistic-both` (the minibatch fit of BATCH rows and
//! the full-data fit, compared) or `dimension` (N is then D: the logistic regression of
//! `benches/dimension.rs`, 1000 rows and D − 1 predictors, whole default fits on one
//! thread, full-rank and diagonal). The resident memory after the data are made and at its
//! peak (`VmRSS`, `VmHWM` of /proc/self/status, Linux) is printed beside the fit.

#[path = "common/mod.rs"]
mod common;

use std::error::Error;
use std::time::Instant;

use common::memory::memory;
use common::models::coin;
use common::nonconjugate::logistic_regression;
use common::synthetic::{flips, logistic_data, weight, INTERCEPT};
use ngvi::prelude::*;

model! {
    /// The coin with its flips in a plate: summed on every core.
    fn coin_plate(y: &[f64]) {
        sample p ~ Beta(1.0, 1.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

model! {
    /// The coin with its flips held as `bool`, a byte each.
    fn coin_bits(y: &[bool]) {
        sample p ~ Beta(1.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

/// How the coin's flips are held and looped over.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Coin {
    /// `f64`, a plain `for`.
    For,
    /// `f64`, a plate.
    Plate,
    /// `bool`, a plain `for`.
    Bits,
}

/// Predictors of the logistic case (D = 21 with the intercept).
const PREDICTORS: usize = 20;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, what: &str| -> Result<Option<usize>, Box<dyn Error>> {
        args.get(i)
            .map(|a| a.parse().map_err(|e| format!("{what} `{a}`: {e}").into()))
            .transpose()
    };
    match args.first().map(String::as_str) {
        None => {
            coin_case(10_000, Coin::For)?;
            coin_case(10_000, Coin::Plate)?;
            coin_case(10_000, Coin::Bits)?;
            logistic_case(1_000, None)?;
            logistic_case(1_000, Some(250))?;
            both(2_000, 250)
        }
        Some(case) => {
            let n = number(1, "N")?.ok_or("N, the number of rows, after the case")?;
            let batch = number(2, "BATCH")?;
            match case {
                "coin" => coin_case(n, Coin::For),
                "coin-plate" => coin_case(n, Coin::Plate),
                "coin-bool" => coin_case(n, Coin::Bits),
                "logistic" => logistic_case(n, batch),
                "logistic-both" => both(n, batch.ok_or("logistic-both N BATCH")?),
                "dimension" => dimension(n),
                other => Err(format!(
                    "unknown case `{other}`: coin, coin-plate, coin-bool, logistic, \
                     logistic-both or dimension"
                )
                .into()),
            }
        }
    }
}

/// The coin on `n` flips (3 in 10 are ones), against Beta(1 + k, 1 + n − k).
fn coin_case(n: usize, kind: Coin) -> Result<(), Box<dyn Error>> {
    let made = Instant::now();
    let (numbers, bits): (Vec<f64>, Vec<bool>) = match kind {
        Coin::Bits => (Vec::new(), flips(n)),
        Coin::For | Coin::Plate => (flips(n), Vec::new()),
    };
    let made = made.elapsed();
    let rss = memory("VmRSS");
    let start = Instant::now();
    let fit = match kind {
        Coin::For => Ngvi::new().fit(&coin(&numbers))?,
        Coin::Plate => Ngvi::new().fit(&coin_plate(&numbers))?,
        Coin::Bits => Ngvi::new().fit(&coin_bits(&bits))?,
    };
    let wall = start.elapsed();
    let k = numbers.iter().sum::<f64>() + bits.iter().filter(|&&b| b).count() as f64;
    let (a, b) = (1.0 + k, 1.0 + n as f64 - k);
    let mean = a / (a + b);
    let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
    let m = fit.mean("p").ok_or("no mean of p")?[0];
    let s = fit.sd("p").ok_or("no sd of p")?[0];
    let (case, bytes) = match kind {
        Coin::For => ("coin, for", 8 * n),
        Coin::Plate => ("coin, plate", 8 * n),
        Coin::Bits => ("coin, for, bool flips", n),
    };
    report(case, n, 1, bytes, made, rss, wall, &fit);
    println!(
        "  against the exact Beta(1 + k, 1 + N − k): |Δmean|/sd {:.2e}, sd ratio {:.6}",
        (m - mean).abs() / sd,
        s / sd
    );
    Ok(())
}

/// The logistic regression on `n` simulated rows, on minibatches of `batch` rows if given,
/// against the weights the data were simulated with.
fn logistic_case(n: usize, batch: Option<usize>) -> Result<(), Box<dyn Error>> {
    let made = Instant::now();
    let (x, y) = logistic_data(n, PREDICTORS);
    let made = made.elapsed();
    let rss = memory("VmRSS");
    let mut ngvi = Ngvi::new();
    if let Some(b) = batch {
        ngvi = ngvi.minibatch(b);
    }
    let start = Instant::now();
    let fit = ngvi.fit(&logistic_regression(&x, &y))?;
    let wall = start.elapsed();
    let case = match batch {
        Some(b) => format!("logistic, minibatch {b}"),
        None => "logistic, all the data".to_string(),
    };
    report(
        &case,
        n,
        PREDICTORS + 1,
        8 * (x.len() + y.len()),
        made,
        rss,
        wall,
        &fit,
    );
    let (mean, sd) = moments(&fit)?;
    let truth: Vec<f64> = std::iter::once(INTERCEPT)
        .chain((0..PREDICTORS).map(weight))
        .collect();
    let z: Vec<f64> = mean
        .iter()
        .zip(&sd)
        .zip(&truth)
        .map(|((m, s), t)| (m - t) / s)
        .collect();
    let worst = z.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    let rms = (z.iter().map(|v| v * v).sum::<f64>() / z.len() as f64).sqrt();
    println!(
        "  against the simulating weights: worst |mean − truth|/sd {worst:.2}, rms {rms:.2} \
         (about 1 for a calibrated posterior), sd of w[0] {:.2e}",
        sd[1]
    );
    // k̂, and how its log ratios were taken when a subsample made up part of them
    for line in fit
        .summary()
        .lines()
        .filter(|l| l.contains("k̂") || l.contains("log ratios"))
    {
        println!("  {line}");
    }
    Ok(())
}

/// The logistic regression on `n` rows on minibatches of `batch` and on all the data: the
/// minibatch fit's distance from the full-data one.
fn both(n: usize, batch: usize) -> Result<(), Box<dyn Error>> {
    let (x, y) = logistic_data(n, PREDICTORS);
    let model = logistic_regression(&x, &y);
    let mut fits = Vec::new();
    for ngvi in [Ngvi::new().minibatch(batch), Ngvi::new()] {
        let start = Instant::now();
        let fit = ngvi.fit(&model)?;
        println!(
            "logistic, N = {n}, {}: {:.3} s, {} iterations, {:?}",
            if fits.is_empty() {
                format!("minibatch {batch}")
            } else {
                "all the data".to_string()
            },
            start.elapsed().as_secs_f64(),
            fit.iterations(),
            fit.stop_reason()
        );
        fits.push(moments(&fit)?);
    }
    let [(m1, s1), (m0, s0)] = <[_; 2]>::try_from(fits).map_err(|_| "two fits")?;
    let worst = (0..m0.len())
        .map(|k| (m1[k] - m0[k]).abs() / s0[k])
        .fold(0.0, f64::max);
    let (lo, hi) = (0..s0.len())
        .map(|k| s1[k] / s0[k])
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), r| {
            (lo.min(r), hi.max(r))
        });
    println!(
        "  minibatch against all the data: worst |Δmean|/sd {worst:.3}, sd ratio {lo:.3}–{hi:.3}"
    );
    Ok(())
}

/// Whole default fits (one thread) of the logistic regression with `d` coordinates on 1000
/// rows, full-rank and diagonal: how many sweeps the per-sweep cost of
/// `benches/dimension.rs` is paid for.
fn dimension(d: usize) -> Result<(), Box<dyn Error>> {
    if d < 2 {
        return Err("dimension D: D is at least 2 (an intercept and a weight)".into());
    }
    let (x, y) = logistic_data(1000, d - 1);
    let model = logistic_regression(&x, &y);
    for diagonal in [false, true] {
        let start = Instant::now();
        let fit = Ngvi::new().threads(1).diagonal(diagonal).fit(&model)?;
        let e = fit.evaluations();
        println!(
            "D = {d}, {}: fit {:.3} s, {} iterations, {:?}, k̂ {:.2}, evaluations {} / {} / {} \
             (value / gradient / Hessian)",
            if diagonal { "diagonal" } else { "full-rank" },
            start.elapsed().as_secs_f64(),
            fit.iterations(),
            fit.stop_reason(),
            fit.pareto_k().unwrap_or(f64::NAN),
            e.values,
            e.gradients,
            e.hessians
        );
    }
    Ok(())
}

/// Means and sds of (b, w[0], …) in that order.
fn moments(fit: &Fit) -> Result<(Vec<f64>, Vec<f64>), Box<dyn Error>> {
    let mut mean = fit.mean("b").ok_or("no mean of b")?;
    mean.extend(fit.mean("w").ok_or("no mean of w")?);
    let mut sd = fit.sd("b").ok_or("no sd of b")?;
    sd.extend(fit.sd("w").ok_or("no sd of w")?);
    Ok((mean, sd))
}

/// One line on a fit: size, times, memory, iterations, stop reason, evaluations.
#[allow(clippy::too_many_arguments)]
fn report(
    case: &str,
    n: usize,
    d: usize,
    bytes: usize,
    made: std::time::Duration,
    rss_data: Option<f64>,
    wall: std::time::Duration,
    fit: &Fit,
) {
    let e = fit.evaluations();
    let mib = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.1} MiB"));
    println!(
        "{case}: N = {n}, D = {d}, data {:.1} MiB (made in {:.3} s), fit {:.3} s, \
         {} iterations, {:?}, evaluations {} / {} / {} (value / gradient / Hessian); \
         resident {} with the data, peak {}",
        bytes as f64 / (1024.0 * 1024.0),
        made.as_secs_f64(),
        wall.as_secs_f64(),
        fit.iterations(),
        fit.stop_reason(),
        e.values,
        e.gradients,
        e.hessians,
        mib(rss_data),
        mib(memory("VmHWM")),
    );
}
