use ngvi::prelude::*;

model! {
    /// GARCH(1,1)'s `real<lower=0, upper=1-alpha1> beta1;` written as a Uniform prior.
    fn garch(r: &[f64], sigma1: f64) {
        sample mu ~ Normal(0.0, 10.0);
        sample alpha0 ~ HalfNormal(1.0);
        sample alpha1 ~ Uniform(0.0, 1.0);
        sample beta1 ~ Uniform(0.0, 1.0 - alpha1);
        let mut sigma = sigma1;
        for t in 1..r.len() {
            sigma = (alpha0 + alpha1 * (r[t - 1] - mu).powi(2) + beta1 * sigma * sigma).sqrt();
            observe r[t] ~ Normal(mu, sigma);
        }
    }
}

fn main() {}
