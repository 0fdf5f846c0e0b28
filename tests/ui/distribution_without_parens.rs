use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample mu ~ Normal;
        observe y ~ Normal(mu, 1.0);
    }
}

fn main() {}
