mod common;
use common::bnn::{bnn, predictive, simulate};
use ngvi::dist::{Normal, Sampling};
use ngvi::prelude::*;
use rand::SeedableRng;
use std::time::Instant;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args[1].parse()?;
    let hidden: usize = args[2].parse()?;
    let iters: usize = args[3].parse()?;
    let n: usize = args[4].parse()?;
    let (x, y) = simulate(n, 2026)?;
    let (x_new, y_new) = simulate(500, 2027)?;
    let model = bnn(&x, &y, hidden, 1.0 / (hidden as f64).sqrt());
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let small = Normal::new(0.0, 0.5)?;
    let w1_start: Vec<f64> = (0..hidden * x.ncols())
        .map(|_| small.sample(&mut rng))
        .collect();
    let start = Instant::now();
    let fit = Ngvi::new()
        .seed(seed)
        .diagonal(true)
        .init("w1", &w1_start)
        .max_iters(iters)
        .draws(2000)
        .fit(&model)?;
    let wall = start.elapsed().as_secs_f64();
    let pred = predictive(&fit, hidden, &x_new, &y_new, seed)?;
    println!(
        "wall {wall:.1} iters {} {:?} sigma {:.3} rmse {:.3} cov {:.3}",
        fit.iterations(),
        fit.stop_reason(),
        fit.mean("sigma").unwrap()[0],
        pred.rmse,
        pred.coverage
    );
    println!("{:?}", fit.evaluations());
    for n in fit.notes().iter().take(40) {
        println!("  {n}");
    }
    println!("{}", fit.summary());
    let e = fit.elbo();
    for (i, v) in e.iter().enumerate() {
        if i % 5 == 0 || i + 1 == e.len() {
            print!("{i}:{v:.1} ");
        }
    }
    println!();
    Ok(())
}
