//! The plan of a fit: the blocks of the mean-field guide, the transform of every
//! coordinate, and the reason for every latent's guide.

use nalgebra::{DMatrix, DVector};

use super::conjugacy::{
    conjugate_family, describe_uses, initial_point, numerically_conjugate, probe_bases,
    probe_family,
};
use super::reason::{Confirmation, GaussianWhy, Reason};
use super::Guide;
use crate::engine::Block;
use crate::error::Error;
use crate::family::{DiagGaussian, ExpFamily, Gaussian};
use crate::joint::Joint;
use crate::model::{Latent, LatentUse, Model};
use crate::plate::Reducer;
use crate::transform::{Piece, Transform};

/// Shifts (on the block's scale) at which the quadratic check probes the log joint: small
/// and large, both signs, so that a kink anywhere near the start is crossed.
const QUADRATIC_PROBES: [f64; 8] = [0.7, -1.3, 3.1, -7.9, 19.3, -47.0, 113.0, -301.0];
/// How many of the probes (the smallest shifts) also compare gradients; every probe compares
/// values. A gradient pass costs O(D) per operation against O(1) for a value.
const GRADIENT_PROBES: usize = 2;
/// Largest relative departure of a probe's value and gradient from the quadratic through the
/// start.
const QUADRATIC_TOL: f64 = 1e-9;

/// What guide planning decided.
pub(crate) struct Plan<'m, M: Model> {
    /// The transformed log joint, with the transform of every coordinate.
    pub(crate) joint: Joint<'m, M>,
    /// Conjugate blocks first, then the Gaussian block (if any latent needs it).
    pub(crate) blocks: Vec<Block>,
    /// The block that holds each latent.
    pub(crate) latent_block: Vec<usize>,
    /// Why each latent got its guide.
    pub(crate) reasons: Vec<Reason>,
}

/// One latent's guide before block assembly.
enum Choice {
    Conjugate(Box<dyn ExpFamily>),
    Gaussian(Transform),
}

/// Choose every latent's guide, assemble the blocks and, when `check_exact`, check whether
/// the Gaussian block is exact (its log joint quadratic). Every evaluation sums the plates
/// with `reducer` (across MPI ranks too, so that every rank makes the same choices), and the
/// plan's joint keeps it.
pub(crate) fn plan<'m, M: Model>(
    model: &'m M,
    latents: &[Latent],
    overrides: &[(String, Guide)],
    diagonal: bool,
    check_exact: bool,
    reducer: &Reducer,
    rng: &mut dyn rand::Rng,
) -> Result<Plan<'m, M>, Error> {
    let base = initial_point(latents);
    let bases = probe_bases(latents, &base, rng);
    let uses = model.uses();
    let mut choices = Vec::with_capacity(latents.len());
    let mut offset = 0;
    for l in latents {
        let forced = overrides
            .iter()
            .find(|(n, _)| n == l.name)
            .map_or(Guide::Auto, |(_, g)| *g);
        let mine: Vec<&LatentUse> = uses.iter().filter(|u| u.latent == l.name).collect();
        choices.push(choose(
            model,
            l,
            &mine,
            forced,
            (offset, &bases),
            reducer,
            rng,
        )?);
        offset += l.shape.len();
    }
    let mut plan = assemble(model, latents, choices, &base, diagonal)?;
    plan.joint.reducer = reducer.clone();
    let gaussian = plan.blocks.iter().position(|b| !b.conjugate);
    if let Some(b) = gaussian.filter(|_| check_exact) {
        let hessian = is_quadratic(&plan.joint, &plan.blocks, b)?;
        let exact = hessian.is_some();
        plan.blocks[b].conjugate = exact;
        // Alone, the block's Hessian is the same everywhere; beside other blocks it may
        // change with their values (a noise precision scales it).
        if plan.blocks.len() == 1 {
            plan.blocks[b].hessian = hessian;
        }
        for r in &mut plan.reasons {
            if let Reason::Gaussian { exact: e, .. } = r {
                *e = exact;
            }
        }
    }
    Ok(plan)
}

