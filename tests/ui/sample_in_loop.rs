use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        for i in 0..y.len() {
            sample theta ~ Normal(0.0, 1.0);
            observe y[i] ~ Normal(theta, 1.0);
        }
    }
}

fn main() {}
