//! [`DistKind`]: every distribution of the language as an enum, over the spec table
//! (`ngvi_spec::DISTS`): `DistKind::ALL[i]` is the row `DISTS[i]`, and the name, the
//! parameters, discreteness and the support are read from that row.

use std::fmt;

use ngvi_spec::{DistSpec, Family, LatentForm};

use super::Support;

/// Every distribution the modelling language knows, in the order of the spec table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistKind {
    Normal,
    HalfNormal,
    LogNormal,
    StudentT,
    HalfStudentT,
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
    /// Every kind, in the order of the language reference (and of `ngvi_spec::DISTS`).
    pub const ALL: [DistKind; 24] = [
        DistKind::Normal,
        DistKind::HalfNormal,
        DistKind::LogNormal,
        DistKind::StudentT,
        DistKind::HalfStudentT,
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

    /// The row of the spec table: `DistKind::ALL[i].spec()` is `&ngvi_spec::DISTS[i]`.
    pub const fn spec(self) -> &'static DistSpec {
        &ngvi_spec::DISTS[self as usize]
    }

    /// The name as written in a model.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Parameter names, in order.
    pub fn params(self) -> &'static [&'static str] {
        self.spec().param_names
    }

    /// Whether the distribution is over integers (for `observe` only).
    pub fn is_discrete(self) -> bool {
        self.spec().discrete
    }

    /// Whether the distribution implements [`Statistics`](super::Statistics): its log
    /// density summed over observations needs only their sufficient statistics.
    pub fn has_statistics(self) -> bool {
        self.spec().statistics
    }

    /// The support when it does not depend on the parameters
    /// (`None` for Uniform, Binomial, BinomialLogit and Categorical).
    pub fn fixed_support(self) -> Option<Support> {
        Support::fixed(self.spec().support)
    }

    /// `Normal(mean, sd)`: the signature shown in errors and docs.
    pub fn signature(self) -> String {
        self.spec().signature()
    }

    /// The conjugate family of a latent with this prior, from the spec table's conjugate
    /// pairs (`ngvi_spec::CONJUGATE_PRIORS`); `prior_params` as in `Latent::prior_params`
    /// (a Uniform prior has one only when its bounds are known to be (0, 1)).
    /// [`Family::Gaussian`] means the joint Gaussian block on the latent's own scale.
    pub fn conjugate_family(self, prior_params: Option<&[f64]>) -> Option<Family> {
        let unit_bounds = prior_params.is_some_and(ngvi_spec::is_unit_bounds);
        ngvi_spec::conjugate_family_of(self.name(), unit_bounds)
    }

    /// How a latent with this prior must appear as argument `arg` of `likelihood` for the use
    /// to be conjugate (`ngvi_spec::CONJUGATE_USES`); `None` when no form is.
    pub fn conjugate_form(
        self,
        prior_params: Option<&[f64]>,
        likelihood: DistKind,
        arg: usize,
    ) -> Option<LatentForm> {
        let unit_bounds = prior_params.is_some_and(ngvi_spec::is_unit_bounds);
        ngvi_spec::conjugate_form(self.name(), unit_bounds, likelihood.name(), arg)
    }
}

impl fmt::Display for DistKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `name` and `params` are the name and the parameter names of `kind`'s row in the
/// spec table, in order: asserted at compile time for every distribution struct, so a
/// struct, its `DistKind` variant and its row cannot disagree.
pub(super) const fn row_matches(kind: DistKind, name: &str, params: &[&str]) -> bool {
    let spec = kind.spec();
    if !str_eq(spec.name, name) || spec.param_names.len() != params.len() {
        return false;
    }
    let mut i = 0;
    while i < params.len() {
        if !str_eq(spec.param_names[i], params[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// `a == b`, in a `const fn`.
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
