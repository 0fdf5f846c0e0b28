//! Plots of a fit (feature `plot`): eight schools, non-centred, fitted by NGVI, its marginal
//! posteriors of `mu`, `tau` and two of the `eta` against reference draws from the in-repo
//! adaptive Metropolis sampler (`common::mcmc`, independent of the NGVI engine), and the
//! ELBO trace.
//!
//! `cargo run --release --features plot --example plot_posterior [-- OUT_DIR]`
//!
//! writes `OUT_DIR/eight_schools_marginals.svg` and `OUT_DIR/eight_schools_elbo.svg`
//! (OUT_DIR defaults to the current directory; `docs/img` holds the README's copy).

mod common;

use std::error::Error;
use std::path::PathBuf;

use common::mcmc;
use common::nonconjugate::eight_schools;
use ngvi::plot::{self, Marginals};
use ngvi::prelude::*;

/// The reference chains: 4 × 20 000 iterations after 5 000 of adaptation, every 10th kept.
const MCMC: mcmc::Settings = mcmc::Settings {
    chains: 4,
    burn_in: 5_000,
    iterations: 20_000,
    thin: 10,
    seed: 11,
};

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_string()));
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;

    let table = common::Table::read("eight_schools.csv")?;
    let (y, sigma) = (table.column("y")?, table.column("sigma")?);
    let model = eight_schools(&y, &sigma);
    let fit = Ngvi::new().seed(7).samples(256).fit(&model)?;
    println!("{}", fit.summary());

    // Reference draws: coordinates in the model's order (mu, tau, eta[0..8]).
    let chains = mcmc::sample(&model, &mcmc::default_init(&model)?, 2.0, MCMC)?;
    let column = |j: usize| -> Vec<f64> {
        chains
            .draws
            .iter()
            .flatten()
            .filter_map(|d| d.get(j).copied())
            .collect()
    };
    let (mu, tau, eta0, eta1) = (column(0), column(1), column(2), column(3));

    let marginals = out.join("eight_schools_marginals.svg");
    Marginals::new(&fit, &["mu", "tau", "eta[0]", "eta[1]"])
        .reference("mu", &mu)
        .reference("tau", &tau)
        .reference("eta[0]", &eta0)
        .reference("eta[1]", &eta1)
        .reference_name("Metropolis")
        .write(&marginals)?;
    let elbo = out.join("eight_schools_elbo.svg");
    plot::elbo_trace(&fit, &elbo)?;
    println!("wrote {} and {}", marginals.display(), elbo.display());
    Ok(())
}
