use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample mu ~ Normal(0.0, -1.0);
        sample sigma ~ HalfNormall(1.0);
        for i in 0..y.len() {
            sample theta ~ Normal(mu, 1.0);
            observe y[i] ~ Normal(theta);
        }
        observe mu ~ Normal(0.0, 1.0);
    }
}

fn main() {}
