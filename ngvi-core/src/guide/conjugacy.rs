//! Conjugacy: the conjugate family a prior has, and the numeric confirmation that the log
//! joint, as a function of one latent, is c·T(z) + const.

use crate::dist::DistKind;
use crate::engine::NaturalGradient;
use crate::error::Error;
use crate::family::{Beta, Dirichlet, ExpFamily, Gamma, InverseGamma};
use crate::joint::block_derivatives;
use crate::model::{Latent, LatentUse, Model};
use crate::plate::Reducer;
use crate::spec::Family;
use crate::transform::Transform;
use rand_distr::{Distribution, StandardNormal};

/// Probes of the log joint that must agree before a latent is called conjugate.
const PROBES: usize = 4;
/// Largest relative residual of a coefficient match at one probe.
const MATCH_RESIDUAL: f64 = 1e-8;
/// Bases with the other latents drawn at random, besides the start.
const PERTURBED_BASES: usize = 2;
/// Largest relative disagreement of the coefficients between probes.
const PROBE_AGREEMENT: f64 = 1e-6;

/// The conjugate family of a latent's prior (from the spec table's conjugate pairs), at the
/// prior when its parameters are constants and the prior has finite moments, else at a
/// moderate member of the family; `None` for a prior without one (or the Gaussian block).
pub(super) fn conjugate_family(l: &Latent) -> Option<Box<dyn ExpFamily>> {
    let params = l.prior_params.as_deref();
    let family = l.prior.conjugate_family(params)?;
    // Exponential(r) = Gamma(1, r); Uniform(0, 1) = Beta(1, 1)
    let at_prior = match (l.prior, params) {
        (DistKind::Exponential, Some([r])) => Some(vec![1.0, *r]),
        (DistKind::Uniform, Some(_)) => Some(vec![1.0, 1.0]),
        (_, p) => p.map(<[f64]>::to_vec),
    };
    let fam = build(family, at_prior.as_deref(), l.shape.len())?;
    if fam.dim() != l.shape.len() {
        // a vector of i.i.d. Gamma (Beta, …) latents: each needs its own block; the
        // Gaussian block holds them instead
        return None;
    }
    let finite = fam.mean().iter().chain(&fam.sd()).all(|x| x.is_finite());
    if finite {
        Some(fam)
    } else {
        build(family, None, l.shape.len())
    }
}

/// A moderate member of the latent's conjugate family, to probe the log joint at: its draws
/// stay away from 0, 1 and ∞ whatever the prior (a vague Gamma(1e-3, 1e-3) prior's draws
/// underflow to 0).
pub(super) fn probe_family(l: &Latent) -> Option<Box<dyn ExpFamily>> {
    let fam = build(
        l.prior.conjugate_family(l.prior_params.as_deref())?,
        None,
        l.shape.len(),
    )?;
    (fam.dim() == l.shape.len()).then_some(fam)
}

