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

/// ln √(2π)
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// ln √(2/π)
const LN_SQRT_2_OVER_PI: f64 = -0.225_791_352_644_727_4;
/// ln π
const LN_PI: f64 = 1.144_729_885_849_400_2;
/// ln(2/π)
const LN_2_OVER_PI: f64 = -0.451_582_705_289_454_8;
/// How far from 1 the sum of Categorical probabilities may be.
const CATEGORICAL_SUM_TOL: f64 = 1e-8;
/// How far from 1 the sum of a point on the simplex may be (Dirichlet).
const SIMPLEX_SUM_TOL: f64 = 1e-9;

/// −∞: the log density outside the support.
fn neg_inf<S: Scalar>() -> S {
    S::constant(f64::NEG_INFINITY)
}

/// k · ln p, taken as 0 when k = 0 (so that 0 · ln 0 = 0, as in a pmf with p = 0).
fn xlny<S: Scalar>(k: &S, p: &S) -> S {
    if k.value() == 0.0 {
        S::constant(0.0)
    } else {
        k.clone() * p.ln()
    }
}

/// k · ln(1 − p), taken as 0 when k = 0.
fn xln1m<S: Scalar>(k: &S, p: &S) -> S {
    if k.value() == 0.0 {
        S::constant(0.0)
    } else {
        k.clone() * (-p.clone()).ln_1p()
    }
}

/// ln C(n, k) = ln Γ(n + 1) − ln Γ(k + 1) − ln Γ(n − k + 1).
fn ln_choose<S: Scalar>(n: &S, k: &S) -> S {
    (n.clone() + 1.0).lgamma() - (k.clone() + 1.0).lgamma() - (n.clone() - k.clone() + 1.0).lgamma()
}

/// A draw from a `rand_distr` distribution built from parameters that `new` has already
/// checked, so its constructor does not fail on them (NaN if it ever does, never a panic).
fn draw<D, E, R>(d: Result<D, E>, rng: &mut R) -> f64
where
    D: rand_distr::Distribution<f64>,
    R: Rng + ?Sized,
{
    d.map_or(f64::NAN, |d| d.sample(rng))
}

/// A Gamma(shape, rate = 1) draw (shape > 0).
fn std_gamma<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    draw(rand_distr::Gamma::new(shape, 1.0), rng)
}

/// A Poisson(rate) draw for rate ≥ 0 (∞ for an infinite rate, e.g. `PoissonLog` with
/// log_rate > 709). Beyond `rand_distr`'s limit (rate ≥ 1.8e19) the normal approximation is
/// used: its skewness there, 1/√rate < 3e-10, is negligible.
fn poisson_draw<R: Rng + ?Sized>(rate: f64, rng: &mut R) -> f64 {
    if rate <= 0.0 || rate.is_infinite() {
        return rate.max(0.0);
    }
    match rand_distr::Poisson::new(rate) {
        Ok(d) => rand_distr::Distribution::sample(&d, rng),
        Err(_) => {
            let z: f64 = rng.sample(rand_distr::StandardNormal);
            (rate + rate.sqrt() * z).round().max(0.0)
        }
    }
}

/// A Binomial(n, p) draw (n a non-negative integer, p in [0, 1]): `rand_distr`'s sampler for
/// n ≤ `u64::MAX`; beyond it (where `f64` cannot even hold every count) an approximation:
/// Poisson in the rarer outcome when the variance is below 1e4 (then min(p, 1 − p) < 1e-15),
/// else normal.
fn binomial_draw<R: Rng + ?Sized>(n: f64, p: f64, rng: &mut R) -> f64 {
    if n <= u64::MAX as f64 {
        return rand_distr::Binomial::new(n as u64, p).map_or(f64::NAN, |d| {
            rand_distr::Distribution::<u64>::sample(&d, rng) as f64
        });
    }
    let var = n * p * (1.0 - p);
    if var < 1e4 {
        if p <= 0.5 {
            poisson_draw(n * p, rng)
        } else {
            n - poisson_draw(n * (1.0 - p), rng)
        }
    } else {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        (n * p + var.sqrt() * z).round().clamp(0.0, n)
    }
}

