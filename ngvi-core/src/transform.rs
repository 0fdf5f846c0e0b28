//! Transforms from a latent's support to the real line, where the Gaussian block lives.

use crate::ad::Scalar;
use crate::dist::Support;

/// How a coordinate of the Gaussian block maps to the latent's own scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// z = u
    Identity,
    /// z = eᵘ (positive support)
    Log,
    /// z = lo + (hi − lo) σ(u) (bounded support)
    Logit(f64, f64),
}

impl Transform {
    /// The transform for a support, or `None` when the Gaussian block cannot hold it.
    pub fn for_support(s: Support) -> Option<Transform> {
        match s {
            Support::Real => Some(Transform::Identity),
            Support::Positive => Some(Transform::Log),
            Support::UnitInterval => Some(Transform::Logit(0.0, 1.0)),
            Support::Interval(lo, hi) => Some(Transform::Logit(lo, hi)),
            _ => None,
        }
    }

    /// z = g(u) and ln |g′(u)|.
    pub fn forward<S: Scalar>(&self, u: S) -> (S, S) {
        match *self {
            Transform::Identity => (u, S::constant(0.0)),
            Transform::Log => (u.exp(), u),
            Transform::Logit(lo, hi) => {
                // ln g′ = ln(hi − lo) + ln σ(u) + ln σ(−u)
                let jac = u.ln_sigmoid() + (-u.clone()).ln_sigmoid() + (hi - lo).ln();
                (u.sigmoid() * (hi - lo) + lo, jac)
            }
        }
    }

    /// u = g⁻¹(z).
    pub fn inverse(&self, z: f64) -> f64 {
        match *self {
            Transform::Identity => z,
            Transform::Log => z.ln(),
            Transform::Logit(lo, hi) => {
                let p = (z - lo) / (hi - lo);
                (p / (1.0 - p)).ln()
            }
        }
    }

    /// "", " (log scale)", " (logit scale)"
    pub fn label(&self) -> &'static str {
        match self {
            Transform::Identity => "",
            Transform::Log => " (log scale)",
            Transform::Logit(..) => " (logit scale)",
        }
    }
}
