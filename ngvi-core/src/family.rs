//! Exponential-family guides q(z) = h(z) exp(λ·T(z) − A(λ)) and their closed-form NGVI step.
//!
//! Every family here takes h(z) = 1 on its support, with the sufficient statistics chosen so
//! that a conjugate log joint reads f(z) = c·T(z) + const with c the posterior's natural
//! parameter (DESIGN.md §4):
//!
//! | family | T(z) | λ |
//! |---|---|---|
//! | [`Gaussian`] (full rank) | (z, z zᵀ) | (P m, −½ P) |
//! | [`DiagGaussian`] | (z, z²) per coordinate | (p m, −½ p) |
//! | [`Gamma`] (shape α, rate β) | (ln z, z) | (α − 1, −β) |
//! | [`InverseGamma`] (shape α, scale β) | (ln z, 1/z) | (−α − 1, −β) |
//! | [`Beta`] | (ln z, ln(1 − z)) | (a − 1, b − 1) |
//! | [`Dirichlet`] | (ln z₁, …, ln z_K) | α − 1 |
//!
//! The engine works only through [`ExpFamily`]; it never asks which family it holds.

use std::fmt::Debug;

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use rand_distr::{Distribution, StandardNormal};

use crate::special::{digamma, lgamma, ln_beta, trigamma};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// One evaluation of the log joint f for a block's update: where (`z`, in the guide's
/// coordinates), how much it counts (`weight`, summing to 1 over a rule), and the block's
/// gradient and Hessian of f there.
#[derive(Debug, Clone)]
pub struct Eval {
    pub weight: f64,
    pub z: Vec<f64>,
    pub grad: Vec<f64>,
    pub hess: DMatrix<f64>,
}

/// What a step did to stay in the natural-parameter domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepNote {
    /// The full step was taken.
    Full,
    /// The step was shortened to this ρ to keep the parameters in their domain.
    Shortened(f64),
    /// The Gaussian precision used the positive-definite (improved Bayesian learning rule)
    /// update because the expected Hessian was not negative definite.
    PositiveDefiniteCorrection,
}

/// An exponential family used as a guide. Natural parameters are flat vectors.
pub trait ExpFamily: Debug + Send + Sync {
    /// Family name ("Gamma", "Gaussian", …).
    fn name(&self) -> &'static str;
    /// Current parameters in the usual parameterisation, for display ("shape=3, rate=2").
    fn describe(&self) -> String;
    /// Dimension of z.
    fn dim(&self) -> usize;
    /// Natural parameters λ.
    fn natural(&self) -> Vec<f64>;
    /// Whether λ lies in the natural-parameter domain.
    fn in_domain(&self, lambda: &[f64]) -> bool;
    /// Set λ; errors (leaving the guide unchanged) when λ is outside the domain.
    fn set_natural(&mut self, lambda: &[f64]) -> Result<(), String>;
    /// Sufficient statistics T(z).
    fn suff_stats(&self, z: &[f64]) -> Vec<f64>;
    /// First and (diagonal) second derivatives of T at z: rows are statistics, columns
    /// coordinates of z — ∂Tₛ/∂zᵢ and ∂²Tₛ/∂zᵢ².
    fn suff_stat_derivs(&self, z: &[f64]) -> (DMatrix<f64>, DMatrix<f64>);
    /// Log-partition A(λ) at any λ in the domain.
    fn log_partition(&self, lambda: &[f64]) -> f64;
    /// Mean parameters μ = ∇A(λ) = E_q[T(z)].
    fn mean_params(&self) -> Vec<f64>;
    /// Fisher information ∇²A(λ) = Cov_q(T(z)).
    fn fisher(&self) -> DMatrix<f64>;
    /// Entropy −E_q[ln q(z)].
    fn entropy(&self) -> f64;
    /// A draw of z.
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64>;
    /// E_q[z] per coordinate.
    fn mean(&self) -> Vec<f64>;
    /// sd_q(z) per coordinate.
    fn sd(&self) -> Vec<f64>;
    /// A deterministic rule (weights summing to 1, points) that integrates low-degree
    /// polynomials in T(z) exactly under q; `None` when the family has none.
    fn cubature(&self) -> Option<Vec<(f64, Vec<f64>)>>;
    /// A fresh guide of the same family (for trial steps).
    fn boxed_clone(&self) -> Box<dyn ExpFamily>;

