//! Poisson regression with a log link (`examples/data/poisson_reg.csv`: N = 500, 5
//! predictors): b, w[5] ~ Normal(0, 1), y[i] ~ PoissonLog(b + x[i] · w). Prints the fit's
//! summary and, per component, the fitted mean and sd against the long-run NUTS reference
//! (`examples/data/poisson_reg.json`).
//!
//! `cargo run --release --example poisson_regression [-- SEED]`

mod common;

use common::cases;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    cases::report(&cases::poisson_reg()?, cases::seed_arg(1)?);
    Ok(())
}
