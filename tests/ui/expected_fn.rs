use ngvi::prelude::*;

model! {
    pub m(y: f64) {
        sample mu ~ Normal(0.0, 1.0);
        observe y ~ Normal(mu, 1.0);
    }
}

fn main() {}
