//! The plan of a fit: the blocks of the mean-field guide, the transform of every
//! coordinate, and the reason for every latent's guide.

use std::sync::Arc;

use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::conjugacy::{
    conjugate_family, describe_uses, initial_point, numerically_conjugate, probe_bases,
    probe_family,
};
use super::reason::{Confirmation, GaussianBlock, GaussianWhy, Reason};
use super::Guide;
use crate::engine::Block;
use crate::error::Error;
use crate::family::{DiagGaussian, ExpFamily, Gaussian, Geometry};
use crate::joint::Joint;
use crate::model::{Latent, LatentUse, Model};
use crate::plate::{Expectations, Reducer};
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

/// A non-conjugate latent of at least this many coordinates whose Hessian within itself is
/// diagonal gets a diagonal Gaussian block of its own (docs/design.md §3, "Blocks"). Below
/// it the joint full-rank block costs no more draws than the default 64 (its Stein curvature needs
/// 2(D + 1) draws, and 2(31 + 1) = 64) and keeps the latent's correlations; from it on, the
/// joint block's draws and its D × D factorisation grow with the latent.
pub(crate) const OWN_BLOCK_MIN: usize = 32;
/// Coordinates of a latent the diagonal probe spaces out; each comes with its right
/// neighbour (a banded coupling, a random walk, joins neighbours).
const DIAGONAL_ANCHORS: usize = 4;
/// Coordinates of a latent the diagonal probe adds at random.
const DIAGONAL_RANDOM: usize = 4;

/// What guide planning decided.
pub(crate) struct Plan<'m, M: Model> {
    /// The transformed log joint, with the transform of every coordinate.
    pub(crate) joint: Joint<'m, M>,
    /// The blocks of the conjugate latents and of the latents with a diagonal block of their
    /// own, in the latents' order, then the joint Gaussian block (if any latent needs it).
    pub(crate) blocks: Vec<Block>,
    /// The block that holds each latent.
    pub(crate) latent_block: Vec<usize>,
    /// Why each latent got its guide.
    pub(crate) reasons: Vec<Reason>,
}

/// How the non-conjugate latents are grouped into Gaussian blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocking {
    /// One full-rank block, but a diagonal block of its own for every latent of at least
    /// `OWN_BLOCK_MIN` coordinates whose Hessian within itself is diagonal (the default).
    Structured,
    /// One full-rank block for all (`Ngvi::structured(false)`).
    FullRank,
    /// One diagonal block for all (`Ngvi::diagonal(true)`).
    Diagonal,
}

/// One latent's guide before block assembly.
enum Choice {
    Conjugate(Box<dyn ExpFamily>),
    Gaussian(Transform),
}

