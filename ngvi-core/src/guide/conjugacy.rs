//! Conjugacy: the conjugate family a prior has, and the numeric confirmation that the log
//! joint, as a function of one latent, is c·T(z) + const.

use crate::dist::DistKind;
use crate::engine::NaturalGradient;
use crate::error::Error;
use crate::family::{Beta, Dirichlet, ExpFamily, Gamma, InverseGamma};
use crate::joint::block_derivatives;
use crate::model::{Latent, LatentUse, Model};
use crate::transform::Transform;

/// Probes of the log joint that must agree before a latent is called conjugate.
const PROBES: usize = 4;
/// Largest relative residual of a coefficient match at one probe.
const MATCH_RESIDUAL: f64 = 1e-8;
/// Largest relative disagreement of the coefficients between probes.
const PROBE_AGREEMENT: f64 = 1e-6;

/// The conjugate family for a prior, initialised at the prior when its parameters are
/// constants.
pub(super) fn conjugate_family(l: &Latent) -> Option<Box<dyn ExpFamily>> {
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

/// A short account of a latent's uses: "Bernoulli p, Poisson rate (not conjugate)".
pub(super) fn describe_uses(uses: &[&LatentUse]) -> String {
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
pub(super) fn initial_point(latents: &[Latent]) -> Vec<f64> {
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

/// Whether the log joint is of the form c·T(z) + const in the coordinates `offset..` of one
/// latent, with the others held at `base`: the coefficients matched at several draws of
/// `fam` agree.
pub(super) fn numerically_conjugate<M: Model>(
    model: &M,
    fam: &dyn ExpFamily,
    offset: usize,
    base: &[f64],
    rng: &mut dyn rand::Rng,
) -> Result<bool, Error> {
    let coords: Vec<usize> = (offset..offset + fam.dim()).collect();
    let mut first: Option<Vec<f64>> = None;
    for _ in 0..PROBES {
        let mut z = base.to_vec();
        for (&g, v) in coords.iter().zip(fam.sample(rng)) {
            z[g] = v;
        }
        let (value, grad, hess) = block_derivatives(&z, &coords, |zz| Ok(model.log_joint(&zz)?))?;
        let constant = grad.iter().chain(hess.iter()).all(|&x| x == 0.0);
        if !value.is_finite() || constant {
            return Ok(false);
        }
        let z_l: Vec<f64> = coords.iter().map(|&g| z[g]).collect();
        let (c, resid) = fam.match_coefficients(&z_l, &grad, &hess);
        if resid.is_nan() || resid >= MATCH_RESIDUAL || c.iter().any(|x| !x.is_finite()) {
            return Ok(false);
        }
        match &first {
            None => first = Some(c),
            Some(c0) => {
                let agree = c
                    .iter()
                    .zip(c0)
                    .all(|(a, b)| (a - b).abs() <= PROBE_AGREEMENT * b.abs().max(1.0));
                if !agree {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}
