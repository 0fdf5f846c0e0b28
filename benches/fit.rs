//! Whole fits, medians of repeated runs: the exact conjugate and quadratic cases the scale
//! issue names (a coin with 10⁶ flips, a 200-dimensional Gaussian), and the shared-data
//! logistic regression (N = 2000, D = 21; its targets by quadrature along the predictors,
//! (4.5e), and by Monte Carlo) and eight schools by NGVI and by ADVI at its best
//! setting on this machine.
//!
//! `cargo bench --bench fit -- --warm-up-time 1 --measurement-time 5` — figures in
//! BENCHMARKS.md.

#[path = "../examples/common/mod.rs"]
mod common;

use std::hint::black_box;

use common::cases::design;
use common::nonconjugate::{eight_schools, logistic_regression};
use common::Table;
use criterion::{criterion_group, criterion_main, Criterion};
use ngvi::prelude::*;

model! {
    fn coin(y: &[f64]) {
        sample p ~ Beta(1.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

model! {
    /// A Gaussian latent vector with a banded precision: exact in one step.
    fn chain(y: &[f64]) {
        sample w[y.len()] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(w[i] + 0.5 * w[(i + 1) % y.len()], 1.0);
        }
    }
}

fn fits(c: &mut Criterion) {
    let mut g = c.benchmark_group("fit");
    g.sample_size(10);
    let flips: Vec<f64> = common::synthetic::flips(1_000_000);
    g.bench_function("coin, N = 10^6 (exact)", |b| {
        b.iter(|| black_box(Ngvi::new().fit(&coin(&flips)).map(|f| f.iterations())))
    });
    let y: Vec<f64> = (0..200).map(|i| (f64::from(i) * 0.37).sin()).collect();
    g.bench_function("Gaussian, D = 200 (exact)", |b| {
        b.iter(|| black_box(Ngvi::new().fit(&chain(&y)).map(|f| f.iterations())))
    });
    if let Ok((x, y)) = design("logistic.csv", 20) {
        let model = logistic_regression(&x, &y);
        g.bench_function("logistic, NGVI", |b| {
            b.iter(|| black_box(Ngvi::new().fit(&model).map(|f| f.iterations())))
        });
        // the general path: Stein's targets at 64 fixed draws, not (4.5e)'s quadrature
        g.bench_function("logistic, NGVI, Monte Carlo targets", |b| {
            b.iter(|| {
                black_box(
                    Ngvi::new()
                        .expectation(Expectation::MonteCarlo)
                        .fit(&model)
                        .map(|f| f.iterations()),
                )
            })
        });
    }
    if let Ok(table) = Table::read("eight_schools.csv") {
        if let (Ok(y), Ok(sigma)) = (table.column("y"), table.column("sigma")) {
            let model = eight_schools(&y, &sigma);
            g.bench_function("eight schools, NGVI", |b| {
                b.iter(|| black_box(Ngvi::new().fit(&model).map(|f| f.iterations())))
            });
            g.bench_function("eight schools, ADVI full-rank η = 0.01", |b| {
                b.iter(|| {
                    black_box(
                        Advi::new()
                            .full_rank(true)
                            .step_size(0.01)
                            .fit(&model)
                            .map(|f| f.iterations()),
                    )
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, fits);
criterion_main!(benches);