/// A uniform draw on the open interval (0, 1).
fn open01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rng.sample(rand::distr::Open01)
}

/// `Err` naming `param` unless `value > lower` (`lower_name` is the other parameter).
fn check_above(
    dist: DistKind,
    param: &'static str,
    value: f64,
    lower_name: &'static str,
    lower: f64,
) -> Result<(), ParamError> {
    if value > lower {
        Ok(())
    } else {
        Err(ParamError {
            dist,
            param,
            value,
            domain: Domain::Above(lower_name),
        })
    }
}

/// A distribution struct with public parameter fields, each of type `S`, and a `new` that
/// checks every parameter's domain on its value.
macro_rules! distribution {
    (
        $(#[$doc:meta])*
        $name:ident { $($(#[$pdoc:meta])* $param:ident: $domain:expr),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name<S> {
            $($(#[$pdoc])* pub $param: S,)*
        }

        impl<S: Scalar> $name<S> {
            /// Checks every parameter's domain; the error names the first parameter outside it.
            pub fn new($($param: S),*) -> Result<Self, ParamError> {
                $(check(DistKind::$name, stringify!($param), $param.value(), $domain)?;)*
                Ok($name { $($param),* })
            }
        }
    };
}

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
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
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

distribution! {
    /// HalfNormal(sd): a Normal(0, sd) folded onto (0, ∞); sd > 0.
    HalfNormal {
        /// Scale (the sd of the unfolded Normal), > 0.
        sd: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for HalfNormal<S> {
    const KIND: DistKind = DistKind::HalfNormal;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // −½(x/σ)² − ln σ + ln √(2/π)
        let z = x.clone() / self.sd.clone();
        z.clone() * z * (-0.5) - self.sd.ln() + LN_SQRT_2_OVER_PI
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for HalfNormal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        self.sd * z.abs()
    }
    fn mean(&self) -> Option<f64> {
        Some(self.sd * (2.0 / std::f64::consts::PI).sqrt())
    }
    fn variance(&self) -> Option<f64> {
        Some(self.sd * self.sd * (1.0 - 2.0 / std::f64::consts::PI))
    }
}

distribution! {
    /// LogNormal(mu, sigma): ln x ~ Normal(mu, sigma); sigma > 0.
    LogNormal {
        /// Mean of ln x.
        mu: Domain::Real,
        /// Standard deviation of ln x, > 0.
        sigma: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for LogNormal<S> {
    const KIND: DistKind = DistKind::LogNormal;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // −½((ln x − μ)/σ)² − ln σ − ln x − ln √(2π)
        let lx = x.ln();
        let z = (lx.clone() - self.mu.clone()) / self.sigma.clone();
        z.clone() * z * (-0.5) - self.sigma.ln() - lx - LN_SQRT_2PI
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for LogNormal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        (self.mu + self.sigma * z).exp()
    }
    fn mean(&self) -> Option<f64> {
        Some((self.mu + 0.5 * self.sigma * self.sigma).exp())
    }
    fn variance(&self) -> Option<f64> {
        let s2 = self.sigma * self.sigma;
        Some(s2.exp_m1() * (2.0 * self.mu + s2).exp())
    }
}

distribution! {
    /// StudentT(df, loc, scale): df > 0, scale > 0.
    StudentT {
        /// Degrees of freedom ν, > 0.
        df: Domain::Positive,
        /// Location.
        loc: Domain::Real,
        /// Scale, > 0.
        scale: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for StudentT<S> {
    const KIND: DistKind = DistKind::StudentT;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln ν − ln √π − ln s − (ν+1)/2 · ln(1 + z²/ν), z = (x − μ)/s
        let nu = self.df.clone();
        let z = (x.clone() - self.loc.clone()) / self.scale.clone();
        let half_nu1 = (nu.clone() + 1.0) * 0.5;
        half_nu1.lgamma()
            - (nu.clone() * 0.5).lgamma()
            - nu.ln() * 0.5
            - 0.5 * LN_PI
            - self.scale.ln()
            - half_nu1 * (z.clone() * z / nu).ln_1p()
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for StudentT<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.loc + self.scale * draw(rand_distr::StudentT::new(self.df), rng)
    }
    fn mean(&self) -> Option<f64> {
        (self.df > 1.0).then_some(self.loc)
    }
    fn variance(&self) -> Option<f64> {
        (self.df > 2.0).then(|| self.scale * self.scale * self.df / (self.df - 2.0))
    }
}

distribution! {
    /// Cauchy(loc, scale): scale > 0. No mean or variance.
    Cauchy {
        /// Location (the median).
        loc: Domain::Real,
        /// Scale (half the interquartile range), > 0.
        scale: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for Cauchy<S> {
    const KIND: DistKind = DistKind::Cauchy;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // −ln π − ln s − ln(1 + z²), z = (x − μ)/s
        let z = (x.clone() - self.loc.clone()) / self.scale.clone();
        -(z.clone() * z).ln_1p() - self.scale.ln() - LN_PI
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for Cauchy<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the inverse cdf: μ + s · tan(π(u − ½))
        self.loc + self.scale * (std::f64::consts::PI * (open01(rng) - 0.5)).tan()
    }
    fn mean(&self) -> Option<f64> {
        None
    }
    fn variance(&self) -> Option<f64> {
        None
    }
}

distribution! {
    /// HalfCauchy(scale): a Cauchy(0, scale) folded onto (0, ∞); scale > 0. No mean or
    /// variance.
    HalfCauchy {
        /// Scale, > 0.
        scale: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for HalfCauchy<S> {
    const KIND: DistKind = DistKind::HalfCauchy;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // ln(2/π) − ln s − ln(1 + (x/s)²)
        let z = x.clone() / self.scale.clone();
        -(z.clone() * z).ln_1p() - self.scale.ln() + LN_2_OVER_PI
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for HalfCauchy<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the inverse cdf: s · tan(πu/2)
        self.scale * (std::f64::consts::FRAC_PI_2 * open01(rng)).tan()
    }
    fn mean(&self) -> Option<f64> {
        None
    }
    fn variance(&self) -> Option<f64> {
        None
    }
}

distribution! {
    /// Laplace(loc, scale) (double exponential): scale > 0.
    Laplace {
        /// Location (mean and median).
        loc: Domain::Real,
        /// Scale b, > 0 (variance 2b²).
        scale: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for Laplace<S> {
    const KIND: DistKind = DistKind::Laplace;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // −|x − μ|/b − ln b − ln 2
        (x.clone() - self.loc.clone()).abs() / self.scale.clone() * (-1.0)
            - self.scale.ln()
            - std::f64::consts::LN_2
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for Laplace<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // μ ± b · Exp(1), each sign with probability ½
        let e: f64 = rng.sample(rand_distr::Exp1);
        let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
        self.loc + sign * self.scale * e
    }
    fn mean(&self) -> Option<f64> {
        Some(self.loc)
    }
    fn variance(&self) -> Option<f64> {
        Some(2.0 * self.scale * self.scale)
    }
}

distribution! {
    /// Exponential(rate): rate > 0.
    Exponential {
        /// Rate λ, > 0 (mean 1/λ).
        rate: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for Exponential<S> {
    const KIND: DistKind = DistKind::Exponential;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // ln λ − λx
        self.rate.ln() - self.rate.clone() * x.clone()
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for Exponential<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = rng.sample(rand_distr::Exp1);
        e / self.rate
    }
    fn mean(&self) -> Option<f64> {
        Some(1.0 / self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(1.0 / (self.rate * self.rate))
    }
}

distribution! {
    /// Gamma(shape, rate): shape > 0, rate > 0 (mean shape / rate).
    Gamma {
        /// Shape α, > 0.
        shape: Domain::Positive,
        /// Rate β (inverse scale), > 0.
        rate: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for Gamma<S> {
    const KIND: DistKind = DistKind::Gamma;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // α ln β − ln Γ(α) + (α − 1) ln x − βx
        let a = self.shape.clone();
        a.clone() * self.rate.ln() - a.lgamma() + (a - 1.0) * x.ln() - self.rate.clone() * x.clone()
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for Gamma<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        std_gamma(self.shape, rng) / self.rate
    }
    fn mean(&self) -> Option<f64> {
        Some(self.shape / self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.shape / (self.rate * self.rate))
    }
}

distribution! {
    /// InverseGamma(shape, scale): 1/x ~ Gamma(shape, rate = scale); shape > 0, scale > 0.
    InverseGamma {
        /// Shape α, > 0.
        shape: Domain::Positive,
        /// Scale β, > 0.
        scale: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for InverseGamma<S> {
    const KIND: DistKind = DistKind::InverseGamma;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // α ln β − ln Γ(α) − (α + 1) ln x − β/x
        let a = self.shape.clone();
        a.clone() * self.scale.ln()
            - a.lgamma()
            - (a + 1.0) * x.ln()
            - self.scale.clone() / x.clone()
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for InverseGamma<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.scale / std_gamma(self.shape, rng)
    }
    fn mean(&self) -> Option<f64> {
        (self.shape > 1.0).then(|| self.scale / (self.shape - 1.0))
    }
    fn variance(&self) -> Option<f64> {
        let a = self.shape;
        (a > 2.0).then(|| self.scale * self.scale / ((a - 1.0) * (a - 1.0) * (a - 2.0)))
    }
}

distribution! {
    /// Beta(a, b): a > 0, b > 0.
    Beta {
        /// First shape (the pseudo-count of successes), > 0.
        a: Domain::Positive,
        /// Second shape (the pseudo-count of failures), > 0.
        b: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for Beta<S> {
    const KIND: DistKind = DistKind::Beta;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // (a − 1) ln x + (b − 1) ln(1 − x) − ln B(a, b)
        (self.a.clone() - 1.0) * x.ln() + (self.b.clone() - 1.0) * (-x.clone()).ln_1p()
            - crate::ad::ln_beta(&self.a, &self.b)
    }
    fn support(&self) -> Support {
        Support::UnitInterval
    }
}

impl Sampling for Beta<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        draw(rand_distr::Beta::new(self.a, self.b), rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.a / (self.a + self.b))
    }
    fn variance(&self) -> Option<f64> {
        let s = self.a + self.b;
        Some(self.a * self.b / (s * s * (s + 1.0)))
    }
}

/// Uniform(lo, hi): lo < hi, both finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Uniform<S> {
    /// Lower bound.
    pub lo: S,
    /// Upper bound, > lo.
    pub hi: S,
}

impl<S: Scalar> Uniform<S> {
    /// Checks lo and hi finite and hi > lo.
    pub fn new(lo: S, hi: S) -> Result<Self, ParamError> {
        check(DistKind::Uniform, "lo", lo.value(), Domain::Real)?;
        check(DistKind::Uniform, "hi", hi.value(), Domain::Real)?;
        check_above(DistKind::Uniform, "hi", hi.value(), "lo", lo.value())?;
        Ok(Uniform { lo, hi })
    }
}

impl<S: Scalar> Univariate<S> for Uniform<S> {
    const KIND: DistKind = DistKind::Uniform;
    fn ln_density(&self, x: &S) -> S {
        if !self.support().contains(x.value()) {
            return neg_inf();
        }
        // −ln(hi − lo)
        -(self.hi.clone() - self.lo.clone()).ln()
    }
    fn support(&self) -> Support {
        Support::Interval(self.lo.value(), self.hi.value())
    }
}

impl Sampling for Uniform<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // written so that hi − lo cannot overflow
        let u = open01(rng);
        self.lo * (1.0 - u) + self.hi * u
    }
    fn mean(&self) -> Option<f64> {
        Some(0.5 * self.lo + 0.5 * self.hi)
    }
    fn variance(&self) -> Option<f64> {
        let w = self.hi - self.lo;
        Some(w * w / 12.0)
    }
}

distribution! {
    /// Bernoulli(p): p in [0, 1]; y in {0, 1}.
    Bernoulli {
        /// Probability of y = 1, in [0, 1].
        p: Domain::Probability,
    }
}

impl<S: Scalar> Univariate<S> for Bernoulli<S> {
    const KIND: DistKind = DistKind::Bernoulli;
    fn ln_density(&self, y: &S) -> S {
        if !self.support().contains(y.value()) {
            return neg_inf();
        }
        // y ln p + (1 − y) ln(1 − p)
        if y.value() == 1.0 {
            self.p.ln()
        } else {
            (-self.p.clone()).ln_1p()
        }
    }
    fn support(&self) -> Support {
        Support::Binary
    }
}

impl Sampling for Bernoulli<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        f64::from(u8::from(rng.random::<f64>() < self.p))
    }
    fn mean(&self) -> Option<f64> {
        Some(self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.p * (1.0 - self.p))
    }
}

distribution! {
    /// BernoulliLogit(logit): Bernoulli(σ(logit)); y in {0, 1}.
    BernoulliLogit {
        /// Log-odds η = ln(p / (1 − p)), finite.
        logit: Domain::Real,
    }
}

impl<S: Scalar> Univariate<S> for BernoulliLogit<S> {
    const KIND: DistKind = DistKind::BernoulliLogit;
    fn ln_density(&self, y: &S) -> S {
        if !self.support().contains(y.value()) {
            return neg_inf();
        }
        // y ln σ(η) + (1 − y) ln σ(−η)
        if y.value() == 1.0 {
            self.logit.ln_sigmoid()
        } else {
            (-self.logit.clone()).ln_sigmoid()
        }
    }
    fn support(&self) -> Support {
        Support::Binary
    }
}

impl Sampling for BernoulliLogit<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        f64::from(u8::from(rng.random::<f64>() < self.logit.sigmoid()))
    }
    fn mean(&self) -> Option<f64> {
        Some(self.logit.sigmoid())
    }
    fn variance(&self) -> Option<f64> {
        let p = self.logit.sigmoid();
        Some(p * (1.0 - p))
    }
}

distribution! {
    /// Binomial(n, p): n a non-negative integer (data), p in [0, 1]; y in {0, …, n}.
    Binomial {
        /// Number of trials, a non-negative integer.
        n: Domain::Count,
        /// Success probability, in [0, 1].
        p: Domain::Probability,
    }
}

impl<S: Scalar> Univariate<S> for Binomial<S> {
    const KIND: DistKind = DistKind::Binomial;
    fn ln_density(&self, y: &S) -> S {
        if !self.support().contains(y.value()) {
            return neg_inf();
        }
        // ln C(n, y) + y ln p + (n − y) ln(1 − p)
        ln_choose(&self.n, y) + xlny(y, &self.p) + xln1m(&(self.n.clone() - y.clone()), &self.p)
    }
    fn support(&self) -> Support {
        Support::UpTo(self.n.value() as u64)
    }
}

impl Sampling for Binomial<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        binomial_draw(self.n, self.p, rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.n * self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.n * self.p * (1.0 - self.p))
    }
}

distribution! {
    /// BinomialLogit(n, logit): Binomial(n, σ(logit)); y in {0, …, n}.
    BinomialLogit {
        /// Number of trials, a non-negative integer.
        n: Domain::Count,
        /// Log-odds of success, finite.
        logit: Domain::Real,
    }
}

impl<S: Scalar> Univariate<S> for BinomialLogit<S> {
    const KIND: DistKind = DistKind::BinomialLogit;
    fn ln_density(&self, y: &S) -> S {
        if !self.support().contains(y.value()) {
            return neg_inf();
        }
        // ln C(n, y) + y ln σ(η) + (n − y) ln σ(−η)
        ln_choose(&self.n, y)
            + y.clone() * self.logit.ln_sigmoid()
            + (self.n.clone() - y.clone()) * (-self.logit.clone()).ln_sigmoid()
    }
    fn support(&self) -> Support {
        Support::UpTo(self.n.value() as u64)
    }
}

impl Sampling for BinomialLogit<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        binomial_draw(self.n, self.logit.sigmoid(), rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.n * self.logit.sigmoid())
    }
    fn variance(&self) -> Option<f64> {
        let p = self.logit.sigmoid();
        Some(self.n * p * (1.0 - p))
    }
}

distribution! {
    /// Poisson(rate): rate > 0; y in {0, 1, 2, …}.
    Poisson {
        /// Rate λ (mean and variance), > 0.
        rate: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for Poisson<S> {
    const KIND: DistKind = DistKind::Poisson;
    fn ln_density(&self, y: &S) -> S {
        if !self.support().contains(y.value()) {
            return neg_inf();
        }
        // y ln λ − λ − ln Γ(y + 1)
        y.clone() * self.rate.ln() - self.rate.clone() - (y.clone() + 1.0).lgamma()
    }
    fn support(&self) -> Support {
        Support::Counts
    }
}

impl Sampling for Poisson<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        poisson_draw(self.rate, rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.rate)
    }
}

distribution! {
    /// PoissonLog(log_rate): Poisson(exp(log_rate)); y in {0, 1, 2, …}.
    PoissonLog {
        /// ln λ, finite.
        log_rate: Domain::Real,
    }
}

impl<S: Scalar> Univariate<S> for PoissonLog<S> {
    const KIND: DistKind = DistKind::PoissonLog;
    fn ln_density(&self, y: &S) -> S {
        if !self.support().contains(y.value()) {
            return neg_inf();
        }
        // yη − exp(η) − ln Γ(y + 1)
        y.clone() * self.log_rate.clone() - self.log_rate.exp() - (y.clone() + 1.0).lgamma()
    }
    fn support(&self) -> Support {
        Support::Counts
    }
}

impl Sampling for PoissonLog<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        poisson_draw(self.log_rate.exp(), rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.log_rate.exp())
    }
    fn variance(&self) -> Option<f64> {
        Some(self.log_rate.exp())
    }
}

distribution! {
    /// NegativeBinomial(mu, phi), Stan's `neg_binomial_2`: mean mu, variance mu + mu²/phi;
    /// mu > 0, phi > 0; y in {0, 1, 2, …}.
    NegativeBinomial {
        /// Mean μ, > 0.
        mu: Domain::Positive,
        /// Dispersion φ, > 0 (φ → ∞ gives Poisson(μ)).
        phi: Domain::Positive,
    }
}

impl<S: Scalar> Univariate<S> for NegativeBinomial<S> {
    const KIND: DistKind = DistKind::NegativeBinomial;
    fn ln_density(&self, y: &S) -> S {
        if !self.support().contains(y.value()) {
            return neg_inf();
        }
        // ln Γ(y + φ) − ln Γ(y + 1) − ln Γ(φ) + y ln(μ/(μ + φ)) + φ ln(φ/(μ + φ)),
        // with φ ln(φ/(μ + φ)) = −φ ln(1 + μ/φ)
        let (mu, phi) = (self.mu.clone(), self.phi.clone());
        (y.clone() + phi.clone()).lgamma() - (y.clone() + 1.0).lgamma() - phi.lgamma()
            + xlny(y, &mu)
            - xlny(y, &(mu.clone() + phi.clone()))
            - phi.clone() * (mu / phi).ln_1p()
    }
    fn support(&self) -> Support {
        Support::Counts
    }
}

impl Sampling for NegativeBinomial<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the Gamma–Poisson mixture: λ ~ Gamma(φ, rate φ/μ), y ~ Poisson(λ)
        let lambda = std_gamma(self.phi, rng) * (self.mu / self.phi);
        poisson_draw(lambda, rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mu)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.mu + self.mu * self.mu / self.phi)
    }
}

