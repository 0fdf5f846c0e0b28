//! The full-rank Gaussian guide N(m, P⁻¹), T(z) = (z, z zᵀ), λ = (P m, −½ P).

use nalgebra::{DMatrix, DVector};
use rand_distr::{Distribution, StandardNormal};

use super::{short, ExpFamily, ExpFamilyExt, FamilyError, Geometry, Rule, LN_2PI};

const NAME: &str = "Gaussian";

/// Full-rank Gaussian N(m, P⁻¹), kept as its mean and the Cholesky factor of its precision.
#[derive(Debug, Clone)]
pub struct Gaussian {
    m: DVector<f64>,
    prec: DMatrix<f64>,
    /// L with P = L Lᵀ.
    chol_l: DMatrix<f64>,
}

fn not_positive_definite() -> FamilyError {
    FamilyError::OutsideDomain {
        family: NAME,
        what: "the precision is not positive definite",
    }
}

impl Gaussian {
    /// N(m, P⁻¹); errors when P is not symmetric positive definite or m is not finite.
    pub fn new(m: Vec<f64>, prec: DMatrix<f64>) -> Result<Self, FamilyError> {
        if prec.shape() != (m.len(), m.len()) {
            return Err(FamilyError::WrongLength {
                family: NAME,
                expected: m.len() * m.len(),
                got: prec.len(),
            });
        }
        if m.iter().chain(prec.iter()).any(|x| !x.is_finite()) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "mean and precision must be finite",
            });
        }
        let chol = prec.clone().cholesky().ok_or_else(not_positive_definite)?;
        Ok(Gaussian {
            m: DVector::from_vec(m),
            chol_l: chol.l(),
            prec,
        })
    }

    /// Mean vector.
    pub fn mean_vec(&self) -> &DVector<f64> {
        &self.m
    }

    /// Precision matrix P.
    pub fn precision(&self) -> &DMatrix<f64> {
        &self.prec
    }

    /// Covariance S = P⁻¹.
    pub fn covariance(&self) -> DMatrix<f64> {
        let d = self.m.len();
        match self.prec.clone().cholesky() {
            Some(c) => c.inverse(),
            None => DMatrix::from_element(d, d, f64::NAN),
        }
    }

    fn ln_det_prec(&self) -> f64 {
        2.0 * self.chol_l.diagonal().iter().map(|x| x.ln()).sum::<f64>()
    }

    /// z = m + L⁻ᵀ ε: the point of the guide for a standard-normal ε.
    fn transform(&self, eps: &DVector<f64>) -> DVector<f64> {
        let x = self
            .chol_l
            .tr_solve_lower_triangular(eps)
            .unwrap_or_else(|| DVector::from_element(eps.len(), f64::NAN));
        &self.m + x
    }

    fn unpack(&self, lambda: &[f64]) -> Option<(DVector<f64>, DMatrix<f64>)> {
        let d = self.m.len();
        if lambda.len() != d + d * d {
            return None;
        }
        let l1 = DVector::from_column_slice(&lambda[..d]);
        let l2 = DMatrix::from_column_slice(d, d, &lambda[d..]);
        let p = (&l2 + l2.transpose()) * (-1.0);
        Some((l1, p))
    }
}

