//! Eight schools, centred: theta[j] ~ Normal(mu, tau) directly, mu ~ Normal(0, 5),
//! tau ~ HalfCauchy(5), y[j] ~ Normal(theta[j], sigma[j]). The same posterior as the
//! non-centred `eight_schools` example, in its hard form: a funnel, where the spread of the
//! thetas around mu shrinks with tau, so no single Gaussian on (mu, ln tau, theta) fits it
//! well. Expected to be hard: this prints whatever the fit reports (its stop reason, the
//! fixed-draw error, every note) and the comparison with an adaptive-Metropolis reference
//! of the same posterior (`examples/data/eight_schools_centered_reference.json`, made by
//! `cargo run --release --example mcmc_reference`).
//!
//! `cargo run --release --example eight_schools_centered [-- SEED]`

mod common;

use common::cases;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(out) = cases::report(&cases::eight_schools_centred()?, cases::seed_arg(1)?) else {
        return Ok(());
    };
    let fit = &out.fit;
    println!("\nWhat the fit says:");
    println!("  stop reason: {:?}", fit.stop_reason());
    println!("  iterations: {}", fit.iterations());
    match fit.draw_error() {
        Some(e) => {
            println!("  fixed-draw error: the Gaussian means moved {e:.3} sd between draw sets")
        }
        None => println!("  fixed-draw error: none reported"),
    }
    let elbo = fit.elbo();
    let tail = &elbo[elbo.len().saturating_sub(5)..];
    println!("  last ELBO values: {tail:?}");
    println!("  notes ({}):", fit.notes().len());
    for note in fit.notes() {
        println!("    {note}");
    }
    Ok(())
}
