//! Scale: plates against plain loops, one thread against two, and fit time against the
//! number of rows, medians of repeated runs.
//!
//! `cargo bench --bench scale -- --warm-up-time 1 --measurement-time 5` — figures in
//! BENCHMARKS.md.

use std::hint::black_box;

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
    fn coin_plate(y: &[f64]) {
        sample p ~ Beta(1.0, 1.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

model! {
    fn logistic(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 5.0);
        sample w[x.ncols()] ~ Normal(0.0, 2.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(sigmoid(b + dot(x.row(i).iter(), w)));
        }
    }
}

/// `n` rows of logistic data with `d` predictors in [−1, 1], from a fixed recurrence (no
/// random-number crate needed), weights j/d − 0.5.
fn logistic_data(n: usize, d: usize) -> (DMatrix<f64>, Vec<f64>) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let x = DMatrix::from_fn(n, d, |_, _| 2.0 * uniform() - 1.0);
    let y = (0..n)
        .map(|i| {
            let eta: f64 = (0..d)
                .map(|j| x[(i, j)] * (j as f64 / d as f64 - 0.5))
                .sum();
            f64::from(uniform() < 1.0 / (1.0 + (-eta).exp()))
        })
        .collect();
    (x, y)
}

fn scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    let flips: Vec<f64> = (0..1_000_000)
        .map(|i| f64::from(u8::from((i * 7919) % 10 < 3)))
        .collect();
    g.bench_function("coin, N = 10^6, for", |b| {
        b.iter(|| black_box(Ngvi::new().fit(&coin(&flips)).map(|f| f.iterations())))
    });
    for threads in [1, 2] {
        g.bench_function(format!("coin, N = 10^6, plate, {threads} thread(s)"), |b| {
            b.iter(|| {
                let fit = Ngvi::new().threads(threads).fit(&coin_plate(&flips));
                black_box(fit.map(|f| f.iterations()))
            })
        });
    }
    let (x, y) = logistic_data(10_000, 20);
    let model = logistic(&x, &y);
    for threads in [1, 2] {
        g.bench_function(
            format!("logistic fit, N = 10^4, D = 21, {threads} thread(s)"),
            |b| {
                b.iter(|| {
                    black_box(
                        Ngvi::new()
                            .threads(threads)
                            .fit(&model)
                            .map(|f| f.iterations()),
                    )
                })
            },
        );
    }
    for n in [1_000, 3_000] {
        let (x, y) = logistic_data(n, 20);
        let model = logistic(&x, &y);
        g.bench_function(format!("logistic fit, N = {n}, D = 21"), |b| {
            b.iter(|| black_box(Ngvi::new().fit(&model).map(|f| f.iterations())))
        });
    }
    g.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);
