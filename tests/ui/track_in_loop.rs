use ngvi::prelude::*;

model! {
    fn m(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        for j in 0..y.len() {
            track theta = mu + tau * eta[j];
            observe y[j] ~ Normal(theta, sigma[j]);
        }
    }
}

fn main() {}
