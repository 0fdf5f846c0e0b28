//! The improper priors, for `sample` only: Flat on the real line and HalfFlat on (0, ∞).

use super::{DistKind, ParamError, Support, Univariate};
use crate::ad::Scalar;

/// Flat: the improper uniform density on the real line (Stan's default for an unbounded
/// parameter with no prior), log density 0. For `sample` only; being improper it cannot
/// be sampled, so it does not implement [`Sampling`](super::Sampling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flat;

const _: () = assert!(super::kind::row_matches(DistKind::Flat, "Flat", &[]));

impl Flat {
    /// Flat has no parameters; this never fails (it returns `Result` like every `new`).
    pub fn new() -> Result<Self, ParamError> {
        Ok(Flat)
    }

    /// The parameter values: none.
    pub fn param_values(&self) -> Vec<f64> {
        Vec::new()
    }
}

impl<S: Scalar> Univariate<S> for Flat {
    const KIND: DistKind = DistKind::Flat;
    fn ln_density_in_support(&self, _x: &S) -> S {
        // 0
        S::constant(0.0)
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

/// HalfFlat: the improper uniform density on (0, ∞), log density 0 there. For `sample`
/// only; being improper it cannot be sampled, so it does not implement
/// [`Sampling`](super::Sampling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HalfFlat;

const _: () = assert!(super::kind::row_matches(
    DistKind::HalfFlat,
    "HalfFlat",
    &[]
));

impl HalfFlat {
    /// HalfFlat has no parameters; this never fails (it returns `Result` like every `new`).
    pub fn new() -> Result<Self, ParamError> {
        Ok(HalfFlat)
    }

    /// The parameter values: none.
    pub fn param_values(&self) -> Vec<f64> {
        Vec::new()
    }
}

impl<S: Scalar> Univariate<S> for HalfFlat {
    const KIND: DistKind = DistKind::HalfFlat;
    fn ln_density_in_support(&self, _x: &S) -> S {
        // 0 on x > 0
        S::constant(0.0)
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}
