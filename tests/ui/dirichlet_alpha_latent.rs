use ngvi::prelude::*;

model! {
    fn m(y: &[usize]) {
        sample a ~ HalfNormal(1.0);
        sample theta ~ Dirichlet([a, a, a]);
        for i in 0..y.len() {
            observe y[i] ~ Categorical(theta);
        }
    }
}

fn main() {}
