//! Errors: a model's run-time errors ([`ModelError`]) and the fit's ([`Error`]).

use std::fmt;

use crate::dist::{DistKind, ParamError, Support};
use crate::family::FamilyError;

/// A run-time error in a model statement, found while evaluating the log joint on the data.
///
/// It names the statement (its source text and line), the variable and the index, so the
/// user can find the offending data, for instance
/// "line 9: `observe y[j] ~ Bernoulli(p);`: `y[3] = 2` is outside the support {0, 1} of Bernoulli".
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    /// Source text of the statement, as written in `model!`.
    pub statement: &'static str,
    /// Line of the statement in the source file.
    pub line: u32,
    /// The variable the error is about (a data argument, or a distribution parameter).
    pub variable: String,
    /// The index into that variable (empty for a scalar).
    pub index: Vec<usize>,
    /// What went wrong.
    pub kind: ModelErrorKind,
}

/// What went wrong in a [`ModelError`].
#[derive(Debug, Clone, PartialEq)]
pub enum ModelErrorKind {
    /// A data value is NaN or infinite.
    NonFinite { value: f64 },
    /// An observed value is outside the support of its distribution.
    OutsideSupport {
        value: f64,
        dist: &'static str,
        support: String,
    },
    /// An index is past the end of the data (data of the wrong length).
    IndexOutOfRange { index: usize, len: usize },
    /// A distribution parameter computed from data is outside its domain.
    Parameter(ParamError),
    /// The latent vector passed to the log joint has the wrong length.
    LatentLength { expected: usize, got: usize },
    /// In a fit over MPI ranks (feature `mpi`), another rank's terms of this plate failed;
    /// that rank returns the error itself.
    OnAnotherRank { plate: usize, rank: usize },
    /// In a fit over MPI ranks, the plate was summed on a thread other than the one that
    /// called `Ngvi::mpi` (MPI is used from that thread only).
    RanksOffThread { plate: usize },
}

impl ModelError {
    fn location(&self) -> String {
        let mut name = self.variable.clone();
        for i in &self.index {
            name.push_str(&format!("[{i}]"));
        }
        name
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: `{}`: ", self.line, self.statement)?;
        let at = self.location();
        match &self.kind {
            ModelErrorKind::NonFinite { value } => {
                write!(f, "{at} = {value} is not finite; data must be finite numbers")
            }
            ModelErrorKind::OutsideSupport {
                value,
                dist,
                support,
            } => write!(
                f,
                "{at} = {value} is outside the support {support} of {dist}"
            ),
            ModelErrorKind::IndexOutOfRange { index, len } => write!(
                f,
                "index {index} is out of range for `{}` of length {len} (is the data the right length?)",
                self.variable
            ),
            ModelErrorKind::Parameter(e) => write!(f, "{e} (computed from data at {at})"),
            ModelErrorKind::LatentLength { expected, got } => write!(
                f,
                "the latent vector has length {got}, the model expects {expected}"
            ),
            ModelErrorKind::OnAnotherRank { plate, rank } => write!(
                f,
                "plate {plate} failed on MPI rank {rank}, whose data hold the error (rank {rank} reports it)"
            ),
            ModelErrorKind::RanksOffThread { plate } => write!(
                f,
                "plate {plate} was summed on a thread other than the one that called `Ngvi::mpi`: fit on that thread"
            ),
        }
    }
}

impl std::error::Error for ModelError {}

