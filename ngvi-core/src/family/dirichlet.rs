//! The Dirichlet guide Dirichlet(α) on the simplex: T(z) = (ln z₁, …, ln z_K), λ = α − 1.

use nalgebra::DMatrix;

use super::{short, ExpFamily, ExpFamilyExt, FamilyError, Rule};
use crate::dist;
use crate::special::{digamma, lgamma, trigamma};

const NAME: &str = "Dirichlet";

/// Dirichlet(α) on the simplex of K components.
#[derive(Debug, Clone)]
pub struct Dirichlet {
    alpha: Vec<f64>,
}

impl Dirichlet {
    /// Dirichlet(α), each αₖ > 0, K ≥ 2.
    pub fn new(alpha: Vec<f64>) -> Result<Self, FamilyError> {
        if alpha.len() >= 2 && alpha.iter().all(|&a| a > 0.0 && a.is_finite()) {
            Ok(Dirichlet { alpha })
        } else {
            Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "needs K ≥ 2 concentrations, each > 0 and finite",
            })
        }
    }
    /// The concentrations α.
    pub fn alpha(&self) -> &[f64] {
        &self.alpha
    }
}

impl ExpFamily for Dirichlet {
    fn name(&self) -> &'static str {
        NAME
    }
    fn dim(&self) -> usize {
        self.alpha.len()
    }
    fn natural(&self) -> Vec<f64> {
        self.alpha.iter().map(|a| a - 1.0).collect()
    }
    fn in_domain(&self, l: &[f64]) -> bool {
        l.len() == self.alpha.len() && l.iter().all(|&x| x > -1.0 && x.is_finite())
    }
    fn set_natural(&mut self, l: &[f64]) -> Result<(), FamilyError> {
        if !self.in_domain(l) {
            return Err(FamilyError::OutsideDomain {
                family: NAME,
                what: "concentrations must stay positive",
            });
        }
        self.alpha = l.iter().map(|x| x + 1.0).collect();
        Ok(())
    }
    fn mean_params(&self) -> Vec<f64> {
        let s = digamma(self.alpha.iter().sum());
        self.alpha.iter().map(|&a| digamma(a) - s).collect()
    }
    fn suff_stats(&self, z: &[f64]) -> Vec<f64> {
        z.iter().map(|x| x.ln()).collect()
    }
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let k = z.len();
        (
            DMatrix::from_fn(k, k, |s, i| if s == i { 1.0 / z[i] } else { 0.0 }),
            DMatrix::from_fn(k, k, |s, i| if s == i { -1.0 / (z[i] * z[i]) } else { 0.0 }),
        )
    }
    fn log_partition(&self, l: &[f64]) -> f64 {
        // A = Σ ln Γ(αₖ) − ln Γ(Σ αₖ)
        if l.len() != self.alpha.len() {
            return f64::NAN;
        }
        let a0: f64 = l.iter().map(|x| x + 1.0).sum();
        l.iter().map(|x| lgamma(x + 1.0)).sum::<f64>() - lgamma(a0)
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        match dist::Dirichlet::new(self.alpha.clone()) {
            Ok(d) => d.sample(rng),
            Err(_) => vec![f64::NAN; self.alpha.len()],
        }
    }
    fn mean(&self) -> Vec<f64> {
        let a0: f64 = self.alpha.iter().sum();
        self.alpha.iter().map(|a| a / a0).collect()
    }
    fn sd(&self) -> Vec<f64> {
        let a0: f64 = self.alpha.iter().sum();
        self.alpha
            .iter()
            .map(|a| (a * (a0 - a) / (a0 * a0 * (a0 + 1.0))).sqrt())
            .collect()
    }
    fn cubature(&self) -> Option<Rule> {
        None
    }
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
}

impl ExpFamilyExt for Dirichlet {
    fn describe(&self) -> String {
        format!("alpha={:?}", short(&self.alpha))
    }
    fn fisher(&self) -> DMatrix<f64> {
        let k = self.alpha.len();
        let t = trigamma(self.alpha.iter().sum());
        DMatrix::from_fn(k, k, |i, j| {
            if i == j {
                trigamma(self.alpha[i]) - t
            } else {
                -t
            }
        })
    }
    fn entropy(&self) -> f64 {
        let k = self.alpha.len() as f64;
        let a0: f64 = self.alpha.iter().sum();
        let ln_b = self.log_partition(&self.natural());
        ln_b + (a0 - k) * digamma(a0)
            - self
                .alpha
                .iter()
                .map(|&a| (a - 1.0) * digamma(a))
                .sum::<f64>()
    }
}
