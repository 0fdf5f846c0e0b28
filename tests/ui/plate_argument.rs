use ngvi::prelude::*;

model! {
    fn two_ranges(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        for i in plate(0..y.len(), 2) {
            observe y[i] ~ Normal(mu, 1.0);
        }
    }
}

fn main() {}
