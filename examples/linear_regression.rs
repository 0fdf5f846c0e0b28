//! Linear regression with known noise: w ~ Normal(0, 1) (10 weights), y ~ Normal(X w, 0.5),
//! on `linreg.csv`. The posterior is Normal with precision P = I + XᵀX / 0.25 and mean
//! P⁻¹ Xᵀy / 0.25; one NGVI step on the joint Gaussian block is exact.
//!
//! `cargo run --release --example linear_regression`

mod common;

use common::models::linear_regression;
use nalgebra::{DMatrix, DVector};
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (x, y) = common::linreg()?;
    let fit = Ngvi::new().seed(1).fit(&linear_regression(&x, &y, 0.5))?;
    println!("{}", fit.summary());

    let prec = DMatrix::identity(10, 10) + x.transpose() * &x / 0.25;
    let chol = prec
        .clone()
        .cholesky()
        .ok_or("posterior precision is not positive definite")?;
    let mean = chol.solve(&(x.transpose() * DVector::from_vec(y) / 0.25));
    let cov = chol.inverse();
    let (m, s) = (fit.mean("w").ok_or("w")?, fit.sd("w").ok_or("w")?);
    println!(
        "{:>4} {:>12} {:>12} {:>12} {:>12}",
        "w", "fitted mean", "exact mean", "fitted sd", "exact sd"
    );
    for j in 0..10 {
        println!(
            "{j:>4} {:>12.8} {:>12.8} {:>12.8} {:>12.8}",
            m[j],
            mean[j],
            s[j],
            cov[(j, j)].sqrt()
        );
    }
    println!("iterations: {}", fit.iterations());
    Ok(())
}
