//! Distributions: derivatives against finite differences, domain errors.

use ngvi_core::ad::{gradient, hessian, Dual, Dual2, Scalar};
use ngvi_core::dist::*;
use ngvi_core::spec;
use proptest::prelude::*;

use super::{close, config, fd5, same};

/// A log density of the variables `v` (parameters, then the point for a continuous
/// distribution); `y` is the observed value of a discrete one, `n` its trial count.
#[derive(Debug, Clone, Copy)]
struct Case {
    kind: DistKind,
    y: f64,
    n: f64,
}

fn softmax<S: Scalar>(v: &[S]) -> Vec<S> {
    let e: Vec<S> = v.iter().map(Scalar::exp).collect();
    let total = e.iter().fold(S::constant(0.0), |a, x| a + x.clone());
    e.into_iter().map(|x| x / total.clone()).collect()
}

impl Case {
    /// ln p at the variables, NaN when a constructor refuses them.
    fn lp<S: Scalar>(&self, v: &[S]) -> S {
        let nan = || S::constant(f64::NAN);
        let c = |i: usize| v[i].clone();
        let y = S::constant(self.y);
        let n = S::constant(self.n);
        macro_rules! uni {
            ($d:expr, $x:expr) => {
                match $d {
                    Ok(d) => d.ln_density(&$x),
                    Err(_) => nan(),
                }
            };
        }
        match self.kind {
            DistKind::Normal => uni!(Normal::new(c(0), c(1)), c(2)),
            DistKind::HalfNormal => uni!(HalfNormal::new(c(0)), c(1)),
            DistKind::LogNormal => uni!(LogNormal::new(c(0), c(1)), c(2)),
            DistKind::StudentT => uni!(StudentT::new(c(0), c(1), c(2)), c(3)),
            DistKind::HalfStudentT => uni!(HalfStudentT::new(c(0), c(1)), c(2)),
            DistKind::Cauchy => uni!(Cauchy::new(c(0), c(1)), c(2)),
            DistKind::HalfCauchy => uni!(HalfCauchy::new(c(0)), c(1)),
            DistKind::Laplace => uni!(Laplace::new(c(0), c(1)), c(2)),
            DistKind::Exponential => uni!(Exponential::new(c(0)), c(1)),
            DistKind::Gamma => uni!(Gamma::new(c(0), c(1)), c(2)),
            DistKind::InverseGamma => uni!(InverseGamma::new(c(0), c(1)), c(2)),
            DistKind::Beta => uni!(Beta::new(c(0), c(1)), c(2)),
            // the point is a fixed fraction of the way from lo to hi
            DistKind::Uniform => {
                let x = c(0) + (c(1) - c(0)) * self.y;
                uni!(Uniform::new(c(0), c(1)), x)
            }
            DistKind::Bernoulli => uni!(Bernoulli::new(c(0)), y),
            DistKind::BernoulliLogit => uni!(BernoulliLogit::new(c(0)), y),
            DistKind::Binomial => uni!(Binomial::new(n, c(0)), y),
            DistKind::BinomialLogit => uni!(BinomialLogit::new(n, c(0)), y),
            DistKind::Poisson => uni!(Poisson::new(c(0)), y),
            DistKind::PoissonLog => uni!(PoissonLog::new(c(0)), y),
            DistKind::NegativeBinomial => uni!(NegativeBinomial::new(c(0), c(1)), y),
            // probabilities through a softmax, so that every perturbation stays on the simplex
            DistKind::Categorical => uni!(Categorical::new(softmax(v)), y),
            // three concentrations, then a point through a softmax of three more
            DistKind::Dirichlet => match Dirichlet::new(v[..3].to_vec()) {
                Ok(d) => d.ln_density(&softmax(&v[3..])),
                Err(_) => nan(),
            },
            DistKind::Flat => uni!(Flat::new(), c(0)),
            DistKind::HalfFlat => uni!(HalfFlat::new(), c(0)),
        }
    }
}

