use ngvi::prelude::*;

model! {
    fn m<T>(y: &[T]) {
        sample mu ~ Normal(0.0, 1.0);
        observe y[0] ~ Normal(mu, 1.0);
    }
}

fn main() {}
