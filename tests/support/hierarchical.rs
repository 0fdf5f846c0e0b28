//! A centred hierarchical normal model, data for it, and the exact posterior of (mu, tau)
//! by quadrature: what `tests/hierarchical.rs` and `examples/scale_hierarchical.rs` share.

use ngvi::prelude::*;

model! {
    pub fn centred(y: &[f64], group: &[usize], groups: usize) {
        sample mu ~ Normal(0.0, 10.0);
        sample tau ~ HalfNormal(5.0);
        sample theta[groups] ~ Normal(mu, tau);
        for i in plate(0..y.len()) {
            observe y[i] ~ Normal(theta[group[i]], 1.0);
        }
    }
}

/// Uniform numbers in [−½, ½) from a xorshift stream started at `seed` (non-zero).
pub fn uniform_stream(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }
}

/// `groups` groups of `per` observations: effects spread with sd ≈ 1.5 around 2, noise sd
/// ≈ 1 (a fixed xorshift stream).
pub fn data(groups: usize, per: usize) -> (Vec<f64>, Vec<usize>) {
    let mut uniform = uniform_stream(12345);
    let theta: Vec<f64> = (0..groups).map(|_| 2.0 + 5.1 * uniform()).collect();
    let group: Vec<usize> = (0..groups * per).map(|i| i / per).collect();
    let y = group.iter().map(|&g| theta[g] + 3.4 * uniform()).collect();
    (y, group)
}

/// Points (mu, tau, weight) of the posterior of (mu, tau) on a grid.
type Grid = Vec<(f64, f64, f64)>;

/// The posterior of (mu, tau) on a grid by quadrature, with the groups' means and sizes:
/// with theta integrated out, the group means are ȳ_g ~ N(mu, tau² + 1/n_g), the
/// within-group spread does not involve (mu, tau), and the priors are N(0, 10²) and
/// HalfNormal(5). Points (mu, tau, weight), weights summing to 1.
fn grid_posterior(y: &[f64], group: &[usize], groups: usize) -> (Grid, Vec<f64>, Vec<f64>) {
    let mut sum = vec![0.0; groups];
    let mut n = vec![0.0; groups];
    for (v, &g) in y.iter().zip(group) {
        sum[g] += v;
        n[g] += 1.0;
    }
    let ybar: Vec<f64> = sum.iter().zip(&n).map(|(s, k)| s / k).collect();
    let sizes = by_size(&ybar, &n);
    let (mus, taus) = (grid(-2.0, 6.0, 801), grid(1e-3, 4.0, 801));
    let mut logp = Vec::with_capacity(mus.len() * taus.len());
    for &mu in &mus {
        for &tau in &taus {
            let mut l = -0.5 * (mu / 10.0f64).powi(2) - 0.5 * (tau / 5.0f64).powi(2);
            // Σ over the c groups of size k: Σ (ȳ − mu)² = S₂ − 2 mu S₁ + c mu²
            for &(k, c, s1, s2) in &sizes {
                let v = tau * tau + 1.0 / k;
                l -= 0.5 * (c * v.ln() + (s2 - 2.0 * mu * s1 + c * mu * mu) / v);
            }
            logp.push((mu, tau, l));
        }
    }
    let top = logp.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
    let mut points: Grid = logp
        .into_iter()
        .map(|(mu, tau, l)| (mu, tau, (l - top).exp()))
        .collect();
    let total: f64 = points.iter().map(|p| p.2).sum();
    points.iter_mut().for_each(|p| p.2 /= total);
    (points, ybar, n)
}

/// Posterior mean and sd of mu and tau by quadrature.
pub fn exact(y: &[f64], group: &[usize], groups: usize) -> [(f64, f64); 2] {
    let (points, _, _) = grid_posterior(y, group, groups);
    let (mut m1, mut m2, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0);
    for &(mu, tau, p) in &points {
        m1 += p * mu;
        m2 += p * mu * mu;
        t1 += p * tau;
        t2 += p * tau * tau;
    }
    [(m1, (m2 - m1 * m1).sqrt()), (t1, (t2 - t1 * t1).sqrt())]
}

/// Posterior mean and sd of every theta_g by quadrature: given (mu, tau), theta_g is Normal
/// with precision n_g + 1/tau² and mean (n_g ȳ_g + mu/tau²) / (n_g + 1/tau²) (noise sd 1);
/// its moments are mixed over the grid's weights (points below 1e-15 of the total skipped).
pub fn exact_effects(y: &[f64], group: &[usize], groups: usize) -> Vec<(f64, f64)> {
    let (points, ybar, n) = grid_posterior(y, group, groups);
    let (mut first, mut second) = (vec![0.0; groups], vec![0.0; groups]);
    for &(mu, tau, p) in points.iter().filter(|p| p.2 > 1e-15) {
        let prior = 1.0 / (tau * tau);
        for g in 0..groups {
            let precision = n[g] + prior;
            let mean = (n[g] * ybar[g] + mu * prior) / precision;
            first[g] += p * mean;
            second[g] += p * (1.0 / precision + mean * mean);
        }
    }
    first
        .iter()
        .zip(&second)
        .map(|(m, s)| (*m, (s - m * m).sqrt()))
        .collect()
}

/// The groups by size k: (k, how many, Σ ȳ, Σ ȳ²), so that the grid costs the number of
/// distinct sizes per point, not the number of groups.
fn by_size(ybar: &[f64], n: &[f64]) -> Vec<(f64, f64, f64, f64)> {
    let mut sizes: Vec<(f64, f64, f64, f64)> = Vec::new();
    for (&yb, &k) in ybar.iter().zip(n) {
        match sizes.iter_mut().find(|s| s.0 == k) {
            Some(s) => *s = (k, s.1 + 1.0, s.2 + yb, s.3 + yb * yb),
            None => sizes.push((k, 1.0, yb, yb * yb)),
        }
    }
    sizes
}

fn grid(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
        .collect()
}