/// Valid variables for each distribution, away from the edges of the domains, with the
/// observed value and trial count of a discrete one.
fn valid(kind: DistKind) -> BoxedStrategy<(Vec<f64>, f64, f64)> {
    let real = || -3.0..3.0f64;
    let pos = || 0.3..8.0f64;
    let x_pos = || 0.05..6.0f64;
    let none = |v: BoxedStrategy<Vec<f64>>| v.prop_map(|v| (v, 0.0, 0.0)).boxed();
    match kind {
        DistKind::Normal | DistKind::Cauchy => none(
            (real(), pos(), -6.0..6.0f64)
                .prop_map(|(a, b, c)| vec![a, b, c])
                .boxed(),
        ),
        DistKind::Laplace => none(
            (real(), pos(), -6.0..6.0f64)
                .prop_filter("away from the kink", |(a, _, x)| (x - a).abs() > 0.05)
                .prop_map(|(a, b, c)| vec![a, b, c])
                .boxed(),
        ),
        DistKind::HalfNormal | DistKind::HalfCauchy | DistKind::Exponential => {
            none((pos(), x_pos()).prop_map(|(a, b)| vec![a, b]).boxed())
        }
        DistKind::LogNormal => none(
            (real(), pos(), x_pos())
                .prop_map(|(a, b, c)| vec![a, b, c])
                .boxed(),
        ),
        DistKind::HalfStudentT => none(
            (0.5..30.0f64, pos(), x_pos())
                .prop_map(|(a, b, c)| vec![a, b, c])
                .boxed(),
        ),
        DistKind::StudentT => none(
            (0.5..30.0f64, real(), pos(), -6.0..6.0f64)
                .prop_map(|(a, b, c, d)| vec![a, b, c, d])
                .boxed(),
        ),
        DistKind::Gamma | DistKind::InverseGamma => none(
            (pos(), pos(), 0.1..6.0f64)
                .prop_map(|(a, b, c)| vec![a, b, c])
                .boxed(),
        ),
        DistKind::Beta => none(
            (pos(), pos(), 0.05..0.95f64)
                .prop_map(|(a, b, c)| vec![a, b, c])
                .boxed(),
        ),
        DistKind::Uniform => (-3.0..0.0f64, 0.5..3.0f64, 0.05..0.95f64)
            .prop_map(|(lo, hi, t)| (vec![lo, hi], t, 0.0))
            .boxed(),
        DistKind::Bernoulli => (0.02..0.98f64, 0..2u8)
            .prop_map(|(p, y)| (vec![p], f64::from(y), 0.0))
            .boxed(),
        DistKind::BernoulliLogit => (-6.0..6.0f64, 0..2u8)
            .prop_map(|(p, y)| (vec![p], f64::from(y), 0.0))
            .boxed(),
        DistKind::Binomial => (0.02..0.98f64, 0..40u32)
            .prop_flat_map(|(p, n)| (Just(p), Just(n), 0..=n))
            .prop_map(|(p, n, y)| (vec![p], f64::from(y), f64::from(n)))
            .boxed(),
        DistKind::BinomialLogit => (-6.0..6.0f64, 0..40u32)
            .prop_flat_map(|(p, n)| (Just(p), Just(n), 0..=n))
            .prop_map(|(p, n, y)| (vec![p], f64::from(y), f64::from(n)))
            .boxed(),
        DistKind::Poisson => (0.1..30.0f64, 0..60u32)
            .prop_map(|(r, y)| (vec![r], f64::from(y), 0.0))
            .boxed(),
        DistKind::PoissonLog => (-3.0..3.5f64, 0..60u32)
            .prop_map(|(r, y)| (vec![r], f64::from(y), 0.0))
            .boxed(),
        DistKind::NegativeBinomial => (0.1..30.0f64, 0.1..30.0f64, 0..60u32)
            .prop_map(|(m, p, y)| (vec![m, p], f64::from(y), 0.0))
            .boxed(),
        DistKind::Categorical => (proptest::collection::vec(-2.0..2.0f64, 2..5), 0..5usize)
            .prop_map(|(v, y)| {
                let y = (y % v.len()) as f64;
                (v, y, 0.0)
            })
            .boxed(),
        DistKind::Dirichlet => (
            proptest::collection::vec(pos(), 3),
            proptest::collection::vec(-1.5..1.5f64, 3),
        )
            .prop_map(|(a, x)| (a.into_iter().chain(x).collect(), 0.0, 0.0))
            .boxed(),
        DistKind::Flat => none((-6.0..6.0f64).prop_map(|x| vec![x]).boxed()),
        DistKind::HalfFlat => none(x_pos().prop_map(|x| vec![x]).boxed()),
    }
}