/// Choose every latent's guide, assemble the blocks and, when `check_exact`, check whether
/// each Gaussian block is exact (its log joint quadratic), and, when `linear` too, whether
/// a lone Gaussian block that is not has its observes' expectations along affine
/// predictors (4.5e). Every evaluation sums the plates
/// with `reducer` (across MPI ranks too, so that every rank makes the same choices), and the
/// plan's joint keeps it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn plan<'m, M: Model>(
    model: &'m M,
    latents: &[Latent],
    overrides: &[(String, Guide)],
    blocking: Blocking,
    (check_exact, linear): (bool, bool),
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
    let mut plan = assemble(model, latents, choices, &base, blocking, reducer, rng)?;
    if plan.blocks.len() > 1 {
        for (b, block) in plan.blocks.iter_mut().enumerate() {
            block.reach = Some(plan.latent_block.iter().map(|&lb| lb == b).collect());
        }
    }
    if check_exact {
        let gaussian: Vec<usize> = (0..plan.blocks.len())
            .filter(|&b| !plan.blocks[b].conjugate)
            .collect();
        for b in gaussian {
            // A diagonal guide (a block of its own with a diagonal Hessian, or every latent
            // with `diagonal(true)`) is exact only on a quadratic log joint with a diagonal
            // Hessian, which gradients show; a dense Hessian costs O(d²) per datum.
            let diagonal = matches!(
                plan.blocks[b].family.geometry(),
                Geometry::Gaussian { diagonal: true }
            );
            let exact = if diagonal {
                is_diagonal_quadratic(&plan.joint, &plan.blocks, b)?
            } else {
                let hessian = is_quadratic(&plan.joint, &plan.blocks, b)?;
                let exact = hessian.is_some();
                // Alone, the block's Hessian is the same everywhere; beside other blocks it
                // may change with their values (a noise precision scales it).
                if plan.blocks.len() == 1 {
                    plan.blocks[b].hessian = hessian;
                    if linear && !exact {
                        plan.blocks[b].linear_rest =
                            linear_rest(&plan.joint, &plan.blocks, b, rng)?;
                    }
                }
                exact
            };
            plan.blocks[b].conjugate = exact;
            let linear = plan.blocks[b].linear_rest.is_some();
            for (r, _) in plan
                .reasons
                .iter_mut()
                .zip(&plan.latent_block)
                .filter(|(_, &lb)| lb == b)
            {
                if let Reason::Gaussian {
                    exact: e,
                    linear: l,
                    ..
                } = r
                {
                    *e = exact;
                    *l = linear;
                }
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
        block: GaussianBlock::Joint,
        exact: false,
        linear: false,
    };
    Ok((Choice::Gaussian(transform), reason))
}

/// One latent's place in the unconstrained vector, its guide and its starting point there.
struct Placed {
    coords: Vec<usize>,
    family: Option<Box<dyn ExpFamily>>,
    transform: Transform,
    init: Vec<f64>,
}

/// Blocks: one per conjugate latent, one diagonal Gaussian block per latent that
/// `own_block` gives one, then one Gaussian block (full-rank, or diagonal when asked) for all
/// the others, started at `base`.
fn assemble<'m, M: Model>(
    model: &'m M,
    latents: &[Latent],
    choices: Vec<(Choice, Reason)>,
    base: &[f64],
    blocking: Blocking,
    reducer: &Reducer,
    rng: &mut dyn rand::Rng,
) -> Result<Plan<'m, M>, Error> {
    let mut pieces = Vec::new();
    let mut placed = Vec::with_capacity(latents.len());
    let mut reasons = Vec::with_capacity(latents.len());
    let (mut u_off, mut z_off) = (0, 0);
    for (l, (choice, reason)) in latents.iter().zip(choices) {
        let n = l.shape.len();
        let (transform, family) = match choice {
            Choice::Conjugate(family) => (Transform::Identity, Some(family)),
            Choice::Gaussian(t) => (t, None),
        };
        let mine = latent_pieces(transform, u_off, z_off, n);
        let u_len = mine.last().map_or(0, |p| p.u.end) - u_off;
        let init = mine
            .iter()
            .flat_map(|p| p.inverse(&base[p.z.clone()]))
            .collect();
        placed.push(Placed {
            coords: (u_off..u_off + u_len).collect(),
            family,
            transform,
            init,
        });
        pieces.extend(mine);
        reasons.push(reason);
        (u_off, z_off) = (u_off + u_len, z_off + n);
    }
    let joint = Joint {
        model,
        pieces,
        counts: Default::default(),
        reducer: reducer.clone(),
    };
    let u0: Vec<f64> = placed.iter().flat_map(|p| p.init.iter().copied()).collect();
    let (mut blocks, mut latent_block) = (Vec::new(), Vec::with_capacity(latents.len()));
    let (mut joint_coords, mut joint_init) = (Vec::new(), Vec::new());
    for ((l, p), reason) in latents.iter().zip(placed).zip(&mut reasons) {
        if let Some(family) = p.family {
            latent_block.push(Some(blocks.len()));
            blocks.push(Block {
                family,
                coords: p.coords,
                conjugate: true,
                diagonal_hessian: false,
                hessian: None,
                linear_rest: None,
                reach: None,
            });
            continue;
        }
        let block = match blocking {
            Blocking::Structured => own_block(&joint, l, &p, &u0, rng)?,
            Blocking::FullRank | Blocking::Diagonal => GaussianBlock::Joint,
        };
        if let Reason::Gaussian { block: b, .. } = reason {
            *b = block.clone();
        }
        if matches!(block, GaussianBlock::OwnDiagonal { .. }) {
            let d = p.coords.len();
            latent_block.push(Some(blocks.len()));
            blocks.push(Block {
                family: Box::new(DiagGaussian::new(p.init, vec![1.0; d])?),
                coords: p.coords,
                conjugate: false,
                diagonal_hessian: true,
                hessian: None,
                linear_rest: None,
                reach: None,
            });
        } else {
            latent_block.push(None);
            joint_coords.extend(p.coords);
            joint_init.extend(p.init);
        }
    }
    let joint_block = (!joint_coords.is_empty()).then_some(blocks.len());
    if !joint_coords.is_empty() {
        let d = joint_coords.len();
        let family: Box<dyn ExpFamily> = if blocking == Blocking::Diagonal {
            Box::new(DiagGaussian::new(joint_init, vec![1.0; d])?)
        } else {
            Box::new(Gaussian::new(joint_init, DMatrix::identity(d, d))?)
        };
        blocks.push(Block {
            family,
            coords: joint_coords,
            conjugate: false,
            diagonal_hessian: false,
            hessian: None,
            linear_rest: None,
            reach: None,
        });
    }
    let latent_block = latent_block
        .into_iter()
        .map(|b| b.or(joint_block).unwrap_or(0))
        .collect();
    Ok(Plan {
        joint,
        blocks,
        latent_block,
        reasons,
    })
}

