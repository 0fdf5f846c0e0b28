use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample mu ~ Normal(0.0, 1.0);
        let mut err: Vec<f64> = Vec::with_capacity(y.len());
        for t in 0..y.len() {
            err.push(y[t] - mu);
        }
        factor -err[0] * err[0];
    }
}

fn main() {}
