use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample mu ~ Normal(0.0, 1.0);
        observe mu ~ Normal(y, 1.0);
    }
}

fn main() {}
