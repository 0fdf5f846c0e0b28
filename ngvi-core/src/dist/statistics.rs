//! Sufficient statistics. For an observation family
//! log p(y | θ) = η(θ)·s(y) − A(θ) + h(y), the log density summed over n observations is
//! Σᵢ log p(yᵢ | θ) = η(θ)·Σᵢ s(yᵢ) − n A(θ) + Σᵢ h(yᵢ): plain `f64` sums of the data and
//! one evaluation in the scalar type. `model!` uses it for an `observe` in a loop whose
//! distribution's arguments do not change in the loop (docs/design.md §8, "Sufficient
//! statistics").
//!
//! The distributions with statistics are the rows of the spec table marked `statistics`;
//! each implements [`Statistics`] here.

use super::continuous::{LN_SQRT_2PI, LN_SQRT_2_OVER_PI};
use super::{
    Bernoulli, BernoulliLogit, Beta, Binomial, BinomialLogit, Categorical, Exponential, Gamma,
    HalfNormal, InverseGamma, LogNormal, Normal, Poisson, PoissonLog, Univariate,
};
use crate::ad::{ln_beta, Scalar};
use crate::special::lgamma;

use std::sync::OnceLock;

/// A distribution whose log density, summed over observations, needs only their
/// sufficient statistics.
///
/// The sums may use the values of the parameters the support depends on (Binomial's n,
/// the number of Categorical probabilities), which must then be data: `model!` keeps an
/// `observe` whose support depends on a latent on the per-datum path.
pub trait Statistics<S: Scalar>: Univariate<S> {
    /// n, Σ s(yᵢ) and Σ h(yᵢ) (in `f64`, or counted in integers); the default is the sums
    /// of no observation. A model keeps those of a loop that reads the same data at every
    /// evaluation (`macro_support::Statistics`), so they are shareable values.
    type Sums: Default + Clone + Send + Sync + 'static;

    /// Add the observation `y`, which lies in the support.
    fn add(&self, sums: &mut Self::Sums, y: f64);

    /// Σᵢ log p(yᵢ | θ) = η(θ)·Σᵢ s(yᵢ) − n A(θ) + Σᵢ h(yᵢ), normalising constants included.
    fn ln_density_sum(&self, sums: &Self::Sums) -> S;
}

/// n observations of a family with `K` statistics: n and Σ s(yᵢ), with Σ h(yᵢ) as the
/// last component for a family that has an h.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sums<const K: usize> {
    pub n: f64,
    pub s: [f64; K],
}

impl<const K: usize> Default for Sums<K> {
    fn default() -> Self {
        Sums {
            n: 0.0,
            s: [0.0; K],
        }
    }
}

impl<const K: usize> Sums<K> {
    /// n += 1, Σ s += s(y).
    #[inline]
    fn add(&mut self, s: [f64; K]) {
        self.n += 1.0;
        for (sum, x) in self.s.iter_mut().zip(s) {
            *sum += x;
        }
    }
}

/// n observations in {0, 1}: n and the number of ones, counted in integers (exact, and
/// without a floating-point addition's latency in the loop over the data).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ones {
    pub n: u64,
    pub ones: u64,
}

impl Ones {
    /// One more y in {0, 1}.
    #[inline]
    fn add(&mut self, y: f64) {
        self.n += 1;
        self.ones += u64::from(y == 1.0);
    }

    /// (Σy, n − Σy) as `f64`.
    fn ones_zeros(&self) -> (f64, f64) {
        (self.ones as f64, (self.n - self.ones) as f64)
    }
}

/// n observations of x (y, or ln y for LogNormal), as deviations from the first, x₀:
/// their mean d̄ and M₂ = Σᵢ (xᵢ − x₀ − d̄)², updated by Welford's method; and Σ h(yᵢ).
/// Then Σᵢ (xᵢ − μ)² = M₂ + n ((x₀ − μ) + d̄)² loses no digits to cancellation, as
/// Σx² − 2μΣx + nμ² would for data far from 0, and x̄ − μ keeps the digits that x̄ itself,
/// rounded near x₀, would lose.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: f64,
    pub first: f64,
    pub mean: f64,
    pub m2: f64,
    pub h: f64,
}

impl Moments {
    /// Welford (1962) on d = x − x₀: d̄ₙ = d̄ₙ₋₁ + (d − d̄ₙ₋₁)/n, M₂ += (d − d̄ₙ₋₁)(d − d̄ₙ).
    #[inline]
    fn add(&mut self, x: f64, h: f64) {
        if self.n == 0.0 {
            self.first = x;
        }
        self.n += 1.0;
        let d = x - self.first;
        let step = d - self.mean;
        self.mean += step / self.n;
        self.m2 += step * (d - self.mean);
        self.h += h;
    }

