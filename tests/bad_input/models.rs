//! Awkward models: parameters out of domain, improper posteriors, −∞ regions, extreme
//! concentration, very wide and vague priors, collinearity, latents only in `factor`,
//! kinks, Dirichlets at the edge, large latent vectors.

use super::*;
use ngvi::dist::{Domain, ParamError};
use ngvi::{Reason, StopReason};

/// Not exact, and within `tol` posterior sd of quadrature in mean and sd.
#[track_caller]
fn check_quadrature(fit: &Fit, name: &str, log_p: impl Fn(f64) -> f64, lo: f64, hi: f64, tol: f64) {
    let (mean, sd) = quadrature(log_p, lo, hi);
    assert!(
        fit.pareto_k().is_some(),
        "reported exact:\n{}",
        fit.summary()
    );
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    assert_moments(fit, name, mean, sd, tol);
}

fn normal_lp(x: f64, m: f64, s: f64) -> f64 {
    -0.5 * ((x - m) / s).powi(2)
}

model! {
    fn sd_below_zero(y: &[f64], s: f64) {
        sample mu ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, s - 10.0);
        }
    }
}

#[test]
fn parameter_computed_from_data_out_of_its_domain() {
    let e = model_error(Ngvi::new().fit(&sd_below_zero(&Y, 5.0)));
    assert_eq!(e.statement, "observe y[i] ~ Normal(mu, s - 10.0);");
    assert_eq!(e.variable, "s - 10.0");
    assert_eq!(
        e.kind,
        ModelErrorKind::Parameter(ParamError {
            dist: DistKind::Normal,
            param: "sd",
            value: -5.0,
            domain: Domain::Positive
        })
    );
}

// ---------------------------------------------------------------------------------------
// Improper posteriors: never `Converged`

model! {
    pub(crate) fn flat_alone(n: usize) {
        sample mu ~ Flat();
        for _i in 0..n {
            factor 0.0;
        }
    }
}

model! {
    fn half_flat_alone(n: usize) {
        sample s ~ HalfFlat();
        for _i in 0..n {
            factor 0.0;
        }
    }
}

model! {
    fn collinear_flat(x: &[f64], y: &[f64]) {
        sample a ~ Flat();
        sample b ~ Flat();
        for i in 0..y.len() {
            observe y[i] ~ Normal(a * x[i] + b * x[i], 1.0);
        }
    }
}

model! {
    fn collinear_proper(x: &[f64], y: &[f64]) {
        sample a ~ Normal(0.0, 10.0);
        sample b ~ Normal(0.0, 10.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(a * x[i] + b * x[i], 1.0);
        }
    }
}

model! {
    fn separable(x: &[f64], y: &[f64]) {
        sample w ~ Flat();
        for i in 0..y.len() {
            observe y[i] ~ BernoulliLogit(w * x[i]);
        }
    }
}

model! {
    fn flat_mean(y: f64) {
        sample mu ~ Flat();
        observe y ~ Normal(mu, 1.0);
    }
}

model! {
    fn sd_of_identical(y: &[f64]) {
        sample sigma ~ HalfNormal(1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(0.5, sigma);
        }
    }
}

model! {
    fn variance_of_identical(y: &[f64]) {
        sample s2 ~ InverseGamma(2.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(0.5, s2.sqrt());
        }
    }
}

const X: [f64; 5] = [1.0, 2.0, -1.0, 0.5, 3.0];
const XY: [f64; 5] = [2.1, 3.9, -2.2, 1.1, 6.0];

#[test]
fn flat_prior_without_data_is_unidentified() {
    let m = flat_alone(0);
    let fit = finite(&m, Ngvi::new().fit(&m));
    assert_eq!(
        fit.stop_reason(),
        StopReason::Unidentified,
        "{}",
        fit.summary()
    );
    assert!(fit.summary().contains("NOT converged"));
}

