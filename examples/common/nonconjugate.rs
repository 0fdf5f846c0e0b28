//! The non-conjugate models of the examples and of `validate`: regressions with a
//! non-Gaussian likelihood, eight schools in both parameterisations, and a robust
//! regression.

use nalgebra::DMatrix;
use ngvi::prelude::*;

model! {
    /// Logistic regression with an intercept: b, w ~ Normal(0, 1),
    /// y[i] ~ Bernoulli(logit = b + x[i] · w).
    pub fn logistic_regression(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 1.0);
        sample w[x.ncols()] ~ Normal(0.0, 1.0);
        // The rows are conditionally independent: a plate sums them on every core.
        for i in plate(0..y.len()) {
            // `x.row(i)` is checked: too few rows is a `ModelError`.
            let eta = b + dot(x.row(i).iter(), w);
            observe y[i] ~ BernoulliLogit(eta);
        }
    }
}

model! {
    /// Poisson regression with a log link: b, w ~ Normal(0, 1),
    /// y[i] ~ Poisson(exp(b + x[i] · w)).
    pub fn poisson_regression(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 1.0);
        sample w[x.ncols()] ~ Normal(0.0, 1.0);
        for i in plate(0..y.len()) {
            let eta = b + dot(x.row(i).iter(), w);
            observe y[i] ~ PoissonLog(eta);
        }
    }
}

model! {
    /// Robust linear regression: a Student-t likelihood with known degrees of freedom `nu`
    /// and unknown scale sigma; alpha, beta ~ Normal(0, 10), sigma ~ HalfNormal(5).
    pub fn robust_regression(x: &DMatrix<f64>, y: &[f64], nu: f64) {
        sample alpha ~ Normal(0.0, 10.0);
        sample beta[x.ncols()] ~ Normal(0.0, 10.0);
        sample sigma ~ HalfNormal(5.0);
        for i in plate(0..y.len()) {
            let mu = alpha + dot(x.row(i).iter(), beta);
            observe y[i] ~ StudentT(nu, mu, sigma);
        }
    }
}

model! {
    /// Eight schools, non-centred: theta[j] = mu + tau * eta[j] with eta[j] ~ Normal(0, 1).
    pub fn eight_schools(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        for j in 0..y.len() {
            let theta = mu + tau * eta[j];
            observe y[j] ~ Normal(theta, sigma[j]);
        }
    }
}

model! {
    /// Eight schools, centred: theta[j] ~ Normal(mu, tau) directly. The same posterior for
    /// mu and tau as the non-centred model, but a funnel: as tau → 0 the thetas are pinned
    /// to mu.
    pub fn eight_schools_centered(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample theta[y.len()] ~ Normal(mu, tau);
        for j in 0..y.len() {
            observe y[j] ~ Normal(theta[j], sigma[j]);
        }
    }
}
