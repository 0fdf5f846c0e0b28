//! Forward-mode AD cost on the logistic-regression log likelihood, D = 21 weights
//! (intercept + 20), N = 2000 rows: f64 value, gradient and Hessian, with ngvi's own duals
//! and with num-dual's dynamic and static duals.
//!
//! `cargo bench --bench ad` — figures and ratios are recorded in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use nalgebra::{DVector, SVector};
use ngvi::ad::{dot, gradient, hessian, Dual, Dual2, Scalar};
use num_dual::{Dual2DVec64, DualDVec64, DualNum, DualSVec64};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::hint::black_box;

const N: usize = 2000;
const D: usize = 21;

struct Data {
    /// Row-major N × (D − 1) design, without the intercept column.
    x: Vec<f64>,
    y: Vec<f64>,
}

fn data() -> Data {
    let mut rng = StdRng::seed_from_u64(42);
    let x: Vec<f64> = (0..N * (D - 1))
        .map(|_| rng.random_range(-2.0..2.0))
        .collect();
    let y = (0..N)
        .map(|_| f64::from(u8::from(rng.random_bool(0.4))))
        .collect();
    Data { x, y }
}

/// Σ yᵢ ηᵢ − softplus(ηᵢ), ηᵢ = w₀ + xᵢ · w₁..  (ngvi's Scalar)
fn loglik<S: Scalar>(d: &Data, w: &[S]) -> S {
    let mut acc = S::constant(0.0);
    for (row, &y) in d.x.chunks_exact(D - 1).zip(&d.y) {
        let eta = dot(row, &w[1..]) + w[0].clone();
        acc += eta.clone() * y - eta.log1p_exp();
    }
    acc
}

/// The same likelihood for num-dual's scalar trait.
fn loglik_nd<T: DualNum<Primitive = f64>>(d: &Data, w: &[T]) -> T {
    let mut acc = T::from(0.0);
    for (row, &y) in d.x.chunks_exact(D - 1).zip(&d.y) {
        let mut eta = w[0].clone();
        for (xj, wj) in row.iter().zip(&w[1..]) {
            eta += wj.clone() * *xj;
        }
        let sp = if eta.re() > 0.0 {
            eta.clone() + (-eta.clone()).exp().ln_1p()
        } else {
            eta.clone().exp().ln_1p()
        };
        acc += eta * y - sp;
    }
    acc
}

fn bench(c: &mut Criterion) {
    let d = data();
    let w0: Vec<f64> = (0..D).map(|i| 0.05 * (i as f64) - 0.5).collect();
    // Both implementations must agree before their speeds are compared.
    let (_, g_own) = gradient(|w: &[Dual]| loglik(&d, w), &w0);
    let (_, g_nd) = num_dual::gradient(
        |w: DVector<DualDVec64>| loglik_nd(&d, w.as_slice()),
        &DVector::from_vec(w0.clone()),
    );
    assert!(g_own
        .iter()
        .zip(g_nd.iter())
        .all(|(a, b)| (a - b).abs() <= 1e-9 * b.abs().max(1.0)));

    let mut g = c.benchmark_group("logistic_n2000_d21");
    g.bench_function("f64_value", |b| b.iter(|| loglik(&d, black_box(&w0))));
    g.bench_function("ngvi_dual_gradient", |b| {
        b.iter(|| gradient(|w: &[Dual]| loglik(&d, w), black_box(&w0)))
    });
    g.bench_function("ngvi_dual2_hessian", |b| {
        b.iter(|| hessian(|w: &[Dual2]| loglik(&d, w), black_box(&w0)))
    });
    let wd = DVector::from_vec(w0.clone());
    g.bench_function("numdual_dvec_gradient", |b| {
        b.iter(|| {
            num_dual::gradient(
                |w: DVector<DualDVec64>| loglik_nd(&d, w.as_slice()),
                black_box(&wd),
            )
        })
    });
    let ws = SVector::<f64, D>::from_column_slice(&w0);
    g.bench_function("numdual_svec_gradient", |b| {
        b.iter(|| {
            num_dual::gradient(
                |w: SVector<DualSVec64<D>, D>| loglik_nd(&d, w.as_slice()),
                black_box(&ws),
            )
        })
    });
    g.bench_function("numdual_dvec_hessian", |b| {
        b.iter(|| {
            num_dual::hessian(
                |w: DVector<Dual2DVec64>| loglik_nd(&d, w.as_slice()),
                black_box(&wd),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
