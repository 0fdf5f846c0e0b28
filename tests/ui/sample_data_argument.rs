use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample y ~ Normal(0.0, 1.0);
    }
}

fn main() {}