/// Categorical(p): P(k) = p\[k\] for k in {0, …, K − 1}; each p\[k\] in [0, 1], summing
/// to 1 (within 1e-8).
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical<S> {
    /// The category probabilities.
    pub p: Vec<S>,
}

impl<S: Scalar> Categorical<S> {
    /// Checks p non-empty, each p\[k\] in [0, 1] and Σ p\[k\] within 1e-8 of 1 (the error
    /// carries the offending entry, or the sum).
    pub fn new(p: Vec<S>) -> Result<Self, ParamError> {
        for pk in &p {
            check(DistKind::Categorical, "p", pk.value(), Domain::Probability)?;
        }
        let sum: f64 = p.iter().map(Scalar::value).sum();
        if p.is_empty() || (sum - 1.0).abs() > CATEGORICAL_SUM_TOL {
            return Err(ParamError {
                dist: DistKind::Categorical,
                param: "p",
                value: sum,
                domain: Domain::Probability,
            });
        }
        Ok(Categorical { p })
    }
}

impl<S: Scalar> Univariate<S> for Categorical<S> {
    const KIND: DistKind = DistKind::Categorical;
    fn ln_density(&self, k: &S) -> S {
        if !self.support().contains(k.value()) {
            return neg_inf();
        }
        // ln p[k]
        self.p[k.value() as usize].ln()
    }
    fn support(&self) -> Support {
        Support::Categories(self.p.len())
    }
}

