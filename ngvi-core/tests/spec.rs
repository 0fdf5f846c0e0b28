//! `DistKind` and the distribution structs agree with the spec table they read
//! (`ngvi_core::spec::DISTS`): the same distributions in the same order, constructors that
//! check each parameter against the table's domain and name it in the error, accessors that
//! return what was given, and the conjugate pairs looked up through `DistKind`.

use std::collections::HashSet;

use ngvi_core::dist::*;
use ngvi_core::spec::{self, Family, LatentForm};

#[test]
fn dist_kind_matches_the_table_in_count_order_and_names() {
    assert_eq!(DistKind::ALL.len(), spec::DISTS.len());
    let distinct: HashSet<DistKind> = DistKind::ALL.into_iter().collect();
    assert_eq!(
        distinct.len(),
        DistKind::ALL.len(),
        "DistKind::ALL lists a kind twice"
    );
    for (i, (kind, row)) in DistKind::ALL.into_iter().zip(spec::DISTS).enumerate() {
        // the variant's own identifier, not the table's name read back
        assert_eq!(format!("{kind:?}"), row.name, "DistKind::ALL[{i}]");
        assert_eq!(kind as usize, i, "{kind:?} is declared at another index");
        assert!(std::ptr::eq(kind.spec(), row));
        assert_eq!(kind.name(), row.name);
        assert_eq!(kind.params(), row.param_names);
        assert_eq!(kind.is_discrete(), row.discrete);
        assert_eq!(kind.signature(), row.signature());
        assert_eq!(kind.to_string(), row.name);
    }
}

#[test]
fn fixed_supports_follow_the_table() {
    let expect = [
        (DistKind::Normal, Some(Support::Real)),
        (DistKind::HalfCauchy, Some(Support::Positive)),
        (DistKind::Beta, Some(Support::UnitInterval)),
        (DistKind::Dirichlet, Some(Support::Simplex)),
        (DistKind::BernoulliLogit, Some(Support::Binary)),
        (DistKind::NegativeBinomial, Some(Support::Counts)),
        (DistKind::HalfFlat, Some(Support::Positive)),
        (DistKind::Uniform, None),
        (DistKind::BinomialLogit, None),
        (DistKind::Categorical, None),
    ];
    for (kind, support) in expect {
        assert_eq!(kind.fixed_support(), support, "{kind}");
    }
}

/// Build `kind` from `args` through its constructor; its parameter values read back.
fn build(kind: DistKind, a: &[f64]) -> Result<Vec<f64>, ParamError> {
    let arg = |i: usize| a.get(i).copied().unwrap_or(f64::NAN);
    let (x, y, z) = (arg(0), arg(1), arg(2));
    Ok(match kind {
        DistKind::Normal => Normal::new(x, y)?.param_values(),
        DistKind::HalfNormal => HalfNormal::new(x)?.param_values(),
        DistKind::LogNormal => LogNormal::new(x, y)?.param_values(),
        DistKind::StudentT => StudentT::new(x, y, z)?.param_values(),
        DistKind::HalfStudentT => HalfStudentT::new(x, y)?.param_values(),
        DistKind::Cauchy => Cauchy::new(x, y)?.param_values(),
        DistKind::HalfCauchy => HalfCauchy::new(x)?.param_values(),
        DistKind::Laplace => Laplace::new(x, y)?.param_values(),
        DistKind::Exponential => Exponential::new(x)?.param_values(),
        DistKind::Gamma => Gamma::new(x, y)?.param_values(),
        DistKind::InverseGamma => InverseGamma::new(x, y)?.param_values(),
        DistKind::Beta => Beta::new(x, y)?.param_values(),
        DistKind::Uniform => Uniform::new(x, y)?.param_values(),
        DistKind::Dirichlet => Dirichlet::new(a.to_vec())?.param_values(),
        DistKind::Bernoulli => Bernoulli::new(x)?.param_values(),
        DistKind::BernoulliLogit => BernoulliLogit::new(x)?.param_values(),
        DistKind::Binomial => Binomial::new(x, y)?.param_values(),
        DistKind::BinomialLogit => BinomialLogit::new(x, y)?.param_values(),
        DistKind::Poisson => Poisson::new(x)?.param_values(),
        DistKind::PoissonLog => PoissonLog::new(x)?.param_values(),
        DistKind::Categorical => Categorical::new(a.to_vec())?.p().to_vec(),
        DistKind::NegativeBinomial => NegativeBinomial::new(x, y)?.param_values(),
        DistKind::Flat => Flat::new()?.param_values(),
        DistKind::HalfFlat => HalfFlat::new()?.param_values(),
    })
}

