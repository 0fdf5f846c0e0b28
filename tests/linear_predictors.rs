//! Observes that read a Gaussian block through affine predictors (GLMs): their expectations
//! are taken by Gauss–Hermite along each predictor (docs/design.md (4.5e)). Checked against
//! ground truth: the fitted Gaussian of a one-coefficient logistic regression is the
//! stationary point of the ELBO, by a fine quadrature over the coefficient; the same fit by
//! the general path (Monte Carlo draws) agrees within its draw error; and the path is not
//! taken where it would be wrong.

use ngvi::prelude::*;
use ngvi::Reason;

model! {
    fn one_coefficient(x: &[f64], y: &[f64]) {
        sample w ~ Normal(0.0, 2.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ BernoulliLogit(w * x[i]);
        }
    }
}

model! {
    fn two_coefficients(x: &[f64], y: &[f64]) {
        sample b ~ Normal(0.0, 1.0);
        sample w ~ Normal(0.0, 1.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ BernoulliLogit(b + w * x[i]);
        }
    }
}

model! {
    /// The predictor is w², not affine in w.
    fn squared(x: &[f64], y: &[f64]) {
        sample w ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ BernoulliLogit(w * w * x[i]);
        }
    }
}

model! {
    /// A Laplace likelihood has a kink in its location.
    fn laplace(y: &[f64]) {
        sample mu ~ Normal(0.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ Laplace(mu, 1.0);
        }
    }
}

model! {
    /// A noise scale of its own: the rest of the log joint is not quadratic.
    fn with_noise(x: &[f64], y: &[f64]) {
        sample w ~ Normal(0.0, 1.0);
        sample sigma ~ HalfNormal(1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(w * x[i], sigma);
        }
    }
}

/// 40 points, x in [−2, 2], y = 1 where x plus a fixed pattern of noise is positive: some
/// points on each side of the boundary are the other class (far from separable).
fn data() -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..40).map(|i| -2.0 + 4.0 * i as f64 / 39.0).collect();
    let y = x
        .iter()
        .enumerate()
        .map(|(i, &xi)| f64::from(xi + 2.5 * ((i * 7 % 11) as f64 / 5.0 - 1.0) > 0.0))
        .collect();
    (x, y)
}

fn sigmoid(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

fn linear(fit: &Fit, name: &str) -> bool {
    matches!(
        fit.reason(name),
        Some(Reason::Gaussian { linear: true, .. })
    )
}

/// At the Gaussian VI optimum N(m, s²), E_q[∂ log p/∂w] = 0 and E_q[∂² log p/∂w²] = −1/s²
/// (the NGVI fixed point). Both expectations by a midpoint sum of 24 000 cells over
/// m ± 12 s, independent of the fit's rule.
#[test]
fn a_one_coefficient_fit_is_the_stationary_point_of_the_elbo() {
    let (x, y) = data();
    // a tolerance far below the default, so that the iteration's stop is not what is seen
    let fit = Ngvi::new()
        .tol(1e-14)
        .fit(&one_coefficient(&x, &y))
        .unwrap();
    assert!(linear(&fit, "w"), "{}", fit.summary());
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    let (m, s) = (fit.mean("w").unwrap()[0], fit.sd("w").unwrap()[0]);
    let (mut eg, mut eh) = (0.0, 0.0);
    let cells = 24_000;
    let h = 24.0 / cells as f64;
    for k in 0..cells {
        let z = -12.0 + (k as f64 + 0.5) * h;
        let w = m + s * z;
        let q = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() * h;
        let (mut g, mut hh) = (-w / 4.0, -0.25);
        for (xi, yi) in x.iter().zip(&y) {
            let p = sigmoid(xi * w);
            g += xi * (yi - p);
            hh -= xi * xi * p * (1.0 - p);
        }
        eg += q * g;
        eh += q * hh;
    }
    // the mean is off the optimum by E[g]·s² (in units of s), the variance by −E[h]s² − 1
    assert!(
        (eg * s).abs() < 1e-6,
        "E[g] s = {:e}, −E[h] s² = {}\n{}",
        eg * s,
        -eh * s * s,
        fit.summary()
    );
    assert!(
        (-eh * s * s - 1.0).abs() < 1e-6,
        "−E[h] s² = {}",
        -eh * s * s
    );
}

/// The same two-coefficient fit by its observes' expectations and by 1024 fixed Monte
/// Carlo draws per expectation: means and sds within the draws' error.
#[test]
fn the_quadrature_and_the_draws_agree() {
    let (x, y) = data();
    let m = two_coefficients(&x, &y);
    let by_rule = Ngvi::new().fit(&m).unwrap();
    assert!(linear(&by_rule, "b") && linear(&by_rule, "w"));
    let by_draws = Ngvi::new()
        .expectation(Expectation::MonteCarlo)
        .samples(1024)
        .fit(&m)
        .unwrap();
    assert!(!linear(&by_draws, "w"));
    for name in ["b", "w"] {
        let (m1, s1) = (by_rule.mean(name).unwrap()[0], by_rule.sd(name).unwrap()[0]);
        let (m2, s2) = (
            by_draws.mean(name).unwrap()[0],
            by_draws.sd(name).unwrap()[0],
        );
        assert!((m1 - m2).abs() < 0.05 * s1, "{name}: mean {m1} vs {m2}");
        assert!((s1 / s2 - 1.0).abs() < 0.05, "{name}: sd {s1} vs {s2}");
    }
    assert!(by_rule.evaluations().gradients < by_draws.evaluations().gradients / 10);
}

/// Not taken where it would be wrong: a curved predictor, a kinked density, a rest that is
/// not quadratic (a noise scale). Those fits take the general path and still say why.
#[test]
fn the_path_is_not_taken_where_it_would_be_wrong() {
    let (x, y) = data();
    let fit = Ngvi::new().fit(&squared(&x, &y)).unwrap();
    assert!(!linear(&fit, "w"), "{}", fit.summary());
    let fit = Ngvi::new().fit(&laplace(&[0.3, -1.2, 2.0, 0.7])).unwrap();
    assert!(!linear(&fit, "mu"), "{}", fit.summary());
    let yn: Vec<f64> = x.iter().map(|xi| 0.5 * xi + 0.1).collect();
    let fit = Ngvi::new().fit(&with_noise(&x, &yn)).unwrap();
    assert!(!linear(&fit, "w"), "{}", fit.summary());
}
