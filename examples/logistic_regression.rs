//! Logistic regression (`examples/data/logistic.csv`: N = 2000, 20 AR(1)-correlated
//! predictors, x20 on a scale 100 times the others): b, w[20] ~ Normal(0, 1),
//! y[i] ~ BernoulliLogit(b + x[i] · w). A non-conjugate likelihood: the 21 coordinates form
//! one full-rank Gaussian block. Prints the fit's summary and, per component, the fitted
//! mean and sd against the long-run NUTS reference (`examples/data/logistic.json`).
//!
//! `cargo run --release --example logistic_regression [-- SEED]`

mod common;

use common::cases;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    cases::report(&cases::logistic()?, cases::seed_arg(1)?);
    Ok(())
}
