//! The six public posteriordb cases (`examples/data/posteriordb/`): each Stan program
//! translated into `model!` (`examples/common/posteriordb.rs`), fitted, and compared with
//! posteriordb's reference posterior (Stan NUTS, 10 000 draws): per component the fitted
//! mean and sd beside the reference's, |Δmean| / ref sd and sd / ref sd.
//!
//! `cargo run --release --example posteriordb -- kidiq-kidscore_interaction [seed]`
//!
//! Without a case name it lists the cases. `diamonds-diamonds` needs its 2.3 MB data file,
//! not shipped: `NGVI_POSTERIORDB=/path/to/posteriordb cargo run --release --example
//! posteriordb -- diamonds-diamonds` reads `diamonds-diamonds/data.json` from there.

mod common;

use common::{cases, posteriordb};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(name) = std::env::args().nth(1) else {
        println!("usage: cargo run --release --example posteriordb -- CASE [SEED]\n\ncases:");
        for c in posteriordb::CASES {
            println!("  {c}");
        }
        return Ok(());
    };
    let seed = cases::seed_arg(2)?;
    let case = match posteriordb::case(&name) {
        Ok(case) => case,
        Err(e) => {
            println!("{name}: {e}");
            return Ok(());
        }
    };
    cases::report(&case, seed);
    Ok(())
}
