//! The distributions of the modelling language, mirroring `ngvi_core::dist::DistKind`
//! (a proc-macro crate cannot depend on ngvi-core).

/// The domain a parameter must lie in (checked on literals at compile time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// finite
    Real,
    /// > 0
    Positive,
    /// in [0, 1]
    Probability,
    /// a non-negative integer
    Count,
    /// greater than the parameter before it
    AbovePrevious,
    /// a vector (Dirichlet alpha: entries > 0; Categorical p: a probability vector)
    Vector,
}

impl Domain {
    /// What the domain means, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Real => "a finite number",
            Domain::Positive => "> 0",
            Domain::Probability => "in [0, 1]",
            Domain::Count => "a non-negative integer",
            Domain::AbovePrevious => "greater than the parameter before it",
            Domain::Vector => "a vector",
        }
    }

    /// Whether a literal value lies in the domain.
    pub fn admits(self, x: f64) -> bool {
        match self {
            Domain::Real | Domain::AbovePrevious | Domain::Vector => x.is_finite(),
            Domain::Positive => x > 0.0 && x.is_finite(),
            Domain::Probability => (0.0..=1.0).contains(&x),
            Domain::Count => x >= 0.0 && x == x.floor() && x.is_finite(),
        }
    }

    /// A value in the domain, to suggest in messages.
    pub fn example(self) -> &'static str {
        match self {
            Domain::Positive => "1.0",
            Domain::Probability => "0.5",
            Domain::Count => "10",
            _ => "0.0",
        }
    }
}

/// Where a distribution puts its mass, as far as the macro needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportKind {
    Real,
    Positive,
    UnitInterval,
    /// Uniform(lo, hi)
    Interval,
    Simplex,
    Binary,
    Counts,
    /// Binomial: {0, …, n}
    UpToN,
    /// Categorical: {0, …, K − 1}
    Categories,
}

/// One distribution of the language.
#[derive(Debug)]
pub struct Dist {
    pub name: &'static str,
    pub params: &'static [(&'static str, Domain)],
    pub discrete: bool,
    pub support: SupportKind,
    /// Flat and HalfFlat: for `sample` only.
    pub improper: bool,
    /// Dirichlet: not univariate (a simplex-valued latent).
    pub multivariate: bool,
    /// Indices of the parameters the support depends on (Uniform bounds, Binomial n).
    pub support_params: &'static [usize],
}

impl Dist {
    /// `Normal(mean, sd)`
    pub fn signature(&self) -> String {
        let names: Vec<&str> = self.params.iter().map(|p| p.0).collect();
        format!("{}({})", self.name, names.join(", "))
    }
}

use Domain::*;
use SupportKind as K;

const fn d(
    name: &'static str,
    params: &'static [(&'static str, Domain)],
    discrete: bool,
    support: SupportKind,
) -> Dist {
    Dist {
        name,
        params,
        discrete,
        support,
        improper: false,
        multivariate: false,
        support_params: &[],
    }
}

/// Every distribution, in the order of the language reference.
pub static DISTS: &[Dist] = &[
    d(
        "Normal",
        &[("mean", Real), ("sd", Positive)],
        false,
        K::Real,
    ),
    d("HalfNormal", &[("sd", Positive)], false, K::Positive),
    d(
        "LogNormal",
        &[("mu", Real), ("sigma", Positive)],
        false,
        K::Positive,
    ),
    d(
        "StudentT",
        &[("df", Positive), ("loc", Real), ("scale", Positive)],
        false,
        K::Real,
    ),
    d(
        "Cauchy",
        &[("loc", Real), ("scale", Positive)],
        false,
        K::Real,
    ),
    d("HalfCauchy", &[("scale", Positive)], false, K::Positive),
    d(
        "Laplace",
        &[("loc", Real), ("scale", Positive)],
        false,
        K::Real,
    ),
    d("Exponential", &[("rate", Positive)], false, K::Positive),
    d(
        "Gamma",
        &[("shape", Positive), ("rate", Positive)],
        false,
        K::Positive,
    ),
    d(
        "InverseGamma",
        &[("shape", Positive), ("scale", Positive)],
        false,
        K::Positive,
    ),
    d(
        "Beta",
        &[("a", Positive), ("b", Positive)],
        false,
        K::UnitInterval,
    ),
    Dist {
        support_params: &[0, 1],
        ..d(
            "Uniform",
            &[("lo", Real), ("hi", AbovePrevious)],
            false,
            K::Interval,
        )
    },
    Dist {
        multivariate: true,
        ..d("Dirichlet", &[("alpha", Vector)], false, K::Simplex)
    },
    d("Bernoulli", &[("p", Probability)], true, K::Binary),
    d("BernoulliLogit", &[("logit", Real)], true, K::Binary),
    Dist {
        support_params: &[0],
        ..d(
            "Binomial",
            &[("n", Count), ("p", Probability)],
            true,
            K::UpToN,
        )
    },
    Dist {
        support_params: &[0],
        ..d(
            "BinomialLogit",
            &[("n", Count), ("logit", Real)],
            true,
            K::UpToN,
        )
    },
    d("Poisson", &[("rate", Positive)], true, K::Counts),
    d("PoissonLog", &[("log_rate", Real)], true, K::Counts),
    d("Categorical", &[("p", Vector)], true, K::Categories),
    d(
        "NegativeBinomial",
        &[("mu", Positive), ("phi", Positive)],
        true,
        K::Counts,
    ),
    Dist {
        improper: true,
        ..d("Flat", &[], false, K::Real)
    },
    Dist {
        improper: true,
        ..d("HalfFlat", &[], false, K::Positive)
    },
];

/// The distribution called `name`.
pub fn lookup(name: &str) -> Option<&'static Dist> {
    DISTS.iter().find(|d| d.name == name)
}

/// Known names close to `name` (edit distance, case-insensitive), closest first.
pub fn did_you_mean(name: &str) -> Vec<&'static str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &'static str)> = DISTS
        .iter()
        .filter_map(|d| {
            let cand = d.name.to_lowercase();
            let dist = edit_distance(&lower, &cand);
            let limit = (cand.len().max(lower.len()) / 3).max(1);
            let prefix = lower.len() >= 3 && (cand.starts_with(&lower) || lower.starts_with(&cand));
            (dist <= limit || prefix).then_some((dist, d.name))
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, n)| n).collect()
}

/// Levenshtein distance.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("Normall"), vec!["Normal"]);
        assert_eq!(did_you_mean("normal")[0], "Normal");
        assert_eq!(did_you_mean("Gama")[0], "Gamma");
        assert!(did_you_mean("Zzzzzz").is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn signatures() {
        assert_eq!(
            lookup("Normal").map(Dist::signature).as_deref(),
            Some("Normal(mean, sd)")
        );
        assert_eq!(
            lookup("Flat").map(Dist::signature).as_deref(),
            Some("Flat()")
        );
        assert_eq!(DISTS.len(), 23);
    }
}