impl Sampling for Categorical<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the inverse cdf; rounding in the cumulative sum falls to the last category with mass
        let u = rng.random::<f64>();
        let mut cum = 0.0;
        for (k, pk) in self.p.iter().enumerate() {
            cum += pk;
            if u < cum {
                return k as f64;
            }
        }
        self.p.iter().rposition(|&pk| pk > 0.0).unwrap_or(0) as f64
    }
    fn mean(&self) -> Option<f64> {
        Some(self.p.iter().enumerate().map(|(k, pk)| k as f64 * pk).sum())
    }
    fn variance(&self) -> Option<f64> {
        let m: f64 = self.p.iter().enumerate().map(|(k, pk)| k as f64 * pk).sum();
        Some(
            self.p
                .iter()
                .enumerate()
                .map(|(k, pk)| (k as f64 - m) * (k as f64 - m) * pk)
                .sum(),
        )
    }
}

/// Dirichlet(alpha): a distribution on the simplex {x : x\[i\] > 0, Σ x\[i\] = 1};
/// each alpha\[i\] > 0, at least two of them.
///
/// Vector-valued, so it has inherent methods instead of [`Univariate`] and [`Sampling`].
#[derive(Debug, Clone, PartialEq)]
pub struct Dirichlet<S> {
    /// The concentrations.
    pub alpha: Vec<S>,
}

