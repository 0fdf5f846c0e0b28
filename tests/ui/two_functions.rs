use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample mu ~ Normal(0.0, 1.0);
        observe y ~ Normal(mu, 1.0);
    }

    fn n(y: f64) {
        sample nu ~ Normal(0.0, 1.0);
        observe y ~ Normal(nu, 1.0);
    }
}

fn main() {}
