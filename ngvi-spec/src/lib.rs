//! The one table of ngvi's distributions: names, parameters and their domains, supports,
//! and the conjugate pairs.
//!
//! Both halves of ngvi read it: the `model!` macro (ngvi-macros) checks and expands models
//! by it, and ngvi-core's `DistKind` takes its names, parameters and supports from it. It
//! has no dependencies, so the proc-macro crate can depend on it too.
//!
//! Adding a distribution is a row in [`DISTS`] (in the order of `docs/language.md`), the
//! variant of `ngvi_core::dist::DistKind` at the same index, its struct in
//! `ngvi_core::dist`, and a model in the facade's `tests/every_distribution.rs`; tests
//! fail until the four agree. A new conjugate pair is a row in [`CONJUGATE_PRIORS`] or
//! [`CONJUGATE_USES`].

mod conjugacy;
mod table;

pub use conjugacy::{
    conjugate_family_of, conjugate_form, is_unit_bounds, ConjugatePrior, ConjugateUse, Family,
    LatentForm, CONJUGATE_PRIORS, CONJUGATE_USES,
};
pub use table::DISTS;

/// The domain a parameter must lie in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// finite
    Real,
    /// > 0 and finite
    Positive,
    /// in [0, 1]
    Probability,
    /// a non-negative integer
    Count,
    /// finite and greater than the parameter before it
    AbovePrevious,
    /// a vector (Dirichlet alpha: entries > 0; Categorical p: a probability vector)
    Vector,
}

impl Domain {
    /// What the domain means, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Real => "a finite number",
            Domain::Positive => "> 0",
            Domain::Probability => "in [0, 1]",
            Domain::Count => "a non-negative integer",
            Domain::AbovePrevious => "greater than the parameter before it",
            Domain::Vector => "a vector",
        }
    }

    /// Whether a scalar value lies in the domain (for `AbovePrevious`, whether it is finite;
    /// for `Vector`, whether an entry is finite).
    pub fn admits(self, x: f64) -> bool {
        match self {
            Domain::Real | Domain::AbovePrevious | Domain::Vector => x.is_finite(),
            Domain::Positive => x > 0.0 && x.is_finite(),
            Domain::Probability => (0.0..=1.0).contains(&x),
            Domain::Count => x >= 0.0 && x == x.floor() && x.is_finite(),
        }
    }

    /// A value in the domain, to suggest in messages.
    pub fn example(self) -> &'static str {
        match self {
            Domain::Positive => "1.0",
            Domain::Probability => "0.5",
            Domain::Count => "10",
            Domain::Real | Domain::AbovePrevious | Domain::Vector => "0.0",
        }
    }
}

/// Where a distribution puts its mass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportKind {
    /// (−∞, ∞)
    Real,
    /// (0, ∞)
    Positive,
    /// (0, 1)
    UnitInterval,
    /// (lo, hi): Uniform
    Interval,
    /// the probability simplex: Dirichlet
    Simplex,
    /// {0, 1}
    Binary,
    /// {0, 1, 2, …}
    Counts,
    /// {0, …, n}: Binomial
    UpToN,
    /// {0, …, K − 1}: Categorical
    Categories,
}

/// One distribution of the language: a row of [`DISTS`].
#[derive(Debug)]
pub struct DistSpec {
    /// The name as written in a model: `Normal`.
    pub name: &'static str,
    /// The parameters in order, each with its domain.
    pub params: &'static [(&'static str, Domain)],
    /// The parameter names alone, in the same order (the first column of `params`).
    pub param_names: &'static [&'static str],
    /// Over integers: for `observe` only.
    pub discrete: bool,
    /// Where the mass is.
    pub support: SupportKind,
    /// Improper (Flat, HalfFlat): for `sample` only.
    pub improper: bool,
    /// Not univariate (Dirichlet: a simplex-valued latent).
    pub multivariate: bool,
    /// Indices of the parameters the support depends on (Uniform bounds, Binomial n).
    pub support_params: &'static [usize],
    /// An exponential family in its observations, log p(y | θ) = η(θ)·s(y) − A(θ) + h(y):
    /// ngvi-core's distribution implements `Statistics`, and `model!` sums the log density
    /// of an `observe` over a loop from the data's sufficient statistics when the
    /// arguments do not change in the loop.
    pub statistics: bool,
    /// Its log density has a kink in a real parameter (Laplace's −|y − loc|): its second
    /// derivative there is not a function, so no expectation is taken by quadrature along
    /// that parameter (ngvi-core's `Plates::linear`).
    pub kinked: bool,
}

impl DistSpec {
    /// `Normal(mean, sd)`: the signature shown in errors and docs.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.param_names.join(", "))
    }

    /// Whether the distribution can be the prior of a latent (`sample`): continuous.
    pub fn is_prior(&self) -> bool {
        !self.discrete
    }

    /// Whether the distribution can be observed (`observe`): proper and univariate.
    pub fn is_likelihood(&self) -> bool {
        !self.improper && !self.multivariate
    }
}

/// The distribution called `name`.
pub fn lookup(name: &str) -> Option<&'static DistSpec> {
    DISTS.iter().find(|d| d.name == name)
}
