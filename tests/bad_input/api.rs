//! The API at and beyond its limits: every builder option of `Ngvi`, unknown names, the
//! readers of `Fit`, and hand-written models that misbehave.

use super::*;
use ngvi::dist::Support;
use ngvi::{Latent, LatentUse, ModelError, Shape, StopReason};

/// Each builder, fitted to `model`, is an `InvalidOption` naming `option`.
#[track_caller]
fn all_invalid<M: Model>(model: &M, option: &str, builders: impl IntoIterator<Item = Ngvi>) {
    for b in builders {
        invalid_option(b.fit(model), option);
    }
}

#[test]
fn draws_limits() {
    let m = normal_mean(&Y);
    all_invalid(
        &m,
        "draws",
        [0, 1, usize::MAX, (1 << 28) + 1].map(|n| Ngvi::new().draws(n)),
    );
    let fit = converged(&m, Ngvi::new().draws(2).fit(&m));
    // The moments of an identity-scale Gaussian are closed form, not read from two draws.
    let (mean, sd) = normal_posterior(0.0, 1.0, &Y, 1.0);
    assert_moments(&fit, "mu", mean, sd, 1e-9);
    assert_eq!(fit.draws("mu").unwrap().len(), 2);
    assert!(fit.quantile("mu", 0.0).unwrap()[0] <= fit.quantile("mu", 1.0).unwrap()[0]);
}

#[test]
fn draws_times_latent_scalars_limit() {
    let y = [0.1; 16];
    let m = crate::models::many_means(&y);
    // 2^24 draws × 16 scalars = 2^28 is allowed (not run); one more draw is not.
    invalid_option(Ngvi::new().draws((1 << 24) + 1).fit(&m), "draws");
}

#[test]
fn draws_on_the_logit_scale_with_two_draws_are_finite() {
    let m = coin(&[1, 0, 1]);
    let fit = finite(&m, Ngvi::new().guide("p", Guide::Gaussian).draws(2).fit(&m));
    assert!(fit.sd("p").unwrap()[0] >= 0.0);
}

#[test]
fn samples_limits() {
    let m = laplace_likelihood(&Y);
    all_invalid(
        &m,
        "samples",
        [0, 1, 1_000_001, usize::MAX].map(|n| Ngvi::new().samples(n)),
    );
    let fit = finite(&m, Ngvi::new().samples(2).fit(&m));
    assert!(fit.pareto_k().is_some());
}

#[test]
fn max_iters_limits() {
    let m = normal_mean(&Y);
    all_invalid(
        &m,
        "max_iters",
        [0, 10_000_001, usize::MAX].map(|n| Ngvi::new().max_iters(n)),
    );
    // One sweep of an exact model is the exact posterior, but convergence is seen only on
    // the second: `MaxIters`, with the exact moments.
    let fit = finite(&m, Ngvi::new().max_iters(1).fit(&m));
    assert!(matches!(fit.stop_reason(), StopReason::MaxIters { .. }));
    let (mean, sd) = normal_posterior(0.0, 1.0, &Y, 1.0);
    assert_moments(&fit, "mu", mean, sd, 1e-9);
    // A non-exact model stopped after one sweep says so.
    let m = laplace_likelihood(&Y);
    let fit = finite(&m, Ngvi::new().max_iters(1).fit(&m));
    assert!(matches!(fit.stop_reason(), StopReason::MaxIters { .. }));
    assert!(fit.summary().contains("NOT converged"));
}

#[test]
fn tol_limits() {
    let m = normal_mean(&Y);
    all_invalid(
        &m,
        "tol",
        [f64::NAN, -1.0, -f64::MIN_POSITIVE, f64::NEG_INFINITY].map(|t| Ngvi::new().tol(t)),
    );
    // tol = 0: the relative change never falls below it.
    let fit = finite(&m, Ngvi::new().tol(0.0).max_iters(5).fit(&m));
    assert_eq!(fit.iterations(), 5);
    assert!(matches!(fit.stop_reason(), StopReason::MaxIters { .. }));
    let (mean, sd) = normal_posterior(0.0, 1.0, &Y, 1.0);
    assert_moments(&fit, "mu", mean, sd, 1e-9);
}

#[test]
fn an_infinite_tolerance_does_not_make_an_improper_posterior_converge() {
    let m = crate::models::flat_alone(0);
    let fit = finite(&m, Ngvi::new().tol(f64::INFINITY).fit(&m));
    assert_eq!(fit.stop_reason(), StopReason::Unidentified);
}

