//! Core of ngvi: scalars and forward-mode dual numbers ([`ad`]), special functions
//! ([`special`]), distributions ([`dist`]), the [`Model`] trait the `model!` macro
//! implements, exponential-family guides ([`family`], chosen by [`guide`]), the NGVI
//! engine ([`engine`]) and the fit API ([`fit`]).
//!
//! Users depend on the facade crate `ngvi`, which re-exports this one.

pub mod ad;
pub mod dist;
pub mod engine;
pub mod error;
pub mod family;
pub mod fit;
pub mod guide;
pub mod model;
pub mod special;

/// The table of distributions and conjugate pairs that ngvi-core and the `model!` macro
/// share (the `ngvi-spec` crate).
pub use ngvi_spec as spec;

pub use ad::{
    dot, gradient, hessian, ln_beta, log_sum_exp, sigmoid, softplus, Dual, Dual2, F64Ops, Scalar,
};
pub use engine::{Expectation, StopReason};
pub use error::{Error, ModelError, ModelErrorKind};
pub use family::ExpFamily;
pub use fit::{Fit, Ngvi};
pub use guide::Guide;
pub use model::{Latent, LatentUse, Model, Shape};