/// A value inside `domain` (above `previous` for `AbovePrevious`), and one outside it.
fn inside_and_outside(domain: spec::Domain, previous: f64) -> (f64, f64) {
    match domain {
        spec::Domain::Real => (0.3, f64::NAN),
        spec::Domain::Positive => (1.5, -1.0),
        spec::Domain::Probability => (0.25, 1.5),
        spec::Domain::Count => (4.0, 2.5),
        spec::Domain::AbovePrevious => (previous + 1.0, previous - 1.0),
        spec::Domain::Vector => (0.5, -1.0),
    }
}

#[test]
fn constructors_check_each_parameter_against_the_table_and_accessors_read_it_back() {
    for kind in DistKind::ALL {
        let row = kind.spec();
        if row.multivariate || row.params.iter().any(|p| p.1 == spec::Domain::Vector) {
            continue;
        }
        let mut valid = Vec::new();
        let mut invalid = Vec::new();
        for &(_, domain) in row.params {
            let previous = valid.last().copied().unwrap_or(0.0);
            let (inside, outside) = inside_and_outside(domain, previous);
            valid.push(inside);
            invalid.push(outside);
        }
        assert_eq!(build(kind, &valid), Ok(valid.clone()), "{kind}");
        for (j, &(name, _)) in row.params.iter().enumerate() {
            let mut args = valid.clone();
            args[j] = invalid[j];
            let err = build(kind, &args).expect_err("a parameter outside its domain");
            assert_eq!((err.dist, err.param), (kind, name), "{kind} argument {j}");
        }
    }
    assert_eq!(build(DistKind::Dirichlet, &[1.0, 2.0]), Ok(vec![1.0, 2.0]));
    assert_eq!(
        build(DistKind::Categorical, &[0.25, 0.75]),
        Ok(vec![0.25, 0.75])
    );
}

#[test]
fn accessors_are_named_after_the_parameters() -> Result<(), ParamError> {
    let normal = Normal::new(1.0, 2.0)?;
    assert_eq!((*normal.mean_param(), *normal.sd()), (1.0, 2.0));
    assert_eq!(normal.mean(), Some(1.0)); // the moment, from `Sampling`
    let t = StudentT::new(3.0, -1.0, 0.5)?;
    assert_eq!((*t.df(), *t.loc(), *t.scale()), (3.0, -1.0, 0.5));
    let u = Uniform::new(-2.0, 5.0)?;
    assert_eq!((*u.lo(), *u.hi()), (-2.0, 5.0));
    let nb = NegativeBinomial::new(4.0, 0.5)?;
    assert_eq!((*nb.mu(), *nb.phi()), (4.0, 0.5));
    assert_eq!(Dirichlet::new(vec![1.0, 3.0])?.alpha(), &[1.0, 3.0]);
    assert_eq!(*PoissonLog::new(0.7)?.log_rate(), 0.7);
    Ok(())
}

#[test]
fn conjugate_pairs_through_dist_kind() {
    let unit: &[f64] = &[0.0, 1.0];
    assert_eq!(
        DistKind::Uniform.conjugate_family(Some(unit)),
        Some(Family::Beta)
    );
    assert_eq!(DistKind::Uniform.conjugate_family(Some(&[0.0, 2.0])), None);
    assert_eq!(DistKind::Uniform.conjugate_family(None), None);
    assert_eq!(DistKind::Beta.conjugate_family(None), Some(Family::Beta));
    assert_eq!(
        DistKind::Exponential.conjugate_family(Some(&[2.0])),
        Some(Family::Gamma)
    );
    let ig = DistKind::InverseGamma.conjugate_family(None);
    assert_eq!(ig, Some(Family::InverseGamma));
    assert_eq!(
        DistKind::Dirichlet.conjugate_family(None),
        Some(Family::Dirichlet)
    );
    assert_eq!(
        DistKind::Laplace.conjugate_family(None),
        Some(Family::Gaussian)
    );
    assert_eq!(DistKind::HalfNormal.conjugate_family(None), None);

    let form = |prior: DistKind, params: Option<&[f64]>, dist: DistKind, arg: usize| {
        prior.conjugate_form(params, dist, arg)
    };
    let gamma_sd = form(DistKind::Gamma, None, DistKind::Normal, 1);
    assert_eq!(gamma_sd, Some(LatentForm::InvSqrt));
    let ig_sd = form(DistKind::InverseGamma, None, DistKind::Normal, 1);
    assert_eq!(ig_sd, Some(LatentForm::Sqrt));
    let mean = form(DistKind::Flat, None, DistKind::Normal, 0);
    assert_eq!(mean, Some(LatentForm::Linear));
    let p = form(DistKind::Uniform, Some(unit), DistKind::Binomial, 1);
    assert_eq!(p, Some(LatentForm::Direct));
    assert_eq!(form(DistKind::Beta, None, DistKind::Binomial, 0), None);
    assert_eq!(form(DistKind::Gamma, None, DistKind::Normal, 0), None);
}
