use ngvi::prelude::*;

model! {
    fn m(x: &[f64], y: f64) {
        sample beta[x.len()] ~ Normal(0.0, 1.0);
        let mut eta: f64 = 0.0;
        for j in 0..x.len() {
            eta += x[j] * beta[j];
        }
        observe y ~ Normal(eta, 1.0);
    }
}

fn main() {}
