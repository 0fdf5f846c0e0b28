//! The diagonal Gaussian guide: independent N(mᵢ, 1/pᵢ), T(z) = (z, z²) per coordinate,
//! λ = (p m, −½ p).

use nalgebra::DMatrix;
use rand_distr::{Distribution, StandardNormal};

use super::{short, ExpFamily, ExpFamilyExt, FamilyError, Geometry, Rule, LN_2PI};

const NAME: &str = "Gaussian (diagonal)";

/// Diagonal Gaussian: independent N(mᵢ, 1/pᵢ).
#[derive(Debug, Clone)]
pub struct DiagGaussian {
    m: Vec<f64>,
    p: Vec<f64>,
}

impl DiagGaussian {
    /// Means and precisions (each precision > 0, everything finite).
    pub fn new(m: Vec<f64>, p: Vec<f64>) -> Result<Self, FamilyError> {
        if m.len() != p.len() {
            return Err(FamilyError::WrongLength {
                family: NAME,
                expected: m.len(),
                got: p.len(),
            });
        }
        if m.iter().any(|x| !x.is_finite()) || p.iter().any(|&x| !(x > 0.0 && x.is_finite())) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "means must be finite and precisions positive",
            });
        }
        Ok(DiagGaussian { m, p })
    }

    /// The precisions pᵢ.
    pub fn precisions(&self) -> &[f64] {
        &self.p
    }
}

impl ExpFamily for DiagGaussian {
    fn name(&self) -> &'static str {
        NAME
    }
    fn dim(&self) -> usize {
        self.m.len()
    }
    fn geometry(&self) -> Geometry {
        Geometry::Gaussian { diagonal: true }
    }
    fn natural(&self) -> Vec<f64> {
        let l1 = self.m.iter().zip(&self.p).map(|(m, p)| p * m);
        let l2 = self.p.iter().map(|p| -0.5 * p);
        l1.chain(l2).collect()
    }
    fn in_domain(&self, lambda: &[f64]) -> bool {
        let d = self.m.len();
        lambda.len() == 2 * d
            && lambda[d..].iter().all(|&l| l < 0.0 && l.is_finite())
            && lambda[..d].iter().all(|l| l.is_finite())
    }
    fn set_natural(&mut self, lambda: &[f64]) -> Result<(), FamilyError> {
        if !self.in_domain(lambda) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "precisions must stay positive and parameters finite",
            });
        }
        let d = self.m.len();
        self.p = lambda[d..].iter().map(|l| -2.0 * l).collect();
        self.m = lambda[..d]
            .iter()
            .zip(&self.p)
            .map(|(l, p)| l / p)
            .collect();
        Ok(())
    }
    fn mean_params(&self) -> Vec<f64> {
        let second = self.m.iter().zip(&self.p).map(|(m, p)| 1.0 / p + m * m);
        self.m.iter().copied().chain(second).collect()
    }
    fn suff_stats(&self, z: &[f64]) -> Vec<f64> {
        z.iter().copied().chain(z.iter().map(|x| x * x)).collect()
    }
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let d = z.len();
        let mut d1 = DMatrix::zeros(2 * d, d);
        let mut d2 = DMatrix::zeros(2 * d, d);
        for i in 0..d {
            d1[(i, i)] = 1.0;
            d1[(d + i, i)] = 2.0 * z[i];
            d2[(d + i, i)] = 2.0;
        }
        (d1, d2)
    }
    fn log_partition(&self, lambda: &[f64]) -> f64 {
        // Σ −λ₁²/(4λ₂) − ½ ln(−2λ₂) + ½ ln 2π
        let d = self.m.len();
        if lambda.len() != 2 * d {
            return f64::NAN;
        }
        (0..d)
            .map(|i| {
                let (l1, l2) = (lambda[i], lambda[d + i]);
                -l1 * l1 / (4.0 * l2) - 0.5 * (-2.0 * l2).ln() + 0.5 * LN_2PI
            })
            .sum()
    }
    /// ln q(z) = Σ −½ pᵢ (zᵢ − mᵢ)² + ½ ln pᵢ − ½ ln 2π, without the cancellation of λ·T − A.
    fn log_density(&self, z: &[f64]) -> f64 {
        if z.len() != self.m.len() {
            return f64::NAN;
        }
        (0..z.len())
            .map(|i| {
                let r = z[i] - self.m[i];
                -0.5 * self.p[i] * r * r + 0.5 * self.p[i].ln() - 0.5 * LN_2PI
            })
            .sum()
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        self.m
            .iter()
            .zip(&self.p)
            .map(|(m, p)| {
                let e: f64 = StandardNormal.sample(rng);
                m + e / p.sqrt()
            })
            .collect()
    }
    fn mean(&self) -> Vec<f64> {
        self.m.clone()
    }
    fn sd(&self) -> Vec<f64> {
        self.p.iter().map(|p| 1.0 / p.sqrt()).collect()
    }
    fn cubature(&self) -> Option<Rule> {
        // Spherical-radial rule on the axes: m ± √d eᵢ/√pᵢ, weights 1/(2d); degree 3.
        let d = self.m.len();
        let r = (d as f64).sqrt();
        let w = 1.0 / (2 * d) as f64;
        let mut pts = Vec::with_capacity(2 * d);
        for i in 0..d {
            for sign in [1.0, -1.0] {
                let mut z = self.m.clone();
                z[i] += sign * r / self.p[i].sqrt();
                pts.push((w, z));
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

impl ExpFamilyExt for DiagGaussian {
    fn describe(&self) -> String {
        format!("mean={:?}, sd={:?}", short(&self.m), short(&self.sd()))
    }
    fn fisher(&self) -> DMatrix<f64> {
        // Per coordinate: Var z = s, Cov(z, z²) = 2ms, Var z² = 2s² + 4m²s.
        let d = self.m.len();
        let mut f = DMatrix::zeros(2 * d, 2 * d);
        for i in 0..d {
            let (m, s) = (self.m[i], 1.0 / self.p[i]);
            f[(i, i)] = s;
            f[(i, d + i)] = 2.0 * m * s;
            f[(d + i, i)] = 2.0 * m * s;
            f[(d + i, d + i)] = 2.0 * s * s + 4.0 * m * m * s;
        }
        f
    }
    fn entropy(&self) -> f64 {
        self.p.iter().map(|p| 0.5 * (1.0 + LN_2PI - p.ln())).sum()
    }
}
