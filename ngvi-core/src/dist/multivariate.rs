//! The multivariate distribution: Dirichlet, a prior on the simplex (for `sample` only).

use rand::Rng;

use super::draw::std_gamma;
use super::support::check;
use super::{neg_inf, DistKind, Domain, ParamError, Support};
use crate::ad::Scalar;

/// How far from 1 the sum of a point on the simplex may be.
const SIMPLEX_SUM_TOL: f64 = 1e-9;

/// Dirichlet(alpha): a distribution on the simplex {x : x\[i\] > 0, Σ x\[i\] = 1};
/// each alpha\[i\] > 0, at least two of them.
///
/// Vector-valued, so it has inherent methods instead of
/// [`Univariate`](super::Univariate) and [`Sampling`](super::Sampling).
#[derive(Debug, Clone, PartialEq)]
pub struct Dirichlet<S> {
    alpha: Vec<S>,
}

const _: () = assert!(super::kind::row_matches(
    DistKind::Dirichlet,
    "Dirichlet",
    &["alpha"]
));

impl<S: Scalar> Dirichlet<S> {
    /// Which distribution this is.
    pub const KIND: DistKind = DistKind::Dirichlet;

    /// Checks each alpha\[i\] > 0 and at least two components (for too few, the error
    /// carries the length as its value, with the domain `AtLeastComponents(2)`).
    pub fn new(alpha: Vec<S>) -> Result<Self, ParamError> {
        if alpha.len() < 2 {
            return Err(ParamError {
                dist: DistKind::Dirichlet,
                param: "alpha",
                value: alpha.len() as f64,
                domain: Domain::AtLeastComponents(2),
            });
        }
        for a in &alpha {
            check(DistKind::Dirichlet, "alpha", a.value(), Domain::Positive)?;
        }
        Ok(Dirichlet { alpha })
    }

    /// The concentrations.
    pub fn alpha(&self) -> &[S] {
        &self.alpha
    }

    /// log p(x), normalising constant included; −∞ unless x is on the simplex (the length
    /// of alpha, every component in (0, 1), the sum within 1e-9 of 1).
    pub fn ln_density(&self, x: &[S]) -> S {
        let sum: f64 = x.iter().map(Scalar::value).sum();
        let on_simplex = x.len() == self.alpha.len()
            && x.iter()
                .all(|xi| Support::UnitInterval.contains(xi.value()))
            && (sum - 1.0).abs() <= SIMPLEX_SUM_TOL;
        if !on_simplex {
            return neg_inf();
        }
        // ln Γ(Σ αᵢ) − Σ ln Γ(αᵢ) + Σ (αᵢ − 1) ln xᵢ
        let total = self
            .alpha
            .iter()
            .fold(S::constant(0.0), |acc, a| acc + a.clone());
        self.alpha
            .iter()
            .zip(x)
            .fold(total.lgamma(), |acc, (a, xi)| {
                acc - a.lgamma() + (a.clone() - 1.0) * xi.ln()
            })
    }

    /// The support: the simplex.
    pub fn support(&self) -> Support {
        Support::Simplex
    }
}

impl Dirichlet<f64> {
    /// The parameter values: alpha.
    pub fn param_values(&self) -> Vec<f64> {
        self.alpha.clone()
    }
    /// A draw: independent Gamma(alpha\[i\], 1) draws, normalised.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let g: Vec<f64> = self.alpha.iter().map(|&a| std_gamma(a, rng)).collect();
        let total: f64 = g.iter().sum();
        g.into_iter().map(|gi| gi / total).collect()
    }
    /// The mean, alpha\[i\] / Σ alpha.
    pub fn mean(&self) -> Vec<f64> {
        let total: f64 = self.alpha.iter().sum();
        self.alpha.iter().map(|a| a / total).collect()
    }
    /// The marginal variances, alpha\[i\] (Σ alpha − alpha\[i\]) / ((Σ alpha)² (Σ alpha + 1)).
    pub fn variance(&self) -> Vec<f64> {
        let total: f64 = self.alpha.iter().sum();
        self.alpha
            .iter()
            .map(|a| a * (total - a) / (total * total * (total + 1.0)))
            .collect()
    }
}
