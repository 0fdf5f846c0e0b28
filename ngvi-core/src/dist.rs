//! Probability distributions: log densities generic over [`Scalar`], supports and parameter
//! domains, and, for `f64`, sampling, mean and variance.
//!
//! Parameterisations follow Stan and NumPyro: `Normal(mean, sd)`, `Gamma(shape, rate)`,
//! `InverseGamma(shape, scale)`, `NegativeBinomial(mu, phi)` (mean and dispersion), …
//! Every log density includes its normalising constant.
//!
//! Constructors check the parameter domains and return a [`ParamError`] instead of
//! panicking: `Normal::new(0.0, -1.0)` is an error value.

use std::fmt;

use rand::{Rng, RngExt};

use crate::ad::Scalar;

/// Every distribution the modelling language knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistKind {
    Normal,
    HalfNormal,
    LogNormal,
    StudentT,
    Cauchy,
    HalfCauchy,
    Laplace,
    Exponential,
    Gamma,
    InverseGamma,
    Beta,
    Uniform,
    Dirichlet,
    Bernoulli,
    BernoulliLogit,
    Binomial,
    BinomialLogit,
    Poisson,
    PoissonLog,
    Categorical,
    NegativeBinomial,
    Flat,
    HalfFlat,
}

impl DistKind {
    /// Every kind, in the order of the language reference.
    pub const ALL: [DistKind; 23] = [
        DistKind::Normal,
        DistKind::HalfNormal,
        DistKind::LogNormal,
        DistKind::StudentT,
        DistKind::Cauchy,
        DistKind::HalfCauchy,
        DistKind::Laplace,
        DistKind::Exponential,
        DistKind::Gamma,
        DistKind::InverseGamma,
        DistKind::Beta,
        DistKind::Uniform,
        DistKind::Dirichlet,
        DistKind::Bernoulli,
        DistKind::BernoulliLogit,
        DistKind::Binomial,
        DistKind::BinomialLogit,
        DistKind::Poisson,
        DistKind::PoissonLog,
        DistKind::Categorical,
        DistKind::NegativeBinomial,
        DistKind::Flat,
        DistKind::HalfFlat,
    ];