impl ExpFamily for Gaussian {
    fn name(&self) -> &'static str {
        NAME
    }
    fn dim(&self) -> usize {
        self.m.len()
    }
    fn geometry(&self) -> Geometry {
        Geometry::Gaussian { diagonal: false }
    }
    fn natural(&self) -> Vec<f64> {
        let l1 = &self.prec * &self.m;
        let l2 = &self.prec * (-0.5);
        l1.iter().chain(l2.iter()).copied().collect()
    }
    fn in_domain(&self, lambda: &[f64]) -> bool {
        // λ₁ must be finite too: a NaN or infinite λ₁ would give a NaN or infinite mean.
        lambda.iter().all(|x| x.is_finite())
            && self
                .unpack(lambda)
                .is_some_and(|(_, p)| p.cholesky().is_some())
    }
    fn set_natural(&mut self, lambda: &[f64]) -> Result<(), FamilyError> {
        let d = self.m.len();
        let (l1, p) = self.unpack(lambda).ok_or(FamilyError::WrongLength {
            family: NAME,
            expected: d + d * d,
            got: lambda.len(),
        })?;
        if lambda.iter().any(|x| !x.is_finite()) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "natural parameters must be finite",
            });
        }
        let chol = p.clone().cholesky().ok_or_else(not_positive_definite)?;
        self.m = chol.solve(&l1);
        self.chol_l = chol.l();
        self.prec = p;
        Ok(())
    }
    fn mean_params(&self) -> Vec<f64> {
        // μ = (m, S + m mᵀ)
        let second = self.covariance() + &self.m * self.m.transpose();
        self.m.iter().chain(second.iter()).copied().collect()
    }
    fn suff_stats(&self, z: &[f64]) -> Vec<f64> {
        let zv = DVector::from_column_slice(z);
        let zz = &zv * zv.transpose();
        z.iter().chain(zz.iter()).copied().collect()
    }
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let d = z.len();
        let mut d1 = DMatrix::zeros(d + d * d, d);
        let mut d2 = DMatrix::zeros(d + d * d, d);
        for i in 0..d {
            d1[(i, i)] = 1.0;
            for j in 0..d {
                // T_{ij} = zᵢ zⱼ at column-major index d + j·d + i.
                let s = d + j * d + i;
                if i == j {
                    d1[(s, i)] = 2.0 * z[i];
                    d2[(s, i)] = 2.0;
                } else {
                    d1[(s, i)] = z[j];
                    d1[(s, j)] = z[i];
                }
            }
        }
        (d1, d2)
    }
    fn log_partition(&self, lambda: &[f64]) -> f64 {
        // A = ½ mᵀPm − ½ ln|P| + (d/2) ln 2π, with P = −2Λ₂, m = P⁻¹λ₁
        let Some((l1, p)) = self.unpack(lambda) else {
            return f64::NAN;
        };
        let d = l1.len() as f64;
        match p.cholesky() {
            Some(c) => {
                let m = c.solve(&l1);
                let ln_det = 2.0 * c.l().diagonal().iter().map(|x| x.ln()).sum::<f64>();
                0.5 * l1.dot(&m) - 0.5 * ln_det + 0.5 * d * LN_2PI
            }
            None => f64::INFINITY,
        }
    }
    /// ln q(z) = −½‖Lᵀ(z − m)‖² + ½ ln|P| − (d/2) ln 2π, from the stored factor: λ·T − A
    /// cancels catastrophically for a concentrated guide.
    fn log_density(&self, z: &[f64]) -> f64 {
        let d = self.m.len();
        if z.len() != d {
            return f64::NAN;
        }
        let r = self
            .chol_l
            .tr_mul(&(DVector::from_column_slice(z) - &self.m));
        -0.5 * r.norm_squared() + 0.5 * self.ln_det_prec() - 0.5 * d as f64 * LN_2PI
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        let eps = DVector::from_fn(self.m.len(), |_, _| StandardNormal.sample(rng));
        self.transform(&eps).iter().copied().collect()
    }
    fn mean(&self) -> Vec<f64> {
        self.m.iter().copied().collect()
    }
    fn sd(&self) -> Vec<f64> {
        self.covariance()
            .diagonal()
            .iter()
            .map(|v| v.sqrt())
            .collect()
    }
    fn cubature(&self) -> Option<Rule> {
        // Spherical-radial rule: m ± √d L⁻ᵀ eᵢ, weights 1/(2d); exact to degree 3.
        let d = self.m.len();
        let r = (d as f64).sqrt();
        let w = 1.0 / (2 * d) as f64;
        let mut pts = Vec::with_capacity(2 * d);
        for i in 0..d {
            for sign in [1.0, -1.0] {
                let mut e = DVector::zeros(d);
                e[i] = sign * r;
                pts.push((w, self.transform(&e).iter().copied().collect()));
            }
        }
        Some(pts)
    }
    fn cubature_len(&self) -> Option<usize> {
        Some(2 * self.dim())
    }
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
}

impl ExpFamilyExt for Gaussian {
    fn describe(&self) -> String {
        format!(
            "mean={:?}, sd={:?}",
            short(self.m.as_slice()),
            short(&self.sd())
        )
    }
    fn fisher(&self) -> DMatrix<f64> {
        // Cov of (z, z zᵀ) under N(m, S), by Isserlis' theorem.
        let d = self.m.len();
        let s = self.covariance();
        let m = &self.m;
        let idx = |i: usize, j: usize| d + j * d + i;
        let mut f = DMatrix::zeros(d + d * d, d + d * d);
        for i in 0..d {
            for j in 0..d {
                f[(i, j)] = s[(i, j)];
                for k in 0..d {
                    // Cov(zᵢ, zⱼ z_k) = S_ij m_k + S_ik m_j
                    let c = s[(i, j)] * m[k] + s[(i, k)] * m[j];
                    f[(i, idx(j, k))] = c;
                    f[(idx(j, k), i)] = c;
                }
            }
        }
        for i in 0..d {
            for j in 0..d {
                for k in 0..d {
                    for l in 0..d {
                        // Cov(zᵢzⱼ, z_k z_l)
                        f[(idx(i, j), idx(k, l))] = s[(i, k)] * s[(j, l)]
                            + s[(i, l)] * s[(j, k)]
                            + m[i] * m[k] * s[(j, l)]
                            + m[i] * m[l] * s[(j, k)]
                            + m[j] * m[k] * s[(i, l)]
                            + m[j] * m[l] * s[(i, k)];
                    }
                }
            }
        }
        f
    }
    fn entropy(&self) -> f64 {
        let d = self.m.len() as f64;
        0.5 * d * (1.0 + LN_2PI) - 0.5 * self.ln_det_prec()
    }
}
