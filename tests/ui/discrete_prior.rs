use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample k ~ Poisson(3.0);
        observe y ~ Normal(k, 1.0);
    }
}

fn main() {}
