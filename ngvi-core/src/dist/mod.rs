//! Probability distributions: log densities generic over [`Scalar`], supports and parameter
//! domains, and, for `f64`, sampling, mean and variance.
//!
//! Parameterisations follow Stan and NumPyro: `Normal(mean, sd)`, `Gamma(shape, rate)`,
//! `InverseGamma(shape, scale)`, `NegativeBinomial(mu, phi)` (mean and dispersion), …
//! Every log density includes its normalising constant.
//!
//! Constructors check the parameter domains and return a [`ParamError`] instead of
//! panicking: `Normal::new(0.0, -1.0)` is an error value. The parameters are set only by
//! the constructor and read with accessors named after them (`Normal::sd`), except
//! `Normal::mean_param`, since [`Sampling::mean`] is the moment.
//!
//! The names, parameters, domains and supports come from the spec table shared with the
//! `model!` macro (`ngvi_spec::DISTS`), through [`DistKind`]. The files: `kind.rs`
//! ([`DistKind`]), `support.rs` ([`Support`], [`Domain`], [`ParamError`] and the domain
//! check), `draw.rs` (sampling helpers), the distributions by kind in `continuous.rs`,
//! `discrete.rs`, `multivariate.rs` (Dirichlet) and `improper.rs` (Flat, HalfFlat), and
//! [`statistics`] (the log density summed over observations from their sufficient
//! statistics).
//!
//! Adding a univariate distribution: its row in `ngvi_spec::DISTS`, its [`DistKind`]
//! variant at the same index, and its struct here through `distribution!`, implementing
//! [`Univariate`] (and [`Sampling`] when proper; and [`Statistics`], in `statistics.rs`,
//! when its row is marked `statistics`).

/// A distribution struct whose parameters, each of type `S`, are set only by a `new` that
/// checks every one against its domain in the spec table, and read with an accessor named
/// after the parameter (or as given with `as`); plus `param_values` for `f64`. It asserts at
/// compile time that the struct's name and parameters are those of its row in the spec
/// table.
///
/// The parameter fields are private, so no struct literal can bypass `new`.
macro_rules! distribution {
    (
        $(#[$doc:meta])*
        $name:ident { $($(#[$pdoc:meta])* $param:ident $(as $getter:ident)?),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name<S> {
            $($param: S,)*
        }

        const _: () = assert!(
            $crate::dist::kind::row_matches(
                DistKind::$name,
                stringify!($name),
                &[$(stringify!($param)),*],
            ),
            concat!(stringify!($name), " differs from its row in the spec table"),
        );

        impl<S: Scalar> $name<S> {
            /// Checks every parameter against its domain; the error names the first outside it.
            #[inline]
            pub fn new($($param: S),*) -> Result<Self, $crate::dist::ParamError> {
                $crate::dist::support::check_params(DistKind::$name, &[$($param.value()),*])?;
                Ok($name { $($param),* })
            }

            $(accessor!($(#[$pdoc])* $param $(as $getter)?);)*
        }

        impl $name<f64> {
            /// The parameter values, in the order of the signature.
            pub fn param_values(&self) -> Vec<f64> {
                vec![$(self.$param),*]
            }
        }
    };
}

/// A parameter's accessor, named after the parameter or as given.
macro_rules! accessor {
    ($(#[$pdoc:meta])* $param:ident) => {
        accessor!($(#[$pdoc])* $param as $param);
    };
    ($(#[$pdoc:meta])* $param:ident as $getter:ident) => {
        $(#[$pdoc])*
        pub fn $getter(&self) -> &S {
            &self.$param
        }
    };
}

mod continuous;
mod discrete;
mod draw;
mod improper;
mod kind;
mod multivariate;
pub mod statistics;
mod support;

use rand::Rng;

use crate::ad::Scalar;

pub use continuous::{
    Beta, Cauchy, Exponential, Gamma, HalfCauchy, HalfNormal, HalfStudentT, InverseGamma, Laplace,
    LogNormal, Normal, StudentT, Uniform,
};
pub use discrete::{
    Bernoulli, BernoulliLogit, Binomial, BinomialLogit, Categorical, NegativeBinomial, Poisson,
    PoissonLog,
};
pub use improper::{Flat, HalfFlat};
pub use kind::DistKind;
pub use multivariate::Dirichlet;
pub use statistics::Statistics;
pub use support::{Domain, ParamError, Support};

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
    ///
    /// The support check is written once, here; implementations provide
    /// [`Univariate::ln_density_in_support`] and leave this method as it is.
    fn ln_density(&self, x: &S) -> S {
        if self.support().contains(x.value()) {
            self.ln_density_in_support(x)
        } else {
            neg_inf()
        }
    }

    /// log p(x) for an `x` in the support, normalising constant included (call
    /// [`Univariate::ln_density`], which checks the support first).
    fn ln_density_in_support(&self, x: &S) -> S;

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

/// −∞: the log density outside the support.
fn neg_inf<S: Scalar>() -> S {
    S::constant(f64::NEG_INFINITY)
}
