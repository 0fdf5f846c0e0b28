//! The models of the conjugate examples, shared with the integration tests.

use nalgebra::DMatrix;
use ngvi::prelude::*;

model! {
    /// A coin with unknown bias: p ~ Beta(1, 1).
    pub fn coin(y: &[f64]) {
        sample p ~ Beta(1.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

model! {
    /// Counts with an unknown rate: lam ~ Gamma(shape 2, rate 1).
    pub fn counts(y: &[f64]) {
        sample lam ~ Gamma(2.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Poisson(lam);
        }
    }
}

model! {
    /// Normal data with unknown mean and known sd.
    pub fn normal_known_sd(y: &[f64], sd: f64) {
        sample mu ~ Normal(0.0, 10.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, sd);
        }
    }
}

model! {
    /// Rolls of a k-sided die with unknown face probabilities.
    pub fn dice(rolls: &[usize], alpha: &[f64]) {
        sample theta ~ Dirichlet(alpha);
        for i in 0..rolls.len() {
            observe rolls[i] ~ Categorical(theta);
        }
    }
}

model! {
    /// Linear regression without intercept, weights Normal(0, 1), known noise sd.
    pub fn linear_regression(x: &DMatrix<f64>, y: &[f64], noise_sd: f64) {
        sample w[x.ncols()] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(dot(x.row(i).iter(), w), noise_sd);
        }
    }
}

model! {
    /// Normal data with unknown mean and precision (mean-field Normal–Gamma).
    pub fn normal_gamma(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        sample tau ~ Gamma(1.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0 / tau.sqrt());
        }
    }
}

model! {
    /// Linear regression with a Gamma prior on the noise precision.
    pub fn linear_regression_unknown_noise(x: &DMatrix<f64>, y: &[f64]) {
        sample w[x.ncols()] ~ Normal(0.0, 1.0);
        sample tau ~ Gamma(1.0, 1.0);
        let sd = 1.0 / tau.sqrt();
        for i in 0..y.len() {
            observe y[i] ~ Normal(dot(x.row(i).iter(), w), sd);
        }
    }
}
