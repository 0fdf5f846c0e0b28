//! Sufficient statistics: for every distribution marked `statistics` in the spec table,
//! the log density summed from the statistics equals the sum of `ln_density` over the
//! data, in value, gradient and Hessian (every parameter but a count a variable), to 1e-12
//! relative; and every other distribution is not marked.

use ngvi_core::ad::{gradient, hessian, Dual, Dual2, Scalar};
use ngvi_core::dist::*;

/// The per-datum sum Σᵢ ln p(yᵢ) and the sum from the statistics.
fn sums<S: Scalar, D: Statistics<S>>(d: D, data: &[f64]) -> (S, S) {
    let per_datum = data
        .iter()
        .fold(S::constant(0.0), |acc, y| acc + d.ln_density(&S::from(*y)));
    let mut sums = D::Sums::default();
    for y in data {
        assert!(d.support().contains(*y), "test data outside the support");
        d.add(&mut sums, *y);
    }
    (per_datum, d.ln_density_sum(&sums))
}

/// Both sums for `kind` with parameters `x` (a count parameter taken as data); `None` for
/// a kind without statistics.
fn both<S: Scalar>(kind: DistKind, x: &[S], data: &[f64]) -> Option<(S, S)> {
    let a = |i: usize| x[i].clone();
    let count = |i: usize| S::constant(x[i].value());
    let built = "parameters in their domains";
    Some(match kind {
        DistKind::Normal => sums(Normal::new(a(0), a(1)).expect(built), data),
        DistKind::HalfNormal => sums(HalfNormal::new(a(0)).expect(built), data),
        DistKind::LogNormal => sums(LogNormal::new(a(0), a(1)).expect(built), data),
        DistKind::Exponential => sums(Exponential::new(a(0)).expect(built), data),
        DistKind::Gamma => sums(Gamma::new(a(0), a(1)).expect(built), data),
        DistKind::InverseGamma => sums(InverseGamma::new(a(0), a(1)).expect(built), data),
        DistKind::Beta => sums(Beta::new(a(0), a(1)).expect(built), data),
        DistKind::Bernoulli => sums(Bernoulli::new(a(0)).expect(built), data),
        DistKind::BernoulliLogit => sums(BernoulliLogit::new(a(0)).expect(built), data),
        DistKind::Binomial => sums(Binomial::new(count(0), a(1)).expect(built), data),
        DistKind::BinomialLogit => sums(BinomialLogit::new(count(0), a(1)).expect(built), data),
        DistKind::Poisson => sums(Poisson::new(a(0)).expect(built), data),
        DistKind::PoissonLog => sums(PoissonLog::new(a(0)).expect(built), data),
        DistKind::Categorical => sums(Categorical::new(x.to_vec()).expect(built), data),
        _ => return None,
    })
}

/// A fixed pseudo-random stream in [0, 1).
fn uniforms(n: usize) -> Vec<f64> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// Parameters and data in the support for each kind with statistics.
fn case(kind: DistKind) -> Option<(Vec<f64>, Vec<f64>)> {
    let u = uniforms(300);
    let map = |f: &dyn Fn(f64) -> f64| u.iter().map(|x| f(*x)).collect::<Vec<f64>>();
    Some(match kind {
        // far from 0, so that Σy² − nȳ² would lose digits
        DistKind::Normal => (vec![1000.2, 0.7], map(&|x| 1000.0 + (x - 0.5) * 3.0)),
        DistKind::HalfNormal => (vec![1.3], map(&|x| 0.01 + 2.0 * x)),
        DistKind::LogNormal => (vec![0.4, 0.9], map(&|x| 0.2 + 5.0 * x)),
        DistKind::Exponential => (vec![1.7], map(&|x| 0.01 + 3.0 * x)),
        DistKind::Gamma => (vec![2.5, 1.5], map(&|x| 0.05 + 4.0 * x)),
        DistKind::InverseGamma => (vec![3.0, 2.0], map(&|x| 0.1 + 2.0 * x)),
        DistKind::Beta => (vec![2.0, 3.5], map(&|x| 0.001 + 0.998 * x)),
        DistKind::Bernoulli => (vec![0.3], map(&|x| f64::from(u8::from(x < 0.3)))),
        DistKind::BernoulliLogit => (vec![-0.8], map(&|x| f64::from(u8::from(x < 0.3)))),
        DistKind::Binomial => (vec![12.0, 0.35], map(&|x| (x * 13.0).floor())),
        // counts on both sides of the table of ln k! (256)
        DistKind::BinomialLogit => (vec![300.0, 0.4], map(&|x| (x * 301.0).floor())),
        DistKind::Poisson => (vec![150.2], map(&|x| (x * 400.0).floor())),
        DistKind::PoissonLog => (vec![1.3], map(&|x| (x * 12.0).floor())),
        DistKind::Categorical => (vec![0.2, 0.5, 0.3], map(&|x| (x * 3.0).floor())),
        _ => return None,
    })
}

