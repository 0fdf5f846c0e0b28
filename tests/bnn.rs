//! A small Bayesian neural network (5 tanh units, D = 27) by the diagonal Gaussian path:
//! the start from gradients alone, 64 draws per expectation, and a posterior predictive
//! whose 90 % intervals cover held-out rows about as often as they should.

#[path = "../examples/common/mod.rs"]
mod common;

use common::bnn::{baseline_rmse, bnn, predictive, simulate};
use ngvi::prelude::*;

#[test]
fn the_predictive_intervals_of_a_small_network_cover_held_out_rows() {
    let hidden = 5;
    let (x, y) = simulate(150, 2026).unwrap();
    let (x_new, y_new) = simulate(300, 2027).unwrap();
    let model = bnn(&x, &y, hidden, 1.0 / (hidden as f64).sqrt());
    // small random first-layer weights: at all-zero weights the units are interchangeable
    let w1: Vec<f64> = (0..hidden * 3)
        .map(|k| 0.5 * ((k as f64 * 2.39).sin()))
        .collect();
    let fit = Ngvi::new()
        .seed(1)
        .diagonal(true)
        .init("w1", &w1)
        .max_iters(60)
        .draws(500)
        .fit(&model)
        .unwrap();
    let pred = predictive(&fit, hidden, &x_new, &y_new, 1).unwrap();
    assert!(
        (0.8..=0.97).contains(&pred.coverage),
        "coverage {}",
        pred.coverage
    );
    assert!(
        pred.rmse < 0.6 * baseline_rmse(&y, &y_new),
        "rmse {}",
        pred.rmse
    );
}
