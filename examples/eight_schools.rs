//! Eight schools, non-centred (docs/design.md §2): a non-conjugate model. mu and eta are real,
//! tau ~ HalfCauchy(5) goes on the log scale; all ten coordinates form one full-rank
//! Gaussian block, fitted by NGVI steps (Monte Carlo expectations with antithetic draws)
//! with an ELBO line search.
//!
//! The model is `common::nonconjugate::eight_schools`, shared with `validate`.
//!
//! `cargo run --release --example eight_schools`

mod common;

use common::nonconjugate::eight_schools;
use ngvi::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let table = common::Table::read("eight_schools.csv")?;
    let (y, sigma) = (table.column("y")?, table.column("sigma")?);
    let fit = Ngvi::new()
        .seed(7)
        .samples(256)
        .fit(&eight_schools(&y, &sigma))?;
    println!("{}", fit.summary());
    // Long NUTS run (NumPyro, 4 chains × 2000 draws): examples/data/eight_schools.json.
    println!("NUTS reference: mu 4.434 (sd 3.310), tau 3.586 (sd 3.219)");
    Ok(())
}
