use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample mu ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0);
        }
        track double mu * 2.0;
    }
}

fn main() {}
