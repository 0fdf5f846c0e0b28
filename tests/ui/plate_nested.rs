use ngvi::prelude::*;

model! {
    fn grouped(y: &[f64], groups: usize, per: usize) {
        sample mu ~ Normal(0.0, 10.0);
        for g in 0..groups {
            for i in plate(0..per) {
                observe y[g * per + i] ~ Normal(mu, 1.0);
            }
        }
    }
}

fn main() {}
