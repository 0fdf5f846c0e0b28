//! Unknown mean and precision, mean-field: mu ~ Normal(0, 10), tau ~ Gamma(1, 1),
//! y ~ Normal(mu, 1/√tau), on `normal.csv`. NGVI with ρ = 1 and exact expectations is
//! coordinate ascent (CAVI); its fixed point is computed here in closed form for comparison.
//!
//! `cargo run --release --example normal_gamma`

mod common;

use common::models::normal_gamma;
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let y = common::Table::read("normal.csv")?.column("y")?;
    let fit = Ngvi::new().seed(1).tol(1e-12).fit(&normal_gamma(&y))?;
    println!("{}", fit.summary());

    // CAVI: q(mu) = N(m, 1/p), q(tau) = Gamma(a, b), iterated to its fixed point.
    let n = y.len() as f64;
    let (sum, sum2): (f64, f64) = (y.iter().sum(), y.iter().map(|v| v * v).sum());
    let a = 1.0 + n / 2.0;
    let (mut m, mut p, mut b) = (0.0, 1.0, 1.0);
    for _ in 0..1000 {
        p = 1.0 / 100.0 + n * a / b;
        m = (a / b) * sum / p;
        b = 1.0 + 0.5 * (sum2 - 2.0 * m * sum + n * (m * m + 1.0 / p));
    }
    let mu = fit.guide("mu").ok_or("mu")?.natural();
    let tau = fit.guide("tau").ok_or("tau")?.natural();
    println!(
        "fitted q(mu)  = Normal({:.9}, sd {:.9})",
        mu[0] / (-2.0 * mu[1]),
        (-2.0 * mu[1]).sqrt().recip()
    );
    println!("CAVI   q(mu)  = Normal({m:.9}, sd {:.9})", p.sqrt().recip());
    println!(
        "fitted q(tau) = Gamma(shape {:.9}, rate {:.9})",
        tau[0] + 1.0,
        -tau[1]
    );
    println!("CAVI   q(tau) = Gamma(shape {a:.9}, rate {b:.9})");
    println!("iterations: {}", fit.iterations());
    Ok(())
}
