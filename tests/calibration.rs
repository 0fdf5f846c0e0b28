//! Simulation-based calibration (Talts et al. 2018) of the conjugate models, whose fits are
//! exact: the rank of the true parameter among 99 posterior draws is uniform over 200
//! simulations (χ² on 10 bins below its 0.999 quantile, fixed seeds); and a small coverage
//! check of logistic regression. The full run, with eight schools, is
//! `cargo run --release --example sbc` (docs/validation.md, "Calibration").

#[path = "../examples/calibration/mod.rs"]
mod calibration;

use calibration::*;

fn check(which: Conjugate, n: usize) {
    let ranks = sbc_ranks(which, 200, n, 99, 2018);
    let chi2 = chi_square(&ranks, 99, 10);
    assert!(chi2 < CHI2_9_999, "{which:?}: χ² = {chi2:.2} over 10 bins");
    // Also no pile-up at the ends, which a too narrow (or too wide) posterior makes.
    let ends = ranks.iter().filter(|&&r| !(5..=94).contains(&r)).count();
    assert!(
        ends <= 30,
        "{which:?}: {ends} of 200 ranks in the outer 10 %"
    );
}

#[test]
fn beta_bernoulli_ranks_are_uniform() {
    check(Conjugate::BetaBernoulli, 10);
}

#[test]
fn gamma_poisson_ranks_are_uniform() {
    check(Conjugate::GammaPoisson, 5);
}

#[test]
fn normal_known_sd_ranks_are_uniform() {
    check(Conjugate::NormalKnownSd, 5);
}

#[test]
fn chi_square_sees_a_miscalibrated_posterior() {
    // Ranks all in the middle (a posterior far too wide) and all at the ends (too narrow).
    let middle: Vec<usize> = (0..200).map(|i| 40 + i % 20).collect();
    let ends: Vec<usize> = (0..200)
        .map(|i| if i % 2 == 0 { i % 5 } else { 99 - i % 5 })
        .collect();
    assert!(chi_square(&middle, 99, 10) > CHI2_9_999);
    assert!(chi_square(&ends, 99, 10) > CHI2_9_999);
}

#[test]
fn logistic_regression_intervals_cover_within_binomial_error() {
    // 20 data sets × 3 weights = 60 intervals; 4 binomial sd either side of the nominal.
    let cov = logistic_coverage(20, 3, 50, 2018);
    assert_eq!(cov.errors, 0);
    assert_eq!(cov.not_converged, 0, "{}", cov.table("logistic"));
    let n = 60.0;
    let (c50, c90) = cov.pooled();
    let sd50 = (0.25f64 / n).sqrt();
    let sd90 = (0.09f64 / n).sqrt();
    assert!((c50 - 0.5).abs() <= 4.0 * sd50, "{}", cov.table("logistic"));
    assert!((c90 - 0.9).abs() <= 4.0 * sd90, "{}", cov.table("logistic"));
}