/// The block of a non-conjugate latent: its own diagonal one when it has at least
/// `OWN_BLOCK_MIN` coordinates of an elementwise transform and the Hessian of the log joint
/// within them is diagonal at the start `u0` and at a random point; the joint one otherwise.
fn own_block<M: Model>(
    joint: &Joint<'_, M>,
    l: &Latent,
    p: &Placed,
    u0: &[f64],
    rng: &mut dyn rand::Rng,
) -> Result<GaussianBlock, Error> {
    let n = p.coords.len();
    if n < OWN_BLOCK_MIN || !p.transform.is_elementwise() {
        return Ok(GaussianBlock::Joint);
    }
    let probe = probe_coords(&p.coords, rng);
    let random: Vec<f64> = u0
        .iter()
        .map(|u| {
            let e: f64 = StandardNormal.sample(&mut *rng);
            u + e
        })
        .collect();
    for point in [u0, &random] {
        let (_, _, h) = joint.derivatives(&probe, point)?;
        // The first non-zero entry above the diagonal, as indices into the latent.
        let coupled = (0..probe.len())
            .flat_map(|i| (i + 1..probe.len()).map(move |j| (i, j)))
            .find(|&(i, j)| h[(i, j)] != 0.0 || h[(j, i)] != 0.0);
        if let Some((i, j)) = coupled {
            let first = p.coords[0];
            let (a, b) = (probe[i] - first, probe[j] - first);
            return Ok(GaussianBlock::Coupled {
                latent: l.name.to_string(),
                coords: n,
                pair: (a.min(b), a.max(b)),
            });
        }
    }
    Ok(GaussianBlock::OwnDiagonal {
        latent: l.name.to_string(),
        coords: n,
    })
}

