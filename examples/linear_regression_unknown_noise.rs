//! Linear regression with unknown noise: w ~ Normal(0, 1) (10 weights), tau ~ Gamma(1, 1)
//! the noise precision, y ~ Normal(X w, 1/√tau), on `linreg.csv`. Mean-field over the
//! Gaussian block w and the Gamma block tau; NGVI lands on the CAVI fixed point, computed
//! here in closed form for comparison.
//!
//! `cargo run --release --example linear_regression_unknown_noise`

mod common;

use common::models::linear_regression_unknown_noise;
use nalgebra::{DMatrix, DVector};
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (x, y) = common::linreg()?;
    let fit = Ngvi::new()
        .seed(1)
        .tol(1e-12)
        .fit(&linear_regression_unknown_noise(&x, &y))?;
    println!("{}", fit.summary());

    // CAVI: q(w) = N(m, P⁻¹) with P = I + E[tau] XᵀX, m = E[tau] P⁻¹ Xᵀy;
    // q(tau) = Gamma(1 + n/2, 1 + ½ E‖y − Xw‖²).
    let (n, d) = (y.len() as f64, x.ncols());
    let yv = DVector::from_vec(y);
    let (xtx, xty) = (x.transpose() * &x, x.transpose() * &yv);
    let a = 1.0 + n / 2.0;
    let mut b = 1.0;
    let mut m = DVector::zeros(d);
    let mut cov = DMatrix::identity(d, d);
    for _ in 0..1000 {
        let prec = DMatrix::identity(d, d) + &xtx * (a / b);
        let chol = prec
            .cholesky()
            .ok_or("CAVI precision is not positive definite")?;
        m = chol.solve(&xty) * (a / b);
        cov = chol.inverse();
        let resid = &yv - &x * &m;
        b = 1.0 + 0.5 * (resid.dot(&resid) + (&xtx * &cov).trace());
    }
    let tau = fit.guide("tau").ok_or("tau")?.natural();
    let (wm, ws) = (fit.mean("w").ok_or("w")?, fit.sd("w").ok_or("w")?);
    println!(
        "{:>4} {:>12} {:>12} {:>12} {:>12}",
        "w", "fitted mean", "CAVI mean", "fitted sd", "CAVI sd"
    );
    for j in 0..d {
        println!(
            "{j:>4} {:>12.8} {:>12.8} {:>12.8} {:>12.8}",
            wm[j],
            m[j],
            ws[j],
            cov[(j, j)].sqrt()
        );
    }
    println!(
        "fitted q(tau) = Gamma(shape {:.6}, rate {:.6})",
        tau[0] + 1.0,
        -tau[1]
    );
    println!("CAVI   q(tau) = Gamma(shape {a:.6}, rate {b:.6})");
    println!("noise sd 1/sqrt(E[tau]) = {:.4} (true 0.5)", (b / a).sqrt());
    println!("iterations: {}", fit.iterations());
    Ok(())
}
