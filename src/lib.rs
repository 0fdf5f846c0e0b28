//! # ngvi
//!
//! Bayesian inference by natural-gradient variational inference. Write a model with
//! [`model!`], fit it, read the posterior. See the README and `docs/` for the language and
//! the method.
pub use ngvi_core::*;
pub use ngvi_macros::model;

/// Everything a model file needs: `use ngvi::prelude::*;`.
pub mod prelude {
    pub use crate::model;
    pub use ngvi_core::ad::{
        dot, ln_beta, log_sum_exp, sigmoid, softplus, Dual, Dual2, F64Ops, Scalar,
    };
    pub use ngvi_core::dist::*;
    pub use ngvi_core::{
        Error, ExpFamily, Expectation, Fit, Guide, Model, ModelError, Ngvi, StopReason,
    };
}
