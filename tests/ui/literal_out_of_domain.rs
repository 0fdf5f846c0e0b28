use ngvi::prelude::*;

model! {
    fn m(y: f64) {
        sample mu ~ Normal(0.0, -1.0);
        sample p ~ Beta(0.0, 1.0);
        sample u ~ Uniform(2.0, 1.0);
        observe y ~ Normal(mu + u, p);
    }
}

fn main() {}
