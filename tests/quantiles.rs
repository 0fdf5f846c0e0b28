//! Quantiles of a Gaussian guide's coordinates are exact (g(m + s Φ⁻¹(q)) under an
//! increasing transform g), and agree with the quantiles of the fit's draws, which are made
//! only when read.

use ngvi::prelude::*;

model! {
    /// Normal data with unknown mean and sd: mu on the identity scale, sigma on the log
    /// scale, one joint Gaussian block.
    fn normal_unknown_sd(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        sample sigma ~ HalfNormal(5.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, sigma);
        }
    }
}

const Y: [f64; 12] = [1.2, 0.4, 2.9, 1.7, -0.3, 2.2, 1.1, 0.8, 3.4, 1.9, 0.2, 1.5];
/// Φ⁻¹(0.05)
const Z05: f64 = -1.644_853_626_951_472_2;

/// The type-7 quantile of `v`.
fn empirical(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let h = q * (v.len() - 1) as f64;
    let lo = h.floor() as usize;
    v[lo] + (h - lo as f64) * (v[(lo + 1).min(v.len() - 1)] - v[lo])
}

#[test]
fn gaussian_quantiles_are_exact_and_match_the_draws() {
    let m = normal_unknown_sd(&Y);
    let fit = Ngvi::new().seed(0).fit(&m).unwrap();
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    assert!(fit.correction().is_none(), "{}", fit.summary());
    // mu is on the identity scale: its 5 % quantile is mean + Φ⁻¹(0.05) sd.
    let (mean, sd) = (fit.mean("mu").unwrap()[0], fit.sd("mu").unwrap()[0]);
    let q05 = fit.quantile("mu", 0.05).unwrap()[0];
    assert!(
        (q05 - (mean + Z05 * sd)).abs() < 1e-12 * sd.max(1.0),
        "{q05}"
    );
    // sigma is exp of a Gaussian coordinate: its median is exp(m) < its mean.
    let median = fit.quantile("sigma", 0.5).unwrap()[0];
    assert!(median < fit.mean("sigma").unwrap()[0]);
    // The draws agree within their Monte Carlo error (4000 draws: a 5 % quantile's sd is
    // about 0.03 sd of the variable).
    for (name, q) in [("mu", 0.05), ("mu", 0.95), ("sigma", 0.05), ("sigma", 0.5)] {
        let draws: Vec<f64> = fit.draws(name).unwrap().iter().map(|d| d[0]).collect();
        assert_eq!(draws.len(), 4000);
        let exact = fit.quantile(name, q).unwrap()[0];
        let sd = fit.sd(name).unwrap()[0];
        let got = empirical(draws, q);
        assert!(
            (got - exact).abs() < 0.15 * sd,
            "{name} {q}: {got} vs {exact}"
        );
    }
}

#[test]
fn draws_made_when_read_are_the_same_every_time() {
    let m = normal_unknown_sd(&Y);
    let a = Ngvi::new().seed(7).fit(&m).unwrap();
    let b = Ngvi::new().seed(7).fit(&m).unwrap();
    let first = a.draws("sigma").unwrap();
    assert_eq!(first, a.draws("sigma").unwrap());
    assert_eq!(first, b.draws("sigma").unwrap());
}
