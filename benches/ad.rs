//! Forward-mode AD cost on the logistic-regression log likelihood, D = 21 weights
//! (intercept + 20), N = 2000 rows: f64 value, gradient and Hessian, with ngvi's own duals
//! and with num-dual's dynamic and static duals. Then two log joints in which every datum
//! touches a few of many variables (what sparse tangents are for), gradient only: a
//! hierarchical normal model with J = 10³ and 10⁴ groups, and a one-hidden-layer network
//! with H = 50 and 150 tanh units.
//!
//! `cargo bench --bench ad` — figures and ratios are recorded in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use nalgebra::{DVector, SVector};
use ngvi::ad::{dot, gradient, hessian, Dual, Dual2, Scalar};
use ngvi::dist::{Normal, Univariate};
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

/// Observations per group in the hierarchical model.
const PER_GROUP: usize = 10;

/// ln N(x | mean, sd) through ngvi's distribution, as a model's log joint evaluates it.
fn ln_normal<S: Scalar>(x: S, mean: S, sd: S) -> S {
    match Normal::new(mean, sd) {
        Ok(d) => d.ln_density(&x),
        Err(e) => panic!("benchmark parameters are valid: {e}"),
    }
}

/// Σⱼ Σᵢ ln N(yᵢⱼ | θⱼ, 1) + Σⱼ ln N(θⱼ | μ, τ) in v = [μ, ln τ, θ₁, …, θ_J].
fn hierarchical<S: Scalar>(y: &[f64], v: &[S]) -> S {
    let (mu, tau) = (&v[0], v[1].exp());
    let mut acc = S::constant(0.0);
    for (theta, ys) in v[2..].iter().zip(y.chunks_exact(PER_GROUP)) {
        for &yi in ys {
            acc += ln_normal(S::constant(yi), theta.clone(), S::constant(1.0));
        }
        acc += ln_normal(theta.clone(), mu.clone(), tau.clone());
    }
    acc
}

/// Σₙ ln N(yₙ | b₂ + Σₕ w2ₕ tanh(w1ₕ xₙ + b1ₕ), 0.5) in v = [w1, b1, w2, b₂] (D = 3H + 1).
fn network<S: Scalar>(xy: &[(f64, f64)], v: &[S]) -> S {
    let h = (v.len() - 1) / 3;
    let (w1, b1, w2, b2) = (&v[..h], &v[h..2 * h], &v[2 * h..3 * h], &v[3 * h]);
    let mut acc = S::constant(0.0);
    for &(x, y) in xy {
        let mut f = b2.clone();
        for ((w1h, b1h), w2h) in w1.iter().zip(b1).zip(w2) {
            f += w2h.clone() * (w1h.clone() * x + b1h.clone()).tanh();
        }
        acc += ln_normal(S::constant(y), f, S::constant(0.5));
    }
    acc
}

/// The gradient of the hierarchical log joint with J groups.
fn bench_hierarchical(c: &mut Criterion, groups: usize) {
    let mut rng = StdRng::seed_from_u64(7);
    let y: Vec<f64> = (0..groups * PER_GROUP)
        .map(|_| rng.random_range(-3.0..3.0))
        .collect();
    let v0: Vec<f64> = (0..groups + 2).map(|i| 0.01 * (i % 17) as f64).collect();
    let mut g = c.benchmark_group(format!("hierarchical_j{groups}"));
    g.sample_size(10);
    g.bench_function("ngvi_dual_gradient", |b| {
        b.iter(|| gradient(|v: &[Dual]| hierarchical(&y, v), black_box(&v0)))
    });
    g.finish();
}

/// The gradient of the network log likelihood with H hidden units, N = 200 rows.
fn bench_network(c: &mut Criterion, hidden: usize) {
    let mut rng = StdRng::seed_from_u64(11);
    let xy: Vec<(f64, f64)> = (0..200)
        .map(|_| {
            let x: f64 = rng.random_range(-2.0..2.0);
            (x, x.sin() + rng.random_range(-0.3..0.3))
        })
        .collect();
    let v0: Vec<f64> = (0..3 * hidden + 1)
        .map(|i| 0.1 * ((i % 13) as f64 - 6.0))
        .collect();
    let mut g = c.benchmark_group(format!("network_h{hidden}"));
    g.sample_size(10);
    g.bench_function("ngvi_dual_gradient", |b| {
        b.iter(|| gradient(|v: &[Dual]| network(&xy, v), black_box(&v0)))
    });
    g.finish();
}

fn bench_sparse(c: &mut Criterion) {
    bench_hierarchical(c, 1_000);
    bench_hierarchical(c, 10_000);
    bench_network(c, 50);
    bench_network(c, 150);
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

criterion_group!(benches, bench, bench_sparse);
criterion_main!(benches);
