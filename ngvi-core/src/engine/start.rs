//! Where the Gaussian block starts: a point where the log joint is finite, moved towards
//! the mode by a few damped Newton steps, with the precision read off the Hessian there —
//! so that the first NGVI steps start near the posterior instead of at N(0, I).

use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

use super::{ascent, Block};
use crate::error::Error;
use crate::family::{DiagGaussian, ExpFamily, Gaussian};
use crate::joint::Joint;
use crate::model::Model;

/// Newton steps towards the mode.
const NEWTON_STEPS: usize = 100;
/// Damping increases tried per Newton step.
const MAX_DAMPING_TRIES: usize = 30;
/// A gain of the log joint below this, relative to its size, ends the Newton steps.
const MODE_GAIN: f64 = 1e-12;
/// Longest Newton step (Euclidean, on the unconstrained scale).
const MAX_NEWTON_STEP: f64 = 3.0;
/// Scales of the random search for a finite start when the given one is not.
const SEARCH_SCALES: [f64; 5] = [0.3, 1.0, 3.0, 10.0, 30.0];
/// Tries per scale in that search.
const SEARCH_TRIES: usize = 200;
/// Points where the log joint is finite that the search collects.
const CLOUD: usize = 40;
/// Eigenvalues of the starting precision are kept in this range.
const PRECISION_RANGE: (f64, f64) = (1e-2, 1e8);

/// The starting guide of Gaussian block `b` (the other blocks at their centres): its mean at
/// an approximate mode of the log joint, its precision the clipped negative Hessian there.
pub(super) fn start<M: Model>(
    joint: &Joint<'_, M>,
    blocks: &[Block],
    b: usize,
    init: &[(usize, f64)],
    seed: u64,
) -> Result<Box<dyn ExpFamily>, Error> {
    let mut u = centre(blocks, joint.dim());
    let coords = &blocks[b].coords;
    for &(g, v) in init {
        if coords.contains(&g) {
            u[g] = v;
        }
    }
    let fam = &blocks[b].family;
    let diagonal = matches!(
        fam.geometry(),
        crate::family::Geometry::Gaussian { diagonal: true }
    );
    let finite = joint.value(u.clone())?.is_finite();
    if diagonal && finite {
        // gradients only on the way: a dense Hessian costs O(d²) per datum; at the mode
        // the precision is the Hessian's diagonal, −∂ᵢ²f̃ (4.18a)
        let mode = ascent::lbfgs(joint, coords, u)?;
        let m: Vec<f64> = coords.iter().map(|&g| mode[g]).collect();
        let (_, _, h) = joint.diagonal_derivatives(coords, &mode)?;
        let p = h
            .into_iter()
            .map(|h| if h.is_finite() { -h } else { 1.0 })
            .map(|p| p.clamp(PRECISION_RANGE.0, PRECISION_RANGE.1))
            .collect();
        return Ok(Box::new(DiagGaussian::new(m, p)?));
    }
    let (m, p) = if finite {
        let (mode, hess) = newton(joint, coords, u)?;
        let m: Vec<f64> = coords.iter().map(|&g| mode[g]).collect();
        (m, clipped_precision(&hess))
    } else {
        // A log joint that is −∞ around the start has walls a Newton step would run into:
        // start at the centre of the points found where it is finite, with their spread.
        feasible_cloud(joint, coords, &u, seed)?
    };
    Ok(if diagonal {
        Box::new(DiagGaussian::new(
            m,
            p.diagonal().iter().copied().collect(),
        )?)
    } else {
        Box::new(Gaussian::new(m, p)?)
    })
}

/// Every block at its centre (a finite point where its guide puts mass).
pub(crate) fn centre(blocks: &[Block], dim: usize) -> Vec<f64> {
    let mut u = vec![0.0; dim];
    for blk in blocks {
        for (&g, v) in blk.coords.iter().zip(blk.family.mean()) {
            u[g] = v;
        }
    }
    u
}

/// Points, differing from `u` only in `coords`, where the log joint is finite: drawn from
/// N(u, s² I) at growing scales s until `CLOUD` are found; their mean and the inverse of
/// their (regularised) covariance, on the block's coordinates.
fn feasible_cloud<M: Model>(
    joint: &Joint<'_, M>,
    coords: &[usize],
    u: &[f64],
    seed: u64,
) -> Result<(Vec<f64>, DMatrix<f64>), Error> {
    let mut rng = StdRng::seed_from_u64(seed);
    let d = coords.len();
    let mut found: Vec<DVector<f64>> = Vec::new();
    let mut all_nan = true;
    for scale in SEARCH_SCALES {
        for _ in 0..SEARCH_TRIES {
            let mut v = u.to_vec();
            for &g in coords {
                let e: f64 = StandardNormal.sample(&mut rng);
                v[g] = u[g] + scale * e;
            }
            let f = joint.value(v.clone())?;
            all_nan &= f.is_nan();
            if f.is_finite() {
                found.push(DVector::from_iterator(d, coords.iter().map(|&g| v[g])));
            }
        }
        if found.len() >= CLOUD {
            break;
        }
    }
    let tries = SEARCH_SCALES.len() * SEARCH_TRIES;
    if found.is_empty() && all_nan {
        return Err(Error::NanLogJoint { tries });
    }
    if found.is_empty() {
        return Err(Error::NoFiniteStart { tries });
    }
    let n = found.len() as f64;
    let mean = found.iter().fold(DVector::zeros(d), |a, x| a + x) / n;
    let cov = found.iter().fold(DMatrix::zeros(d, d), |a, x| {
        let r = x - &mean;
        a + &r * r.transpose()
    }) / n;
    let scale = cov.diagonal().max().max(1e-8);
    let cov = cov + DMatrix::identity(d, d) * (1e-3 * scale);
    let p = cov
        .try_inverse()
        .map_or_else(|| DMatrix::identity(d, d), |p| clipped_precision(&(-p)));
    Ok((mean.iter().copied().collect(), p))
}