#[test]
fn step_size_limits() {
    let m = normal_mean(&Y);
    all_invalid(
        &m,
        "step_size",
        [
            0.0,
            -0.5,
            1.0 + f64::EPSILON,
            2.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]
        .map(|r| Ngvi::new().step_size(r)),
    );
    let fit = converged(&m, Ngvi::new().step_size(1.0).fit(&m));
    let (mean, sd) = normal_posterior(0.0, 1.0, &Y, 1.0);
    assert_moments(&fit, "mu", mean, sd, 1e-12);
    // ρ = ½ halves the distance each sweep and gets there.
    let fit = converged(&m, Ngvi::new().step_size(0.5).fit(&m));
    assert_moments(&fit, "mu", mean, sd, 1e-6);
}

/// The three kinds of block (exact Gaussian, conjugate, non-conjugate) at step size `rho`:
/// none may end `Converged` holding (nearly) the initial guide.
fn never_converged_at_the_start(rho: f64) {
    let results = [
        Ngvi::new().step_size(rho).fit(&normal_mean(&Y)),
        Ngvi::new().step_size(rho).fit(&coin(&[1, 0, 1])),
        Ngvi::new().step_size(rho).fit(&laplace_likelihood(&Y)),
    ];
    for fit in results.iter().flatten() {
        assert!(
            !fit.stop_reason().is_converged(),
            "ρ = {rho}: {}",
            fit.summary()
        );
    }
}

#[test]
fn a_small_step_size_is_not_a_converged_posterior() {
    for rho in [1e-6, 1e-4] {
        never_converged_at_the_start(rho);
    }
}

#[test]
fn a_vanishing_step_size_is_an_invalid_option() {
    // Below 1e-6 a step is lost in the rounding of λ: refused, never a converged prior.
    never_converged_at_the_start(1e-300);
    for rho in [1e-300, 1e-7] {
        match Ngvi::new().step_size(rho).fit(&normal_mean(&Y)) {
            Err(Error::InvalidOption { option, .. }) => assert_eq!(option, "step_size"),
            other => panic!("ρ = {rho}: {other:?}"),
        }
    }
}

#[test]
fn seed_extremes() {
    let m = laplace_likelihood(&Y);
    for seed in [0, 1, u64::MAX] {
        finite(&m, Ngvi::new().seed(seed).fit(&m));
    }
}

#[test]
fn monte_carlo_on_an_exact_model() {
    let m = normal_mean(&Y);
    let fit = converged(&m, Ngvi::new().expectation(Expectation::MonteCarlo).fit(&m));
    let (mean, sd) = normal_posterior(0.0, 1.0, &Y, 1.0);
    assert_moments(&fit, "mu", mean, sd, 1e-9);
}

#[test]
fn cubature_on_an_exact_model() {
    let m = normal_mean(&Y);
    let fit = converged(&m, Ngvi::new().expectation(Expectation::Cubature).fit(&m));
    let (mean, sd) = normal_posterior(0.0, 1.0, &Y, 1.0);
    assert_moments(&fit, "mu", mean, sd, 1e-9);
}

model! {
    /// A smooth non-conjugate posterior: a log rate from a few counts.
    fn log_rate(y: &[f64]) {
        sample b ~ Normal(0.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ PoissonLog(b);
        }
    }
}

#[test]
fn cubature_is_the_same_on_every_seed_and_near_the_draws() {
    let m = log_rate(&[3.0, 0.0, 5.0, 2.0, 4.0]);
    let fits: Vec<Fit> = [0, 1000]
        .iter()
        .map(|&s| {
            converged(
                &m,
                Ngvi::new()
                    .seed(s)
                    .expectation(Expectation::Cubature)
                    .fit(&m),
            )
        })
        .collect();
    let guide_mean = |f: &Fit| f.guide("b").unwrap().mean_params()[0];
    assert_eq!(
        guide_mean(&fits[0]).to_bits(),
        guide_mean(&fits[1]).to_bits()
    );
    let draws = converged(&m, Ngvi::new().fit(&m));
    let (a, b) = (fits[0].mean("b").unwrap()[0], draws.mean("b").unwrap()[0]);
    let sd = draws.sd("b").unwrap()[0];
    assert!(
        (a - b).abs() < 0.1 * sd,
        "cubature {a} against draws {b} (sd {sd})"
    );
}

