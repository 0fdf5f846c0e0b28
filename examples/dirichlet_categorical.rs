//! A loaded six-sided die: theta ~ Dirichlet(1, …, 1), rolls ~ Categorical(theta), on 600
//! simulated rolls (seeded). The posterior is Dirichlet(1 + counts).
//!
//! `cargo run --release --example dirichlet_categorical`

mod common;

use common::models::dice;
use ngvi::dist::{Categorical, Sampling};
use ngvi::prelude::*;
use rand::SeedableRng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let truth = vec![0.1, 0.1, 0.15, 0.15, 0.2, 0.3];
    let die = Categorical::new(truth.clone())?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let rolls: Vec<usize> = (0..600).map(|_| die.sample(&mut rng) as usize).collect();

    let alpha = vec![1.0; truth.len()];
    let fit = Ngvi::new().seed(1).fit(&dice(&rolls, &alpha))?;
    println!("{}", fit.summary());

    let mut exact = alpha.clone();
    for &r in &rolls {
        exact[r] += 1.0;
    }
    let lambda = fit.guide("theta").ok_or("no guide for theta")?.natural();
    let fitted: Vec<f64> = lambda.iter().map(|l| l + 1.0).collect();
    println!("fitted posterior: Dirichlet({fitted:?})");
    println!("exact posterior:  Dirichlet({exact:?})");
    println!("true probabilities: {truth:?}");
    println!("iterations: {}", fit.iterations());
    Ok(())
}
