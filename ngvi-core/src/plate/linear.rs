//! Expectations of the observes that read the latents through one affine parameter, the
//! linear predictor η = a + bᵀu of a GLM (docs/design.md §4, (4.5e)): under a Gaussian
//! q(u) = N(m, Σ), η ~ N(a + bᵀm, bᵀΣb), so E_q[f(η)] and its derivatives in m are
//! one-dimensional integrals, taken by Gauss–Hermite at 20 to 160 points per datum:
//! E[∇f] = E[f′(η)] b and E[∇²f] = E[f″(η)] b bᵀ, which `Scalar::chain` gives from
//! (E f, E f′, E f″).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use nalgebra::{DMatrix, SymmetricEigen};

use super::{at_point, Density};
use crate::ad::{Jet, Scalar};
use crate::error::ModelError;

/// Gauss–Hermite points per datum, by η's sd σ: the fewest of these with at least 8σ²,
/// so that the nodes stay closer than the scale on which a likelihood like ln σ(η) bends.
/// Against a fine midpoint sum, E f″ of ln σ(η) is off by less than 1e-9 relative for
/// σ ≤ 1 (20 points), 5e-7 for σ ≤ 3 (80), and 6e-4 at σ = 5 (160).
const SIZES: [usize; 4] = [20, 40, 80, 160];

/// The rule of each size in `SIZES`, made when first needed.
static RULES: [OnceLock<Vec<(f64, f64)>>; 4] = [const { OnceLock::new() }; 4];

/// Beyond this sd of η even the largest rule is too coarse: the expectation is not trusted.
const MAX_SD: f64 = 4.5;

/// The rule for η's sd `sd`.
fn rule_for(sd: f64) -> &'static [(f64, f64)] {
    let k = SIZES
        .iter()
        .position(|&n| n as f64 >= 8.0 * sd * sd)
        .unwrap_or(SIZES.len() - 1);
    RULES[k].get_or_init(|| gauss_hermite(SIZES[k]))
}

/// The Gaussian the expectations are under, and what the evaluations saw.
#[derive(Debug)]
pub(crate) struct Expectations {
    /// Σ, in the coordinates the evaluation's scalars are seeded in.
    cov: DMatrix<f64>,
    /// Observes taken by expectation.
    calls: AtomicUsize,
    /// Whether some η was not affine in the variables (second derivatives not zero).
    curved: AtomicBool,
    /// Whether some η's sd was above `MAX_SD`.
    wide: AtomicBool,
}

impl Expectations {
    pub(crate) fn new(cov: DMatrix<f64>) -> Expectations {
        Expectations {
            cov,
            calls: AtomicUsize::new(0),
            curved: AtomicBool::new(false),
            wide: AtomicBool::new(false),
        }
    }

    /// E_q[f(η)] with its derivatives in the variables' mean (4.5e): η at the mean with
    /// gradient b, sd √(bᵀΣb). An η that is not affine gives f at the point and is
    /// recorded (`affine` turns false).
    pub(crate) fn expect<S: Scalar>(&self, eta: S, density: Density<'_>) -> Result<S, ModelError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let Some(var) = eta.spread(&self.cov) else {
            self.curved.store(true, Ordering::Relaxed);
            return at_point(eta, density);
        };
        // a constant η (or a NaN spread, which the point's value shows)
        if var.is_nan() || var <= 0.0 {
            return at_point(eta, density);
        }
        let (mu, sd) = (eta.value(), var.sqrt());
        if sd > MAX_SD {
            self.wide.store(true, Ordering::Relaxed);
        }
        let (mut e0, mut e1, mut e2) = (0.0, 0.0, 0.0);
        for &(x, w) in rule_for(sd) {
            // E g(η) = Σ_k w_k g(μ + σ x_k)   (4.5e)
            let (f0, f1, f2) = (density.jet)(Jet::variable(mu + sd * x))?.parts();
            e0 += w * f0;
            e1 += w * f1;
            e2 += w * f2;
        }
        Ok(eta.chain(e0, e1, e2))
    }

    /// Whether every observe taken so far had an affine η.
    pub(crate) fn affine(&self) -> bool {
        !self.curved.load(Ordering::Relaxed)
    }

    /// Whether every expectation taken so far is to be trusted: η affine, and its sd
    /// within what the largest rule resolves.
    pub(crate) fn trusted(&self) -> bool {
        self.affine() && !self.wide.load(Ordering::Relaxed)
    }

    /// How many observes were taken by expectation.
    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }
}

