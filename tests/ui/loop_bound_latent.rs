use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample n ~ HalfNormal(10.0);
        for i in 0..n {
            observe y[i] ~ Normal(0.0, 1.0);
        }
    }
}

fn main() {}