/// One latent's guide and the reason for it.
fn choose<M: Model>(
    model: &M,
    l: &Latent,
    uses: &[&LatentUse],
    forced: Guide,
    (offset, bases): (usize, &[Vec<f64>]),
    reducer: &Reducer,
    rng: &mut dyn rand::Rng,
) -> Result<(Choice, Reason), Error> {
    let account = describe_uses(uses);
    let candidate = match forced {
        Guide::Auto => conjugate_family(l),
        Guide::Gaussian => None,
    };
    // Every use in a conjugate position is the macro's proof (the argument is the latent
    // itself, in a pair of the conjugate table); otherwise the probes must confirm it.
    let statically = !uses.is_empty() && uses.iter().all(|u| u.conjugate);
    if let (Some(fam), Some(probe)) = (candidate, probe_family(l)) {
        if statically
            || numerically_conjugate(model, probe.as_ref(), (offset, bases), reducer, rng)?
        {
            let reason = Reason::Conjugate {
                family: fam.name(),
                prior: l.prior,
                confirmed: if statically {
                    Confirmation::EveryUseConjugate
                } else {
                    Confirmation::Numerically
                },
                uses: account,
            };
            return Ok((Choice::Conjugate(fam), reason));
        }
    }
    let transform = Transform::for_support(l.support).ok_or_else(|| Error::UnsupportedLatent {
        name: l.name.to_string(),
        prior: l.prior,
        support: l.support,
        uses: account.clone(),
    })?;
    let (prior, uses) = (l.prior, account);
    let why = match forced {
        Guide::Gaussian => GaussianWhy::Requested,
        Guide::Auto if conjugate_family(l).is_some() => {
            GaussianWhy::NotEveryUseConjugate { prior, uses }
        }
        Guide::Auto if transform == Transform::Identity => GaussianWhy::RealSupport { prior, uses },
        Guide::Auto => GaussianWhy::NoConjugateFamily { prior, uses },
    };
    let reason = Reason::Gaussian {
        transform,
        why,
        exact: false,
    };
    Ok((Choice::Gaussian(transform), reason))
}

/// Blocks: one per conjugate latent, then one Gaussian block (full-rank, or diagonal when
/// asked) for all the others, started at `base`.
fn assemble<'m, M: Model>(
    model: &'m M,
    latents: &[Latent],
    choices: Vec<(Choice, Reason)>,
    base: &[f64],
    diagonal: bool,
) -> Result<Plan<'m, M>, Error> {
    let mut pieces = Vec::new();
    let (mut blocks, mut reasons) = (Vec::new(), Vec::with_capacity(latents.len()));
    let (mut gauss_coords, mut gauss_init) = (Vec::new(), Vec::new());
    let mut latent_block = Vec::with_capacity(latents.len());
    let (mut u_off, mut z_off) = (0, 0);
    for (l, (choice, reason)) in latents.iter().zip(choices) {
        let n = l.shape.len();
        let z = &base[z_off..z_off + n];
        let (transform, conjugate) = match choice {
            Choice::Conjugate(family) => (Transform::Identity, Some(family)),
            Choice::Gaussian(t) => (t, None),
        };
        let mine = latent_pieces(transform, u_off, z_off, n);
        let u_len = mine.last().map_or(0, |p| p.u.end) - u_off;
        let coords: Vec<usize> = (u_off..u_off + u_len).collect();
        match conjugate {
            Some(family) => {
                latent_block.push(Some(blocks.len()));
                blocks.push(Block {
                    family,
                    coords,
                    conjugate: true,
                    hessian: None,
                });
            }
            None => {
                latent_block.push(None);
                for p in &mine {
                    gauss_init.extend(p.inverse(&z[p.z.start - z_off..p.z.end - z_off]));
                }
                gauss_coords.extend(coords);
            }
        }
        pieces.extend(mine);
        reasons.push(reason);
        (u_off, z_off) = (u_off + u_len, z_off + n);
    }
    let gauss_block = (!gauss_coords.is_empty()).then_some(blocks.len());
    if !gauss_coords.is_empty() {
        let d = gauss_coords.len();
        let family: Box<dyn ExpFamily> = if diagonal {
            Box::new(DiagGaussian::new(gauss_init, vec![1.0; d])?)
        } else {
            Box::new(Gaussian::new(gauss_init, DMatrix::identity(d, d))?)
        };
        blocks.push(Block {
            family,
            coords: gauss_coords,
            conjugate: false,
            hessian: None,
        });
    }
    let latent_block = latent_block
        .into_iter()
        .map(|b| b.or(gauss_block).unwrap_or(0))
        .collect();
    let joint = Joint {
        model,
        pieces,
        counts: Default::default(),
        reducer: Default::default(),
    };
    Ok(Plan {
        joint,
        blocks,
        latent_block,
        reasons,
    })
}