#[test]
fn half_flat_prior_without_data_is_an_error() {
    let e = error(Ngvi::new().fit(&half_flat_alone(0)));
    assert!(
        matches!(
            e,
            Error::NonFinite {
                family: "Gaussian",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn collinear_regression_with_flat_priors_is_unidentified() {
    let m = collinear_flat(&X, &XY);
    let fit = finite(&m, Ngvi::new().fit(&m));
    assert_eq!(
        fit.stop_reason(),
        StopReason::Unidentified,
        "{}",
        fit.summary()
    );
}

#[test]
fn collinear_regression_with_proper_priors_is_exact() {
    let m = collinear_proper(&X, &XY);
    let fit = converged(&m, Ngvi::new().fit(&m));
    let sxx: f64 = X.iter().map(|x| x * x).sum();
    let sxy: f64 = X.iter().zip(&XY).map(|(x, y)| x * y).sum();
    let p = DMatrix::from_row_slice(2, 2, &[sxx + 0.01, sxx, sxx, sxx + 0.01]);
    let cov = p.try_inverse().unwrap();
    let mean = &cov * DVector::from_vec(vec![sxy, sxy]);
    for (k, name) in ["a", "b"].into_iter().enumerate() {
        let sd = cov[(k, k)].sqrt();
        assert_moments(&fit, name, mean[k], sd, 1e-6);
    }
}

#[test]
fn separable_logistic_with_a_flat_prior_never_converges() {
    let x = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0];
    let y = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    match Ngvi::new().fit(&separable(&x, &y)) {
        Ok(fit) => assert!(!fit.stop_reason().is_converged(), "{}", fit.summary()),
        Err(e) => assert!(
            !matches!(e, Error::Model(_) | Error::InvalidOption { .. }),
            "{e:?}"
        ),
    }
}

#[test]
fn flat_prior_with_one_observation_is_proper_and_exact() {
    let m = flat_mean(1.5);
    let fit = converged(&m, Ngvi::new().fit(&m));
    assert_moments(&fit, "mu", 1.5, 1.0, 1e-9);
}

#[test]
fn identical_data_at_a_known_mean_make_the_sd_improper() {
    // ∏ N(0.5 | 0.5, σ) ∝ σ⁻⁴: the posterior of σ is not integrable at 0.
    match Ngvi::new().fit(&sd_of_identical(&[0.5; 4])) {
        Ok(fit) => assert!(!fit.stop_reason().is_converged(), "{}", fit.summary()),
        Err(e) => assert!(matches!(e, Error::NonFinite { .. }), "{e:?}"),
    }
}

#[test]
fn identical_data_at_a_known_mean_with_an_inverse_gamma_variance() {
    let m = variance_of_identical(&[0.5; 4]);
    let fit = converged(&m, Ngvi::new().fit(&m));
    // InverseGamma(2 + 2, 1 + 0): mean 1/3, variance 1/(3² · 2)
    assert_moments(&fit, "s2", 1.0 / 3.0, (1.0f64 / 18.0).sqrt(), 1e-9);
}

// ---------------------------------------------------------------------------------------
// −∞ regions, non-smooth densities, a latent only in `factor`

model! {
    fn rate_with_normal_prior(y: &[f64]) {
        sample lam ~ Normal(1.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ Poisson(lam);
        }
    }
}

model! {
    fn hinge(y: &[f64]) {
        sample mu ~ Normal(0.0, 1.0);
        factor -3.0 * (mu - 0.5).max(mu * 0.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0);
        }
    }
}

model! {
    fn only_factor(c: f64) {
        sample mu ~ Normal(0.0, 1.0);
        factor -2.0 * (mu - c) * (mu - c);
    }
}

model! {
    fn flat_only_factor(c: f64) {
        sample mu ~ Flat();
        factor -0.5 * (mu - c) * (mu - c);
    }
}

#[test]
fn a_rate_with_a_normal_prior_is_fitted_where_the_log_joint_is_finite() {
    let y = [3.0, 4.0, 2.0];
    let m = rate_with_normal_prior(&y);
    let fit = finite(&m, Ngvi::new().fit(&m));
    let lp = |l: f64| {
        if l <= 0.0 {
            f64::NEG_INFINITY
        } else {
            normal_lp(l, 1.0, 2.0) + y.iter().map(|k| k * l.ln() - l).sum::<f64>()
        }
    };
    check_quadrature(&fit, "lam", lp, 0.0, 20.0, 0.1);
}

#[test]
fn a_laplace_likelihood() {
    let m = laplace_likelihood(&Y);
    let fit = finite(&m, Ngvi::new().fit(&m));
    let lp = |mu: f64| normal_lp(mu, 0.0, 2.0) - Y.iter().map(|y| (y - mu).abs()).sum::<f64>();
    check_quadrature(&fit, "mu", lp, -10.0, 10.0, 0.1);
}

#[test]
fn a_hinge_in_factor() {
    let y: Vec<f64> = (0..20)
        .map(|i| 0.8 + ((i * 7 % 20) as f64 - 9.5) / 10.0)
        .collect();
    let m = hinge(&y);
    let fit = finite(&m, Ngvi::new().fit(&m));
    let lp = |mu: f64| {
        normal_lp(mu, 0.0, 1.0) - 3.0 * (mu - 0.5).max(0.0)
            + y.iter().map(|v| normal_lp(*v, mu, 1.0)).sum::<f64>()
    };
    check_quadrature(&fit, "mu", lp, -8.0, 8.0, 0.1);
}

#[test]
fn a_latent_only_in_factor() {
    let m = only_factor(2.0);
    let fit = converged(&m, Ngvi::new().fit(&m));
    // precision 1 + 4, mean 8 / 5
    assert_moments(&fit, "mu", 1.6, 5f64.sqrt().recip(), 1e-9);
    let m = flat_only_factor(1.0);
    let fit = converged(&m, Ngvi::new().fit(&m));
    assert_moments(&fit, "mu", 1.0, 1.0, 1e-9);
}

// ---------------------------------------------------------------------------------------
// Extreme concentration

model! {
    fn many_trials(k: f64, n: f64) {
        sample p ~ Beta(1.0, 1.0);
        observe k ~ Binomial(n, p);
    }
}

model! {
    fn many_trials_logit(k: f64, n: f64) {
        sample a ~ Normal(0.0, 1.0);
        observe k ~ BinomialLogit(n, a);
    }
}

model! {
    fn all_successes(y: &[u8]) {
        sample a ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ BernoulliLogit(a);
        }
    }
}

#[test]
fn a_million_trials_conjugate() {
    let m = many_trials(500_300.0, 1e6);
    let fit = converged(&m, Ngvi::new().fit(&m));
    let (mean, sd) = beta_moments(500_301.0, 499_701.0);
    assert_moments(&fit, "p", mean, sd, 1e-6);
}

#[test]
fn a_million_trials_on_the_logit_scale() {
    let m = many_trials_logit(500_300.0, 1e6);
    let fit = finite(&m, Ngvi::new().fit(&m));
    let lp =
        |a: f64| normal_lp(a, 0.0, 1.0) + 500_300.0 * ln_sigmoid(a) + 499_700.0 * ln_sigmoid(-a);
    check_quadrature(&fit, "a", lp, -0.02, 0.02, 0.05);
}

#[test]
fn twenty_successes_in_twenty_with_a_proper_prior() {
    let m = all_successes(&[1; 20]);
    let fit = finite(&m, Ngvi::new().fit(&m));
    let lp = |a: f64| normal_lp(a, 0.0, 1.0) + 20.0 * ln_sigmoid(a);
    check_quadrature(&fit, "a", lp, -6.0, 10.0, 0.1);
}

struct Counted<'m, M> {
    model: &'m M,
    evaluations: std::sync::atomic::AtomicUsize,
}

