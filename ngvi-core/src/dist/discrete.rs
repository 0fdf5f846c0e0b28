//! The discrete distributions, for `observe` only: Bernoulli, BernoulliLogit, Binomial,
//! BinomialLogit, Poisson, PoissonLog, NegativeBinomial and Categorical.

use rand::{Rng, RngExt};

use super::draw::{binomial_draw, poisson_draw, std_gamma};
use super::support::check;
use super::{neg_inf, DistKind, Domain, ParamError, Sampling, Support, Univariate};
use crate::ad::Scalar;

/// How far from 1 the sum of Categorical probabilities may be.
const CATEGORICAL_SUM_TOL: f64 = 1e-8;

/// k · ln p, taken as 0 when k = 0 (so that 0 · ln 0 = 0, as in a pmf with p = 0).
fn xlny<S: Scalar>(k: &S, p: &S) -> S {
    if k.value() == 0.0 {
        S::constant(0.0)
    } else {
        k.clone() * p.ln()
    }
}

/// k · ln(1 − p), taken as 0 when k = 0.
fn xln1m<S: Scalar>(k: &S, p: &S) -> S {
    if k.value() == 0.0 {
        S::constant(0.0)
    } else {
        k.clone() * (-p.clone()).ln_1p()
    }
}

/// ln C(n, k) = ln Γ(n + 1) − ln Γ(k + 1) − ln Γ(n − k + 1).
fn ln_choose<S: Scalar>(n: &S, k: &S) -> S {
    (n.clone() + 1.0).lgamma() - (k.clone() + 1.0).lgamma() - (n.clone() - k.clone() + 1.0).lgamma()
}

distribution! {
    /// Bernoulli(p): p in [0, 1]; y in {0, 1}.
    Bernoulli {
        /// Probability of y = 1, in [0, 1].
        p,
    }
}

impl<S: Scalar> Univariate<S> for Bernoulli<S> {
    const KIND: DistKind = DistKind::Bernoulli;
    fn ln_density_in_support(&self, y: &S) -> S {
        // y ln p + (1 − y) ln(1 − p)
        if y.value() == 1.0 {
            self.p.ln()
        } else {
            (-self.p.clone()).ln_1p()
        }
    }
    fn support(&self) -> Support {
        Support::Binary
    }
}

impl Sampling for Bernoulli<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        f64::from(u8::from(rng.random::<f64>() < self.p))
    }
    fn mean(&self) -> Option<f64> {
        Some(self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.p * (1.0 - self.p))
    }
}

distribution! {
    /// BernoulliLogit(logit): Bernoulli(σ(logit)); y in {0, 1}.
    BernoulliLogit {
        /// Log-odds η = ln(p / (1 − p)), finite.
        logit,
    }
}

impl<S: Scalar> Univariate<S> for BernoulliLogit<S> {
    const KIND: DistKind = DistKind::BernoulliLogit;
    fn ln_density_in_support(&self, y: &S) -> S {
        // y ln σ(η) + (1 − y) ln σ(−η)
        if y.value() == 1.0 {
            self.logit.ln_sigmoid()
        } else {
            (-self.logit.clone()).ln_sigmoid()
        }
    }
    fn support(&self) -> Support {
        Support::Binary
    }
}

impl Sampling for BernoulliLogit<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        f64::from(u8::from(rng.random::<f64>() < self.logit.sigmoid()))
    }
    fn mean(&self) -> Option<f64> {
        Some(self.logit.sigmoid())
    }
    fn variance(&self) -> Option<f64> {
        let p = self.logit.sigmoid();
        Some(p * (1.0 - p))
    }
}

distribution! {
    /// Binomial(n, p): n a non-negative integer (data), p in [0, 1]; y in {0, …, n}.
    Binomial {
        /// Number of trials, a non-negative integer.
        n,
        /// Success probability, in [0, 1].
        p,
    }
}

