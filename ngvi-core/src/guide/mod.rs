//! Guide planning (docs/design.md §3): which exponential family approximates each latent,
//! on which scale, and why — all decided here, before the engine runs.
//!
//! A latent whose prior has a conjugate family (Gamma/Exponential → Gamma, InverseGamma →
//! InverseGamma, Beta/Uniform(0, 1) → Beta, Dirichlet → Dirichlet) gets that family when the
//! log joint, as a function of the latent with the others held fixed, lies in
//! span{T(z)} + const ([`conjugacy`]). Every other latent joins one joint Gaussian block, on
//! the log scale for positive support and the logit scale for a bounded one ([`plan`]).

mod conjugacy;
mod plan;
mod reason;

pub(crate) use plan::{plan, Blocking};
pub use reason::{Confirmation, GaussianBlock, GaussianWhy, Reason};

/// A user's choice of guide for one latent (see `Ngvi::guide`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guide {
    /// Decide from the prior and the uses (the default).
    Auto,
    /// Put the latent in the joint Gaussian block even when a conjugate family exists.
    Gaussian,
}
