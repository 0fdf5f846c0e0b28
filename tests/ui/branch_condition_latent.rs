use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample mu ~ Normal(0.0, 1.0);
        if mu > 0.0 {
            observe y ~ Normal(mu, 1.0);
        } else {
            observe y ~ Normal(mu, 2.0);
        }
    }
}

fn main() {}
