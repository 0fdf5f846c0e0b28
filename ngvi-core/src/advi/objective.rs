//! The ELBO of a Gaussian on the unconstrained scale and its reparameterisation gradient.
//! Parameters θ: the mean m, then ω (log-sds, mean-field) or the lower triangle of L by
//! columns (full-rank, Σ = L Lᵀ).

use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use super::{diagonal_from, gaussian_from};
use crate::error::Error;
use crate::family::{ExpFamily, LN_2PI};
use crate::joint::Joint;
use crate::model::Model;

/// The ELBO of a Gaussian guide over a model's transformed log joint.
pub(super) struct Objective<'j, 'm, M: Model> {
    pub(super) joint: &'j Joint<'m, M>,
    pub(super) full_rank: bool,
}

impl<M: Model> Objective<'_, '_, M> {
    fn dim(&self) -> usize {
        self.joint.dim()
    }

    /// θ at mean `m` and unit covariance.
    pub(super) fn initial(&self, m: Vec<f64>) -> Vec<f64> {
        let d = self.dim();
        let mut theta = m;
        if self.full_rank {
            for j in 0..d {
                for i in j..d {
                    theta.push(if i == j { 1.0 } else { 0.0 });
                }
            }
        } else {
            theta.extend(std::iter::repeat_n(0.0, d));
        }
        theta
    }

    /// (m, L) from θ (L diagonal e^ω for mean-field).
    fn unpack(&self, theta: &[f64]) -> (DVector<f64>, DMatrix<f64>) {
        let d = self.dim();
        let m = DVector::from_column_slice(&theta[..d]);
        let mut l = DMatrix::zeros(d, d);
        if self.full_rank {
            let mut k = d;
            for j in 0..d {
                for i in j..d {
                    l[(i, j)] = theta[k];
                    k += 1;
                }
            }
        } else {
            for i in 0..d {
                l[(i, i)] = theta[d + i].exp();
            }
        }
        (m, l)
    }

    /// The guide θ stands for.
    pub(super) fn family(&self, theta: &[f64]) -> Result<Box<dyn ExpFamily>, Error> {
        let d = self.dim();
        let (m, l) = self.unpack(theta);
        let m: Vec<f64> = m.iter().copied().collect();
        if self.full_rank {
            gaussian_from(m, &l)
        } else {
            diagonal_from(m, &DVector::from_column_slice(&theta[d..]))
        }
    }

    /// Entropy of N(m, L Lᵀ): Σ ln |L_ii| + (d/2)(1 + ln 2π).
    fn entropy(&self, l: &DMatrix<f64>) -> f64 {
        let d = self.dim() as f64;
        l.diagonal().iter().map(|x| x.abs().ln()).sum::<f64>() + 0.5 * d * (1.0 + LN_2PI)
    }

    /// ELBO ≈ (1/S) Σ f̃(m + L εₛ) + H(q), over `n` fresh draws.
    pub(super) fn elbo(&self, theta: &[f64], n: usize, rng: &mut StdRng) -> Result<f64, Error> {
        let (m, l) = self.unpack(theta);
        let mut sum = 0.0;
        for _ in 0..n {
            let eps = DVector::from_fn(self.dim(), |_, _| StandardNormal.sample(rng));
            let u = &m + &l * eps;
            sum += self.joint.value(u.iter().copied().collect())?;
        }
        Ok(sum / n as f64 + self.entropy(&l))
    }

    /// ∇_θ ELBO by reparameterisation over `n` draws: ∇_m = E[∇f̃], ∇_L = E[∇f̃ εᵀ] (lower
    /// triangle) + diag(1/L_ii); mean-field ∇_ω = E[∇f̃ ⊙ ε] e^ω + 1. A draw where f̃ or its
    /// gradient is not finite contributes nothing (Stan rejects it likewise).
    pub(super) fn gradient(
        &self,
        theta: &[f64],
        n: usize,
        rng: &mut StdRng,
    ) -> Result<Vec<f64>, Error> {
        let d = self.dim();
        let (m, l) = self.unpack(theta);
        let mut gm = DVector::zeros(d);
        let mut gl = DMatrix::zeros(d, d);
        let mut used = 0usize;
        for _ in 0..n {
            let eps = DVector::from_fn(d, |_, _| StandardNormal.sample(rng));
            let u = &m + &l * &eps;
            let (f, g) = self.joint.gradient(u.as_slice())?;
            if !f.is_finite() || g.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let g = DVector::from_vec(g);
            gl += &g * eps.transpose();
            gm += g;
            used += 1;
        }
        let w = 1.0 / used.max(1) as f64;
        let mut out: Vec<f64> = gm.iter().map(|x| x * w).collect();
        if self.full_rank {
            for j in 0..d {
                for i in j..d {
                    let entropy = if i == j { 1.0 / l[(i, i)] } else { 0.0 };
                    out.push(gl[(i, j)] * w + entropy);
                }
            }
        } else {
            out.extend((0..d).map(|i| gl[(i, i)] * w * l[(i, i)] + 1.0));
        }
        Ok(out)
    }
}
