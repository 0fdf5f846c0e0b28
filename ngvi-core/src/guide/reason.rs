//! Why a latent got its guide, as a value: matchable by programs, rendered for people.

use std::fmt;

use crate::dist::DistKind;
use crate::transform::Transform;

/// Why a latent got its guide.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Its own conjugate family.
    Conjugate {
        /// The guide's family ("Gamma", "Beta", …).
        family: &'static str,
        /// The latent's prior.
        prior: DistKind,
        /// How conjugacy was established.
        confirmed: Confirmation,
        /// An account of the latent's uses ("Bernoulli p, Poisson rate").
        uses: String,
    },
    /// A part of the joint Gaussian block.
    Gaussian {
        /// The scale the block holds it on.
        transform: Transform,
        /// Why it is not in a conjugate family.
        why: GaussianWhy,
        /// Whether the log joint is quadratic in the block, so the fit is exact.
        exact: bool,
    },
}

/// How a conjugate guide was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// The macro saw every use in a conjugate position, and the numbers agreed.
    EveryUseConjugate,
    /// The syntax did not show it, but the log joint's coefficients on T(z) agreed at every
    /// probe.
    Numerically,
}

/// Why a latent went into the Gaussian block.
#[derive(Debug, Clone, PartialEq)]
pub enum GaussianWhy {
    /// `Ngvi::guide(name, Guide::Gaussian)`.
    Requested,
    /// Fitted by `Advi`, which puts every latent in one Gaussian.
    Advi,
    /// The prior has a conjugate family, but some use is not conjugate.
    NotEveryUseConjugate { prior: DistKind, uses: String },
    /// The prior has real support and no conjugate family of its own.
    RealSupport { prior: DistKind, uses: String },
    /// The prior has no conjugate family.
    NoConjugateFamily { prior: DistKind, uses: String },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Conjugate {
                family,
                prior,
                confirmed,
                uses,
            } => {
                let how = match confirmed {
                    Confirmation::EveryUseConjugate => "every use conjugate",
                    Confirmation::Numerically => "conjugate, confirmed numerically",
                };
                write!(f, "{family}: prior {prior}, {how} ({uses})")
            }
            Reason::Gaussian {
                transform,
                why,
                exact,
            } => {
                write!(f, "Gaussian{}: {why}", transform.label())?;
                if *exact {
                    write!(f, "; log joint quadratic in the block: exact in one step")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for GaussianWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GaussianWhy::Requested => write!(f, "requested by the user"),
            GaussianWhy::Advi => write!(f, "ADVI"),
            GaussianWhy::NotEveryUseConjugate { prior, uses } => {
                write!(f, "prior {prior}, not every use conjugate ({uses})")
            }
            GaussianWhy::RealSupport { prior, uses } => {
                write!(f, "prior {prior}, real support ({uses})")
            }
            GaussianWhy::NoConjugateFamily { prior, uses } => {
                write!(f, "prior {prior} has no conjugate family ({uses})")
            }
        }
    }
}
