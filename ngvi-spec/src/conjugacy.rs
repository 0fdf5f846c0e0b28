//! The conjugate pairs: which guide family each prior has ([`CONJUGATE_PRIORS`]), and in
//! which argument of which likelihood, written in which form, a latent of that family is
//! used conjugately ([`CONJUGATE_USES`]).
//!
//! The `model!` macro reads both to mark a use as conjugate when the syntax shows the
//! form; ngvi-core reads [`conjugate_family_of`] to pick a latent's candidate family and
//! confirms the choice numerically (docs/design.md §3).

/// A guide family with conjugate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// The joint Gaussian block, on the latent's own (real) scale.
    Gaussian,
    /// Gamma(shape, rate), on (0, ∞).
    Gamma,
    /// InverseGamma(shape, scale), on (0, ∞).
    InverseGamma,
    /// Beta(a, b), on (0, 1).
    Beta,
    /// Dirichlet(alpha), on the simplex.
    Dirichlet,
}

/// A prior whose latent has a conjugate family.
#[derive(Debug)]
pub struct ConjugatePrior {
    /// The prior's distribution name (a row of [`crate::DISTS`]).
    pub prior: &'static str,
    /// The family.
    pub family: Family,
    /// Only when the prior's parameters are exactly (0, 1) (Uniform(0, 1) is Beta(1, 1)).
    pub only_unit_bounds: bool,
}

/// How a latent must appear in a likelihood's argument for the use to be conjugate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatentForm {
    /// The latent itself (or an element of a vector latent): the `p` of `Bernoulli(p)`.
    Direct,
    /// A precision through an sd: `1.0 / tau.sqrt()` as the `Normal` sd.
    InvSqrt,
    /// A variance through an sd: `v.sqrt()` as the `Normal` sd.
    Sqrt,
    /// Affine in the latent: `a + b * mu` as the `Normal` mean.
    Linear,
}

/// A conjugate use: a latent of `family` as argument `arg` of `likelihood`, in `form`.
#[derive(Debug)]
pub struct ConjugateUse {
    /// The latent's family.
    pub family: Family,
    /// The distribution the latent is an argument of (a row of [`crate::DISTS`]).
    pub likelihood: &'static str,
    /// Which argument, 0-based.
    pub arg: usize,
    /// How the latent must appear in it.
    pub form: LatentForm,
}

const fn prior(prior: &'static str, family: Family) -> ConjugatePrior {
    ConjugatePrior {
        prior,
        family,
        only_unit_bounds: false,
    }
}

/// Every prior with a conjugate family. Priors with real support are conjugate to the
/// Gaussian block; a prior not listed has none.
pub static CONJUGATE_PRIORS: &[ConjugatePrior] = &[
    prior("Normal", Family::Gaussian),
    prior("StudentT", Family::Gaussian),
    prior("Cauchy", Family::Gaussian),
    prior("Laplace", Family::Gaussian),
    prior("Flat", Family::Gaussian),
    prior("Gamma", Family::Gamma),
    prior("Exponential", Family::Gamma),
    prior("InverseGamma", Family::InverseGamma),
    prior("Beta", Family::Beta),
    ConjugatePrior {
        only_unit_bounds: true,
        ..prior("Uniform", Family::Beta)
    },
    prior("Dirichlet", Family::Dirichlet),
];

const fn used(
    family: Family,
    likelihood: &'static str,
    arg: usize,
    form: LatentForm,
) -> ConjugateUse {
    ConjugateUse {
        family,
        likelihood,
        arg,
        form,
    }
}

/// Every conjugate use.
pub static CONJUGATE_USES: &[ConjugateUse] = &[
    used(Family::Beta, "Bernoulli", 0, LatentForm::Direct),
    used(Family::Beta, "Binomial", 1, LatentForm::Direct),
    used(Family::Gamma, "Poisson", 0, LatentForm::Direct),
    used(Family::Gamma, "Exponential", 0, LatentForm::Direct),
    used(Family::Gamma, "Gamma", 1, LatentForm::Direct),
    used(Family::Gamma, "Normal", 1, LatentForm::InvSqrt),
    used(Family::InverseGamma, "Normal", 1, LatentForm::Sqrt),
    used(Family::Dirichlet, "Categorical", 0, LatentForm::Direct),
    used(Family::Gaussian, "Normal", 0, LatentForm::Linear),
];

/// Whether a prior's parameter values are exactly the unit bounds (0, 1).
pub fn is_unit_bounds(params: &[f64]) -> bool {
    params == [0.0, 1.0]
}

/// The conjugate family of a latent with prior `prior`; `unit_bounds` says whether the
/// prior's parameters are known to be exactly (0, 1) (see [`is_unit_bounds`]).
pub fn conjugate_family_of(prior: &str, unit_bounds: bool) -> Option<Family> {
    CONJUGATE_PRIORS
        .iter()
        .find(|c| c.prior == prior && (unit_bounds || !c.only_unit_bounds))
        .map(|c| c.family)
}

/// The form a latent with prior `prior` must take as argument `arg` of `likelihood` for the
/// use to be conjugate; `None` when no form is.
pub fn conjugate_form(
    prior: &str,
    unit_bounds: bool,
    likelihood: &str,
    arg: usize,
) -> Option<LatentForm> {
    let family = conjugate_family_of(prior, unit_bounds)?;
    CONJUGATE_USES
        .iter()
        .find(|u| u.family == family && u.likelihood == likelihood && u.arg == arg)
        .map(|u| u.form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup;

    #[test]
    fn every_name_is_a_distribution_and_every_argument_exists() {
        for c in CONJUGATE_PRIORS {
            let d = lookup(c.prior).expect("a prior in the table");
            assert!(d.is_prior(), "{}", c.prior);
        }
        for u in CONJUGATE_USES {
            let d = lookup(u.likelihood).expect("a likelihood in the table");
            assert!(d.is_likelihood(), "{}", u.likelihood);
            assert!(
                u.arg < d.params.len(),
                "{} has no argument {}",
                u.likelihood,
                u.arg
            );
        }
    }

    #[test]
    fn lookups() {
        let gamma = conjugate_form("Exponential", false, "Normal", 1);
        assert_eq!(gamma, Some(LatentForm::InvSqrt));
        assert_eq!(conjugate_form("Uniform", false, "Bernoulli", 0), None);
        let unit = conjugate_form("Uniform", true, "Bernoulli", 0);
        assert_eq!(unit, Some(LatentForm::Direct));
        assert_eq!(conjugate_family_of("HalfNormal", true), None);
        assert_eq!(conjugate_family_of("Flat", false), Some(Family::Gaussian));
        assert_eq!(conjugate_form("Beta", false, "Binomial", 0), None);
    }
}
