use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample k ~ HalfNormal(3.0);
        sample theta[k] ~ Normal(0.0, 1.0);
        observe y[0] ~ Normal(theta[0], 1.0);
    }
}

fn main() {}
