//! Robust regression: simulated data (`examples/data/robust.csv`: N = 100,
//! y = 1 + 2 x1 − x2 plus Normal(0, 0.5²) noise, and five rows shifted by 10 to 20: gross
//! outliers) under a Student-t likelihood with 4 degrees of freedom and an unknown scale:
//! alpha, beta[2] ~ Normal(0, 10), sigma ~ HalfNormal(5),
//! y[i] ~ StudentT(4, alpha + x[i] · beta, sigma). The heavy tails keep the outliers from
//! dragging the line. Prints the fit's summary and, per component, the fitted mean and sd
//! against a long adaptive-Metropolis reference
//! (`examples/data/robust_regression_reference.json`, made by
//! `cargo run --release --example mcmc_reference`).
//!
//! `cargo run --release --example robust_regression [-- SEED]`

mod common;

use common::cases;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    cases::report(&cases::robust()?, cases::seed_arg(1)?);
    Ok(())
}
