//! The Gamma guide Gamma(shape α, rate β): T(z) = (ln z, z), λ = (α − 1, −β).

use nalgebra::DMatrix;

use super::quadrature::{gauss_laguerre, LAGUERRE_NODES};
use super::{positive_pair, ExpFamily, ExpFamilyExt, FamilyError, Rule};
use crate::dist::{self, Sampling};
use crate::special::{digamma, lgamma, trigamma};

const NAME: &str = "Gamma";

/// Gamma(shape α, rate β).
#[derive(Debug, Clone)]
pub struct Gamma {
    shape: f64,
    rate: f64,
}

impl Gamma {
    /// Gamma(shape, rate), both > 0.
    pub fn new(shape: f64, rate: f64) -> Result<Self, FamilyError> {
        positive_pair(NAME, shape, rate)?;
        Ok(Gamma { shape, rate })
    }
    /// (shape, rate)
    pub fn params(&self) -> (f64, f64) {
        (self.shape, self.rate)
    }
}

/// A draw of Gamma(shape, rate), through the distribution's own sampler (NaN, never a panic,
/// for parameters it rejects).
pub(super) fn gamma_draw(rng: &mut dyn rand::Rng, shape: f64, rate: f64) -> f64 {
    dist::Gamma::new(shape, rate).map_or(f64::NAN, |g| g.sample(rng))
}

impl ExpFamily for Gamma {
    fn name(&self) -> &'static str {
        NAME
    }
    fn dim(&self) -> usize {
        1
    }
    fn natural(&self) -> Vec<f64> {
        vec![self.shape - 1.0, -self.rate]
    }
    fn in_domain(&self, l: &[f64]) -> bool {
        l.len() == 2 && l[0] > -1.0 && l[1] < 0.0 && l.iter().all(|x| x.is_finite())
    }
    fn set_natural(&mut self, l: &[f64]) -> Result<(), FamilyError> {
        if !self.in_domain(l) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "shape and rate must stay positive",
            });
        }
        self.shape = l[0] + 1.0;
        self.rate = -l[1];
        Ok(())
    }
    fn mean_params(&self) -> Vec<f64> {
        vec![digamma(self.shape) - self.rate.ln(), self.shape / self.rate]
    }
    fn suff_stats(&self, z: &[f64]) -> Vec<f64> {
        vec![z[0].ln(), z[0]]
    }
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let x = z[0];
        (
            DMatrix::from_column_slice(2, 1, &[1.0 / x, 1.0]),
            DMatrix::from_column_slice(2, 1, &[-1.0 / (x * x), 0.0]),
        )
    }
    fn log_partition(&self, l: &[f64]) -> f64 {
        // A = ln Γ(α) − α ln β
        if l.len() != 2 {
            return f64::NAN;
        }
        let (a, b) = (l[0] + 1.0, -l[1]);
        lgamma(a) - a * b.ln()
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        vec![gamma_draw(rng, self.shape, self.rate)]
    }
    fn mean(&self) -> Vec<f64> {
        vec![self.shape / self.rate]
    }
    fn sd(&self) -> Vec<f64> {
        vec![self.shape.sqrt() / self.rate]
    }
    fn cubature(&self) -> Option<Rule> {
        // Generalised Gauss–Laguerre with a = α − 1, nodes scaled by 1/β.
        Some(
            gauss_laguerre(LAGUERRE_NODES, self.shape - 1.0)
                .into_iter()
                .map(|(w, x)| (w, vec![x / self.rate]))
                .collect(),
        )
    }
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
}

impl ExpFamilyExt for Gamma {
    fn describe(&self) -> String {
        format!("shape={:.6}, rate={:.6}", self.shape, self.rate)
    }
    fn fisher(&self) -> DMatrix<f64> {
        let (a, b) = (self.shape, self.rate);
        DMatrix::from_row_slice(2, 2, &[trigamma(a), 1.0 / b, 1.0 / b, a / (b * b)])
    }
    fn entropy(&self) -> f64 {
        let a = self.shape;
        a - self.rate.ln() + lgamma(a) + (1.0 - a) * digamma(a)
    }
}
