//! Where a distribution puts its mass ([`Support`]), the domains its parameters must lie
//! in ([`Domain`]), the error for a parameter outside its domain ([`ParamError`]), and the
//! domain check, written once: every constructor runs it, reading the parameters' names
//! and domains from the spec table.

use std::fmt;

use ngvi_spec::{self as spec, SupportKind};

use super::DistKind;

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
    /// The support of a kind that does not depend on the parameters' values (`None` for an
    /// interval, {0, …, n} and categories).
    pub(super) fn fixed(kind: SupportKind) -> Option<Support> {
        Some(match kind {
            SupportKind::Real => Support::Real,
            SupportKind::Positive => Support::Positive,
            SupportKind::UnitInterval => Support::UnitInterval,
            SupportKind::Simplex => Support::Simplex,
            SupportKind::Binary => Support::Binary,
            SupportKind::Counts => Support::Counts,
            SupportKind::Interval | SupportKind::UpToN | SupportKind::Categories => return None,
        })
    }

    /// Whether the scalar `x` lies in the support (for `Simplex`, whether it is a valid
    /// component: in [0, 1]).
    #[inline]
    pub fn contains(&self, x: f64) -> bool {
        let integer = is_whole;
        match *self {
            Support::Real => x.is_finite(),
            Support::Positive => x > 0.0 && x.is_finite(),
            Support::UnitInterval => x > 0.0 && x < 1.0,
            Support::Interval(lo, hi) => x > lo && x < hi,
            Support::Simplex => (0.0..=1.0).contains(&x),
            Support::Binary => x == 0.0 || x == 1.0,
            Support::Counts => x >= 0.0 && x.is_finite() && integer(x),
            Support::UpTo(n) => x >= 0.0 && x <= n as f64 && integer(x),
            Support::Categories(k) => x >= 0.0 && x < k as f64 && integer(x),
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
    /// a vector with at least this many components (the error's value is the count given)
    AtLeastComponents(usize),
    /// a vector whose components sum to 1 (the error's value is their sum)
    SumToOne,
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Real => write!(f, "a finite number"),
            Domain::Positive => write!(f, "> 0"),
            Domain::Probability => write!(f, "in [0, 1]"),
            Domain::Count => write!(f, "a non-negative integer"),
            Domain::Above(p) => write!(f, "greater than {p}"),
            Domain::AtLeastComponents(n) => write!(f, "at least {n} components long"),
            Domain::SumToOne => write!(f, "a vector summing to 1"),
        }
    }
}

impl Domain {
    /// The domain a scalar parameter's own value is checked against, for a domain of the
    /// spec table (finiteness for a parameter above another; the comparison is separate).
    fn of_scalar(domain: spec::Domain) -> Domain {
        match domain {
            spec::Domain::Positive => Domain::Positive,
            spec::Domain::Probability => Domain::Probability,
            spec::Domain::Count => Domain::Count,
            spec::Domain::Real | spec::Domain::AbovePrevious | spec::Domain::Vector => Domain::Real,
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
        let sig = self.dist.signature();
        match self.domain {
            // The value is a count or a sum, not a component: say which.
            Domain::AtLeastComponents(n) => {
                let noun = if self.value == 1.0 {
                    "component"
                } else {
                    "components"
                };
                return write!(
                    f,
                    "{sig}: {} has {} {noun}; it must have at least {n}",
                    self.param, self.value
                );
            }
            Domain::SumToOne => {
                return write!(
                    f,
                    "{sig}: the components of {} sum to {}; they must sum to 1",
                    self.param, self.value
                );
            }
            _ => {}
        }
        write!(
            f,
            "{sig}: {} = {} must be {}",
            self.param, self.value, self.domain
        )
    }
}

impl std::error::Error for ParamError {}

/// Check that `value` lies in `domain`.
pub(super) fn check(
    dist: DistKind,
    param: &'static str,
    value: f64,
    domain: Domain,
) -> Result<(), ParamError> {
    let ok = match domain {
        Domain::Real => value.is_finite(),
        Domain::Positive => value > 0.0 && value.is_finite(),
        Domain::Probability => (0.0..=1.0).contains(&value),
        Domain::Count => value >= 0.0 && is_whole(value),
        Domain::Above(_) | Domain::AtLeastComponents(_) | Domain::SumToOne => true,
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

/// Whether x is a finite whole number, without floor (a libm call on baseline x86-64, once a
/// tenth of a logistic fit's time): every f64 of magnitude 2⁵² or more is whole.
#[inline]
pub(crate) fn is_whole(x: f64) -> bool {
    if x.abs() < 4_503_599_627_370_496.0 {
        (x as i64) as f64 == x
    } else {
        x.is_finite()
    }
}

/// Check the scalar parameters of `dist`, in order, against their domains in the spec table
/// (`ngvi_spec::DISTS`); the error names the first outside its domain. A parameter that must
/// lie above the one before it is first checked finite, then above. Every density of every
/// pass makes this check, so the test inlines and the error is built apart (a fifth of a
/// value pass of the hierarchical model at 10⁵ rows went here).
#[inline]
pub(super) fn check_params(dist: DistKind, values: &[f64]) -> Result<(), ParamError> {
    if params_in_domain(dist, values) {
        Ok(())
    } else {
        first_param_error(dist, values)
    }
}

/// Whether every parameter passes `check_params`.
#[inline]
fn params_in_domain(dist: DistKind, values: &[f64]) -> bool {
    let mut previous = f64::NEG_INFINITY;
    for (&(_, domain), &value) in dist.spec().params.iter().zip(values) {
        let ok = match Domain::of_scalar(domain) {
            Domain::Real => value.is_finite(),
            Domain::Positive => value > 0.0 && value.is_finite(),
            Domain::Probability => (0.0..=1.0).contains(&value),
            Domain::Count => value >= 0.0 && is_whole(value),
            Domain::Above(_) | Domain::AtLeastComponents(_) | Domain::SumToOne => true,
        };
        let above = domain != spec::Domain::AbovePrevious || value > previous;
        if !(ok && above) {
            return false;
        }
        previous = value;
    }
    true
}

/// The error `check_params` gives for parameters that are not all in their domains.
#[cold]
fn first_param_error(dist: DistKind, values: &[f64]) -> Result<(), ParamError> {
    let mut previous: Option<(&'static str, f64)> = None;
    for (&(param, domain), &value) in dist.spec().params.iter().zip(values) {
        check(dist, param, value, Domain::of_scalar(domain))?;
        if let (spec::Domain::AbovePrevious, Some((lower_name, lower))) = (domain, previous) {
            check_above(dist, param, value, lower_name, lower)?;
        }
        previous = Some((param, value));
    }
    Ok(())
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
