//! Guide choice (DESIGN.md §3): which exponential family approximates each latent, and why.
//!
//! A latent whose prior has a conjugate family (Gamma/Exponential → Gamma, InverseGamma →
//! InverseGamma, Beta/Uniform(0, 1) → Beta, Dirichlet → Dirichlet) gets that family when the
//! log joint, as a function of the latent with the others held fixed, lies in
//! span{T(z)} + const. The macro's static facts say so where the syntax shows it; the choice
//! is confirmed numerically by matching the coefficients of T from forward-mode derivatives
//! at several probe points. Every other latent joins one joint Gaussian block, on the log
//! scale for positive support and the logit scale for a bounded one (with the Jacobian).

use crate::ad::{Dual2, Scalar};
use crate::dist::{DistKind, Support};
use crate::error::Error;
use crate::family::{Beta, Dirichlet, ExpFamily, Gamma, InverseGamma};
use crate::model::{Latent, LatentUse, Model};

/// A user's choice of guide for one latent (see `Ngvi::guide`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guide {
    /// Decide from the prior and the uses (the default).
    Auto,
    /// Put the latent in the joint Gaussian block even when a conjugate family exists.
    Gaussian,
}

/// How a coordinate of the Gaussian block maps to the latent's own scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// z = u
    Identity,
    /// z = eᵘ (positive support)
    Log,
    /// z = lo + (hi − lo) σ(u) (bounded support)
    Logit(f64, f64),
}

impl Transform {
    /// The transform for a support, or `None` when the Gaussian block cannot hold it.
    pub fn for_support(s: Support) -> Option<Transform> {
        match s {
            Support::Real => Some(Transform::Identity),
            Support::Positive => Some(Transform::Log),
            Support::UnitInterval => Some(Transform::Logit(0.0, 1.0)),
            Support::Interval(lo, hi) => Some(Transform::Logit(lo, hi)),
            _ => None,
        }
    }

    /// z = g(u) and ln |g′(u)|.
    pub fn forward<S: Scalar>(&self, u: S) -> (S, S) {
        match *self {
            Transform::Identity => (u, S::constant(0.0)),
            Transform::Log => (u.exp(), u),
            Transform::Logit(lo, hi) => {
                // ln g′ = ln(hi − lo) + ln σ(u) + ln σ(−u)
                let jac = u.ln_sigmoid() + (-u.clone()).ln_sigmoid() + (hi - lo).ln();
                (u.sigmoid() * (hi - lo) + lo, jac)
            }
        }
    }

    /// u = g⁻¹(z).
    pub fn inverse(&self, z: f64) -> f64 {
        match *self {
            Transform::Identity => z,
            Transform::Log => z.ln(),
            Transform::Logit(lo, hi) => {
                let p = (z - lo) / (hi - lo);
                (p / (1.0 - p)).ln()
            }
        }
    }

    /// "", " (log scale)", " (logit scale)"
    pub fn label(&self) -> &'static str {
        match self {
            Transform::Identity => "",
            Transform::Log => " (log scale)",
            Transform::Logit(..) => " (logit scale)",
        }
    }
}

/// What was chosen for one latent.
#[derive(Debug)]
pub enum Choice {
    /// Its own conjugate block.
    Conjugate(Box<dyn ExpFamily>),
    /// A part of the joint Gaussian block.
    Gaussian(Transform),
}

/// The conjugate family for a prior, initialised at the prior when its parameters are
/// constants.
fn conjugate_family(l: &Latent) -> Option<Box<dyn ExpFamily>> {
    let p = l.prior_params.as_deref();
    let fam: Box<dyn ExpFamily> = match (l.prior, p) {
        (DistKind::Gamma, Some([a, b])) => Box::new(Gamma::new(*a, *b).ok()?),
        (DistKind::Exponential, Some([r])) => Box::new(Gamma::new(1.0, *r).ok()?),
        (DistKind::Gamma | DistKind::Exponential, _) => Box::new(Gamma::new(1.0, 1.0).ok()?),
        (DistKind::InverseGamma, Some([a, b])) => Box::new(InverseGamma::new(*a, *b).ok()?),
        (DistKind::InverseGamma, _) => Box::new(InverseGamma::new(2.0, 1.0).ok()?),
        (DistKind::Beta, Some([a, b])) => Box::new(Beta::new(*a, *b).ok()?),
        (DistKind::Beta, _) => Box::new(Beta::new(1.0, 1.0).ok()?),
        (DistKind::Uniform, Some([lo, hi])) if *lo == 0.0 && *hi == 1.0 => {
            Box::new(Beta::new(1.0, 1.0).ok()?)
        }
        (DistKind::Dirichlet, Some(alpha)) => Box::new(Dirichlet::new(alpha.to_vec()).ok()?),
        (DistKind::Dirichlet, None) => Box::new(Dirichlet::new(vec![1.0; l.shape.len()]).ok()?),
        _ => return None,
    };
    Some(fam)
}

