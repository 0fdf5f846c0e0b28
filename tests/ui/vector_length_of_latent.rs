use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        sample theta[eta.len()] ~ Normal(0.0, 1.0);
        for j in 0..eta.len() {
            observe y[j] ~ Normal(eta[j] + theta[j], 1.0);
        }
    }
}

fn main() {}
