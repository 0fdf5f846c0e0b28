use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample mu ~ Normal(0.0, 1.0);
        observe y ~ Flat();
    }
}

fn main() {}
