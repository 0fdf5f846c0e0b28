use ngvi::prelude::*;

model! {
    fn running_mean(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        let mut level = mu;
        let mut residuals = Vec::new();
        for i in plate(0..y.len()) {
            level += 0.5 * (y[i] - level);
            residuals.push(y[i] - level);
            observe y[i] ~ Normal(level, 1.0);
        }
    }
}

fn main() {}