/// The pieces of one latent of `n` scalars at unconstrained offset `u` and latent offset
/// `z`: one per coordinate for an elementwise transform, one of n − 1 coordinates for
/// stick-breaking.
fn latent_pieces(transform: Transform, u: usize, z: usize, n: usize) -> Vec<Piece> {
    if transform.is_elementwise() {
        (0..n)
            .map(|i| Piece {
                transform,
                u: u + i..u + i + 1,
                z: z + i..z + i + 1,
            })
            .collect()
    } else {
        vec![Piece {
            transform,
            u: u..u + n.saturating_sub(1),
            z: z..z + n,
        }]
    }
}

/// Whether the log joint is quadratic in block `b`'s coordinates (the other blocks at their
/// means), (3.2): from the block's mean u, at shifts δ of several sizes and directions, the
/// value moves by exactly g·δ + ½ δᵀHδ, and at the smallest shifts the gradient by H δ. A
/// function with a kink (|μ − c|, a Laplace density) has a Hessian of 0 on both sides of the
/// kink but a gradient that jumps and a value that leaves the parabola once past it, so the
/// Hessian alone cannot prove a quadratic. Gives the Hessian when the log joint is quadratic.
fn is_quadratic<M: Model>(
    joint: &Joint<'_, M>,
    blocks: &[Block],
    b: usize,
) -> Result<Option<DMatrix<f64>>, Error> {
    let u = crate::engine::centre(blocks, joint.dim());
    let coords = &blocks[b].coords;
    let (f0, g0, h0) = joint.derivatives(coords, &u)?;
    let (g0, n) = (DVector::from_vec(g0), coords.len());
    if !f0.is_finite() {
        return Ok(None);
    }
    let scale = h0.amax().max(g0.amax()).max(1.0);
    for (k, shift) in QUADRATIC_PROBES.iter().enumerate() {
        // A direction that differs per probe: coordinate i moves by shift·(1 + 0.37 i k mod 1)
        let delta = DVector::from_fn(n, |i, _| {
            shift * (1.0 + ((0.37 * (i * (k + 1)) as f64) % 1.0))
        });
        let mut v = u.clone();
        for (i, &g) in coords.iter().enumerate() {
            v[g] += delta[i];
        }
        // A quadratic's value is f0 + g0·δ + ½ δᵀH0δ and its gradient g0 + H0 δ everywhere.
        let predicted_f = f0 + g0.dot(&delta) + 0.5 * delta.dot(&(&h0 * &delta));
        let f = if k < GRADIENT_PROBES {
            let (f, g) = joint.block_gradient(coords, &v)?;
            let predicted_g = &g0 + &h0 * &delta;
            let gradient_follows = g.iter().all(|x| x.is_finite())
                && (DVector::from_vec(g) - predicted_g).amax()
                    <= QUADRATIC_TOL * scale * (1.0 + delta.amax());
            if !gradient_follows {
                return Ok(None);
            }
            f
        } else {
            joint.value(v)?
        };
        let value_follows = f.is_finite()
            && (f - predicted_f).abs()
                <= QUADRATIC_TOL * (f0.abs() + scale * (1.0 + delta.norm_squared()));
        if !value_follows {
            return Ok(None);
        }
    }
    Ok(Some(h0))
}
