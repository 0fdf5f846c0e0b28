use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample mu ~ Normal(0.0, 1.0);
        let Some(first) = y.first() else { return; };
        observe first ~ Normal(mu, 1.0);
    }
}

fn main() {}