impl<S: Scalar> Univariate<S> for Binomial<S> {
    const KIND: DistKind = DistKind::Binomial;
    fn ln_density_in_support(&self, y: &S) -> S {
        // ln C(n, y) + y ln p + (n − y) ln(1 − p)
        ln_choose(&self.n, y) + xlny(y, &self.p) + xln1m(&(self.n.clone() - y.clone()), &self.p)
    }
    fn support(&self) -> Support {
        Support::UpTo(self.n.value() as u64)
    }
}

impl Sampling for Binomial<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        binomial_draw(self.n, self.p, rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.n * self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.n * self.p * (1.0 - self.p))
    }
}

distribution! {
    /// BinomialLogit(n, logit): Binomial(n, σ(logit)); y in {0, …, n}.
    BinomialLogit {
        /// Number of trials, a non-negative integer.
        n,
        /// Log-odds of success, finite.
        logit,
    }
}

impl<S: Scalar> Univariate<S> for BinomialLogit<S> {
    const KIND: DistKind = DistKind::BinomialLogit;
    fn ln_density_in_support(&self, y: &S) -> S {
        // ln C(n, y) + y ln σ(η) + (n − y) ln σ(−η)
        ln_choose(&self.n, y)
            + y.clone() * self.logit.ln_sigmoid()
            + (self.n.clone() - y.clone()) * (-self.logit.clone()).ln_sigmoid()
    }
    fn support(&self) -> Support {
        Support::UpTo(self.n.value() as u64)
    }
}

impl Sampling for BinomialLogit<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        binomial_draw(self.n, self.logit.sigmoid(), rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.n * self.logit.sigmoid())
    }
    fn variance(&self) -> Option<f64> {
        let p = self.logit.sigmoid();
        Some(self.n * p * (1.0 - p))
    }
}

distribution! {
    /// Poisson(rate): rate > 0; y in {0, 1, 2, …}.
    Poisson {
        /// Rate λ (mean and variance), > 0.
        rate,
    }
}

impl<S: Scalar> Univariate<S> for Poisson<S> {
    const KIND: DistKind = DistKind::Poisson;
    fn ln_density_in_support(&self, y: &S) -> S {
        // y ln λ − λ − ln Γ(y + 1)
        y.clone() * self.rate.ln() - self.rate.clone() - (y.clone() + 1.0).lgamma()
    }
    fn support(&self) -> Support {
        Support::Counts
    }
}

impl Sampling for Poisson<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        poisson_draw(self.rate, rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.rate)
    }
}

distribution! {
    /// PoissonLog(log_rate): Poisson(exp(log_rate)); y in {0, 1, 2, …}.
    PoissonLog {
        /// ln λ, finite.
        log_rate,
    }
}

impl<S: Scalar> Univariate<S> for PoissonLog<S> {
    const KIND: DistKind = DistKind::PoissonLog;
    fn ln_density_in_support(&self, y: &S) -> S {
        // yη − exp(η) − ln Γ(y + 1)
        y.clone() * self.log_rate.clone() - self.log_rate.exp() - (y.clone() + 1.0).lgamma()
    }
    fn support(&self) -> Support {
        Support::Counts
    }
}

impl Sampling for PoissonLog<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        poisson_draw(self.log_rate.exp(), rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.log_rate.exp())
    }
    fn variance(&self) -> Option<f64> {
        Some(self.log_rate.exp())
    }
}

distribution! {
    /// NegativeBinomial(mu, phi), Stan's `neg_binomial_2`: mean mu, variance mu + mu²/phi;
    /// mu > 0, phi > 0; y in {0, 1, 2, …}.
    NegativeBinomial {
        /// Mean μ, > 0.
        mu,
        /// Dispersion φ, > 0 (φ → ∞ gives Poisson(μ)).
        phi,
    }
}