/// A member of `family` with the given parameters, or a moderate one (Gamma(3, 2),
/// InverseGamma(3, 2), Beta(2, 2), Dirichlet(2, …, 2)) when there are none.
fn build(family: Family, params: Option<&[f64]>, k: usize) -> Option<Box<dyn ExpFamily>> {
    let fam: Box<dyn ExpFamily> = match (family, params) {
        (Family::Gamma, Some([a, b])) => Box::new(Gamma::new(*a, *b).ok()?),
        (Family::Gamma, _) => Box::new(Gamma::new(3.0, 2.0).ok()?),
        (Family::InverseGamma, Some([a, b])) => Box::new(InverseGamma::new(*a, *b).ok()?),
        (Family::InverseGamma, _) => Box::new(InverseGamma::new(3.0, 2.0).ok()?),
        (Family::Beta, Some([a, b])) => Box::new(Beta::new(*a, *b).ok()?),
        (Family::Beta, _) => Box::new(Beta::new(2.0, 2.0).ok()?),
        (Family::Dirichlet, Some(alpha)) => Box::new(Dirichlet::new(alpha.to_vec()).ok()?),
        (Family::Dirichlet, None) => Box::new(Dirichlet::new(vec![2.0; k]).ok()?),
        (Family::Gaussian, _) => return None,
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

/// Points of the latents' own scales where the other latents are away from the start's
/// degenerate values (a latent field at 0 hides how the likelihood depends on a kernel's
/// length scale): `base` itself, then `PERTURBED_BASES` points with every latent drawn —
/// conjugate candidates from their probe family, the others as g(u), u ~ N(0, 1).
pub(super) fn probe_bases(
    latents: &[Latent],
    base: &[f64],
    rng: &mut dyn rand::Rng,
) -> Vec<Vec<f64>> {
    let mut bases = vec![base.to_vec()];
    // With one latent there is nothing else to perturb.
    let perturbed = if latents.len() > 1 {
        PERTURBED_BASES
    } else {
        0
    };
    for _ in 0..perturbed {
        let mut z = Vec::with_capacity(base.len());
        for l in latents {
            let start = z.len();
            match (probe_family(l), Transform::for_support(l.support)) {
                (Some(fam), _) => z.extend(fam.sample(rng)),
                (None, Some(t)) => z.extend((0..l.shape.len()).map(|_| {
                    let u: f64 = StandardNormal.sample(rng);
                    t.forward(u).0
                })),
                (None, None) => z.extend_from_slice(&base[start..start + l.shape.len()]),
            }
        }
        bases.push(z);
    }
    bases
}

/// Whether the log joint is of the form c·T(z) + const in the coordinates `offset..` of one
/// latent, with the others held at each of `bases` in turn: at every base, the coefficients
/// matched at draws of the probe family agree. The first base must be finite; a perturbed
/// base where the log joint is not finite is passed over.
pub(super) fn numerically_conjugate<M: Model>(
    model: &M,
    probe: &dyn ExpFamily,
    (offset, bases): (usize, &[Vec<f64>]),
    reducer: &Reducer,
    rng: &mut dyn rand::Rng,
) -> Result<bool, Error> {
    for (k, base) in bases.iter().enumerate() {
        match conjugate_at(model, probe, (offset, base), reducer, rng)? {
            Some(true) => {}
            Some(false) => return Ok(false),
            None if k == 0 => return Ok(false),
            None => {}
        }
    }
    Ok(true)
}

/// At one base: `Some(true)` when the matched coefficients agree at every probe,
/// `Some(false)` when they do not, `None` when the log joint is not finite there.
fn conjugate_at<M: Model>(
    model: &M,
    probe: &dyn ExpFamily,
    (offset, base): (usize, &[f64]),
    reducer: &Reducer,
    rng: &mut dyn rand::Rng,
) -> Result<Option<bool>, Error> {
    let coords: Vec<usize> = (offset..offset + probe.dim()).collect();
    let mut first: Option<Vec<f64>> = None;
    for _ in 0..PROBES {
        let mut z = base.to_vec();
        for (&g, v) in coords.iter().zip(probe.sample(rng)) {
            z[g] = v;
        }
        let (value, grad, hess) =
            block_derivatives(&z, &coords, |zz| Ok(model.log_joint_in(&zz, reducer)?))?;
        if !value.is_finite() {
            return Ok(None);
        }
        if grad.iter().chain(hess.iter()).all(|&x| x == 0.0) {
            return Ok(Some(false));
        }
        let z_l: Vec<f64> = coords.iter().map(|&g| z[g]).collect();
        let (c, resid) = probe.match_coefficients(&z_l, &grad, &hess);
        if resid.is_nan() || resid >= MATCH_RESIDUAL || c.iter().any(|x| !x.is_finite()) {
            return Ok(Some(false));
        }
        match &first {
            None => first = Some(c),
            Some(c0) => {
                let agree = c
                    .iter()
                    .zip(c0)
                    .all(|(a, b)| (a - b).abs() <= PROBE_AGREEMENT * b.abs().max(1.0));
                if !agree {
                    return Ok(Some(false));
                }
            }
        }
    }
    Ok(Some(true))
}