    /// Whether the natural-gradient target needs the expectation over this block's own z
    /// (true for Gaussians); a conjugate family's coefficient is the same at every z, so
    /// one point (the mean) suffices.
    fn needs_own_expectation(&self) -> bool {
        false
    }

    /// ln q(z) = λ·T(z) − A(λ)   (h(z) = 1)
    fn log_density(&self, z: &[f64]) -> f64 {
        let lambda = self.natural();
        dot(&lambda, &self.suff_stats(z)) - self.log_partition(&lambda)
    }

    /// KL(q_self ‖ q_other) = A(λₒ) − A(λ) − (λₒ − λ)·μ   (Bregman divergence of A)
    fn kl_to(&self, other_lambda: &[f64]) -> f64 {
        let lambda = self.natural();
        let mu = self.mean_params();
        let diff: Vec<f64> = other_lambda
            .iter()
            .zip(&lambda)
            .map(|(o, l)| o - l)
            .collect();
        self.log_partition(other_lambda) - self.log_partition(&lambda) - dot(&diff, &mu)
    }

    /// The coefficients c with f ≈ c·T(z) + const near z, matched from f′ and the diagonal of
    /// f″ (least squares over the equations ∂f/∂zᵢ = c·∂T/∂zᵢ, ∂²f/∂zᵢ² = c·∂²T/∂zᵢ²), and
    /// the residual norm of that match (0 when f is exactly of that form).
    fn match_coefficients(&self, z: &[f64], grad: &[f64], hess: &DMatrix<f64>) -> (Vec<f64>, f64) {
        let (d1, d2) = self.suff_stat_derivs(z);
        let (ns, n) = d1.shape();
        let mut a = DMatrix::zeros(2 * n, ns);
        let mut b = DVector::zeros(2 * n);
        for i in 0..n {
            for s in 0..ns {
                a[(i, s)] = d1[(s, i)];
                a[(n + i, s)] = d2[(s, i)];
            }
            b[i] = grad[i];
            b[n + i] = hess[(i, i)];
        }
        // Scale each equation so that large and small coordinates weigh alike.
        for r in 0..2 * n {
            let norm = a.row(r).norm();
            if norm > 0.0 {
                a.row_mut(r).scale_mut(1.0 / norm);
                b[r] /= norm;
            }
        }
        let svd = a.clone().svd(true, true);
        match svd.solve(&b, 1e-12) {
            Ok(c) => {
                let resid = (&a * &c - &b).norm() / b.norm().max(1.0);
                (c.iter().copied().collect(), resid)
            }
            Err(_) => (vec![f64::NAN; ns], f64::INFINITY),
        }
    }

    /// The natural-gradient target ∇_μ E_q[f] from evaluations of f (DESIGN.md §4): for a
    /// conjugate family, the weighted mean of the matched coefficients c.
    fn target(&self, evals: &[Eval]) -> Vec<f64> {
        let mut t = vec![0.0; self.natural().len()];
        for e in evals {
            let (c, _) = self.match_coefficients(&e.z, &e.grad, &e.hess);
            t.iter_mut()
                .zip(&c)
                .for_each(|(ti, ci)| *ti += e.weight * ci);
        }
        t
    }

