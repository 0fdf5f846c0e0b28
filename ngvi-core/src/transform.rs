//! Transforms from a latent's support to the real line, where the Gaussian block lives: the
//! identity, log and scaled logit per coordinate, and stick-breaking for a simplex (K
//! components from K − 1 unconstrained coordinates).

use std::ops::Range;

use crate::ad::Scalar;
use crate::dist::Support;

/// How unconstrained coordinates map to a latent's own scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// z = u
    Identity,
    /// z = eᵘ (positive support)
    Log,
    /// z = lo + (hi − lo) σ(u) (bounded support)
    Logit(f64, f64),
    /// K − 1 coordinates to a point of the K-simplex, by stick-breaking (as Stan):
    /// z_k = r_k σ(u_k − ln(K − k)), r_k = 1 − Σ_{j<k} z_j, z_K = r_K.
    StickBreaking,
}

impl Transform {
    /// The transform for a support, or `None` when no transform reaches it.
    pub fn for_support(s: Support) -> Option<Transform> {
        match s {
            Support::Real => Some(Transform::Identity),
            Support::Positive => Some(Transform::Log),
            Support::UnitInterval => Some(Transform::Logit(0.0, 1.0)),
            Support::Interval(lo, hi) => Some(Transform::Logit(lo, hi)),
            Support::Simplex => Some(Transform::StickBreaking),
            _ => None,
        }
    }

    /// Whether the transform acts on each coordinate alone.
    pub fn is_elementwise(&self) -> bool {
        !matches!(self, Transform::StickBreaking)
    }

    /// z = g(u) and ln |g′(u)| for one coordinate of an elementwise transform.
    pub fn forward<S: Scalar>(&self, u: S) -> (S, S) {
        match *self {
            Transform::Identity | Transform::StickBreaking => (u, S::constant(0.0)),
            Transform::Log => (u.exp(), u),
            Transform::Logit(lo, hi) => {
                // ln g′ = ln(hi − lo) + ln σ(u) + ln σ(−u)
                let jac = u.ln_sigmoid() + (-u.clone()).ln_sigmoid() + (hi - lo).ln();
                (u.sigmoid() * (hi - lo) + lo, jac)
            }
        }
    }

    /// u = g⁻¹(z) for one coordinate of an elementwise transform.
    pub fn inverse(&self, z: f64) -> f64 {
        match *self {
            Transform::Identity | Transform::StickBreaking => z,
            Transform::Log => z.ln(),
            Transform::Logit(lo, hi) => {
                let p = (z - lo) / (hi - lo);
                (p / (1.0 - p)).ln()
            }
        }
    }

    /// Stick-breaking: the K-simplex point of K − 1 coordinates and ln |det J|, with
    /// ln |det J| = Σ_k ln σ(y_k) + ln σ(−y_k) + ln r_k, y_k = u_k − ln(K − k).
    pub fn simplex<S: Scalar>(u: &[S]) -> (Vec<S>, S) {
        let k = u.len() + 1;
        let mut z = Vec::with_capacity(k);
        let mut rest = S::constant(1.0);
        let mut jac = S::constant(0.0);
        for (i, ui) in u.iter().enumerate() {
            let y = ui.clone() - ((k - 1 - i) as f64).ln();
            jac += y.ln_sigmoid() + (-y.clone()).ln_sigmoid() + rest.ln();
            let zi = rest.clone() * y.sigmoid();
            rest -= zi.clone();
            z.push(zi);
        }
        z.push(rest);
        (z, jac)
    }

    /// The inverse of [`Transform::simplex`]: K − 1 coordinates of a simplex point.
    pub fn simplex_inverse(z: &[f64]) -> Vec<f64> {
        let k = z.len();
        let mut rest = 1.0;
        let mut u = Vec::with_capacity(k.saturating_sub(1));
        for (i, &zi) in z.iter().take(k.saturating_sub(1)).enumerate() {
            let p = zi / rest;
            u.push((p / (1.0 - p)).ln() + ((k - 1 - i) as f64).ln());
            rest -= zi;
        }
        u
    }

    /// "", " (log scale)", " (logit scale)", " (stick-breaking)"
    pub fn label(&self) -> &'static str {
        match self {
            Transform::Identity => "",
            Transform::Log => " (log scale)",
            Transform::Logit(..) => " (logit scale)",
            Transform::StickBreaking => " (stick-breaking)",
        }
    }
}

/// A piece of the latent vector: unconstrained coordinates `u` mapped by `transform` to the
/// latent coordinates `z` (one coordinate each for an elementwise transform).
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The transform.
    pub transform: Transform,
    /// Its unconstrained coordinates.
    pub u: Range<usize>,
    /// Its coordinates of the latent vector.
    pub z: Range<usize>,
}

/// z = g(u) and the log-Jacobian of (4.2), piece by piece.
pub fn to_latent<S: Scalar>(pieces: &[Piece], u: &[S]) -> (Vec<S>, S) {
    let mut z = Vec::with_capacity(pieces.last().map_or(0, |p| p.z.end));
    let mut jac = S::constant(0.0);
    for p in pieces {
        jac += p.forward_into(&u[p.u.clone()], &mut z);
    }
    (z, jac)
}

impl Piece {
    /// Appends z = g(u) for this piece to `z` and gives ln |det g′(u)|, u its own
    /// coordinates.
    pub fn forward_into<S: Scalar>(&self, u: &[S], z: &mut Vec<S>) -> S {
        match self.transform {
            Transform::StickBreaking => {
                let (zp, jac) = Transform::simplex(u);
                z.extend(zp);
                jac
            }
            t => {
                let (zi, jac) = t.forward(u[0].clone());
                z.push(zi);
                jac
            }
        }
    }

    /// u = g⁻¹(z) for this piece, z its own coordinates.
    pub fn inverse(&self, z: &[f64]) -> Vec<f64> {
        match self.transform {
            Transform::StickBreaking => Transform::simplex_inverse(z),
            t => vec![t.inverse(z[0])],
        }
    }
}