    /// The name as written in a model.
    pub fn name(self) -> &'static str {
        match self {
            DistKind::Normal => "Normal",
            DistKind::HalfNormal => "HalfNormal",
            DistKind::LogNormal => "LogNormal",
            DistKind::StudentT => "StudentT",
            DistKind::Cauchy => "Cauchy",
            DistKind::HalfCauchy => "HalfCauchy",
            DistKind::Laplace => "Laplace",
            DistKind::Exponential => "Exponential",
            DistKind::Gamma => "Gamma",
            DistKind::InverseGamma => "InverseGamma",
            DistKind::Beta => "Beta",
            DistKind::Uniform => "Uniform",
            DistKind::Dirichlet => "Dirichlet",
            DistKind::Bernoulli => "Bernoulli",
            DistKind::BernoulliLogit => "BernoulliLogit",
            DistKind::Binomial => "Binomial",
            DistKind::BinomialLogit => "BinomialLogit",
            DistKind::Poisson => "Poisson",
            DistKind::PoissonLog => "PoissonLog",
            DistKind::Categorical => "Categorical",
            DistKind::NegativeBinomial => "NegativeBinomial",
            DistKind::Flat => "Flat",
            DistKind::HalfFlat => "HalfFlat",
        }
    }

    /// Parameter names, in order.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            DistKind::Normal => &["mean", "sd"],
            DistKind::HalfNormal => &["sd"],
            DistKind::LogNormal => &["mu", "sigma"],
            DistKind::StudentT => &["df", "loc", "scale"],
            DistKind::Cauchy => &["loc", "scale"],
            DistKind::HalfCauchy => &["scale"],
            DistKind::Laplace => &["loc", "scale"],
            DistKind::Exponential => &["rate"],
            DistKind::Gamma => &["shape", "rate"],
            DistKind::InverseGamma => &["shape", "scale"],
            DistKind::Beta => &["a", "b"],
            DistKind::Uniform => &["lo", "hi"],
            DistKind::Dirichlet => &["alpha"],
            DistKind::Bernoulli => &["p"],
            DistKind::BernoulliLogit => &["logit"],
            DistKind::Binomial => &["n", "p"],
            DistKind::BinomialLogit => &["n", "logit"],
            DistKind::Poisson => &["rate"],
            DistKind::PoissonLog => &["log_rate"],
            DistKind::Categorical => &["p"],
            DistKind::NegativeBinomial => &["mu", "phi"],
            DistKind::Flat | DistKind::HalfFlat => &[],
        }
    }

    /// Whether the distribution is over integers (for `observe` only).
    pub fn is_discrete(self) -> bool {
        matches!(
            self,
            DistKind::Bernoulli
                | DistKind::BernoulliLogit
                | DistKind::Binomial
                | DistKind::BinomialLogit
                | DistKind::Poisson
                | DistKind::PoissonLog
                | DistKind::Categorical
                | DistKind::NegativeBinomial
        )
    }

    /// The support when it does not depend on the parameters
    /// (`None` for Uniform, Binomial and Categorical).
    pub fn fixed_support(self) -> Option<Support> {
        Some(match self {
            DistKind::Normal
            | DistKind::StudentT
            | DistKind::Cauchy
            | DistKind::Laplace
            | DistKind::Flat => Support::Real,
            DistKind::HalfNormal
            | DistKind::LogNormal
            | DistKind::HalfCauchy
            | DistKind::Exponential
            | DistKind::Gamma
            | DistKind::InverseGamma
            | DistKind::HalfFlat => Support::Positive,
            DistKind::Beta => Support::UnitInterval,
            DistKind::Dirichlet => Support::Simplex,
            DistKind::Bernoulli | DistKind::BernoulliLogit => Support::Binary,
            DistKind::Poisson | DistKind::PoissonLog | DistKind::NegativeBinomial => {
                Support::Counts
            }
            DistKind::Uniform
            | DistKind::Binomial
            | DistKind::BinomialLogit
            | DistKind::Categorical => return None,
        })
    }

    /// `Normal(mean, sd)`: the signature shown in errors and docs.
    pub fn signature(self) -> String {
        format!("{}({})", self.name(), self.params().join(", "))
    }
}

impl fmt::Display for DistKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a distribution puts its mass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Support {
    /// (−∞, ∞)
    Real,
    /// (0, ∞)
    Positive,
    /// (0, 1)
    UnitInterval,
    /// (lo, hi)
    Interval(f64, f64),
    /// The probability simplex.
    Simplex,
    /// {0, 1}
    Binary,
    /// {0, 1, 2, …}
    Counts,
    /// {0, 1, …, n}
    UpTo(u64),
    /// {0, 1, …, k − 1}
    Categories(usize),
}

impl Support {
    /// Whether the scalar `x` lies in the support (for `Simplex`, whether it is a valid
    /// component: in [0, 1]).
    pub fn contains(&self, x: f64) -> bool {
        let integer = x == x.floor();
        match *self {
            Support::Real => x.is_finite(),
            Support::Positive => x > 0.0 && x.is_finite(),
            Support::UnitInterval => x > 0.0 && x < 1.0,
            Support::Interval(lo, hi) => x > lo && x < hi,
            Support::Simplex => (0.0..=1.0).contains(&x),
            Support::Binary => x == 0.0 || x == 1.0,
            Support::Counts => integer && x >= 0.0 && x.is_finite(),
            Support::UpTo(n) => integer && x >= 0.0 && x <= n as f64,
            Support::Categories(k) => integer && x >= 0.0 && x < k as f64,
        }
    }
}

impl fmt::Display for Support {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Support::Real => write!(f, "(-inf, inf)"),
            Support::Positive => write!(f, "(0, inf)"),
            Support::UnitInterval => write!(f, "(0, 1)"),
            Support::Interval(lo, hi) => write!(f, "({lo}, {hi})"),
            Support::Simplex => write!(f, "the simplex"),
            Support::Binary => write!(f, "{{0, 1}}"),
            Support::Counts => write!(f, "{{0, 1, 2, ...}}"),
            Support::UpTo(n) => write!(f, "{{0, 1, ..., {n}}}"),
            Support::Categories(k) => write!(f, "{{0, 1, ..., {}}}", k.saturating_sub(1)),
        }
    }
}

