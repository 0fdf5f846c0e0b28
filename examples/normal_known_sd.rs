//! Unknown mean, known sd 2: mu ~ Normal(0, 10), y ~ Normal(mu, 2), on `normal.csv`.
//! The posterior is Normal with precision 1/100 + n/4 and mean (Σy/4) / precision.
//!
//! `cargo run --release --example normal_known_sd`

mod common;

use common::models::normal_known_sd;
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let y = common::Table::read("normal.csv")?.column("y")?;
    let fit = Ngvi::new().seed(1).fit(&normal_known_sd(&y, 2.0))?;
    println!("{}", fit.summary());

    let prec = 1.0 / 100.0 + y.len() as f64 / 4.0;
    let mean = y.iter().sum::<f64>() / 4.0 / prec;
    let (m, s) = (fit.mean("mu").ok_or("mu")?[0], fit.sd("mu").ok_or("mu")?[0]);
    println!("fitted posterior: Normal({m:.9}, {s:.9})");
    println!(
        "exact posterior:  Normal({mean:.9}, {:.9})",
        prec.sqrt().recip()
    );
    println!("iterations: {}", fit.iterations());
    Ok(())
}
