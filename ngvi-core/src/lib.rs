//! Core of ngvi: scalars and forward-mode dual numbers ([`ad`]), special functions
//! ([`special`]), distributions ([`dist`]), the [`Model`] trait the `model!` macro
//! implements, exponential-family guides and the NGVI engine.
//!
//! Users depend on the facade crate `ngvi`, which re-exports this one.

pub mod ad;
pub mod dist;
pub mod error;
pub mod model;
pub mod special;

pub use ad::{
    dot, gradient, hessian, ln_beta, log_sum_exp, sigmoid, softplus, Dual, Dual2, F64Ops, Scalar,
};
pub use error::{Error, ModelError, ModelErrorKind};
pub use model::{Latent, LatentUse, Model, Shape};