impl<S: Scalar> Univariate<S> for NegativeBinomial<S> {
    const KIND: DistKind = DistKind::NegativeBinomial;
    fn ln_density_in_support(&self, y: &S) -> S {
        // ln Γ(y + φ) − ln Γ(y + 1) − ln Γ(φ) + y ln(μ/(μ + φ)) + φ ln(φ/(μ + φ)),
        // with φ ln(φ/(μ + φ)) = −φ ln(1 + μ/φ)
        let (mu, phi) = (self.mu.clone(), self.phi.clone());
        (y.clone() + phi.clone()).lgamma() - (y.clone() + 1.0).lgamma() - phi.lgamma()
            + xlny(y, &mu)
            - xlny(y, &(mu.clone() + phi.clone()))
            - phi.clone() * (mu / phi).ln_1p()
    }
    fn support(&self) -> Support {
        Support::Counts
    }
}

impl Sampling for NegativeBinomial<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the Gamma–Poisson mixture: λ ~ Gamma(φ, rate φ/μ), y ~ Poisson(λ)
        let lambda = std_gamma(self.phi, rng) * (self.mu / self.phi);
        poisson_draw(lambda, rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mu)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.mu + self.mu * self.mu / self.phi)
    }
}

/// Categorical(p): P(k) = p\[k\] for k in {0, …, K − 1}; each p\[k\] in [0, 1], summing
/// to 1 (within 1e-8).
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical<S> {
    p: Vec<S>,
}

const _: () = assert!(super::kind::row_matches(
    DistKind::Categorical,
    "Categorical",
    &["p"]
));

impl<S: Scalar> Categorical<S> {
    /// Checks p non-empty, each p\[k\] in [0, 1] and Σ p\[k\] within 1e-8 of 1 (the error
    /// carries the offending entry, the number of entries or the sum, with the domain
    /// saying which).
    pub fn new(p: Vec<S>) -> Result<Self, ParamError> {
        for pk in &p {
            check(DistKind::Categorical, "p", pk.value(), Domain::Probability)?;
        }
        if p.is_empty() {
            return Err(ParamError {
                dist: DistKind::Categorical,
                param: "p",
                value: 0.0,
                domain: Domain::AtLeastComponents(1),
            });
        }
        let sum: f64 = p.iter().map(Scalar::value).sum();
        if (sum - 1.0).abs() > CATEGORICAL_SUM_TOL {
            return Err(ParamError {
                dist: DistKind::Categorical,
                param: "p",
                value: sum,
                domain: Domain::SumToOne,
            });
        }
        Ok(Categorical { p })
    }

    /// The category probabilities.
    pub fn p(&self) -> &[S] {
        &self.p
    }
}

impl<S: Scalar> Univariate<S> for Categorical<S> {
    const KIND: DistKind = DistKind::Categorical;
    fn ln_density_in_support(&self, k: &S) -> S {
        // ln p[k]
        self.p
            .get(k.value() as usize)
            .map_or_else(neg_inf, Scalar::ln)
    }
    fn support(&self) -> Support {
        Support::Categories(self.p.len())
    }
}

impl Sampling for Categorical<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the inverse cdf; rounding in the cumulative sum falls to the last category with mass
        let u = rng.random::<f64>();
        let mut cum = 0.0;
        for (k, pk) in self.p.iter().enumerate() {
            cum += pk;
            if u < cum {
                return k as f64;
            }
        }
        self.p.iter().rposition(|&pk| pk > 0.0).unwrap_or(0) as f64
    }
    fn mean(&self) -> Option<f64> {
        Some(self.p.iter().enumerate().map(|(k, pk)| k as f64 * pk).sum())
    }
    fn variance(&self) -> Option<f64> {
        let m: f64 = self.p.iter().enumerate().map(|(k, pk)| k as f64 * pk).sum();
        Some(
            self.p
                .iter()
                .enumerate()
                .map(|(k, pk)| (k as f64 - m) * (k as f64 - m) * pk)
                .sum(),
        )
    }
}
