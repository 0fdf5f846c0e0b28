//! [`DISTS`]: every distribution of the language, in the order of `docs/language.md`.

use crate::Domain::{AbovePrevious, Count, Positive, Probability, Real, Vector};
use crate::{DistSpec, SupportKind as K};

/// The parameter list of a row in both views: `(name, domain)` pairs and the names alone.
macro_rules! params {
    ($($name:ident: $domain:expr),* $(,)?) => {
        Params {
            with_domains: &[$((stringify!($name), $domain)),*],
            names: &[$(stringify!($name)),*],
        }
    };
}

struct Params {
    with_domains: &'static [(&'static str, crate::Domain)],
    names: &'static [&'static str],
}

/// A proper, univariate row whose support depends on no parameter.
const fn row(name: &'static str, params: Params, discrete: bool, support: K) -> DistSpec {
    DistSpec {
        name,
        params: params.with_domains,
        param_names: params.names,
        discrete,
        support,
        improper: false,
        multivariate: false,
        support_params: &[],
        statistics: false,
        kinked: false,
    }
}

/// The row, marked as having sufficient statistics (`DistSpec::statistics`).
const fn with_statistics(row: DistSpec) -> DistSpec {
    DistSpec {
        statistics: true,
        ..row
    }
}

/// Every distribution, in the order of the language reference. `ngvi_core::dist::DistKind`
/// has one variant per row, in the same order.
pub static DISTS: &[DistSpec] = &[
    with_statistics(row(
        "Normal",
        params!(mean: Real, sd: Positive),
        false,
        K::Real,
    )),
    with_statistics(row("HalfNormal", params!(sd: Positive), false, K::Positive)),
    with_statistics(row(
        "LogNormal",
        params!(mu: Real, sigma: Positive),
        false,
        K::Positive,
    )),
    row(
        "StudentT",
        params!(df: Positive, loc: Real, scale: Positive),
        false,
        K::Real,
    ),
    row(
        "HalfStudentT",
        params!(df: Positive, scale: Positive),
        false,
        K::Positive,
    ),
    row(
        "Cauchy",
        params!(loc: Real, scale: Positive),
        false,
        K::Real,
    ),
    row("HalfCauchy", params!(scale: Positive), false, K::Positive),
    DistSpec {
        kinked: true,
        ..row(
            "Laplace",
            params!(loc: Real, scale: Positive),
            false,
            K::Real,
        )
    },
    with_statistics(row(
        "Exponential",
        params!(rate: Positive),
        false,
        K::Positive,
    )),
    with_statistics(row(
        "Gamma",
        params!(shape: Positive, rate: Positive),
        false,
        K::Positive,
    )),
    with_statistics(row(
        "InverseGamma",
        params!(shape: Positive, scale: Positive),
        false,
        K::Positive,
    )),
    with_statistics(row(
        "Beta",
        params!(a: Positive, b: Positive),
        false,
        K::UnitInterval,
    )),
    DistSpec {
        support_params: &[0, 1],
        ..row(
            "Uniform",
            params!(lo: Real, hi: AbovePrevious),
            false,
            K::Interval,
        )
    },
    DistSpec {
        multivariate: true,
        ..row("Dirichlet", params!(alpha: Vector), false, K::Simplex)
    },
    with_statistics(row("Bernoulli", params!(p: Probability), true, K::Binary)),
    with_statistics(row("BernoulliLogit", params!(logit: Real), true, K::Binary)),
    with_statistics(DistSpec {
        support_params: &[0],
        ..row(
            "Binomial",
            params!(n: Count, p: Probability),
            true,
            K::UpToN,
        )
    }),
    with_statistics(DistSpec {
        support_params: &[0],
        ..row(
            "BinomialLogit",
            params!(n: Count, logit: Real),
            true,
            K::UpToN,
        )
    }),
    with_statistics(row("Poisson", params!(rate: Positive), true, K::Counts)),
    with_statistics(row("PoissonLog", params!(log_rate: Real), true, K::Counts)),
    with_statistics(row("Categorical", params!(p: Vector), true, K::Categories)),
    row(
        "NegativeBinomial",
        params!(mu: Positive, phi: Positive),
        true,
        K::Counts,
    ),
    DistSpec {
        improper: true,
        ..row("Flat", params!(), false, K::Real)
    },
    DistSpec {
        improper: true,
        ..row("HalfFlat", params!(), false, K::Positive)
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup;

    #[test]
    fn names_are_unique_and_found() {
        assert_eq!(DISTS.len(), 24);
        for d in DISTS {
            let first = lookup(d.name).expect("listed");
            assert!(std::ptr::eq(first, d), "{} appears twice", d.name);
        }
        assert!(lookup("Normall").is_none());
    }

    #[test]
    fn the_two_views_of_the_parameters_agree() {
        for d in DISTS {
            let names: Vec<&str> = d.params.iter().map(|p| p.0).collect();
            assert_eq!(names, d.param_names, "{}", d.name);
        }
    }

    #[test]
    fn parameter_indices_are_in_range() {
        for d in DISTS {
            assert!(d.support_params.iter().all(|&i| i < d.params.len()));
            let first = d.params.first().map(|p| p.1);
            assert_ne!(
                first,
                Some(AbovePrevious),
                "{}: no parameter before it",
                d.name
            );
        }
    }

    #[test]
    fn signatures() {
        assert_eq!(
            lookup("Normal").map(DistSpec::signature).as_deref(),
            Some("Normal(mean, sd)")
        );
        assert_eq!(
            lookup("Flat").map(DistSpec::signature).as_deref(),
            Some("Flat()")
        );
        let count = lookup("Binomial").map(|d| d.params[0].1);
        assert_eq!(count, Some(Count));
    }
}
