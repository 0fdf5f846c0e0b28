//! # ngvi
//!
//! Bayesian inference by natural-gradient variational inference. Write a model with
//! [`model!`], fit it, read the posterior. See the README and `docs/` for the language and
//! the method.
//!
//! The public API: the [`model!`] macro and the [`Model`] trait it implements; the [`Ngvi`]
//! builder and the [`Fit`] it returns, with the [`Reason`] for each guide and the
//! [`StopReason`]; [`Error`] and [`ModelError`]; scalars and dual numbers ([`ad`]),
//! distributions ([`dist`]), the exponential families the guides are made of ([`family`]),
//! special functions ([`special`]) and the transforms to the unconstrained scale
//! ([`transform`]). `nalgebra` is re-exported so that models taking matrices need not pin
//! its version.

pub use nalgebra;
/// Data-parallel fits over MPI ranks: each rank holds a shard of the plate's data, and the
/// plates' sums are added across ranks (feature `mpi`; see the README's MPI section).
///
/// ```no_run
/// use ngvi::mpi::{self, Communicator};
/// use ngvi::prelude::*;
///
/// model! {
///     fn coin(y: &[f64]) {
///         sample p ~ Beta(1.0, 1.0);
///         for i in plate(0..y.len()) {
///             observe y[i] ~ Bernoulli(p);
///         }
///     }
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let universe = mpi::initialize()?;
/// let world = universe.world();
/// let flips: Vec<f64> = (0..1000).map(|i| f64::from(i % 3 == 0)).collect();
/// let mine = &flips[mpi::shard(flips.len(), &world)];
/// let fit = Ngvi::new().seed(1).mpi(&world).fit(&coin(mine))?;
/// if world.rank() == 0 {
///     println!("{}", fit.summary());
/// }
/// # Ok(())
/// # }
/// ```
///
/// Run it with `mpirun -n 2 target/release/examples/NAME` (Open MPI as root:
/// `--allow-run-as-root`).
#[cfg(feature = "mpi")]
pub use ngvi_core::mpi;
/// Plots of a fit as SVG files: marginal posteriors against reference draws, the ELBO trace
/// (feature `plot`).
#[cfg(feature = "plot")]
pub use ngvi_core::plot;
pub use ngvi_core::{ad, diagnostics, dist, family, plate, spec, special, transform};
pub use ngvi_core::{
    dot, gradient, hessian, hessian_diagonal, ln_beta, log_sum_exp, sigmoid, softplus, Dual, Dual2,
    DualDiag, F64Ops, Scalar,
};
pub use ngvi_core::{
    Advi, AdviCheck, Confirmation, Error, Evaluations, ExpFamily, Expectation, FamilyError, Fit,
    GaussianBlock, GaussianWhy, Guide, GuideView, InOrder, IterationInfo, Latent, LatentUse, Model,
    ModelError, ModelErrorKind, Ngvi, PlateInfo, Plates, Reason, Setting, Shape, StopReason,
    Tracked,
};
/// NUTS on the same model, to check a fit (feature `nuts`, on the nuts-rs crate):
/// [`Nuts`] samples, [`NutsFit`] reads the draws by name with R̂ and ESS, and
/// [`Fit::compare`] sets a fit beside them.
#[cfg(feature = "nuts")]
pub use ngvi_core::{Comparison, ComparisonRow, Nuts, NutsFit, RHAT_LIMIT};
#[cfg(feature = "export")]
pub use ngvi_core::{DrawArray, FitRecord, StopRecord, SummaryRow};
/// Write a probabilistic model.
///
/// ```
/// use ngvi::prelude::*;
///
/// model! {
///     /// Eight schools, non-centred.
///     pub fn eight_schools(y: &[f64], sigma: &[f64]) {
///         sample mu ~ Normal(0.0, 5.0);
///         sample tau ~ HalfCauchy(5.0);
///         sample eta[y.len()] ~ Normal(0.0, 1.0);
///         for j in 0..y.len() {
///             let theta = mu + tau * eta[j];
///             observe y[j] ~ Normal(theta, sigma[j]);
///         }
///     }
/// }
///
/// # fn main() -> Result<(), ngvi::Error> {
/// let y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
/// let sigma = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];
/// let model = eight_schools(&y, &sigma); // a value implementing `ngvi::Model`
/// assert_eq!(model.dim()?, 10);
/// let lp = model.log_joint(&[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])?;
/// assert!(lp.is_finite());
/// let fit = Ngvi::new().seed(7).fit(&model)?;
/// println!("{}", fit.summary());
/// # Ok(())
/// # }
/// ```
///
/// `model! { [/// docs] [pub] fn NAME(DATA ARGS) { STATEMENTS } }` generates a struct (the
/// CamelCase of `NAME`) that holds the data and implements [`Model`], and a function
/// `NAME(data…)` that builds it. Statements: `sample NAME ~ D(..);`,
/// `sample NAME[LEN] ~ D(..);`, `sample NAME ~ Dirichlet(alpha);`, `observe EXPR ~ D(..);`,
/// `factor EXPR;`, `track NAME = EXPR;` (a derived quantity, summarised per draw), `let`,
/// `for` over data, `if` on data, and plain Rust expressions; `D(..).ln_density(x)` is a
/// log density in any expression.
/// Mistakes the source shows (an unknown distribution, a latent sampled twice, a `sample`
/// inside a loop, …) are compile errors pointing at the offending tokens; mistakes in the
/// data (a Bernoulli `y` of 2, data of the wrong length, …) are [`ModelError`]s, never
/// panics.
///
/// The language reference, with every distribution and every error, is
/// [`docs/language.md`](https://github.com/ngvi-rs/ngvi/blob/main/docs/language.md).
pub use ngvi_macros::model;

#[doc(hidden)]
pub mod macro_support;

/// The language reference, `docs/language.md`, as the documentation of an item that exists
/// only for doc tests: every Rust code block in it — the examples and the patterns — is
/// compiled and run by `cargo test`, so the reference users read is the one tested (and
/// not a copy beside the `model!` docs).
#[cfg(doctest)]
#[doc = include_str!("../docs/language.md")]
pub struct LanguageReference;

/// README.md, as the documentation of an item that exists only for doc tests: its program
/// is compiled and run by `cargo test`, so the program a newcomer copies from it works.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct Readme;

/// Everything a model file needs: `use ngvi::prelude::*;`.
pub mod prelude {
    pub use crate::model;
    pub use nalgebra::{DMatrix, DVector};
    pub use ngvi_core::ad::{
        dot, ln_beta, log_sum_exp, sigmoid, softplus, Dual, Dual2, DualDiag, F64Ops, Scalar,
    };
    pub use ngvi_core::dist::*;
    #[cfg(feature = "nuts")]
    pub use ngvi_core::Nuts;
    pub use ngvi_core::{
        Advi, Error, ExpFamily, Expectation, Fit, Guide, IterationInfo, Model, ModelError, Ngvi,
        StopReason,
    };
}
