use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        for i in 0..y.len() {
            observe y[i] ~ Normal(0.0, 1.0);
        }
    }
}

fn main() {}