/// The error of a fit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The model rejected its data.
    #[error("model error: {0}")]
    Model(Box<ModelError>),
    /// An option of the fit is outside its range.
    #[error("invalid option: {option} must be {expected}, got {value}")]
    InvalidOption {
        /// The builder method (`"step_size"`, `"draws"`, …).
        option: &'static str,
        /// The value given.
        value: String,
        /// What it must be.
        expected: &'static str,
    },
    /// An option names a latent the model does not have.
    #[error("invalid option: `{name}` is not a latent (latents: {})", latents.join(", "))]
    UnknownLatent {
        /// The name given.
        name: String,
        /// The model's latents.
        latents: Vec<&'static str>,
    },
    /// A starting value given with `Ngvi::init` is unusable.
    #[error("invalid option: init for `{name}`[{index}] = {value}: {why}")]
    InvalidInit {
        /// The latent.
        name: String,
        /// The component.
        index: usize,
        /// The value given (NaN when the count is wrong).
        value: f64,
        /// What is wrong.
        why: &'static str,
    },
    /// The model has no latent variable to fit.
    #[error("the model has no latent variable")]
    NoLatent,
    /// `Ngvi::minibatch` on a model whose plates cannot be subsampled.
    #[error("invalid option: minibatch({batch}) needs a plate without local latents, but {why}")]
    CannotSubsample {
        /// The batch size given.
        batch: usize,
        /// What stands in the way, naming the plate and its latents.
        why: String,
    },
    /// A latent that no guide can hold yet.
    #[error(
        "latent `{name}` with prior {prior} is not conjugate to its uses ({uses}); \
         a Gaussian guide cannot hold support {support} yet"
    )]
    UnsupportedLatent {
        /// The latent.
        name: String,
        /// Its prior.
        prior: DistKind,
        /// Its support.
        support: Support,
        /// An account of its uses.
        uses: String,
    },
    /// The log joint or its derivatives are not finite where a guide puts mass.
    #[error(
        "numerical failure: the log joint or its derivatives are not finite at a point of the \
         {family} guide (value {value}); check the model's supports and priors"
    )]
    NonFinite {
        /// The guide's family.
        family: &'static str,
        /// The log joint there.
        value: f64,
    },
    /// No point near the start where the log joint is finite was found.
    #[error(
        "numerical failure: the log joint is -inf or NaN at the start and at {tries} points \
         around it; give a start inside the support with `Ngvi::init(name, value)`"
    )]
    NoFiniteStart {
        /// Points tried.
        tries: usize,
    },
    /// The log joint is NaN wherever it was tried: not a region to step around, but a NaN
    /// coming from the data or the model.
    #[error(
        "numerical failure: the log joint is NaN at the start and at {tries} points around it; \
         a NaN or infinite data value used in a latent-dependent expression (a covariate, a \
         matrix entry) is the usual cause — check the data"
    )]
    NanLogJoint {
        /// Points tried.
        tries: usize,
    },
    /// The first NGVI step could not raise the ELBO at any step size: the fit never left
    /// its initial guide.
    #[error(
        "numerical failure: no step from the initial {family} guide raised the ELBO; the fit \
         would be the initial guide, not a posterior (try `Ngvi::init`, more `samples`, or a \
         reparameterised model)"
    )]
    NoProgress {
        /// The guide's family.
        family: &'static str,
    },
    /// An exact fit's conjugate block reads different natural parameters off the log joint
    /// at draws of its guide than at its mean: f64 does not resolve its smaller parameters
    /// beside its larger ones, or the log joint is not conjugate across the posterior
    /// although it was where the planner probed it (docs/design.md (4.4a)).
    #[error(
        "numerical failure: the {family} guide's natural parameters read off the log joint \
         differ by {disagreement:.1e} (relative) between its mean and a draw, so the fit is \
         not exact: f64 does not resolve them (data of extreme size; rescale them), or the \
         model is not conjugate across the posterior (`Ngvi::guide(name, Guide::Gaussian)` \
         fits the latent without conjugacy)"
    )]
    Unresolved {
        /// The guide's family.
        family: &'static str,
        /// The largest relative difference of a natural parameter.
        disagreement: f64,
    },
    /// The ELBO is not finite at the fitted guide.
    #[error("numerical failure: the ELBO is not finite ({value}) at the fitted guide")]
    NonFiniteElbo {
        /// Its value.
        value: f64,
    },
    /// A latent that no transform maps to the real line (a discrete one), which a sampler
    /// on the unconstrained scale cannot move.
    #[error(
        "latent `{name}` has support {support}, which no transform maps to the real line; \
         NUTS samples continuous latents only"
    )]
    NoTransform {
        /// The latent.
        name: String,
        /// Its support.
        support: Support,
    },
    /// No starting point of a sampler where the log joint and its gradient are finite.
    #[error(
        "numerical failure: the log joint or its gradient is not finite at any of {tries} \
         starting points drawn uniformly in (-2, 2) on every unconstrained coordinate; check \
         the model's supports and priors"
    )]
    NoSamplerStart {
        /// Points tried per chain.
        tries: usize,
    },
    /// The sampler (nuts-rs) failed.
    #[error("sampler failure in chain {chain}: {message}")]
    Sampler {
        /// The chain (0-based).
        chain: usize,
        /// The sampler's message.
        message: String,
    },
    /// Writing a fit out (feature `export`) failed: the writer's I/O error or a
    /// serialisation error, as text.
    #[error("could not write the fit as {format}: {message}")]
    Export {
        /// "CmdStan CSV" or "JSON".
        format: &'static str,
        /// What failed.
        message: String,
    },
    /// A guide could not be built or updated.
    #[error("numerical failure: {0}")]
    Family(#[from] FamilyError),
}

impl From<ModelError> for Error {
    fn from(e: ModelError) -> Self {
        Error::Model(Box::new(e))
    }
}
