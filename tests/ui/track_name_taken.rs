use ngvi::prelude::*;

model! {
    fn m(y: &[f64], scale: f64) {
        sample mu ~ Normal(0.0, scale);
        sample sigma ~ HalfNormal(1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, sigma);
        }
        track mu = mu * 2.0;
        track scale = sigma / scale;
        track ratio = mu / sigma;
        track ratio = sigma / mu;
    }
}

fn main() {}
