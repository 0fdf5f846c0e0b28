//! The Beta guide Beta(a, b): T(z) = (ln z, ln(1 − z)), λ = (a − 1, b − 1).

use nalgebra::DMatrix;

use super::gamma::gamma_draw;
use super::{positive_pair, ExpFamily, ExpFamilyExt, FamilyError, Rule};
use crate::special::{digamma, ln_beta, trigamma};

const NAME: &str = "Beta";

/// Beta(a, b).
#[derive(Debug, Clone)]
pub struct Beta {
    a: f64,
    b: f64,
}

impl Beta {
    /// Beta(a, b), both > 0.
    pub fn new(a: f64, b: f64) -> Result<Self, FamilyError> {
        positive_pair(NAME, a, b)?;
        Ok(Beta { a, b })
    }
    /// (a, b)
    pub fn params(&self) -> (f64, f64) {
        (self.a, self.b)
    }
}

impl ExpFamily for Beta {
    fn name(&self) -> &'static str {
        NAME
    }
    fn dim(&self) -> usize {
        1
    }
    fn natural(&self) -> Vec<f64> {
        vec![self.a - 1.0, self.b - 1.0]
    }
    fn in_domain(&self, l: &[f64]) -> bool {
        l.len() == 2 && l.iter().all(|&x| x > -1.0 && x.is_finite())
    }
    fn set_natural(&mut self, l: &[f64]) -> Result<(), FamilyError> {
        if !self.in_domain(l) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "a and b must stay positive",
            });
        }
        self.a = l[0] + 1.0;
        self.b = l[1] + 1.0;
        Ok(())
    }
    fn mean_params(&self) -> Vec<f64> {
        let s = digamma(self.a + self.b);
        vec![digamma(self.a) - s, digamma(self.b) - s]
    }
    fn suff_stats(&self, z: &[f64]) -> Vec<f64> {
        vec![z[0].ln(), (-z[0]).ln_1p()]
    }
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let (x, y) = (z[0], 1.0 - z[0]);
        (
            DMatrix::from_column_slice(2, 1, &[1.0 / x, -1.0 / y]),
            DMatrix::from_column_slice(2, 1, &[-1.0 / (x * x), -1.0 / (y * y)]),
        )
    }
    fn log_partition(&self, l: &[f64]) -> f64 {
        // A = ln B(a, b)
        if l.len() != 2 {
            return f64::NAN;
        }
        ln_beta(l[0] + 1.0, l[1] + 1.0)
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        // X / (X + Y) with X ~ Gamma(a, 1), Y ~ Gamma(b, 1)
        let x = gamma_draw(rng, self.a, 1.0);
        let y = gamma_draw(rng, self.b, 1.0);
        vec![x / (x + y)]
    }
    fn mean(&self) -> Vec<f64> {
        vec![self.a / (self.a + self.b)]
    }
    fn sd(&self) -> Vec<f64> {
        let (a, b) = (self.a, self.b);
        vec![(a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt()]
    }
    fn cubature(&self) -> Option<Rule> {
        None
    }
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
}

impl ExpFamilyExt for Beta {
    fn describe(&self) -> String {
        format!("a={:.6}, b={:.6}", self.a, self.b)
    }
    fn fisher(&self) -> DMatrix<f64> {
        let t = trigamma(self.a + self.b);
        DMatrix::from_row_slice(2, 2, &[trigamma(self.a) - t, -t, -t, trigamma(self.b) - t])
    }
    fn entropy(&self) -> f64 {
        let (a, b) = (self.a, self.b);
        ln_beta(a, b) - (a - 1.0) * digamma(a) - (b - 1.0) * digamma(b)
            + (a + b - 2.0) * digamma(a + b)
    }
}