impl<S: Scalar> Dirichlet<S> {
    /// Which distribution this is.
    pub const KIND: DistKind = DistKind::Dirichlet;

    /// Checks each alpha\[i\] > 0 and at least two components (for too few, the error
    /// carries the length as its value).
    pub fn new(alpha: Vec<S>) -> Result<Self, ParamError> {
        if alpha.len() < 2 {
            return Err(ParamError {
                dist: DistKind::Dirichlet,
                param: "alpha",
                value: alpha.len() as f64,
                domain: Domain::Positive,
            });
        }
        for a in &alpha {
            check(DistKind::Dirichlet, "alpha", a.value(), Domain::Positive)?;
        }
        Ok(Dirichlet { alpha })
    }

    /// log p(x), normalising constant included; −∞ unless x is on the simplex (the length
    /// of alpha, every component in (0, 1), the sum within 1e-9 of 1).
    pub fn ln_density(&self, x: &[S]) -> S {
        let sum: f64 = x.iter().map(Scalar::value).sum();
        let on_simplex = x.len() == self.alpha.len()
            && x.iter()
                .all(|xi| Support::UnitInterval.contains(xi.value()))
            && (sum - 1.0).abs() <= SIMPLEX_SUM_TOL;
        if !on_simplex {
            return neg_inf();
        }
        // ln Γ(Σ αᵢ) − Σ ln Γ(αᵢ) + Σ (αᵢ − 1) ln xᵢ
        let total = self
            .alpha
            .iter()
            .fold(S::constant(0.0), |acc, a| acc + a.clone());
        self.alpha
            .iter()
            .zip(x)
            .fold(total.lgamma(), |acc, (a, xi)| {
                acc - a.lgamma() + (a.clone() - 1.0) * xi.ln()
            })
    }

