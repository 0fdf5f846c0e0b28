use ngvi::prelude::*;

model! {
    /// ARMA(1,1)'s `err ~ normal(0, sigma)` on the errors, a transformed parameter.
    fn arma(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        sample phi ~ Normal(0.0, 2.0);
        sample sigma ~ HalfCauchy(2.5);
        let mut err = Vec::new();
        err.push(y[0] - mu - phi * mu);
        for t in 1..y.len() {
            err.push(y[t] - mu - phi * y[t - 1]);
        }
        for t in 0..y.len() {
            observe err[t] ~ Normal(0.0, sigma);
        }
    }
}

fn main() {}