/// Levenberg–Marquardt ascent on the log joint in `coords`: each step solves
/// (−H + μI) δ = ∇f̃, with μ raised ×10 until −H + μI is positive definite and the log joint
/// rises, lowered ×10 after a step that did, and the step at most `MAX_NEWTON_STEP` long.
/// Stops when a step gains, or a full Newton step would gain, less than the log joint's
/// rounding (`MODE_GAIN`). Returns the point and the Hessian.
fn newton<M: Model>(
    joint: &Joint<'_, M>,
    coords: &[usize],
    mut u: Vec<f64>,
) -> Result<(Vec<f64>, DMatrix<f64>), Error> {
    let (mut f, mut g, mut h) = joint.derivatives(coords, &u)?;
    let d = coords.len();
    let mut mu = 0.0_f64;
    for _ in 0..NEWTON_STEPS {
        if !(g.iter().chain(h.iter()).all(|x| x.is_finite())) {
            break;
        }
        let gv = DVector::from_column_slice(&g);
        if let Some(c) = (-&h).cholesky() {
            // the gain a full Newton step predicts, ½ gᵀ(−H)⁻¹g, lost in the rounding of f̃:
            // at the mode (trying damped steps there would cost a pass over the data each)
            if 0.5 * gv.dot(&c.solve(&gv)) <= MODE_GAIN * f.abs().max(1.0) {
                break;
            }
        }
        let mut moved = false;
        for _ in 0..MAX_DAMPING_TRIES {
            let damped = -&h + DMatrix::identity(d, d) * mu;
            let Some(c) = damped.cholesky() else {
                mu = (mu * 10.0).max(1e-6 * h.amax().max(1.0));
                continue;
            };
            let mut dir = c.solve(&gv);
            let norm = dir.norm();
            if norm > MAX_NEWTON_STEP {
                dir *= MAX_NEWTON_STEP / norm;
            }
            let mut v = u.clone();
            for (i, &k) in coords.iter().enumerate() {
                v[k] += dir[i];
            }
            let (fv, gv2, hv) = joint.derivatives(coords, &v)?;
            if fv.is_finite() && fv > f {
                let gain = fv - f;
                (u, f, g, h, moved) = (v, fv, gv2, hv, true);
                mu /= 10.0;
                if gain <= MODE_GAIN * f.abs().max(1.0) {
                    return Ok((u, h));
                }
                break;
            }
            mu = (mu * 10.0).max(1e-6 * h.amax().max(1.0));
        }
        if !moved {
            break;
        }
    }
    Ok((u, h))
}

/// −H with its eigenvalues clipped into `PRECISION_RANGE` (identity when H is not finite).
fn clipped_precision(h: &DMatrix<f64>) -> DMatrix<f64> {
    let d = h.nrows();
    if h.iter().any(|x| !x.is_finite()) {
        return DMatrix::identity(d, d);
    }
    let eig = (-h).symmetric_eigen();
    let vals = eig
        .eigenvalues
        .map(|x| x.clamp(PRECISION_RANGE.0, PRECISION_RANGE.1));
    let p = &eig.eigenvectors * DMatrix::from_diagonal(&vals) * eig.eigenvectors.transpose();
    (&p + p.transpose()) * 0.5
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::super::test_models::data;
    use super::start;
    use crate::ad::hessian;
    use crate::guide::{plan, Blocking};
    use crate::model::Model;
    use crate::plate::Reducer;

    /// A diagonal block starts at the mode, where the gradient vanishes, with the exact
    /// diagonal of −∇²f̃ there as its precision (4.18a): against `Dual2`'s full Hessian of
    /// a Poisson regression every row of which reads all three coefficients.
    #[test]
    fn a_diagonal_block_starts_at_the_mode_with_the_hessians_diagonal() {
        let model = data(200, false);
        let latents = model.latents().unwrap();
        let mut rng = StdRng::seed_from_u64(3);
        let reducer = Reducer::default();
        let plan = plan(
            &model,
            &latents,
            &[],
            Blocking::Diagonal,
            (true, true),
            &reducer,
            &mut rng,
        )
        .unwrap();
        let guide = start(&plan.joint, &plan.blocks, 0, &[], 0).unwrap();
        let m = guide.mean();
        let (_, g, h) = hessian(|w| model.log_joint(w).unwrap(), &m);
        assert!(
            g.iter().all(|gi| gi.abs() < 1e-6),
            "gradient {g:?} at {m:?}"
        );
        let p: Vec<f64> = guide.sd().iter().map(|s| 1.0 / (s * s)).collect();
        for i in 0..3 {
            let want = -h[(i, i)];
            assert!((p[i] - want).abs() <= 1e-9 * want, "{p:?} against {want}");
            assert!(
                h[(i, (i + 1) % 3)].abs() > 1.0,
                "the Hessian is not diagonal"
            );
        }
    }
}
