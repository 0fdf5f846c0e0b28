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
        /// Which Gaussian block holds it, and why that one.
        block: GaussianBlock,
        /// Whether the log joint is quadratic in the block, so the fit is exact.
        exact: bool,
        /// Whether the block's observes read it through affine predictors, their
        /// expectations taken per datum by Gauss–Hermite along them (docs/design.md (4.5e)).
        linear: bool,
    },
}

/// Which Gaussian block holds a latent (docs/design.md §3, "Blocks").
#[derive(Debug, Clone, PartialEq)]
pub enum GaussianBlock {
    /// The joint block of the non-conjugate latents: full-rank, or diagonal with
    /// `Ngvi::diagonal(true)`.
    Joint,
    /// A diagonal Gaussian block of its own: a latent of `coords` coordinates (at least
    /// 32) whose log joint's Hessian within itself was diagonal at every probe.
    OwnDiagonal { latent: String, coords: usize },
    /// The joint full-rank block although the latent is large: its Hessian within itself
    /// has a non-zero entry off the diagonal at a probe, between its components `pair`.
    Coupled {
        latent: String,
        coords: usize,
        pair: (usize, usize),
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
                block,
                exact,
                linear,
            } => {
                write!(f, "Gaussian{}: {why}{block}", transform.label())?;
                if *exact {
                    write!(f, "; log joint quadratic in the block: exact in one step")?;
                }
                if *linear {
                    write!(
                        f,
                        "; its observes read the block through linear predictors: their \
                         expectations by Gauss–Hermite per datum, the rest quadratic"
                    )?;
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

impl fmt::Display for GaussianBlock {
    /// Nothing for the joint block (the usual case); the block and its reason otherwise,
    /// after "; ".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GaussianBlock::Joint => Ok(()),
            GaussianBlock::OwnDiagonal { latent, coords } => write!(
                f,
                "; diagonal Gaussian block of its own ({coords} coordinates; Hessian within \
                 {latent} diagonal at the probes)"
            ),
            GaussianBlock::Coupled {
                latent,
                coords,
                pair: (i, j),
            } => write!(
                f,
                "; in the joint full-rank block ({coords} coordinates; Hessian within {latent} \
                 not diagonal: {latent}[{i}], {latent}[{j}] coupled at a probe)"
            ),
        }
    }
}
