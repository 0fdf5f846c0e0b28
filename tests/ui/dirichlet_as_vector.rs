use ngvi::prelude::*;

model! {
    fn m(alpha: &[f64], y: &[usize]) {
        sample theta[alpha.len()] ~ Dirichlet(alpha);
        for i in 0..y.len() {
            observe y[i] ~ Categorical(theta);
        }
    }
}

fn main() {}