    /// λ ← (1 − ρ) λ + ρ t, shortened (ρ halved) until λ stays in its domain.
    fn step(&mut self, target: &[f64], rho: f64) -> Result<StepNote, String> {
        let lambda = self.natural();
        let mut r = rho;
        for _ in 0..60 {
            let new: Vec<f64> = lambda
                .iter()
                .zip(target)
                .map(|(l, t)| (1.0 - r) * l + r * t)
                .collect();
            if self.in_domain(&new) {
                self.set_natural(&new)?;
                return Ok(if r == rho {
                    StepNote::Full
                } else {
                    StepNote::Shortened(r)
                });
            }
            r *= 0.5;
        }
        Err(format!(
            "{}: no step towards the target stays in the natural-parameter domain",
            self.name()
        ))
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Generalised Gauss–Laguerre rule for the weight x^a e^{−x} on (0, ∞), n nodes, weights
/// normalised to 1 (Golub–Welsch: eigen-decomposition of the Jacobi matrix).
fn gauss_laguerre(n: usize, a: f64) -> Vec<(f64, f64)> {
    let mut j = DMatrix::zeros(n, n);
    for i in 0..n {
        j[(i, i)] = 2.0 * i as f64 + a + 1.0;
        if i + 1 < n {
            let off = ((i as f64 + 1.0) * (i as f64 + 1.0 + a)).sqrt();
            j[(i, i + 1)] = off;
            j[(i + 1, i)] = off;
        }
    }
    let eig = SymmetricEigen::new(j);
    (0..n)
        .map(|k| {
            let v0 = eig.eigenvectors[(0, k)];
            (v0 * v0, eig.eigenvalues[k])
        })
        .collect()
}

/// Both parameters of a two-parameter family positive and finite, or an error naming them.
fn positive_pair(family: &str, names: [&str; 2], a: f64, b: f64) -> Result<(), String> {
    if a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() {
        Ok(())
    } else {
        Err(format!(
            "{family}: {} {a} and {} {b} must be > 0",
            names[0], names[1]
        ))
    }
}

/// Number of Gauss–Laguerre nodes for Gamma and InverseGamma rules (exact to degree 9).
const LAGUERRE_NODES: usize = 5;

// ---------------------------------------------------------------------------------------

/// Full-rank Gaussian N(m, P⁻¹), kept as its mean and the Cholesky factor of its precision.
#[derive(Debug, Clone)]
pub struct Gaussian {
    m: DVector<f64>,
    prec: DMatrix<f64>,
    /// L with P = L Lᵀ.
    chol_l: DMatrix<f64>,
}

impl Gaussian {
    /// N(m, P⁻¹); errors when P is not symmetric positive definite.
    pub fn new(m: Vec<f64>, prec: DMatrix<f64>) -> Result<Self, String> {
        let chol = prec
            .clone()
            .cholesky()
            .ok_or_else(|| "Gaussian: precision is not positive definite".to_string())?;
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
            .transpose()
            .solve_upper_triangular(eps)
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
        "Gaussian"
    }
    fn describe(&self) -> String {
        let sd = self.sd();
        format!("mean={:?}, sd={:?}", short(self.m.as_slice()), short(&sd))
    }
    fn dim(&self) -> usize {
        self.m.len()
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
    fn set_natural(&mut self, lambda: &[f64]) -> Result<(), String> {
        if lambda.iter().any(|x| !x.is_finite()) {
            return Err("Gaussian: natural parameters must be finite".to_string());
        }
        let (l1, p) = self
            .unpack(lambda)
            .ok_or_else(|| "Gaussian: natural parameters of the wrong length".to_string())?;
        let chol = p
            .clone()
            .cholesky()
            .ok_or_else(|| "Gaussian: precision is not positive definite".to_string())?;
        self.m = chol.solve(&l1);
        self.chol_l = chol.l();
        self.prec = p;
        Ok(())
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
    fn mean_params(&self) -> Vec<f64> {
        // μ = (m, S + m mᵀ)
        let second = self.covariance() + &self.m * self.m.transpose();
        self.m.iter().chain(second.iter()).copied().collect()
    }
    fn fisher(&self) -> DMatrix<f64> {
        // Cov of (z, z zᵀ) under N(m, S), by Isserlis' theorem.
        let d = self.m.len();
        let s = self.covariance();
        let m = &self.m;
        let n = d + d * d;
        let idx = |i: usize, j: usize| d + j * d + i;
        let mut f = DMatrix::zeros(n, n);
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
    fn cubature(&self) -> Option<Vec<(f64, Vec<f64>)>> {
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
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
    fn needs_own_expectation(&self) -> bool {
        true
    }
    /// The default matches f′ and only the diagonal of f″: 2d equations for d + d²
    /// coefficients, which for d > 1 leaves the off-diagonal ones undetermined (it returned
    /// the minimum-norm solution, wrong, with residual 0). A quadratic is read off the full
    /// Hessian instead: f = c₁·z + zᵀC₂z + const has f″ = 2C₂ and f′ = c₁ + f″z, so
    /// C₂ = ½ f″ and c₁ = f′ − f″z. The residual is the relative asymmetry of the Hessian
    /// given (0 for a true Hessian). Every smooth f matches some quadratic at one point, so
    /// for this family conjugacy shows only as agreement between points.
    fn match_coefficients(&self, z: &[f64], grad: &[f64], hess: &DMatrix<f64>) -> (Vec<f64>, f64) {
        let d = self.m.len();
        if z.len() != d || grad.len() != d || hess.shape() != (d, d) {
            return (vec![f64::NAN; d + d * d], f64::INFINITY);
        }
        let h = (hess + hess.transpose()) * 0.5;
        let resid = (hess - hess.transpose()).norm() / hess.norm().max(1.0);
        let c1 = DVector::from_column_slice(grad) - &h * DVector::from_column_slice(z);
        let c2 = h * 0.5;
        (c1.iter().chain(c2.iter()).copied().collect(), resid)
    }
    fn target(&self, evals: &[Eval]) -> Vec<f64> {
        // Bonnet and Price: ∇_μ E[f] = (E[g] − E[H] m, ½ E[H])
        let d = self.m.len();
        let (g, h) = expected_grad_hess(evals, d);
        let t1 = &g - &h * &self.m;
        let t2 = h * 0.5;
        t1.iter().chain(t2.iter()).copied().collect()
    }
    fn step(&mut self, target: &[f64], rho: f64) -> Result<StepNote, String> {
        let d = self.m.len();
        let (t1, t2) = (&target[..d], &target[d..]);
        let h = DMatrix::from_column_slice(d, d, t2) * 2.0;
        let h = (&h + h.transpose()) * 0.5;
        let g = DVector::from_column_slice(t1) + &h * &self.m;
        // P ← (1 − ρ) P − ρ H; if that leaves the cone, the improved rule
        // P ← P − ρG + (ρ²/2) G P⁻¹ G with G = P + H (Lin, Schmidt & Khan 2020).
        let plain = &self.prec * (1.0 - rho) - &h * rho;
        let (new_p, note) = match plain.clone().cholesky() {
            Some(_) => (plain, StepNote::Full),
            None => {
                let gm = &self.prec + &h;
                let old =
                    self.prec.clone().cholesky().ok_or_else(|| {
                        "Gaussian: precision is not positive definite".to_string()
                    })?;
                let p_inv_g = old.solve(&gm);
                let corrected = &self.prec - &gm * rho + (&gm * p_inv_g) * (0.5 * rho * rho);
                let corrected = (&corrected + corrected.transpose()) * 0.5;
                (corrected, StepNote::PositiveDefiniteCorrection)
            }
        };
        let chol = new_p
            .clone()
            .cholesky()
            .ok_or_else(|| "Gaussian: precision update lost positive definiteness".to_string())?;
        // m ← m + ρ P⁻¹ g
        let m = &self.m + chol.solve(&g) * rho;
        if m.iter().any(|x| !x.is_finite()) {
            return Err("Gaussian: the mean update is not finite".to_string());
        }
        self.m = m;
        self.chol_l = chol.l();
        self.prec = new_p;
        Ok(note)
    }
}

/// Weighted E[g] and E[H] over the evaluations.
fn expected_grad_hess(evals: &[Eval], d: usize) -> (DVector<f64>, DMatrix<f64>) {
    let mut g = DVector::zeros(d);
    let mut h = DMatrix::zeros(d, d);
    for e in evals {
        g += DVector::from_column_slice(&e.grad) * e.weight;
        h += &e.hess * e.weight;
    }
    (g, h)
}

fn short(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| (x * 1e6).round() / 1e6).collect()
}

// ---------------------------------------------------------------------------------------

/// Diagonal Gaussian: independent N(mᵢ, 1/pᵢ).
#[derive(Debug, Clone)]
pub struct DiagGaussian {
    m: Vec<f64>,
    p: Vec<f64>,
}

impl DiagGaussian {
    /// Means and precisions (each > 0).
    pub fn new(m: Vec<f64>, p: Vec<f64>) -> Result<Self, String> {
        if m.len() != p.len() || p.iter().any(|&x| !(x > 0.0 && x.is_finite())) {
            return Err("DiagGaussian: precisions must be positive, one per mean".to_string());
        }
        Ok(DiagGaussian { m, p })
    }
}

impl ExpFamily for DiagGaussian {
    fn name(&self) -> &'static str {
        "Gaussian (diagonal)"
    }
    fn describe(&self) -> String {
        format!("mean={:?}, sd={:?}", short(&self.m), short(&self.sd()))
    }
    fn dim(&self) -> usize {
        self.m.len()
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
    fn set_natural(&mut self, lambda: &[f64]) -> Result<(), String> {
        if !self.in_domain(lambda) {
            return Err("DiagGaussian: precisions must stay positive".to_string());
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
        (0..d)
            .map(|i| {
                let (l1, l2) = (lambda[i], lambda[d + i]);
                -l1 * l1 / (4.0 * l2) - 0.5 * (-2.0 * l2).ln() + 0.5 * LN_2PI
            })
            .sum()
    }
    fn mean_params(&self) -> Vec<f64> {
        let second = self.m.iter().zip(&self.p).map(|(m, p)| 1.0 / p + m * m);
        self.m.iter().copied().chain(second).collect()
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
    fn cubature(&self) -> Option<Vec<(f64, Vec<f64>)>> {
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
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
    fn needs_own_expectation(&self) -> bool {
        true
    }
    fn target(&self, evals: &[Eval]) -> Vec<f64> {
        // Bonnet and Price on the diagonal: (E[g] − diag(E[H]) m, ½ diag E[H])
        let d = self.m.len();
        let (g, h) = expected_grad_hess(evals, d);
        let t1 = (0..d).map(|i| g[i] - h[(i, i)] * self.m[i]);
        let t2 = (0..d).map(|i| 0.5 * h[(i, i)]);
        t1.chain(t2).collect()
    }
    fn step(&mut self, target: &[f64], rho: f64) -> Result<StepNote, String> {
        let d = self.m.len();
        let mut note = StepNote::Full;
        let mut new_p = vec![0.0; d];
        for i in 0..d {
            let h = 2.0 * target[d + i];
            let plain = (1.0 - rho) * self.p[i] - rho * h;
            new_p[i] = if plain > 0.0 {
                plain
            } else {
                // p ← p − ρG + ρ²G²/(2p), G = p + h
                note = StepNote::PositiveDefiniteCorrection;
                let gi = self.p[i] + h;
                self.p[i] - rho * gi + rho * rho * gi * gi / (2.0 * self.p[i])
            };
        }
        let new_m: Vec<f64> = (0..d)
            .map(|i| {
                let g = target[i] + 2.0 * target[d + i] * self.m[i];
                self.m[i] + rho * g / new_p[i]
            })
            .collect();
        if new_m.iter().chain(&new_p).any(|x| !x.is_finite()) {
            return Err("DiagGaussian: the update is not finite".to_string());
        }
        self.m = new_m;
        self.p = new_p;
        Ok(note)
    }
}

// ---------------------------------------------------------------------------------------

/// Gamma(shape α, rate β).
#[derive(Debug, Clone)]
pub struct Gamma {
    shape: f64,
    rate: f64,
}

impl Gamma {
    /// Gamma(shape, rate), both > 0.
    pub fn new(shape: f64, rate: f64) -> Result<Self, String> {
        positive_pair("Gamma", ["shape", "rate"], shape, rate)?;
        Ok(Gamma { shape, rate })
    }
    /// (shape, rate)
    pub fn params(&self) -> (f64, f64) {
        (self.shape, self.rate)
    }
}

impl ExpFamily for Gamma {
    fn name(&self) -> &'static str {
        "Gamma"
    }
    fn describe(&self) -> String {
        format!("shape={:.6}, rate={:.6}", self.shape, self.rate)
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
    fn set_natural(&mut self, l: &[f64]) -> Result<(), String> {
        if !self.in_domain(l) {
            return Err("Gamma: shape and rate must stay positive".to_string());
        }
        self.shape = l[0] + 1.0;
        self.rate = -l[1];
        Ok(())
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
        let (a, b) = (l[0] + 1.0, -l[1]);
        lgamma(a) - a * b.ln()
    }
    fn mean_params(&self) -> Vec<f64> {
        vec![digamma(self.shape) - self.rate.ln(), self.shape / self.rate]
    }
    fn fisher(&self) -> DMatrix<f64> {
        let (a, b) = (self.shape, self.rate);
        DMatrix::from_row_slice(2, 2, &[trigamma(a), 1.0 / b, 1.0 / b, a / (b * b)])
    }
    fn entropy(&self) -> f64 {
        let a = self.shape;
        a - self.rate.ln() + lgamma(a) + (1.0 - a) * digamma(a)
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        vec![sample_gamma(rng, self.shape) / self.rate]
    }
    fn mean(&self) -> Vec<f64> {
        vec![self.shape / self.rate]
    }
    fn sd(&self) -> Vec<f64> {
        vec![self.shape.sqrt() / self.rate]
    }
    fn cubature(&self) -> Option<Vec<(f64, Vec<f64>)>> {
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

/// A standard Gamma(shape, 1) draw.
fn sample_gamma(rng: &mut dyn rand::Rng, shape: f64) -> f64 {
    match rand_distr::Gamma::new(shape, 1.0) {
        Ok(g) => g.sample(rng),
        Err(_) => f64::NAN,
    }
}

/// InverseGamma(shape α, scale β): 1/z ~ Gamma(α, rate β).
#[derive(Debug, Clone)]
pub struct InverseGamma {
    shape: f64,
    scale: f64,
}

impl InverseGamma {
    /// InverseGamma(shape, scale), both > 0.
    pub fn new(shape: f64, scale: f64) -> Result<Self, String> {
        positive_pair("InverseGamma", ["shape", "scale"], shape, scale)?;
        Ok(InverseGamma { shape, scale })
    }
    /// (shape, scale)
    pub fn params(&self) -> (f64, f64) {
        (self.shape, self.scale)
    }
}

impl ExpFamily for InverseGamma {
    fn name(&self) -> &'static str {
        "InverseGamma"
    }
    fn describe(&self) -> String {
        format!("shape={:.6}, scale={:.6}", self.shape, self.scale)
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
    fn set_natural(&mut self, l: &[f64]) -> Result<(), String> {
        if !self.in_domain(l) {
            return Err("InverseGamma: shape and scale must stay positive".to_string());
        }
        self.shape = -l[0] - 1.0;
        self.scale = -l[1];
        Ok(())
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
        let (a, b) = (-l[0] - 1.0, -l[1]);
        lgamma(a) - a * b.ln()
    }
    fn mean_params(&self) -> Vec<f64> {
        vec![
            self.scale.ln() - digamma(self.shape),
            self.shape / self.scale,
        ]
    }
    fn fisher(&self) -> DMatrix<f64> {
        let (a, b) = (self.shape, self.scale);
        DMatrix::from_row_slice(2, 2, &[trigamma(a), -1.0 / b, -1.0 / b, a / (b * b)])
    }
    fn entropy(&self) -> f64 {
        let a = self.shape;
        a + self.scale.ln() + lgamma(a) - (1.0 + a) * digamma(a)
    }
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        vec![self.scale / sample_gamma(rng, self.shape)]
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
    fn cubature(&self) -> Option<Vec<(f64, Vec<f64>)>> {
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

/// Beta(a, b).
#[derive(Debug, Clone)]
pub struct Beta {
    a: f64,
    b: f64,
}

impl Beta {
    /// Beta(a, b), both > 0.
    pub fn new(a: f64, b: f64) -> Result<Self, String> {
        positive_pair("Beta", ["a", "b"], a, b)?;
        Ok(Beta { a, b })
    }
    /// (a, b)
    pub fn params(&self) -> (f64, f64) {
        (self.a, self.b)
    }
}

impl ExpFamily for Beta {
    fn name(&self) -> &'static str {
        "Beta"
    }
    fn describe(&self) -> String {
        format!("a={:.6}, b={:.6}", self.a, self.b)
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
    fn set_natural(&mut self, l: &[f64]) -> Result<(), String> {
        if !self.in_domain(l) {
            return Err("Beta: a and b must stay positive".to_string());
        }
        self.a = l[0] + 1.0;
        self.b = l[1] + 1.0;
        Ok(())
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
        ln_beta(l[0] + 1.0, l[1] + 1.0)
    }
    fn mean_params(&self) -> Vec<f64> {
        let s = digamma(self.a + self.b);
        vec![digamma(self.a) - s, digamma(self.b) - s]
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
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        let x = sample_gamma(rng, self.a);
        let y = sample_gamma(rng, self.b);
        vec![x / (x + y)]
    }
    fn mean(&self) -> Vec<f64> {
        vec![self.a / (self.a + self.b)]
    }
    fn sd(&self) -> Vec<f64> {
        let (a, b) = (self.a, self.b);
        vec![(a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt()]
    }
    fn cubature(&self) -> Option<Vec<(f64, Vec<f64>)>> {
        None
    }
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
}

/// Dirichlet(α) on the simplex of K components.
#[derive(Debug, Clone)]
pub struct Dirichlet {
    alpha: Vec<f64>,
}

impl Dirichlet {
    /// Dirichlet(α), each αₖ > 0, K ≥ 2.
    pub fn new(alpha: Vec<f64>) -> Result<Self, String> {
        if alpha.len() >= 2 && alpha.iter().all(|&a| a > 0.0 && a.is_finite()) {
            Ok(Dirichlet { alpha })
        } else {
            Err("Dirichlet: needs K ≥ 2 concentrations, each > 0".to_string())
        }
    }
    /// The concentrations α.
    pub fn alpha(&self) -> &[f64] {
        &self.alpha
    }
}

impl ExpFamily for Dirichlet {
    fn name(&self) -> &'static str {
        "Dirichlet"
    }
    fn describe(&self) -> String {
        format!("alpha={:?}", short(&self.alpha))
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
    fn set_natural(&mut self, l: &[f64]) -> Result<(), String> {
        if !self.in_domain(l) {
            return Err("Dirichlet: concentrations must stay positive".to_string());
        }
        self.alpha = l.iter().map(|x| x + 1.0).collect();
        Ok(())
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
        let a0: f64 = l.iter().map(|x| x + 1.0).sum();
        l.iter().map(|x| lgamma(x + 1.0)).sum::<f64>() - lgamma(a0)
    }
    fn mean_params(&self) -> Vec<f64> {
        let s = digamma(self.alpha.iter().sum());
        self.alpha.iter().map(|&a| digamma(a) - s).collect()
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
    fn sample(&self, rng: &mut dyn rand::Rng) -> Vec<f64> {
        let g: Vec<f64> = self.alpha.iter().map(|&a| sample_gamma(rng, a)).collect();
        let s: f64 = g.iter().sum();
        g.into_iter().map(|x| x / s).collect()
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
    fn cubature(&self) -> Option<Vec<(f64, Vec<f64>)>> {
        None
    }
    fn boxed_clone(&self) -> Box<dyn ExpFamily> {
        Box::new(self.clone())
    }
}
