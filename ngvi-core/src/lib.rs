//! Core of ngvi: scalars and forward-mode dual numbers ([`ad`]), special functions
//! ([`special`]), distributions ([`dist`]), the [`Model`] trait the `model!` macro
//! implements, exponential-family guides ([`family`], planned by the guide module), the NGVI
//! engine and the fit API ([`Ngvi`], [`Fit`]).
//!
//! Users depend on the facade crate `ngvi`, which re-exports the public part of this one.

pub mod ad;
mod advi;
pub mod diagnostics;
pub mod dist;
pub mod engine;
pub mod error;
pub mod family;
mod fit;
mod guide;
mod joint;
pub mod model;
#[cfg(feature = "mpi")]
pub mod mpi;
#[cfg(feature = "nuts")]
mod nuts;
pub mod plate;
#[cfg(feature = "plot")]
pub mod plot;
mod progress;
pub mod special;
pub mod transform;

/// The table of distributions and conjugate pairs that ngvi-core and the `model!` macro
/// share (the `ngvi-spec` crate).
pub use ngvi_spec as spec;

pub use ad::{
    dot, gradient, hessian, hessian_diagonal, ln_beta, log_sum_exp, sigmoid, softplus, Dual, Dual2,
    DualDiag, F64Ops, Scalar,
};
pub use advi::{Advi, AdviCheck};
pub use engine::{Expectation, StopReason};
pub use error::{Error, ModelError, ModelErrorKind};
pub use family::{ExpFamily, FamilyError};
#[cfg(feature = "export")]
pub use fit::{DrawArray, FitRecord, StopRecord, SummaryRow};
pub use fit::{Evaluations, Fit, GuideView, Ngvi, Setting};
pub use guide::{Confirmation, GaussianBlock, GaussianWhy, Guide, Reason};
pub use model::{Latent, LatentUse, Model, Shape, Tracked};
#[cfg(feature = "nuts")]
pub use nuts::{Comparison, ComparisonRow, Nuts, NutsFit, RHAT_LIMIT};
pub use plate::{Chunk, InOrder, PlateInfo, Plates, Term};
pub use progress::IterationInfo;
