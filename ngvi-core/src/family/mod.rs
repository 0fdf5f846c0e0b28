//! Exponential-family guides q(z) = h(z) exp(λ·T(z) − A(λ)), one file per family.
//!
//! Every family here takes h(z) = 1 on its support, with the sufficient statistics chosen so
//! that a conjugate log joint reads f(z) = c·T(z) + const with c the posterior's natural
//! parameter (docs/design.md §4):
//!
//! | family | T(z) | λ |
//! |---|---|---|
//! | [`Gaussian`] (full rank) | (z, z zᵀ) | (P m, −½ P) |
//! | [`DiagGaussian`] | (z, z²) per coordinate | (p m, −½ p) |
//! | [`Gamma`] (shape α, rate β) | (ln z, z) | (α − 1, −β) |
//! | [`InverseGamma`] (shape α, scale β) | (ln z, 1/z) | (−α − 1, −β) |
//! | [`Beta`] | (ln z, ln(1 − z)) | (a − 1, b − 1) |
//! | [`Dirichlet`] | (ln z₁, …, ln z_K) | α − 1 |
//!
//! [`ExpFamily`] says what q is; the update rules that move λ live in the engine, which
//! works only through this trait and never asks which family it holds. Quantities only the
//! tests and diagnostics need (Fisher information, entropy, KL) are in [`ExpFamilyExt`].

mod beta;
mod diag_gaussian;
mod dirichlet;
mod gamma;
mod gaussian;
mod inverse_gamma;
mod quadrature;

use std::fmt::Debug;

use nalgebra::DMatrix;

pub use beta::Beta;
pub use diag_gaussian::DiagGaussian;
pub use dirichlet::Dirichlet;
pub use gamma::Gamma;
pub use gaussian::Gaussian;
pub use inverse_gamma::InverseGamma;

pub(crate) const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// A weighted point set (weights summing to 1) that stands for an expectation under q.
pub type Rule = Vec<(f64, Vec<f64>)>;

/// What a guide's parameters did wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FamilyError {
    /// Parameters outside the family's domain (a shape ≤ 0, a precision not positive
    /// definite, a NaN, …).
    #[error("{family}: {what}")]
    OutsideDomain {
        family: &'static str,
        what: &'static str,
    },
    /// A parameter or point vector of the wrong length.
    #[error("{family}: expected {expected} values, got {got}")]
    WrongLength {
        family: &'static str,
        expected: usize,
        got: usize,
    },
    /// No step towards the target kept the parameters in their domain, or the update was
    /// not finite.
    #[error("{family}: {what}")]
    FailedUpdate {
        family: &'static str,
        what: &'static str,
    },
}

/// How the engine forms a family's natural-gradient target (docs/design.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geometry {
    /// The log joint's coefficients on T(z), matched from derivatives at one point: exact
    /// for a conjugate log joint, which is c·T(z) + const.
    Coefficients,
    /// A Gaussian over its block, λ = (P m, −½ P): Bonnet and Price's identities with full
    /// (or, when `diagonal`, diagonal) expected Hessians; the expectation runs over the
    /// block's own coordinates too.
    Gaussian { diagonal: bool },
}

/// An exponential family used as a guide. Natural parameters are flat vectors.
pub trait ExpFamily: Debug + Send + Sync {
    /// Family name ("Gamma", "Gaussian", …).
    fn name(&self) -> &'static str;
    /// Dimension of z.
    fn dim(&self) -> usize;
    /// How the engine forms this family's target.
    fn geometry(&self) -> Geometry {
        Geometry::Coefficients
    }
    /// Natural parameters λ.
    fn natural(&self) -> Vec<f64>;
    /// Whether λ lies in the natural-parameter domain (false for a wrong length).
    fn in_domain(&self, lambda: &[f64]) -> bool;
    /// Set λ; errors (leaving the guide unchanged) when λ is outside the domain.
    fn set_natural(&mut self, lambda: &[f64]) -> Result<(), FamilyError>;
    /// Mean parameters μ = ∇A(λ) = E_q[T(z)].
    fn mean_params(&self) -> Vec<f64>;
    /// Sufficient statistics T(z) (z of length `dim`).
    fn suff_stats(&self, z: &[f64]) -> Vec<f64>;
    /// First and (diagonal) second derivatives of T at z: rows are statistics, columns
    /// coordinates of z — ∂Tₛ/∂zᵢ and ∂²Tₛ/∂zᵢ².
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>);
    /// Log-partition A(λ) at any λ in the domain (NaN for a λ of the wrong length).
    fn log_partition(&self, lambda: &[f64]) -> f64;
    /// ln q(z) = λ·T(z) − A(λ)   (h(z) = 1); NaN for a z of the wrong length.
    fn log_density(&self, z: &[f64]) -> f64 {
        if z.len() != self.dim() {
            return f64::NAN;
        }
        let lambda = self.natural();
        dot(&lambda, &self.suff_stats(z)) - self.log_partition(&lambda)
    }
    /// A draw of z.
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64>;
    /// E_q\[z\] per coordinate.
    fn mean(&self) -> Vec<f64>;
    /// sd_q(z) per coordinate.
    fn sd(&self) -> Vec<f64>;
    /// A deterministic rule that integrates low-degree polynomials in T(z) exactly under q;
    /// `None` when the family has none.
    fn cubature(&self) -> Option<Rule>;
    /// The number of points of `cubature`, without building them (a diagonal Gaussian of
    /// 10⁴ coordinates has 2·10⁴ points of 10⁴ values each).
    fn cubature_len(&self) -> Option<usize> {
        self.cubature().map(|r| r.len())
    }
    /// A fresh guide of the same family (for trial steps).
    fn boxed_clone(&self) -> Box<dyn ExpFamily>;
}

/// Quantities of a guide that the engine does not need: the tests check the families
/// against them, and diagnostics may print them.
pub trait ExpFamilyExt: ExpFamily {
    /// Current parameters in the usual parameterisation, for display ("shape=3, rate=2").
    fn describe(&self) -> String;
    /// Fisher information ∇²A(λ) = Cov_q(T(z)).
    fn fisher(&self) -> DMatrix<f64>;
    /// Entropy −E_q[ln q(z)].
    fn entropy(&self) -> f64;
    /// KL(q_self ‖ q_other) = A(λₒ) − A(λ) − (λₒ − λ)·μ (Bregman divergence of A); NaN for
    /// a λₒ of the wrong length.
    fn kl_to(&self, other_lambda: &[f64]) -> f64 {
        let lambda = self.natural();
        if other_lambda.len() != lambda.len() {
            return f64::NAN;
        }
        let mu = self.mean_params();
        let diff: Vec<f64> = other_lambda
            .iter()
            .zip(&lambda)
            .map(|(o, l)| o - l)
            .collect();
        self.log_partition(other_lambda) - self.log_partition(&lambda) - dot(&diff, &mu)
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Both parameters of a two-parameter family positive and finite.
fn positive_pair(family: &'static str, a: f64, b: f64) -> Result<(), FamilyError> {
    if a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() {
        Ok(())
    } else {
        Err(FamilyError::OutsideDomain {
            family,
            what: "both parameters must be positive and finite",
        })
    }
}

/// Values rounded to 6 decimals, for `describe`.
fn short(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| (x * 1e6).round() / 1e6).collect()
}
