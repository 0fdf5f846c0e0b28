use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample mu ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            factor Normal(mu).ln_density(y[i]);
            factor StudentT(3.0, mu, -1.0).ln_density(y[i]);
        }
    }
}

fn main() {}
