//! The way of a diagonal Gaussian block to its mode from gradients alone: L-BFGS ascent. A
//! block of hundreds of coordinates whose data touch all of them (a neural network) cannot
//! afford the dense Hessians of the Newton search in `start`: each costs O(d²) per datum.

use std::collections::VecDeque;

use crate::error::Error;
use crate::joint::Joint;
use crate::model::Model;

/// Curvature pairs L-BFGS keeps.
const MEMORY: usize = 10;
/// Most L-BFGS steps.
const MAX_STEPS: usize = 300;
/// Halvings of a step tried until the log joint rises enough (Armijo).
const MAX_HALVINGS: usize = 30;
/// Armijo's constant: a step must gain this share of its first-order prediction.
const ARMIJO: f64 = 1e-4;
/// Longest step (Euclidean, on the unconstrained scale), as in the Newton search.
const MAX_STEP: f64 = 3.0;

/// L-BFGS ascent of the log joint in `coords` from `u` (Nocedal & Wright 2006, Alg. 7.4,
/// with a backtracking Armijo search): stops when a step gains less than 1e-12 of |f̃|.
pub(super) fn lbfgs<M: Model>(
    joint: &Joint<'_, M>,
    coords: &[usize],
    mut u: Vec<f64>,
) -> Result<Vec<f64>, Error> {
    let (mut f, mut g) = joint.block_gradient(coords, &u)?;
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>)> = VecDeque::with_capacity(MEMORY);
    for _ in 0..MAX_STEPS {
        if !(f.is_finite() && g.iter().all(|x| x.is_finite())) {
            break;
        }
        let mut dir = two_loop(&pairs, &g);
        let norm = dot(&dir, &dir).sqrt();
        if norm > MAX_STEP {
            dir.iter_mut().for_each(|x| *x *= MAX_STEP / norm);
        }
        let slope = dot(&g, &dir);
        if slope.is_nan() || slope <= 0.0 {
            if pairs.is_empty() {
                break;
            }
            // not an ascent direction: forget the curvature and follow the gradient
            pairs.clear();
            continue;
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let mut v = u.clone();
            for (i, &k) in coords.iter().enumerate() {
                v[k] += step * dir[i];
            }
            let (fv, gv) = joint.block_gradient(coords, &v)?;
            if fv.is_finite() && fv >= f + ARMIJO * step * slope {
                accepted = Some((v, fv, gv));
                break;
            }
            step *= 0.5;
        }
        let Some((v, fv, gv)) = accepted else { break };
        // s = Δu, y = −Δg (the curvature of −f̃), kept when sᵀy > 0
        let s: Vec<f64> = dir.iter().map(|d| step * d).collect();
        let y: Vec<f64> = g.iter().zip(&gv).map(|(a, b)| a - b).collect();
        if dot(&s, &y) > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if pairs.len() == MEMORY {
                pairs.pop_front();
            }
            pairs.push_back((s, y));
        }
        let gain = fv - f;
        (u, f, g) = (v, fv, gv);
        if gain <= 1e-12 * f.abs().max(1.0) {
            break;
        }
    }
    Ok(u)
}

/// The L-BFGS direction H∇f̃ by the two-loop recursion, H the inverse-curvature estimate
/// of −f̃ from the pairs (the gradient itself when there are none).
fn two_loop(pairs: &VecDeque<(Vec<f64>, Vec<f64>)>, g: &[f64]) -> Vec<f64> {
    let mut q = g.to_vec();
    let mut alpha = Vec::with_capacity(pairs.len());
    for (s, y) in pairs.iter().rev() {
        let a = dot(s, &q) / dot(s, y);
        q.iter_mut().zip(y).for_each(|(qi, yi)| *qi -= a * yi);
        alpha.push(a);
    }
    // H₀ = (sᵀy / yᵀy) I from the newest pair
    let gamma = pairs.back().map_or(1.0, |(s, y)| dot(s, y) / dot(y, y));
    q.iter_mut().for_each(|x| *x *= gamma);
    for ((s, y), a) in pairs.iter().zip(alpha.iter().rev()) {
        let b = dot(y, &q) / dot(s, y);
        q.iter_mut().zip(s).for_each(|(qi, si)| *qi += (a - b) * si);
    }
    q
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