impl<M: Model> Model for Counted<'_, M> {
    fn latents(&self) -> Result<Vec<ngvi::Latent>, ModelError> {
        self.model.latents()
    }
    fn uses(&self) -> Vec<ngvi::LatentUse> {
        self.model.uses()
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        self.evaluations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.model.log_joint(z)
    }
}

#[test]
fn a_million_flips() {
    // 10⁶ Bernoulli observations through the macro's loop: exact, and cheap in evaluations
    // of the log joint (each one is 10⁶ statements).
    let flips: Vec<u8> = (0..1_000_000).map(|i| u8::from(i % 3 == 0)).collect();
    let m = coin(&flips);
    let counted = Counted {
        model: &m,
        evaluations: std::sync::atomic::AtomicUsize::new(0),
    };
    let fit = converged(&counted, Ngvi::new().fit(&counted));
    let ones = flips.iter().filter(|&&f| f == 1).count() as f64;
    let (mean, sd) = beta_moments(2.0 + ones, 3.0 + 1e6 - ones);
    assert_moments(&fit, "p", mean, sd, 1e-9);
    let n = counted
        .evaluations
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(n <= 100, "{n} evaluations");
}

// ---------------------------------------------------------------------------------------
// Very wide, very narrow and vague priors

model! {
    fn prior_sd(y: &[f64], s: f64) {
        sample mu ~ Normal(0.0, s);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0);
        }
    }
}

