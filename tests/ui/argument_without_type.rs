use ngvi::prelude::*;

model! {
    fn m(y, s: f64) {
        sample mu ~ Normal(0.0, 1.0);
        observe y ~ Normal(mu, s);
    }
}

fn main() {}
