use ngvi::prelude::*;

model! {
    fn m(y: f64, robust: bool) {
        sample mu ~ Normal(0.0, 1.0);
        if robust {
            sample nu ~ Gamma(2.0, 0.1);
            observe y ~ StudentT(nu, mu, 1.0);
        } else {
            observe y ~ Normal(mu, 1.0);
        }
    }
}

fn main() {}
