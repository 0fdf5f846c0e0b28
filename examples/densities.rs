//! Evaluate a log density with f64, its gradient with first-order duals and its Hessian
//! with second-order duals: the three ways every ngvi model is evaluated.
//!
//! `cargo run --release --example densities`

use ngvi::dist::{Normal, ParamError, Univariate};
use ngvi::prelude::*;

/// log N(y | mu, sd) summed over the data, generic over the scalar.
fn log_lik<S: Scalar>(y: &[f64], theta: &[S]) -> Result<S, ParamError> {
    let d = Normal::new(theta[0].clone(), theta[1].clone())?;
    Ok(y.iter().fold(S::constant(0.0), |acc, &yi| {
        acc + d.ln_density(&S::constant(yi))
    }))
}

fn main() -> Result<(), ParamError> {
    let y = [1.2, 0.4, 2.3, 1.9, 0.8];
    let at = [1.0, 0.8];
    let value = log_lik(&y, &at)?;
    let grad = log_lik(&y, &Dual::variables(&at))?;
    let hess = log_lik(&y, &Dual2::variables(&at))?;
    println!("log p(y | mu = {}, sd = {}) = {value:.6}", at[0], at[1]);
    println!("gradient (d/dmu, d/dsd)   = {:?}", grad.gradient());
    println!("Hessian                   = {:.6}", hess.hessian());
    match Normal::new(0.0, -1.0) {
        Err(e) => println!("invalid parameters are an error value: {e}"),
        Ok(_) => println!("unexpected: a negative sd was accepted"),
    }
    Ok(())
}
