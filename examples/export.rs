//! Draws and summaries out (feature `export`): fit eight schools, non-centred, and write
//! its draws as CmdStan CSV and the whole fit as JSON, for ArviZ, cmdstanpy or cmdstanr.
//! The layouts, and the Python lines that load them, are in docs/design.md §6.
//!
//! `cargo run --release --features export --example export -- [DIR]` (DIR defaults to the
//! system's temporary directory) writes `DIR/eight_schools.csv` and
//! `DIR/eight_schools.json`.

mod common;

use std::fs::File;
use std::path::PathBuf;

use common::nonconjugate::eight_schools;
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(std::env::temp_dir, PathBuf::from);
    let table = common::Table::read("eight_schools.csv")?;
    let (y, sigma) = (table.column("y")?, table.column("sigma")?);
    let fit = Ngvi::new()
        .seed(7)
        .samples(256)
        .draws(1000)
        .fit(&eight_schools(&y, &sigma))?;
    println!("{}", fit.summary());

    let csv = dir.join("eight_schools.csv");
    fit.write_cmdstan_csv(File::create(&csv).map_err(|e| format!("{}: {e}", csv.display()))?)?;
    let json = dir.join("eight_schools.json");
    std::fs::write(&json, fit.to_json()?).map_err(|e| format!("{}: {e}", json.display()))?;
    println!("wrote {} and {}", csv.display(), json.display());
    Ok(())
}
