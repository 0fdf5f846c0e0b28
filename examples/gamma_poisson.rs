//! Counts with an unknown rate: lam ~ Gamma(shape 2, rate 1), y ~ Poisson(lam), on
//! `counts.csv`. The posterior is Gamma(2 + Σy, 1 + n).
//!
//! `cargo run --release --example gamma_poisson`

mod common;

use common::models::counts;
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let y = common::Table::read("counts.csv")?.column("y")?;
    let fit = Ngvi::new().seed(1).fit(&counts(&y))?;
    println!("{}", fit.summary());

    let (shape, rate) = (2.0 + y.iter().sum::<f64>(), 1.0 + y.len() as f64);
    let lambda = fit.guide("lam").ok_or("no guide for lam")?.natural();
    println!(
        "fitted posterior: Gamma(shape {:.6}, rate {:.6})",
        lambda[0] + 1.0,
        -lambda[1]
    );
    println!("exact posterior:  Gamma(shape {shape:.6}, rate {rate:.6})");
    println!("iterations: {}", fit.iterations());
    Ok(())
}