    /// Σᵢ (xᵢ − μ)² = M₂ + n ((x₀ − μ) + d̄)²
    fn squares_about<S: Scalar>(&self, mu: &S) -> S {
        let d = (-mu.clone() + self.first) + self.mean;
        d.clone() * d * self.n + self.m2
    }
}

/// k · f, taken as 0 when k = 0, so that no observation contributes a −∞ it did not see
/// (Σ y ln p with every y = 0 and p = 0, as the per-datum pmf gives).
fn times<S: Scalar>(k: f64, f: impl FnOnce() -> S) -> S {
    if k == 0.0 {
        S::constant(0.0)
    } else {
        f() * k
    }
}

/// ln k! for the counts below which it is read from a table.
const FACTORIALS: usize = 256;

/// ln k! = ln Γ(k + 1) for a count k, from a table of the first [`FACTORIALS`] (filled by
/// the same `lgamma`, so the values are those of the per-datum path) and by `lgamma` above
/// it: the h(y) of Poisson and Binomial data costs a load, not an `lgamma`, per datum.
fn ln_factorial(k: f64) -> f64 {
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| (0..FACTORIALS).map(|k| lgamma(k as f64 + 1.0)).collect());
    table
        .get(k as usize)
        .copied()
        .unwrap_or_else(|| lgamma(k + 1.0))
}

impl<S: Scalar> Statistics<S> for Normal<S> {
    type Sums = Moments;
    fn add(&self, sums: &mut Moments, y: f64) {
        sums.add(y, 0.0);
    }
    fn ln_density_sum(&self, m: &Moments) -> S {
        // −½ Σ(y − μ)²/σ² − n ln σ − n ln √(2π)
        let sd = self.sd();
        m.squares_about(self.mean_param()) / (sd.clone() * sd.clone()) * (-0.5)
            - sd.ln() * m.n
            - m.n * LN_SQRT_2PI
    }
}

impl<S: Scalar> Statistics<S> for HalfNormal<S> {
    type Sums = Sums<1>;
    fn add(&self, sums: &mut Sums<1>, y: f64) {
        sums.add([y * y]);
    }
    fn ln_density_sum(&self, s: &Sums<1>) -> S {
        // −½ Σy²/σ² − n ln σ + n ln √(2/π)
        let sd = self.sd();
        (sd.clone() * sd.clone()).recip() * (-0.5 * s.s[0]) - sd.ln() * s.n
            + s.n * LN_SQRT_2_OVER_PI
    }
}

impl<S: Scalar> Statistics<S> for LogNormal<S> {
    type Sums = Moments;
    fn add(&self, sums: &mut Moments, y: f64) {
        let ly = y.ln();
        sums.add(ly, -ly);
    }
    fn ln_density_sum(&self, m: &Moments) -> S {
        // −½ Σ(ln y − μ)²/σ² − n ln σ − Σ ln y − n ln √(2π)
        let sigma = self.sigma();
        m.squares_about(self.mu()) / (sigma.clone() * sigma.clone()) * (-0.5) - sigma.ln() * m.n
            + (m.h - m.n * LN_SQRT_2PI)
    }
}

impl<S: Scalar> Statistics<S> for Exponential<S> {
    type Sums = Sums<1>;
    fn add(&self, sums: &mut Sums<1>, y: f64) {
        sums.add([y]);
    }
    fn ln_density_sum(&self, s: &Sums<1>) -> S {
        // n ln λ − λ Σy
        let rate = self.rate();
        rate.ln() * s.n - rate.clone() * s.s[0]
    }
}

impl<S: Scalar> Statistics<S> for Gamma<S> {
    type Sums = Sums<2>;
    fn add(&self, sums: &mut Sums<2>, y: f64) {
        sums.add([y.ln(), y]);
    }
    fn ln_density_sum(&self, s: &Sums<2>) -> S {
        // n(α ln β − ln Γ(α)) + (α − 1) Σ ln y − β Σy
        let (a, b) = (self.shape(), self.rate());
        (a.clone() * b.ln() - a.lgamma()) * s.n + (a.clone() - 1.0) * s.s[0] - b.clone() * s.s[1]
    }
}

impl<S: Scalar> Statistics<S> for InverseGamma<S> {
    type Sums = Sums<2>;
    fn add(&self, sums: &mut Sums<2>, y: f64) {
        sums.add([y.ln(), y.recip()]);
    }
    fn ln_density_sum(&self, s: &Sums<2>) -> S {
        // n(α ln β − ln Γ(α)) − (α + 1) Σ ln y − β Σ 1/y
        let (a, b) = (self.shape(), self.scale());
        (a.clone() * b.ln() - a.lgamma()) * s.n - (a.clone() + 1.0) * s.s[0] - b.clone() * s.s[1]
    }
}