/// |a − b| ≤ 1e-12 · scale.
fn close(a: f64, b: f64, scale: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * scale.max(1e-300),
        "{what}: {a} against {b}"
    );
}

fn max_abs<'a>(x: impl IntoIterator<Item = &'a f64>) -> f64 {
    x.into_iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[test]
fn every_marked_kind_sums_from_its_statistics_in_value_gradient_and_hessian() {
    for kind in DistKind::ALL {
        let Some((params, data)) = case(kind) else {
            assert!(!kind.has_statistics(), "{kind} is marked but has no case");
            continue;
        };
        assert!(
            kind.has_statistics(),
            "{kind} has statistics but is not marked"
        );
        let (per_datum, batched) = both(kind, &params, &data).expect("statistics");
        close(
            per_datum,
            batched,
            per_datum.abs(),
            &format!("{kind} value"),
        );

        let grads: Vec<(f64, Vec<f64>)> = (0..2)
            .map(|i| {
                gradient(
                    |x: &[Dual]| {
                        let (a, b) = both(kind, x, &data).expect("statistics");
                        [a, b][i].clone()
                    },
                    &params,
                )
            })
            .collect();
        let scale = max_abs(&grads[0].1);
        for (g0, g1) in grads[0].1.iter().zip(&grads[1].1) {
            close(*g0, *g1, scale, &format!("{kind} gradient"));
        }

        let hess: Vec<_> = (0..2)
            .map(|i| {
                hessian(
                    |x: &[Dual2]| {
                        let (a, b) = both(kind, x, &data).expect("statistics");
                        [a, b][i].clone()
                    },
                    &params,
                )
            })
            .collect();
        close(
            hess[0].0,
            hess[1].0,
            hess[0].0.abs(),
            &format!("{kind} value (Dual2)"),
        );
        let scale = max_abs(&hess[0].1);
        for (g0, g1) in hess[0].1.iter().zip(&hess[1].1) {
            close(*g0, *g1, scale, &format!("{kind} gradient (Dual2)"));
        }
        let scale = max_abs(hess[0].2.iter());
        for (h0, h1) in hess[0].2.iter().zip(hess[1].2.iter()) {
            close(*h0, *h1, scale, &format!("{kind} Hessian"));
        }
    }
}

#[test]
fn a_count_of_zero_contributes_nothing_even_where_its_log_is_infinite() {
    // p = 0 with every y = 0, p = 1 with every y = 1: ln 0 is never taken
    for (p, y) in [(0.0, 0.0), (1.0, 1.0)] {
        let (a, b) = sums(Bernoulli::new(p).expect("p in [0, 1]"), &[y; 5]);
        assert_eq!((a, b), (0.0, 0.0));
    }
    let (a, b) = sums(Binomial::new(4.0, 1.0).expect("in domain"), &[4.0, 4.0]);
    assert_eq!((a, b), (0.0, 0.0));
    let c = Categorical::new(vec![0.0, 1.0]).expect("a probability vector");
    let (a, b) = sums(c, &[1.0, 1.0, 1.0]);
    assert_eq!((a, b), (0.0, 0.0));
    // and a category of probability 0 that is observed gives −∞ both ways
    let c = Categorical::new(vec![0.0, 1.0]).expect("a probability vector");
    let (a, b) = sums(c, &[0.0, 1.0]);
    assert_eq!((a, b), (f64::NEG_INFINITY, f64::NEG_INFINITY));
}

#[test]
fn no_observation_sums_to_zero() {
    let d = Normal::new(0.5, 2.0).expect("in domain");
    let sums = <Normal<f64> as Statistics<f64>>::Sums::default();
    assert_eq!(d.ln_density_sum(&sums), 0.0);
}