    /// The support: the simplex.
    pub fn support(&self) -> Support {
        Support::Simplex
    }
}

impl Dirichlet<f64> {
    /// A draw: independent Gamma(alpha\[i\], 1) draws, normalised.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let g: Vec<f64> = self.alpha.iter().map(|&a| std_gamma(a, rng)).collect();
        let total: f64 = g.iter().sum();
        g.into_iter().map(|gi| gi / total).collect()
    }
    /// The mean, alpha\[i\] / Σ alpha.
    pub fn mean(&self) -> Vec<f64> {
        let total: f64 = self.alpha.iter().sum();
        self.alpha.iter().map(|a| a / total).collect()
    }
    /// The marginal variances, alpha\[i\] (Σ alpha − alpha\[i\]) / ((Σ alpha)² (Σ alpha + 1)).
    pub fn variance(&self) -> Vec<f64> {
        let total: f64 = self.alpha.iter().sum();
        self.alpha
            .iter()
            .map(|a| a * (total - a) / (total * total * (total + 1.0)))
            .collect()
    }
}

/// Flat: the improper uniform density on the real line (Stan's default for an unbounded
/// parameter with no prior), log density 0. For `sample` only; being improper it cannot
/// be sampled, so it does not implement [`Sampling`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flat;

impl Flat {
    /// Flat has no parameters; this never fails (it returns `Result` like every `new`).
    pub fn new() -> Result<Self, ParamError> {
        Ok(Flat)
    }
}

impl<S: Scalar> Univariate<S> for Flat {
    const KIND: DistKind = DistKind::Flat;
    fn ln_density(&self, x: &S) -> S {
        if !Univariate::<S>::support(self).contains(x.value()) {
            return neg_inf();
        }
        // 0
        S::constant(0.0)
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

/// HalfFlat: the improper uniform density on (0, ∞), log density 0 there. For `sample`
/// only; being improper it cannot be sampled, so it does not implement [`Sampling`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HalfFlat;

impl HalfFlat {
    /// HalfFlat has no parameters; this never fails (it returns `Result` like every `new`).
    pub fn new() -> Result<Self, ParamError> {
        Ok(HalfFlat)
    }
}

impl<S: Scalar> Univariate<S> for HalfFlat {
    const KIND: DistKind = DistKind::HalfFlat;
    fn ln_density(&self, x: &S) -> S {
        if !Univariate::<S>::support(self).contains(x.value()) {
            return neg_inf();
        }
        // 0 on x > 0
        S::constant(0.0)
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}
