//! Guide families: the natural ↔ mean round trip, μ = ∇A(λ), and steps that stay in the
//! domain.

use nalgebra::DMatrix;
use ngvi_core::engine::NaturalGradient;
use ngvi_core::family::{Beta, DiagGaussian, Dirichlet, ExpFamily, Gamma, Gaussian, InverseGamma};
use proptest::prelude::*;

use super::{close, config, fd5};

/// A random valid member of a random family; `which` picks the family (0..6) so that two
/// draws with the same `which` are of the same family and dimension.
fn member(which: usize, d: usize) -> BoxedStrategy<Box<dyn ExpFamily>> {
    let pos = || 0.05..50.0f64;
    match which {
        0 => (
            proptest::collection::vec(-5.0..5.0f64, d),
            proptest::collection::vec(-2.0..2.0f64, d * d),
        )
            .prop_map(move |(m, a)| {
                let a = DMatrix::from_vec(d, d, a);
                let p = &a * a.transpose() + DMatrix::identity(d, d) * 0.1;
                Box::new(Gaussian::new(m, p).unwrap()) as Box<dyn ExpFamily>
            })
            .boxed(),
        1 => (
            proptest::collection::vec(-5.0..5.0f64, d),
            proptest::collection::vec(0.05..20.0f64, d),
        )
            .prop_map(|(m, p)| Box::new(DiagGaussian::new(m, p).unwrap()) as Box<dyn ExpFamily>)
            .boxed(),
        2 => (pos(), pos())
            .prop_map(|(a, b)| Box::new(Gamma::new(a, b).unwrap()) as Box<dyn ExpFamily>)
            .boxed(),
        3 => (pos(), pos())
            .prop_map(|(a, b)| Box::new(InverseGamma::new(a, b).unwrap()) as Box<dyn ExpFamily>)
            .boxed(),
        4 => (pos(), pos())
            .prop_map(|(a, b)| Box::new(Beta::new(a, b).unwrap()) as Box<dyn ExpFamily>)
            .boxed(),
        _ => proptest::collection::vec(pos(), d + 1)
            .prop_map(|a| Box::new(Dirichlet::new(a).unwrap()) as Box<dyn ExpFamily>)
            .boxed(),
    }
}

/// Two members of the same family and dimension.
fn pair() -> impl Strategy<Value = (Box<dyn ExpFamily>, Box<dyn ExpFamily>)> {
    (0..6usize, 1..4usize).prop_flat_map(|(w, d)| (member(w, d), member(w, d)))
}

fn one() -> impl Strategy<Value = Box<dyn ExpFamily>> {
    (0..6usize, 1..4usize).prop_flat_map(|(w, d)| member(w, d))
}

fn all_close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || close(*x, *y, tol))
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn natural_round_trip(f in one()) {
        let (lambda, mu) = (f.natural(), f.mean_params());
        let mut g = f.boxed_clone();
        prop_assert!(f.in_domain(&lambda));
        g.set_natural(&lambda).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(all_close(&g.natural(), &lambda, 1e-12), "{:?} vs {:?}", g.natural(), lambda);
        prop_assert!(all_close(&g.mean_params(), &mu, 1e-10), "{:?} vs {:?}", g.mean_params(), mu);
        prop_assert!(all_close(&g.mean(), &f.mean(), 1e-10));
        prop_assert!(all_close(&g.sd(), &f.sd(), 1e-10));
    }

    #[test]
    fn mean_params_are_the_gradient_of_the_log_partition(f in one()) {
        let lambda = f.natural();
        let mu = f.mean_params();
        for k in 0..lambda.len() {
            let h = 1e-4 * lambda[k].abs().max(0.1);
            let at = |t: f64| {
                let mut l = lambda.clone();
                l[k] = t;
                f.log_partition(&l)
            };
            // stay in the domain: the five points must all be valid
            let ok = [-2.0, -1.0, 1.0, 2.0].iter().all(|s| {
                let mut l = lambda.clone();
                l[k] += s * h;
                f.in_domain(&l)
            });
            prop_assume!(ok);
            let fd = fd5(at, lambda[k], h);
            prop_assert!(close(mu[k], fd, 1e-5), "{}: μ[{k}] {} vs ∂A {fd}", f.name(), mu[k]);
        }
    }

    #[test]
    fn a_step_towards_a_valid_target_stays_in_the_domain(
        (f, t) in pair(),
        rho in prop_oneof![Just(1.0), Just(1e-12), 1e-6..=1.0f64],
    ) {
        let target = t.natural();
        let mut g = f.boxed_clone();
        match g.step(&target, rho) {
            Ok(_) => {
                let l = g.natural();
                prop_assert!(l.iter().all(|x| x.is_finite()), "{l:?}");
                prop_assert!(g.in_domain(&l));
                // a mean or sd that does not exist is +∞ (InverseGamma with shape ≤ 1 or ≤ 2), never NaN
                prop_assert!(g.mean().iter().chain(&g.sd()).all(|x| !x.is_nan()));
            }
            Err(e) => prop_assert!(false, "{}: step towards a valid target failed: {e}", f.name()),
        }
        if rho == 1.0 {
            // ρ = 1 lands on the target
            prop_assert!(all_close(&g.natural(), &target, 1e-8), "{:?} vs {target:?}", g.natural());
        }
    }

    #[test]
    fn a_step_towards_any_target_stays_in_the_domain_or_changes_nothing(
        f in one(),
        noise in proptest::collection::vec(prop_oneof![
            8 => -100.0..100.0f64,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(-1e300),
        ], 12),
        rho in 1e-6..=1.0f64,
    ) {
        let before = f.natural();
        let target: Vec<f64> = before.iter().zip(noise.iter().cycle()).map(|(l, n)| l + n).collect();
        let mut g = f.boxed_clone();
        match g.step(&target, rho) {
            Ok(_) => {
                let l = g.natural();
                prop_assert!(l.iter().all(|x| x.is_finite()) && g.in_domain(&l), "{l:?}");
            }
            Err(_) => prop_assert_eq!(g.natural(), before),
        }
    }
}
