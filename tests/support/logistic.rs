//! A logistic regression written with a plate and with a plain loop, and simulated data for
//! it: what the plate and minibatch tests share.

use ngvi::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

model! {
    pub fn logistic_plate(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 5.0);
        sample w[x.ncols()] ~ Normal(0.0, 2.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(sigmoid(b + dot(x.row(i).iter(), w)));
        }
    }
}

model! {
    pub fn logistic_loop(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 5.0);
        sample w[x.ncols()] ~ Normal(0.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(sigmoid(b + dot(x.row(i).iter(), w)));
        }
    }
}

/// `n` rows with 3 predictors uniform in [−1, 1], intercept 0.3 and weights (1, −2, 0.5),
/// from the stream `seed`.
pub fn logistic_data(n: usize, seed: u64) -> (DMatrix<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let x = DMatrix::from_fn(n, 3, |_, _| rng.random_range(-1.0..1.0));
    let w = [1.0, -2.0, 0.5];
    let y = (0..n)
        .map(|i| {
            let eta = 0.3 + (0..3).map(|j| x[(i, j)] * w[j]).sum::<f64>();
            f64::from(rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()))
        })
        .collect();
    (x, y)
}