#[test]
fn unknown_latent_in_guide() {
    match Ngvi::new()
        .guide("nope", Guide::Gaussian)
        .fit(&normal_mean(&Y))
    {
        Err(e @ Error::UnknownLatent { .. }) => {
            let Error::UnknownLatent { name, latents } = &e else {
                unreachable!()
            };
            assert_eq!((name.as_str(), latents.as_slice()), ("nope", &["mu"][..]));
            assert!(
                e.to_string()
                    .contains("`nope` is not a latent (latents: mu)"),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_latent_in_init() {
    match Ngvi::new().init("", &[0.0]).fit(&normal_mean(&Y)) {
        Err(Error::UnknownLatent { name, .. }) => assert_eq!(name, ""),
        other => panic!("{other:?}"),
    }
}

#[test]
fn init_of_the_wrong_length() {
    match Ngvi::new()
        .init("mu", &[0.0, 1.0])
        .fit(&laplace_likelihood(&Y))
    {
        Err(Error::InvalidInit {
            name,
            index: 1,
            value,
            ..
        }) => {
            assert_eq!(name, "mu");
            assert!(value.is_nan());
        }
        other => panic!("{other:?}"),
    }
    match Ngvi::new().init("mu", &[]).fit(&laplace_likelihood(&Y)) {
        Err(Error::InvalidInit { index: 0, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn init_not_finite() {
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        match Ngvi::new().init("mu", &[v]).fit(&laplace_likelihood(&Y)) {
            Err(e @ Error::InvalidInit { index: 0, .. }) => {
                assert!(e.to_string().contains("init for `mu`[0]"), "{e}");
            }
            other => panic!("{v}: {other:?}"),
        }
    }
}

#[test]
fn init_outside_the_support() {
    let m = coin(&[1, 0, 1]);
    for v in [-0.5, 0.0, 1.0, 2.0] {
        match Ngvi::new().init("p", &[v]).fit(&m) {
            Err(Error::InvalidInit {
                name,
                index: 0,
                value,
                ..
            }) => {
                assert_eq!((name.as_str(), value), ("p", v));
            }
            other => panic!("{v}: {other:?}"),
        }
    }
    // Inside the support, a conjugate latent ignores it: the exact Beta(4, 4).
    let fit = converged(&m, Ngvi::new().init("p", &[0.9]).fit(&m));
    let (mean, sd) = beta_moments(4.0, 4.0);
    assert_moments(&fit, "p", mean, sd, 1e-9);
}

#[test]
fn init_far_out_in_the_tail_still_finds_the_posterior() {
    let m = laplace_likelihood(&Y);
    let reference = finite(&m, Ngvi::new().fit(&m));
    let fit = finite(&m, Ngvi::new().init("mu", &[1e6]).fit(&m));
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    let (m0, s0) = (
        reference.mean("mu").unwrap()[0],
        reference.sd("mu").unwrap()[0],
    );
    assert_moments(&fit, "mu", m0, s0, 0.1);
}

#[test]
fn a_gaussian_guide_for_a_conjugate_latent() {
    let m = coin(&[1, 0, 1, 1, 1, 0, 1]);
    let fit = finite(&m, Ngvi::new().guide("p", Guide::Gaussian).fit(&m));
    assert_eq!(fit.guide("p").unwrap().name(), "Gaussian");
    let (mean, sd) = beta_moments(7.0, 5.0);
    assert_moments(&fit, "p", mean, sd, 0.1);
}

#[test]
fn quantile_outside_zero_one() {
    let m = normal_mean(&Y);
    let fit = converged(&m, Ngvi::new().fit(&m));
    for q in [
        -0.1,
        1.1,
        -f64::MIN_POSITIVE,
        1.0 + f64::EPSILON,
        f64::NAN,
        f64::INFINITY,
    ] {
        assert_eq!(fit.quantile("mu", q), None, "q = {q}");
    }
    // A Gaussian guide's quantiles are exact: infinite at 0 and 1, the mean at 0.5.
    assert_eq!(fit.quantile("mu", 0.0), Some(vec![f64::NEG_INFINITY]));
    assert_eq!(fit.quantile("mu", 1.0), Some(vec![f64::INFINITY]));
    let median = fit.quantile("mu", 0.5).unwrap()[0];
    assert!(
        (median - fit.mean("mu").unwrap()[0]).abs() < 1e-12,
        "{median}"
    );
}

#[test]
fn readers_with_an_unknown_name() {
    let m = normal_mean(&Y);
    let fit = converged(&m, Ngvi::new().fit(&m));
    assert_eq!(fit.mean("nope"), None);
    assert_eq!(fit.sd("nope"), None);
    assert_eq!(fit.quantile("nope", 0.5), None);
    assert!(fit.draws("nope").is_none());
    assert!(fit.guide("nope").is_none());
    assert!(fit.reason("nope").is_none());
    assert!(fit.guide("mu").unwrap().log_density(&[0.0, 1.0]).is_none());
}

// ---------------------------------------------------------------------------------------
// Hand-written models that misbehave

/// A one-latent model whose log joint is `f(mu)` (an `Err` when `f` gives `None`).
struct HandWritten<F> {
    f: F,
    latents: Vec<Latent>,
}

fn real_latent(name: &'static str) -> Latent {
    Latent {
        name,
        shape: Shape::Scalar,
        prior: DistKind::Normal,
        prior_params: Some(vec![0.0, 1.0]),
        support: Support::Real,
    }
}

fn broken() -> ModelError {
    ModelError {
        statement: "factor broken;",
        line: 7,
        variable: "broken".into(),
        index: vec![],
        kind: ModelErrorKind::IndexOutOfRange { index: 3, len: 2 },
    }
}

impl<F: Fn(f64) -> Option<f64> + Sync> Model for HandWritten<F> {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        Ok(self.latents.clone())
    }
    fn uses(&self) -> Vec<LatentUse> {
        Vec::new()
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        let Some(mu) = z.first() else {
            return Ok(S::constant(0.0));
        };
        let v = (self.f)(mu.value()).ok_or_else(broken)?;
        // value v, derivatives those of −½ μ²
        Ok(mu.clone() * mu.clone() * (-0.5) + offset(v, mu.value()))
    }
}

/// v + ½ μ², outside the generic `log_joint` (where `f64 * f64` would read as `f64 * S`).
fn offset(v: f64, mu: f64) -> f64 {
    v + 0.5 * mu * mu
}

fn hand_written(f: impl Fn(f64) -> Option<f64>) -> HandWritten<impl Fn(f64) -> Option<f64>> {
    HandWritten {
        f,
        latents: vec![real_latent("mu")],
    }
}

#[test]
fn a_log_joint_that_is_nan_everywhere() {
    let e = error(Ngvi::new().fit(&hand_written(|_| Some(f64::NAN))));
    assert!(matches!(e, Error::NanLogJoint { .. }), "{e:?}");
    assert!(e.to_string().contains("check the data"), "{e}");
}

#[test]
fn a_log_joint_that_is_plus_infinity_somewhere() {
    let m = hand_written(|mu| {
        Some(if mu.abs() < 0.1 {
            f64::INFINITY
        } else {
            -0.5 * mu * mu
        })
    });
    match Ngvi::new().fit(&m) {
        Ok(fit) => {
            assert!(!fit.stop_reason().is_converged(), "{}", fit.summary());
            finite(&m, Ok(fit));
        }
        Err(e) => assert!(
            matches!(
                e,
                Error::NonFinite { .. } | Error::NonFiniteElbo { .. } | Error::NoProgress { .. }
            ),
            "{e:?}"
        ),
    }
}

#[test]
fn a_log_joint_that_errors_passes_the_error_on() {
    let e = error(Ngvi::new().fit(&hand_written(|_| None)));
    assert_eq!(e, Error::Model(Box::new(broken())));
}

#[test]
fn a_log_joint_that_errors_only_far_out() {
    let m = hand_written(|mu| (mu.abs() < 50.0).then_some(-0.5 * mu * mu));
    let e = error(Ngvi::new().fit(&m));
    assert_eq!(e, Error::Model(Box::new(broken())));
}

#[test]
fn a_model_without_latents() {
    let m = HandWritten {
        f: |_: f64| Some(0.0),
        latents: vec![],
    };
    assert_eq!(Ngvi::new().fit(&m).unwrap_err(), Error::NoLatent);
}

#[test]
fn latents_that_are_named_twice() {
    let m = HandWritten {
        f: |mu: f64| Some(-0.5 * mu * mu),
        latents: vec![real_latent("mu"), real_latent("mu")],
    };
    // Two latents named alike read as one name: whatever the fit does, it does not panic
    // and holds no NaN.
    if let Ok(fit) = Ngvi::new().fit(&m) {
        assert!(fit.mean("mu").unwrap().iter().all(|x| x.is_finite()));
    }
}
