//! Ground truth for 1-D posteriors, shared by the test binaries that need it.

/// Posterior mean and sd of a 1-D log density by the trapezoid rule on [lo, hi].
pub fn quadrature(log_p: impl Fn(f64) -> f64, lo: f64, hi: f64) -> (f64, f64) {
    let n = 200_000;
    let h = (hi - lo) / n as f64;
    let xs: Vec<f64> = (0..=n).map(|i| lo + i as f64 * h).collect();
    let lp: Vec<f64> = xs.iter().map(|&x| log_p(x)).collect();
    let top = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = lp
        .iter()
        .enumerate()
        .map(|(i, l)| (l - top).exp() * if i == 0 || i == n { 0.5 } else { 1.0 })
        .collect();
    let z: f64 = w.iter().sum();
    let mean = xs.iter().zip(&w).map(|(x, w)| x * w).sum::<f64>() / z;
    let var = xs
        .iter()
        .zip(&w)
        .map(|(x, w)| (x - mean).powi(2) * w)
        .sum::<f64>()
        / z;
    (mean, var.sqrt())
}
