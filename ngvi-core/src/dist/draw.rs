//! Sampling helpers shared by the distributions' [`Sampling`](super::Sampling) impls:
//! draws from `rand_distr` that never panic, and Poisson and Binomial draws beyond
//! `rand_distr`'s limits.

use rand::{Rng, RngExt};

/// A draw from a `rand_distr` distribution built from parameters that `new` has already
/// checked, so its constructor does not fail on them (NaN if it ever does, never a panic).
pub(super) fn draw<D, E, R>(d: Result<D, E>, rng: &mut R) -> f64
where
    D: rand_distr::Distribution<f64>,
    R: Rng + ?Sized,
{
    d.map_or(f64::NAN, |d| d.sample(rng))
}

/// A Gamma(shape, rate = 1) draw (shape > 0).
pub(super) fn std_gamma<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    draw(rand_distr::Gamma::new(shape, 1.0), rng)
}

/// A Poisson(rate) draw for rate ≥ 0 (∞ for an infinite rate, e.g. `PoissonLog` with
/// log_rate > 709). Beyond `rand_distr`'s limit (rate ≥ 1.8e19) the normal approximation is
/// used: its skewness there, 1/√rate < 3e-10, is negligible.
pub(super) fn poisson_draw<R: Rng + ?Sized>(rate: f64, rng: &mut R) -> f64 {
    if rate <= 0.0 || rate.is_infinite() {
        return rate.max(0.0);
    }
    match rand_distr::Poisson::new(rate) {
        Ok(d) => rand_distr::Distribution::sample(&d, rng),
        Err(_) => {
            let z: f64 = rng.sample(rand_distr::StandardNormal);
            (rate + rate.sqrt() * z).round().max(0.0)
        }
    }
}

/// A Binomial(n, p) draw (n a non-negative integer, p in [0, 1]): `rand_distr`'s sampler for
/// n ≤ `u64::MAX`; beyond it (where `f64` cannot even hold every count) an approximation:
/// Poisson in the rarer outcome when the variance is below 1e4 (then min(p, 1 − p) < 1e-15),
/// else normal.
pub(super) fn binomial_draw<R: Rng + ?Sized>(n: f64, p: f64, rng: &mut R) -> f64 {
    if n <= u64::MAX as f64 {
        return rand_distr::Binomial::new(n as u64, p).map_or(f64::NAN, |d| {
            rand_distr::Distribution::<u64>::sample(&d, rng) as f64
        });
    }
    let var = n * p * (1.0 - p);
    if var < 1e4 {
        if p <= 0.5 {
            poisson_draw(n * p, rng)
        } else {
            n - poisson_draw(n * (1.0 - p), rng)
        }
    } else {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        (n * p + var.sqrt() * z).round().clamp(0.0, n)
    }
}

/// A uniform draw on the open interval (0, 1).
pub(super) fn open01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rng.sample(rand::distr::Open01)
}