/// f64, Dual and Dual2 agree on the value; gradients and Hessians match finite differences.
fn check(case: Case, v: &[f64]) -> Result<(), TestCaseError> {
    let f = |x: &[f64]| case.lp(x);
    let value = f(v);
    prop_assert!(value.is_finite(), "{case:?} at {v:?}: {value}");
    let (v1, g1) = gradient(|x: &[Dual]| case.lp(x), v);
    let (v2, g2, h2) = hessian(|x: &[Dual2]| case.lp(x), v);
    prop_assert!(
        same(v1, value) && same(v2, value),
        "{case:?} at {v:?}: value {value} dual {v1} dual2 {v2}"
    );
    for i in 0..v.len() {
        let h = 1e-4 * v[i].abs().max(0.1);
        let at = |t: f64| {
            let mut x = v.to_vec();
            x[i] = t;
            x
        };
        let fd = fd5(|t| f(&at(t)), v[i], h);
        prop_assert!(
            close(g1[i], fd, 1e-6),
            "{case:?} at {v:?}: d/dv{i} dual {} fd {fd}",
            g1[i]
        );
        prop_assert!(
            close(g2[i], g1[i], 1e-12),
            "{case:?} at {v:?}: d/dv{i} dual2 {} dual {}",
            g2[i],
            g1[i]
        );
        for j in 0..v.len() {
            let fd = fd5(|t| gradient(|x: &[Dual]| case.lp(x), &at(t)).1[j], v[i], h);
            prop_assert!(
                close(h2[(i, j)], fd, 1e-5),
                "{case:?} at {v:?}: H[{i},{j}] dual2 {} fd {fd}",
                h2[(i, j)]
            );
        }
    }
    Ok(())
}

fn every_kind() -> impl Strategy<Value = DistKind> {
    proptest::sample::select(DistKind::ALL.to_vec())
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn derivatives_match_finite_differences(
        (kind, (v, y, n)) in every_kind().prop_flat_map(|k| (Just(k), valid(k)))
    ) {
        check(Case { kind, y, n }, &v)?;
    }
}

/// A value outside `domain` (for `AbovePrevious`: not above `previous`).
fn invalid(domain: spec::Domain, previous: f64) -> BoxedStrategy<f64> {
    let non_finite = prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)];
    match domain {
        spec::Domain::Real => non_finite.boxed(),
        spec::Domain::Positive | spec::Domain::Vector => prop_oneof![
            non_finite.clone(),
            -1e300..=0.0f64,
            Just(-0.0),
            Just(-f64::MIN_POSITIVE),
        ]
        .boxed(),
        spec::Domain::Probability => {
            prop_oneof![Just(f64::NAN), -1e300..-1e-300f64, (1.0 + 1e-15)..1e300f64,].boxed()
        }
        spec::Domain::Count => prop_oneof![
            non_finite.clone(),
            -1e6..-0.5f64,
            (0u32..1000, 0.01..0.99f64).prop_map(|(n, f)| f64::from(n) + f),
        ]
        .boxed(),
        spec::Domain::AbovePrevious => {
            prop_oneof![Just(f64::NAN), Just(previous), (previous - 1e6)..previous,].boxed()
        }
    }
}

/// A valid value in `domain` (above `previous` for `AbovePrevious`).
fn inside(domain: spec::Domain, previous: f64) -> f64 {
    match domain {
        spec::Domain::Real => 0.3,
        spec::Domain::Positive | spec::Domain::Vector => 1.5,
        spec::Domain::Probability => 0.25,
        spec::Domain::Count => 4.0,
        spec::Domain::AbovePrevious => previous + 1.0,
    }
}

