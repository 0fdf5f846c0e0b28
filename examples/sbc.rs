//! Simulation-based calibration (Talts et al. 2018) of the conjugate models, and the
//! coverage of the central 50 % and 90 % intervals for logistic regression (D = 3, N = 50)
//! and eight schools over simulated data sets (docs/validation.md, "Calibration").
//!
//! `cargo run --release --example sbc [SIMS] [sbc|logistic|schools]` (default: 200
//! simulations of every model).

mod calibration;

use calibration::*;

fn main() {
    let sims: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("SIMS must be a count"))
        .unwrap_or(200);
    let only = std::env::args().nth(2);
    let run = |what: &str| only.as_deref().is_none_or(|o| o == what);
    if run("sbc") {
        let t = std::time::Instant::now();
        println!(
            "SBC, {sims} simulations × 99 posterior draws, ranks in 10 bins \
             (χ² 9 df, 0.999 quantile {CHI2_9_999}):"
        );
        for (which, n) in [
            (Conjugate::BetaBernoulli, 10),
            (Conjugate::GammaPoisson, 5),
            (Conjugate::NormalKnownSd, 5),
        ] {
            let ranks = sbc_ranks(which, sims, n, 99, 2018);
            println!("  {which:?}: χ² = {:.2}", chi_square(&ranks, 99, 10));
        }
        println!("  ({:.1} s)\n", t.elapsed().as_secs_f64());
    }
    if run("logistic") {
        let t = std::time::Instant::now();
        let cov = logistic_coverage(sims, 3, 50, 2018);
        print!("{}", cov.table("logistic regression, D = 3, N = 50"));
        println!("  ({:.1} s)\n", t.elapsed().as_secs_f64());
    }
    if run("schools") {
        let t = std::time::Instant::now();
        let cov = eight_schools_coverage(sims, 2018);
        print!("{}", cov.table("eight schools (non-centred)"));
        println!("  ({:.1} s)", t.elapsed().as_secs_f64());
    }
}
