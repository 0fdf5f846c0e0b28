//! Diagnostics of a fitted guide: how far the variational approximation q is from the
//! posterior, judged by the importance ratios p(x, z) / q(z) at draws from q ([`psis`]).

pub mod psis;

pub use psis::{
    elbo_estimate, khat_threshold, pareto_k, tail_length, DiagnosticError, ParetoK, Verdict,
    K_CAUTION, K_DO_NOT_TRUST, MIN_DRAWS,
};