/// Build `kind` through its constructor from `a`; the error of the constructor.
fn build(kind: DistKind, a: &[f64]) -> Result<(), ParamError> {
    let arg = |i: usize| a.get(i).copied().unwrap_or(f64::NAN);
    let (x, y, z) = (arg(0), arg(1), arg(2));
    match kind {
        DistKind::Normal => Normal::new(x, y).map(drop),
        DistKind::HalfNormal => HalfNormal::new(x).map(drop),
        DistKind::LogNormal => LogNormal::new(x, y).map(drop),
        DistKind::StudentT => StudentT::new(x, y, z).map(drop),
        DistKind::HalfStudentT => HalfStudentT::new(x, y).map(drop),
        DistKind::Cauchy => Cauchy::new(x, y).map(drop),
        DistKind::HalfCauchy => HalfCauchy::new(x).map(drop),
        DistKind::Laplace => Laplace::new(x, y).map(drop),
        DistKind::Exponential => Exponential::new(x).map(drop),
        DistKind::Gamma => Gamma::new(x, y).map(drop),
        DistKind::InverseGamma => InverseGamma::new(x, y).map(drop),
        DistKind::Beta => Beta::new(x, y).map(drop),
        DistKind::Uniform => Uniform::new(x, y).map(drop),
        DistKind::Dirichlet => Dirichlet::new(a.to_vec()).map(drop),
        DistKind::Bernoulli => Bernoulli::new(x).map(drop),
        DistKind::BernoulliLogit => BernoulliLogit::new(x).map(drop),
        DistKind::Binomial => Binomial::new(x, y).map(drop),
        DistKind::BinomialLogit => BinomialLogit::new(x, y).map(drop),
        DistKind::Poisson => Poisson::new(x).map(drop),
        DistKind::PoissonLog => PoissonLog::new(x).map(drop),
        DistKind::Categorical => Categorical::new(a.to_vec()).map(drop),
        DistKind::NegativeBinomial => NegativeBinomial::new(x, y).map(drop),
        DistKind::Flat => Flat::new().map(drop),
        DistKind::HalfFlat => HalfFlat::new().map(drop),
    }
}

/// A distribution with parameters, which of them is made invalid, and the arguments: every
/// parameter valid except that one. Vector parameters (Dirichlet, Categorical) get three
/// components, one of them invalid.
fn one_invalid() -> impl Strategy<Value = (DistKind, &'static str, Vec<f64>)> {
    let kinds: Vec<DistKind> = DistKind::ALL
        .iter()
        .copied()
        .filter(|k| !k.spec().params.is_empty())
        .collect();
    proptest::sample::select(kinds)
        .prop_flat_map(|k| {
            let n = k.spec().params.len();
            (Just(k), 0..n.max(3))
        })
        .prop_flat_map(|(k, which)| {
            let params = k.spec().params;
            if params[0].1 == spec::Domain::Vector {
                let bad = invalid(spec::Domain::Vector, 0.0);
                let which = which % 3;
                let domain = if k == DistKind::Categorical {
                    spec::Domain::Probability
                } else {
                    spec::Domain::Vector
                };
                let bad = if k == DistKind::Categorical {
                    invalid(domain, 0.0)
                } else {
                    bad
                };
                return (
                    Just(k),
                    Just(params[0].0),
                    bad.prop_map(move |b| {
                        let mut a = if k == DistKind::Categorical {
                            vec![0.2, 0.3, 0.5]
                        } else {
                            vec![1.0, 2.0, 3.0]
                        };
                        a[which] = b;
                        a
                    }),
                )
                    .boxed();
            }
            let which = which % params.len();
            let mut a = Vec::new();
            for &(_, domain) in params {
                let previous = a.last().copied().unwrap_or(0.0);
                a.push(inside(domain, previous));
            }
            let previous = if which > 0 { a[which - 1] } else { 0.0 };
            (
                Just(k),
                Just(params[which].0),
                invalid(params[which].1, previous).prop_map(move |b| {
                    let mut a = a.clone();
                    a[which] = b;
                    a
                }),
            )
                .boxed()
        })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn invalid_parameters_are_errors_naming_the_parameter((kind, param, args) in one_invalid()) {
        match build(kind, &args) {
            Err(e) => {
                prop_assert_eq!(e.dist, kind);
                prop_assert_eq!(e.param, param, "{}", e);
                prop_assert!(e.to_string().contains(param), "{}", e);
            }
            Ok(()) => prop_assert!(false, "{kind:?}{args:?} accepted"),
        }
    }
}