/// The domain a parameter must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Domain {
    /// finite
    Real,
    /// > 0 and finite
    Positive,
    /// [0, 1]
    Probability,
    /// a non-negative integer
    Count,
    /// greater than another parameter
    Above(&'static str),
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Real => write!(f, "a finite number"),
            Domain::Positive => write!(f, "> 0"),
            Domain::Probability => write!(f, "in [0, 1]"),
            Domain::Count => write!(f, "a non-negative integer"),
            Domain::Above(p) => write!(f, "greater than {p}"),
        }
    }
}

/// A distribution parameter outside its domain.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError {
    /// The distribution.
    pub dist: DistKind,
    /// The parameter's name.
    pub param: &'static str,
    /// The offending value.
    pub value: f64,
    /// The domain it must lie in.
    pub domain: Domain,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} = {} must be {}",
            self.dist.signature(),
            self.param,
            self.value,
            self.domain
        )
    }
}

impl std::error::Error for ParamError {}

/// Check that `value` lies in `domain`.
fn check(
    dist: DistKind,
    param: &'static str,
    value: f64,
    domain: Domain,
) -> Result<(), ParamError> {
    let ok = match domain {
        Domain::Real => value.is_finite(),
        Domain::Positive => value > 0.0 && value.is_finite(),
        Domain::Probability => (0.0..=1.0).contains(&value),
        Domain::Count => value >= 0.0 && value == value.floor() && value.is_finite(),
        Domain::Above(_) => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ParamError {
            dist,
            param,
            value,
            domain,
        })
    }
}

/// A value that can be observed: data of any numeric or boolean type, read as `f64`.
pub trait Observation {
    /// The value as `f64` (`true` is 1).
    fn to_f64(&self) -> f64;
}

macro_rules! observation_as {
    ($($t:ty),*) => {$(
        impl Observation for $t {
            fn to_f64(&self) -> f64 {
                *self as f64
            }
        }
    )*};
}
observation_as!(f64, f32, u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl Observation for bool {
    fn to_f64(&self) -> f64 {
        f64::from(u8::from(*self))
    }
}

impl<T: Observation + ?Sized> Observation for &T {
    fn to_f64(&self) -> f64 {
        (**self).to_f64()
    }
}

/// A univariate distribution with a log density generic over the scalar.
pub trait Univariate<S: Scalar> {
    /// Which distribution this is.
    const KIND: DistKind;
    /// log p(x), normalising constant included. Outside the support: −∞.
    fn ln_density(&self, x: &S) -> S;
    /// The support (it may depend on the parameters' values).
    fn support(&self) -> Support;
}

/// Sampling and moments, for distributions with `f64` parameters.
pub trait Sampling {
    /// A draw.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64;
    /// The mean, where defined.
    fn mean(&self) -> Option<f64>;
    /// The variance, where defined.
    fn variance(&self) -> Option<f64>;
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Normal(mean, sd): sd > 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Normal<S> {
    pub mean: S,
    pub sd: S,
}

impl<S: Scalar> Normal<S> {
    /// Checks mean finite and sd > 0.
    pub fn new(mean: S, sd: S) -> Result<Self, ParamError> {
        check(DistKind::Normal, "mean", mean.value(), Domain::Real)?;
        check(DistKind::Normal, "sd", sd.value(), Domain::Positive)?;
        Ok(Normal { mean, sd })
    }
}

impl<S: Scalar> Univariate<S> for Normal<S> {
    const KIND: DistKind = DistKind::Normal;
    fn ln_density(&self, x: &S) -> S {
        // −½((x − μ)/σ)² − ln σ − ln √(2π)
        let z = (x.clone() - self.mean.clone()) / self.sd.clone();
        z.clone() * z * (-0.5) - self.sd.ln() - LN_SQRT_2PI
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for Normal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        self.mean + self.sd * z
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mean)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.sd * self.sd)
    }
}