/// A short account of a latent's uses: "Bernoulli p ×1, Poisson rate ×2".
fn describe_uses(uses: &[&LatentUse]) -> String {
    let parts: Vec<String> = uses
        .iter()
        .map(|u| match (u.dist, u.arg) {
            (Some(d), Some(a)) => format!(
                "{} {}{}",
                d.name(),
                d.params().get(a).copied().unwrap_or("?"),
                if u.conjugate { "" } else { " (not conjugate)" }
            ),
            (Some(d), None) => format!("{} observed value", d.name()),
            (None, _) => "factor".to_string(),
        })
        .collect();
    if parts.is_empty() {
        "no uses".to_string()
    } else {
        parts.join(", ")
    }
}

/// A point of the latents' own scales to probe the log joint at: each conjugate candidate at
/// its prior mean, each other latent at u = 0 of its transform (0, 1 or the midpoint).
pub fn initial_point(latents: &[Latent]) -> Vec<f64> {
    let mut z = Vec::new();
    for l in latents {
        match (conjugate_family(l), Transform::for_support(l.support)) {
            (Some(fam), _) => z.extend(fam.mean()),
            (None, Some(t)) => z.extend(std::iter::repeat_n(t.forward(0.0).0, l.shape.len())),
            (None, None) => z.extend(std::iter::repeat_n(0.0, l.shape.len())),
        }
    }
    z
}

/// Whether the log joint is of the form c·T(z) + const in latent `l`'s coordinates, with
/// the others held at `base`: the coefficients matched at several points of z agree.
fn numerically_conjugate<M: Model>(
    model: &M,
    fam: &dyn ExpFamily,
    offset: usize,
    base: &[f64],
    rng: &mut dyn rand::Rng,
) -> Result<bool, Error> {
    let n = fam.dim();
    let mut first: Option<Vec<f64>> = None;
    for _ in 0..4 {
        let z_l = fam.sample(rng);
        let mut z: Vec<Dual2> = base.iter().map(|&v| Dual2::constant(v)).collect();
        for (i, &v) in z_l.iter().enumerate() {
            z[offset + i] = Dual2::variable(v, i, n);
        }
        let f = model.log_joint(&z)?;
        let (g, h) = (f.gradient(), f.hessian());
        if !f.value().is_finite() || g.len() != n {
            return Ok(false);
        }
        let (c, resid) = fam.match_coefficients(&z_l, &g, &h);
        if resid.is_nan() || resid >= 1e-8 || c.iter().any(|x| !x.is_finite()) {
            return Ok(false);
        }
        match &first {
            None => first = Some(c),
            Some(c0) => {
                let agree = c
                    .iter()
                    .zip(c0)
                    .all(|(a, b)| (a - b).abs() <= 1e-6 * b.abs().max(1.0));
                if !agree {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

/// Choose a guide per latent; returns each choice with its reason.
pub fn choose<M: Model>(
    model: &M,
    latents: &[Latent],
    overrides: &[(String, Guide)],
    base: &[f64],
    rng: &mut dyn rand::Rng,
) -> Result<Vec<(Choice, String)>, Error> {
    let uses = model.uses();
    let mut out = Vec::with_capacity(latents.len());
    let mut offset = 0;
    for l in latents {
        let my_uses: Vec<&LatentUse> = uses.iter().filter(|u| u.latent == l.name).collect();
        let forced = overrides
            .iter()
            .find(|(n, _)| n == l.name)
            .map(|(_, g)| *g)
            .unwrap_or(Guide::Auto);
        let account = describe_uses(&my_uses);
        let candidate = match forced {
            Guide::Auto => conjugate_family(l),
            Guide::Gaussian => None,
        };
        let conjugate = match &candidate {
            Some(fam) => numerically_conjugate(model, fam.as_ref(), offset, base, rng)?,
            None => false,
        };
        let choice = match candidate {
            Some(fam) if conjugate => {
                let statically = !my_uses.is_empty() && my_uses.iter().all(|u| u.conjugate);
                let how = if statically {
                    "every use conjugate"
                } else {
                    "conjugate, confirmed numerically"
                };
                let reason = format!("{}: prior {}, {how} ({account})", fam.name(), l.prior);
                (Choice::Conjugate(fam), reason)
            }
            _ => {
                let t = Transform::for_support(l.support).ok_or_else(|| {
                    Error::Config(format!(
                        "latent `{}` with prior {} is not conjugate to its uses ({account}); \
                         a Gaussian guide cannot hold support {} yet",
                        l.name, l.prior, l.support
                    ))
                })?;
                let why = match forced {
                    Guide::Gaussian => "requested by the user".to_string(),
                    Guide::Auto if conjugate_family(l).is_some() => {
                        format!("prior {}, not every use conjugate ({account})", l.prior)
                    }
                    Guide::Auto if t == Transform::Identity => {
                        format!("prior {}, real support ({account})", l.prior)
                    }
                    Guide::Auto => format!("prior {} has no conjugate family ({account})", l.prior),
                };
                (Choice::Gaussian(t), format!("Gaussian{}: {why}", t.label()))
            }
        };
        out.push(choice);
        offset += l.shape.len();
    }
    Ok(out)
}