/// The n-point Gauss–Hermite rule for N(0, 1) (probabilists' Hermite polynomials): the
/// nodes are the eigenvalues of the Jacobi matrix with off-diagonal √k (Golub–Welsch), the
/// weights the Christoffel numbers 1 / Σⱼ pⱼ(x)² of the orthonormal polynomials, by their
/// three-term recurrence (accurate where the eigenvectors' small components are not). A
/// few lines on nalgebra's symmetric eigensolver, rather than a crate for them.
fn gauss_hermite(n: usize) -> Vec<(f64, f64)> {
    let jacobi = DMatrix::from_fn(n, n, |i, j| {
        if i.abs_diff(j) == 1 {
            (i.max(j) as f64).sqrt()
        } else {
            0.0
        }
    });
    let mut nodes: Vec<f64> = SymmetricEigen::new(jacobi)
        .eigenvalues
        .iter()
        .copied()
        .collect();
    nodes.sort_by(f64::total_cmp);
    nodes
        .into_iter()
        .map(|x| {
            // p₀ = 1, p₁ = x, p_{j+1} = (x pⱼ − √j p_{j−1}) / √(j + 1)
            let (mut prev, mut p, mut sum) = (0.0, 1.0, 1.0);
            for j in 1..n {
                let next = (x * p - ((j - 1) as f64).sqrt() * prev) / (j as f64).sqrt();
                (prev, p) = (p, next);
                sum += p * p;
            }
            (x, 1.0 / sum)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule integrates N(0, 1)'s moments exactly to degree 2n − 1 (checked to degree
    /// 39): E X^(2j) = (2j − 1)!!, the odd ones 0.
    #[test]
    fn gauss_hermite_has_the_normal_moments() {
        for n in SIZES {
            let rule = gauss_hermite(n);
            assert!((rule.iter().map(|(_, w)| w).sum::<f64>() - 1.0).abs() < 1e-13);
            let mut double_factorial = 1.0;
            for j in 0..20 {
                let even: f64 = rule.iter().map(|(x, w)| w * x.powi(2 * j)).sum();
                let odd: f64 = rule.iter().map(|(x, w)| w * x.powi(2 * j + 1)).sum();
                assert!(
                    (even / double_factorial - 1.0).abs() < 1e-7,
                    "{n} points, E X^{}: {even} vs {double_factorial}",
                    2 * j
                );
                let next = double_factorial * (2 * j + 1) as f64;
                assert!(odd.abs() < 1e-7 * next, "E X^{}: {odd}", 2 * j + 1);
                double_factorial *= (2 * j + 1) as f64;
            }
        }
    }

    /// ln σ(η) as a `Density`, the values by `jet` too.
    fn logistic<'a>(jet: &'a dyn Fn(Jet) -> Result<Jet, ModelError>) -> Density<'a> {
        fn values(xs: &mut [f64]) -> Result<(), ModelError> {
            xs.iter_mut().for_each(|x| *x = x.ln_sigmoid());
            Ok(())
        }
        Density {
            jet,
            values: &values,
        }
    }

    /// E ln σ(η), E ∂/∂μ and E ∂²/∂μ² for η ~ N(0.7, σ²) against a fine midpoint sum, to
    /// the accuracy `SIZES` states, with the rule chosen by σ.
    #[test]
    fn the_expectation_of_a_logistic_term_matches_quadrature() {
        let jet = |x: Jet| -> Result<Jet, ModelError> { Ok(x.ln_sigmoid()) };
        let density = logistic(&jet);
        for (sd, tol) in [(0.5, 1e-10), (1.0, 1e-9), (3.0, 1e-6), (5.0, 1e-3)] {
            let q = Expectations::new(DMatrix::from_element(1, 1, sd * sd));
            let got = q
                .expect(crate::ad::Dual2::variable(0.7, 0, 1), density)
                .map(|d| (d.value(), d.gradient()[0], d.hessian()[(0, 0)]))
                .unwrap_or((f64::NAN, f64::NAN, f64::NAN));
            let (mut e0, mut e1, mut e2) = (0.0, 0.0, 0.0);
            let h = 1e-4;
            let mut z = -14.0 + h / 2.0;
            while z < 14.0 {
                let w = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() * h;
                let s = 1.0 / (1.0 + (-(0.7 + sd * z)).exp());
                e0 += w * (0.7 + sd * z).ln_sigmoid();
                e1 += w * (1.0 - s);
                e2 -= w * s * (1.0 - s);
                z += h;
            }
            for (g, e) in [(got.0, e0), (got.1, e1), (got.2, e2)] {
                assert!((g - e).abs() <= tol * e.abs(), "sd {sd}: {g} vs {e}");
            }
            assert!(q.affine() && q.calls() == 1);
        }
    }

    /// A curved η is recorded, and its term taken at the point.
    #[test]
    fn a_curved_predictor_is_recorded() {
        let jet = |x: Jet| -> Result<Jet, ModelError> { Ok(x.ln_sigmoid()) };
        let q = Expectations::new(DMatrix::identity(1, 1));
        let u = crate::ad::Dual2::variable(0.7, 0, 1);
        let got = q.expect(u.clone() * u, logistic(&jet)).map(|d| d.value());
        assert_eq!(got.ok(), Some((0.49_f64).ln_sigmoid()));
        assert!(!q.affine());
    }
}
