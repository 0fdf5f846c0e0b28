use ngvi::prelude::*;

model! {
    fn m(y: &[f64]) {
        sample hi ~ HalfNormal(1.0);
        sample x ~ Uniform(0.0, hi);
        for i in 0..y.len() {
            observe y[i] ~ Normal(x, 1.0);
        }
    }
}

fn main() {}
