use ngvi::prelude::*;

model! {
    fn m(alpha: &[f64], p: &[f64]) {
        sample theta ~ Dirichlet(alpha);
        observe p ~ Dirichlet(alpha);
    }
}

fn main() {}
