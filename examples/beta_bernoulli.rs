//! A coin with unknown bias: p ~ Beta(1, 1), y ~ Bernoulli(p), on `coin.csv`.
//! The posterior is Beta(1 + Σy, 1 + n − Σy); NGVI reaches it in one step.
//!
//! `cargo run --release --example beta_bernoulli`

mod common;

use common::models::coin;
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let y = common::Table::read("coin.csv")?.column("y")?;
    let fit = Ngvi::new().seed(1).fit(&coin(&y))?;
    println!("{}", fit.summary());

    let heads: f64 = y.iter().sum();
    let (a, b) = (1.0 + heads, 1.0 + y.len() as f64 - heads);
    let lambda = fit.guide("p").ok_or("no guide for p")?.natural();
    println!(
        "fitted posterior: Beta({:.6}, {:.6})",
        lambda[0] + 1.0,
        lambda[1] + 1.0
    );
    println!("exact posterior:  Beta({a:.6}, {b:.6})");
    println!(
        "iterations: {} (the first lands on the posterior, the second confirms it)",
        fit.iterations()
    );
    Ok(())
}