#[test]
fn very_wide_priors() {
    for s in [1e6, 1e100, 1e300] {
        let m = prior_sd(&Y, s);
        let fit = converged(&m, Ngvi::new().fit(&m));
        let (mean, sd) = normal_posterior(0.0, s, &Y, 1.0);
        assert_moments(&fit, "mu", mean, sd, 1e-9);
    }
}

#[test]
fn a_very_narrow_prior() {
    let m = prior_sd(&Y, 1e-8);
    let fit = converged(&m, Ngvi::new().fit(&m));
    let (mean, sd) = normal_posterior(0.0, 1e-8, &Y, 1.0);
    assert_moments(&fit, "mu", mean, sd, 1e-6);
}

model! {
    fn vague_rate(y: &[f64]) {
        sample lam ~ Gamma(0.001, 0.001);
        for i in 0..y.len() {
            observe y[i] ~ Poisson(lam);
        }
    }
}

model! {
    fn vague_coin(y: &[u8]) {
        sample p ~ Beta(0.001, 0.001);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

model! {
    fn vague_variance(y: &[f64]) {
        sample s2 ~ InverseGamma(0.001, 0.001);
        for i in 0..y.len() {
            observe y[i] ~ Normal(0.0, s2.sqrt());
        }
    }
}

#[test]
fn vague_gamma_prior_is_exact() {
    let y = [3.0, 0.0, 5.0, 2.0];
    let m = vague_rate(&y);
    let fit = converged(&m, Ngvi::new().fit(&m));
    let (a, b) = (10.001, 4.001);
    assert_moments(&fit, "lam", a / b, a.sqrt() / b, 1e-9);
    assert!(fit.pareto_k().is_none());
}

#[test]
fn vague_beta_prior_is_exact() {
    let m = vague_coin(&[1, 1, 0, 1]);
    let fit = converged(&m, Ngvi::new().fit(&m));
    let (mean, sd) = beta_moments(3.001, 1.001);
    assert_moments(&fit, "p", mean, sd, 1e-9);
}

#[test]
fn vague_inverse_gamma_prior_is_exact() {
    let y = [0.5, -1.0, 2.0, 0.1, -0.3];
    let m = vague_variance(&y);
    let fit = converged(&m, Ngvi::new().fit(&m));
    let (a, b) = (
        0.001 + 2.5,
        0.001 + 0.5 * y.iter().map(|v| v * v).sum::<f64>(),
    );
    let mean = b / (a - 1.0);
    let sd = mean / (a - 2.0).sqrt();
    assert_moments(&fit, "s2", mean, sd, 1e-9);
}

// ---------------------------------------------------------------------------------------
// Dirichlet at the edge

model! {
    fn die(alpha: &[f64], rolls: &[usize]) {
        sample theta ~ Dirichlet(alpha);
        for i in 0..rolls.len() {
            observe rolls[i] ~ Categorical(theta);
        }
    }
}

#[test]
fn dirichlet_with_tiny_concentrations_is_exact() {
    let m = die(&[1e-3; 3], &[0, 2, 2]);
    let fit = converged(&m, Ngvi::new().fit(&m));
    let alpha = [1.001, 0.001, 2.001];
    let total: f64 = alpha.iter().sum();
    for (m, a) in fit.mean("theta").unwrap().iter().zip(alpha) {
        assert!((m - a / total).abs() < 1e-12, "{}", fit.summary());
    }
    let Some(Reason::Conjugate { .. }) = fit.reason("theta") else {
        panic!("{:?}", fit.reason("theta"));
    };
}

#[test]
fn dirichlet_with_tiny_concentrations_and_no_data_is_the_prior() {
    let m = die(&[1e-3; 3], &[]);
    let fit = converged(&m, Ngvi::new().fit(&m));
    // Dirichlet(α): mean 1/3, variance (1/3)(2/3)/(3α + 1)
    let sd = ((2.0 / 9.0) / (3e-3 + 1.0)).sqrt();
    for (m, s) in fit
        .mean("theta")
        .unwrap()
        .iter()
        .zip(fit.sd("theta").unwrap())
    {
        assert!(
            (m - 1.0 / 3.0).abs() < 1e-12 && (s - sd).abs() < 1e-9,
            "{}",
            fit.summary()
        );
    }
}

#[test]
fn dirichlet_with_one_category() {
    let e = model_error(Ngvi::new().fit(&die(&[1.0], &[0])));
    assert_eq!(e.statement, "sample theta ~ Dirichlet(alpha);");
    assert_eq!(e.variable, "alpha");
    assert!(e.to_string().contains("at least 2"), "{e}");
}

// ---------------------------------------------------------------------------------------
// Large latent vectors

model! {
    pub(crate) fn many_means(y: &[f64]) {
        sample w[y.len()] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(w[i], 1.0);
        }
    }
}

#[test]
fn a_latent_vector_of_fifty() {
    let y: Vec<f64> = (0..50).map(|i| (f64::from(i) * 0.37).sin() * 3.0).collect();
    let m = many_means(&y);
    for diagonal in [false, true] {
        let fit = converged(&m, Ngvi::new().diagonal(diagonal).fit(&m));
        for (i, (mean, sd)) in fit
            .mean("w")
            .unwrap()
            .iter()
            .zip(fit.sd("w").unwrap())
            .enumerate()
        {
            assert!((mean - y[i] / 2.0).abs() < 1e-9, "w[{i}] = {mean}");
            assert!((sd - 0.5f64.sqrt()).abs() < 1e-9, "sd w[{i}] = {sd}");
        }
    }
}

model! {
    fn bounded_prior(lo: f64, hi: f64) {
        sample u ~ Uniform(lo, hi);
    }
}

#[test]
fn a_uniform_prior_alone_on_the_logit_scale() {
    let m = bounded_prior(1.0, 2.0);
    let fit = finite(&m, Ngvi::new().fit(&m));
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    let (mean, sd) = (fit.mean("u").unwrap()[0], fit.sd("u").unwrap()[0]);
    // The exact posterior is Uniform(1, 2): mean 1.5, sd 1/√12; a Gaussian on the logit
    // scale cannot be exact.
    assert!((mean - 1.5).abs() < 0.01, "{}", fit.summary());
    assert!(
        (sd / 12f64.sqrt().recip() - 1.0).abs() < 0.05,
        "{}",
        fit.summary()
    );
    for d in fit.draws("u").unwrap() {
        assert!(d[0] > 1.0 && d[0] < 2.0);
    }
}