impl<S: Scalar> Statistics<S> for Beta<S> {
    type Sums = Sums<2>;
    fn add(&self, sums: &mut Sums<2>, y: f64) {
        sums.add([y.ln(), (-y).ln_1p()]);
    }
    fn ln_density_sum(&self, s: &Sums<2>) -> S {
        // (a − 1) Σ ln y + (b − 1) Σ ln(1 − y) − n ln B(a, b)
        let (a, b) = (self.a(), self.b());
        (a.clone() - 1.0) * s.s[0] + (b.clone() - 1.0) * s.s[1] - ln_beta(a, b) * s.n
    }
}

impl<S: Scalar> Statistics<S> for Bernoulli<S> {
    type Sums = Ones;
    fn add(&self, sums: &mut Ones, y: f64) {
        sums.add(y);
    }
    fn ln_density_sum(&self, s: &Ones) -> S {
        // Σy ln p + (n − Σy) ln(1 − p)
        let p = self.p();
        let (ones, zeros) = s.ones_zeros();
        times(ones, || p.ln()) + times(zeros, || (-p.clone()).ln_1p())
    }
}

impl<S: Scalar> Statistics<S> for BernoulliLogit<S> {
    type Sums = Ones;
    fn add(&self, sums: &mut Ones, y: f64) {
        sums.add(y);
    }
    fn ln_density_sum(&self, s: &Ones) -> S {
        // Σy ln σ(η) + (n − Σy) ln σ(−η)
        let eta = self.logit();
        let (ones, zeros) = s.ones_zeros();
        times(ones, || eta.ln_sigmoid()) + times(zeros, || (-eta.clone()).ln_sigmoid())
    }
}

impl<S: Scalar> Statistics<S> for Binomial<S> {
    type Sums = Sums<2>;
    fn add(&self, sums: &mut Sums<2>, y: f64) {
        sums.add([y, -ln_factorial(y) - ln_factorial(self.n().value() - y)]);
    }
    fn ln_density_sum(&self, s: &Sums<2>) -> S {
        // Σy ln p + Σ(n − y) ln(1 − p) + Σ ln C(n, y), ln C(n, y) = ln n! − ln y! − ln (n − y)!
        let (p, n) = (self.p(), self.n().value());
        let (hits, misses) = (s.s[0], n * s.n - s.s[0]);
        times(hits, || p.ln())
            + times(misses, || (-p.clone()).ln_1p())
            + (s.n * ln_factorial(n) + s.s[1])
    }
}

impl<S: Scalar> Statistics<S> for BinomialLogit<S> {
    type Sums = Sums<2>;
    fn add(&self, sums: &mut Sums<2>, y: f64) {
        sums.add([y, -ln_factorial(y) - ln_factorial(self.n().value() - y)]);
    }
    fn ln_density_sum(&self, s: &Sums<2>) -> S {
        // Σy ln σ(η) + Σ(n − y) ln σ(−η) + Σ ln C(n, y)
        let (eta, n) = (self.logit(), self.n().value());
        let (hits, misses) = (s.s[0], n * s.n - s.s[0]);
        times(hits, || eta.ln_sigmoid())
            + times(misses, || (-eta.clone()).ln_sigmoid())
            + (s.n * ln_factorial(n) + s.s[1])
    }
}

impl<S: Scalar> Statistics<S> for Poisson<S> {
    type Sums = Sums<2>;
    fn add(&self, sums: &mut Sums<2>, y: f64) {
        sums.add([y, -ln_factorial(y)]);
    }
    fn ln_density_sum(&self, s: &Sums<2>) -> S {
        // Σy ln λ − nλ − Σ ln Γ(y + 1)
        let rate = self.rate();
        rate.ln() * s.s[0] - rate.clone() * s.n + s.s[1]
    }
}

impl<S: Scalar> Statistics<S> for PoissonLog<S> {
    type Sums = Sums<2>;
    fn add(&self, sums: &mut Sums<2>, y: f64) {
        sums.add([y, -ln_factorial(y)]);
    }
    fn ln_density_sum(&self, s: &Sums<2>) -> S {
        // Σy η − n exp(η) − Σ ln Γ(y + 1)
        let eta = self.log_rate();
        eta.clone() * s.s[0] - eta.exp() * s.n + s.s[1]
    }
}

impl<S: Scalar> Statistics<S> for Categorical<S> {
    /// The count of each category (empty before the first observation).
    type Sums = Vec<f64>;
    fn add(&self, counts: &mut Vec<f64>, k: f64) {
        if counts.is_empty() {
            counts.resize(self.p().len(), 0.0);
        }
        if let Some(c) = counts.get_mut(k as usize) {
            *c += 1.0;
        }
    }
    fn ln_density_sum(&self, counts: &Vec<f64>) -> S {
        // Σₖ cₖ ln pₖ
        counts
            .iter()
            .zip(self.p())
            .fold(S::constant(0.0), |acc, (c, p)| acc + times(*c, || p.ln()))
    }
}