/// The coordinates the diagonal probe seeds as `Dual2` variables (a handful, so that the
/// probe's Hessian is small whatever the latent's size): `DIAGONAL_ANCHORS` spread evenly,
/// each with its right neighbour, and `DIAGONAL_RANDOM` at random; sorted, without repeats.
fn probe_coords(coords: &[usize], rng: &mut dyn rand::Rng) -> Vec<usize> {
    let n = coords.len();
    let anchors = (0..DIAGONAL_ANCHORS).map(|k| k * (n - 1) / DIAGONAL_ANCHORS);
    let mut picked: Vec<usize> = anchors.flat_map(|i| [i, i + 1]).collect();
    picked.extend((0..DIAGONAL_RANDOM).map(|_| rng.random_range(0..n)));
    picked.sort_unstable();
    picked.dedup();
    picked.into_iter().map(|i| coords[i]).collect()
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

/// How far probe `k` of size `shift` moves coordinate i: shift·(1 + 0.37 i (k + 1) mod 1), a
/// direction that differs per probe (and, for a diagonal Hessian, per coordinate).
fn probe_shift(k: usize, shift: f64, i: usize) -> f64 {
    shift * (1.0 + ((0.37 * (i * (k + 1)) as f64) % 1.0))
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
        let delta = DVector::from_fn(n, |i, _| probe_shift(k, *shift, i));
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

/// The Hessian of the rest of the log joint when block `b`'s observes read it through
/// affine predictors (4.5e): some observe went through `Plates::linear`, every one with an
/// η affine in the block at its mean and at a random point, and the log joint without
/// them is quadratic in the block (3.2). `None` otherwise, or when a probe fails.
fn linear_rest<M: Model>(
    joint: &Joint<'_, M>,
    blocks: &[Block],
    b: usize,
    rng: &mut dyn rand::Rng,
) -> Result<Option<DMatrix<f64>>, Error> {
    let u = crate::engine::centre(blocks, joint.dim());
    let coords = &blocks[b].coords;
    let n = coords.len();
    let q = Arc::new(Expectations::new(DMatrix::identity(n, n)));
    let mut away = u.clone();
    for &g in coords {
        let e: f64 = StandardNormal.sample(&mut *rng);
        away[g] += e;
    }
    for point in [&u, &away] {
        if joint.expected_derivatives(coords, point, &q).is_err() {
            return Ok(None);
        }
    }
    if q.calls() == 0 || !q.affine() {
        return Ok(None);
    }
    is_quadratic(&joint.rest(), blocks, b)
}

/// Whether the log joint is quadratic in block `b`'s coordinates with a diagonal Hessian
/// (the other blocks at their means), from gradients alone (docs/design.md (3.3)): the
/// Hessian's diagonal is h = g(u + 1) − g(u) if so, and then at every probe shift δ the gradient is
/// g₀ + h∘δ and the value f₀ + g₀·δ + ½ Σ hᵢδᵢ². The shifts differ per coordinate, so an
/// entry off the diagonal shows too: a d × d Hessian is never formed.
fn is_diagonal_quadratic<M: Model>(
    joint: &Joint<'_, M>,
    blocks: &[Block],
    b: usize,
) -> Result<bool, Error> {
    let u = crate::engine::centre(blocks, joint.dim());
    let coords = &blocks[b].coords;
    let (f0, g0) = joint.block_gradient(coords, &u)?;
    let mut ones = u.clone();
    coords.iter().for_each(|&k| ones[k] += 1.0);
    let (_, g1) = joint.block_gradient(coords, &ones)?;
    let h: Vec<f64> = g1.iter().zip(&g0).map(|(a, b)| a - b).collect();
    if !f0.is_finite() || !h.iter().chain(&g0).all(|x| x.is_finite()) {
        return Ok(false);
    }
    let amax = |v: &[f64]| v.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
    let scale = amax(&h).max(amax(&g0)).max(1.0);
    for (k, shift) in QUADRATIC_PROBES.iter().enumerate() {
        let delta: Vec<f64> = (0..coords.len())
            .map(|i| probe_shift(k, *shift, i))
            .collect();
        let mut v = u.clone();
        for (i, &g) in coords.iter().enumerate() {
            v[g] += delta[i];
        }
        let (f, g) = joint.block_gradient(coords, &v)?;
        let gap = (0..coords.len())
            .map(|i| (g[i] - g0[i] - h[i] * delta[i]).abs())
            .fold(0.0, f64::max);
        let predicted_f: f64 = f0
            + (0..coords.len())
                .map(|i| g0[i] * delta[i] + 0.5 * h[i] * delta[i] * delta[i])
                .sum::<f64>();
        let norm_sq: f64 = delta.iter().map(|d| d * d).sum();
        let consistent = f.is_finite()
            && g.iter().all(|x| x.is_finite())
            && gap <= QUADRATIC_TOL * scale * (1.0 + amax(&delta))
            && (f - predicted_f).abs() <= QUADRATIC_TOL * (f0.abs() + scale * (1.0 + norm_sq));
        if !consistent {
            return Ok(false);
        }
    }
    Ok(true)
}
