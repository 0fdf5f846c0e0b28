//! The InverseGamma guide InverseGamma(shape α, scale β): T(z) = (ln z, 1/z),
//! λ = (−α − 1, −β).

use nalgebra::DMatrix;

use super::quadrature::{gauss_laguerre, LAGUERRE_NODES};
use super::{positive_pair, ExpFamily, ExpFamilyExt, FamilyError, Rule};
use crate::dist::{self, Sampling};
use crate::special::{digamma, lgamma, trigamma};

const NAME: &str = "InverseGamma";

/// InverseGamma(shape α, scale β): 1/z ~ Gamma(α, rate β).
#[derive(Debug, Clone)]
pub struct InverseGamma {
    shape: f64,
    scale: f64,
}

impl InverseGamma {
    /// InverseGamma(shape, scale), both > 0.
    pub fn new(shape: f64, scale: f64) -> Result<Self, FamilyError> {
        positive_pair(NAME, shape, scale)?;
        Ok(InverseGamma { shape, scale })
    }
    /// (shape, scale)
    pub fn params(&self) -> (f64, f64) {
        (self.shape, self.scale)
    }
}

impl ExpFamily for InverseGamma {
    fn name(&self) -> &'static str {
        NAME
    }
    fn dim(&self) -> usize {
        1
    }
    fn natural(&self) -> Vec<f64> {
        vec![-self.shape - 1.0, -self.scale]
    }
    fn in_domain(&self, l: &[f64]) -> bool {
        l.len() == 2 && l[0] < -1.0 && l[1] < 0.0 && l.iter().all(|x| x.is_finite())
    }
    fn set_natural(&mut self, l: &[f64]) -> Result<(), FamilyError> {
        if !self.in_domain(l) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "shape and scale must stay positive",
            });
        }
        self.shape = -l[0] - 1.0;
        self.scale = -l[1];
        Ok(())
    }
    fn mean_params(&self) -> Vec<f64> {
        vec![
            self.scale.ln() - digamma(self.shape),
            self.shape / self.scale,
        ]
    }
    fn suff_stats(&self, z: &[f64]) -> Vec<f64> {
        vec![z[0].ln(), 1.0 / z[0]]
    }
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let x = z[0];
        (
            DMatrix::from_column_slice(2, 1, &[1.0 / x, -1.0 / (x * x)]),
            DMatrix::from_column_slice(2, 1, &[-1.0 / (x * x), 2.0 / (x * x * x)]),
        )
    }
    fn log_partition(&self, l: &[f64]) -> f64 {
        // A = ln Γ(α) − α ln β
        if l.len() != 2 {
            return f64::NAN;
        }
        let (a, b) = (-l[0] - 1.0, -l[1]);
        lgamma(a) - a * b.ln()
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        vec![dist::InverseGamma::new(self.shape, self.scale).map_or(f64::NAN, |d| d.sample(rng))]
    }
    fn mean(&self) -> Vec<f64> {
        let a = self.shape;
        vec![if a > 1.0 {
            self.scale / (a - 1.0)
        } else {
            f64::INFINITY
        }]
    }
    fn sd(&self) -> Vec<f64> {
        let a = self.shape;
        vec![if a > 2.0 {
            self.scale / ((a - 1.0) * (a - 2.0).sqrt())
        } else {
            f64::INFINITY
        }]
    }
    fn cubature(&self) -> Option<Rule> {
        // Exact for polynomials in 1/z: Gauss–Laguerre nodes of Gamma(α, β), inverted.
        Some(
            gauss_laguerre(LAGUERRE_NODES, self.shape - 1.0)
                .into_iter()
                .map(|(w, x)| (w, vec![self.scale / x]))
                .collect(),
        )
    }
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
}

impl ExpFamilyExt for InverseGamma {
    fn describe(&self) -> String {
        format!("shape={:.6}, scale={:.6}", self.shape, self.scale)
    }
    fn fisher(&self) -> DMatrix<f64> {
        let (a, b) = (self.shape, self.scale);
        DMatrix::from_row_slice(2, 2, &[trigamma(a), -1.0 / b, -1.0 / b, a / (b * b)])
    }
    fn entropy(&self) -> f64 {
        let a = self.shape;
        a + self.scale.ln() + lgamma(a) - (1.0 + a) * digamma(a)
    }
}
