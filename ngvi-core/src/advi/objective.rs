//! The ELBO of a Gaussian on the unconstrained scale and its reparameterisation gradient.
//! Parameters θ: the mean m, then ω (log-sds, mean-field) or, full-rank, Σ = L Lᵀ with
//! L = diag(e^λ) U and U unit lower triangular (NumPyro's `scaled_unit_lower_cholesky`):
//! the lower triangle by columns, λᵢ on the diagonal and U_ij below it. Each row of L scales
//! with its coordinate's sd, so Adam's steps, about η in every parameter, are relative to
//! that sd; with L's entries as parameters, a coordinate of sd 10⁻³ gets off-diagonal
//! entries that wander by η and never settles.

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

    /// θ at mean `m` and covariance `scale`² I.
    pub(super) fn initial(&self, m: Vec<f64>, scale: f64) -> Vec<f64> {
        let d = self.dim();
        let mut theta = m;
        if self.full_rank {
            for j in 0..d {
                for i in j..d {
                    theta.push(if i == j { scale.ln() } else { 0.0 });
                }
            }
        } else {
            theta.extend(std::iter::repeat_n(scale.ln(), d));
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
                    l[(i, j)] = if i == j { 1.0 } else { theta[k] };
                    k += 1;
                }
            }
            let scales = self.log_scales(theta).map(f64::exp);
            for (i, s) in scales.enumerate() {
                l.row_mut(i).scale_mut(s);
            }
        } else {
            for i in 0..d {
                l[(i, i)] = theta[d + i].exp();
            }
        }
        (m, l)
    }

    /// λ of a full-rank θ: the diagonal entries of its lower triangle by columns.
    fn log_scales<'t>(&self, theta: &'t [f64]) -> impl Iterator<Item = f64> + 't {
        let d = self.dim();
        // column j starts after the mean and the columns before it: d + Σ_{c<j} (d − c)
        (0..d).map(move |j| theta[d + j * d - j * j.saturating_sub(1) / 2])
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

    /// ∇_θ ELBO by reparameterisation over `n` draws, with G = E[∇f̃ εᵀ]: ∇_m = E[∇f̃];
    /// full-rank ∇U_ij = G_ij e^{λᵢ} and ∇λᵢ = Σ_{j≤i} G_ij L_ij + 1 (9.1); mean-field
    /// ∇_ω = diag(G) e^ω + 1. A draw where f̃ or its gradient is not finite contributes
    /// nothing (Stan rejects it likewise).
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
                    out.push(if i == j {
                        (0..=i).map(|c| gl[(i, c)] * l[(i, c)]).sum::<f64>() * w + 1.0
                    } else {
                        gl[(i, j)] * w * l[(i, i)]
                    });
                }
            }
        } else {
            out.extend((0..d).map(|i| gl[(i, i)] * w * l[(i, i)] + 1.0));
        }
        Ok(out)
    }
}
