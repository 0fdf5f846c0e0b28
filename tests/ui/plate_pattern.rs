use ngvi::prelude::*;

model! {
    fn pairs(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        for (i, v) in plate(0..y.len()) {
            observe y[i] ~ Normal(mu, 1.0);
        }
    }
}

fn main() {}
