//! The NGVI updates, in one place (docs/design.md §4): the natural-gradient target of a
//! guide from evaluations of the log joint, and the step λ ← (1 − ρ) λ + ρ t that keeps λ in
//! its domain.
//!
//! - Conjugate families ([`Geometry::Coefficients`]): the target is the expected coefficient
//!   c of f = c·T(z) + const, read from f′ and f″ at a point.
//! - Gaussians ([`Geometry::Gaussian`]): Bonnet's and Price's theorems give
//!   ∇_μ E_q[f] = (E[∇f] − E[∇²f] m, ½ E[∇²f]); when the plain step would leave the cone of
//!   positive-definite precisions, the improved Bayesian learning rule
//!   P ← P − ρG + (ρ²/2) G P⁻¹ G with G = P + E[∇²f] (Lin, Schmidt & Khan 2020) keeps it.

use nalgebra::{DMatrix, DVector};

use crate::family::{ExpFamily, FamilyError, Geometry};

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

/// Halvings of ρ tried to keep a conjugate step in its domain.
const MAX_DOMAIN_HALVINGS: usize = 60;

/// The natural-gradient updates, for every guide.
pub trait NaturalGradient: ExpFamily {
    /// The coefficients c with f ≈ c·T(z) + const near z, and the relative residual of that
    /// match (0 when f is exactly of that form).
    fn match_coefficients(&self, z: &[f64], grad: &[f64], hess: &DMatrix<f64>) -> (Vec<f64>, f64);
    /// The natural-gradient target ∇_μ E_q\[f\] from evaluations of f.
    fn target(&self, evals: &[Eval]) -> Vec<f64>;
    /// λ ← (1 − ρ) λ + ρ t, kept in the domain; a failed step leaves the guide unchanged.
    fn step(&mut self, target: &[f64], rho: f64) -> Result<StepNote, FamilyError>;
}

impl<F: ExpFamily + ?Sized> NaturalGradient for F {
    fn match_coefficients(&self, z: &[f64], grad: &[f64], hess: &DMatrix<f64>) -> (Vec<f64>, f64) {
        match self.geometry() {
            Geometry::Coefficients => match_statistics(self, z, grad, hess),
            Geometry::Gaussian { diagonal } => match_quadratic(z, grad, hess, diagonal),
        }
    }

    fn target(&self, evals: &[Eval]) -> Vec<f64> {
        match self.geometry() {
            Geometry::Coefficients => {
                let mut t = vec![0.0; self.natural().len()];
                for e in evals {
                    let (c, _) = match_statistics(self, &e.z, &e.grad, &e.hess);
                    t.iter_mut()
                        .zip(&c)
                        .for_each(|(ti, ci)| *ti += e.weight * ci);
                }
                t
            }
            Geometry::Gaussian { diagonal } => bonnet_price(&self.mean(), evals, diagonal),
        }
    }

    fn step(&mut self, target: &[f64], rho: f64) -> Result<StepNote, FamilyError> {
        let lambda = self.natural();
        if target.len() != lambda.len() {
            return Err(FamilyError::WrongLength {
                family: self.name(),
                expected: lambda.len(),
                got: target.len(),
            });
        }
        match self.geometry() {
            Geometry::Coefficients => convex_step(self, &lambda, target, rho),
            Geometry::Gaussian { diagonal: true } => diagonal_step(self, target, rho),
            Geometry::Gaussian { diagonal: false } => full_step(self, target, rho),
        }
    }
}

/// Least squares over ∂f/∂zᵢ = c·∂T/∂zᵢ and ∂²f/∂zᵢ² = c·∂²T/∂zᵢ², each equation scaled to
/// unit norm so large and small coordinates weigh alike.
fn match_statistics<F: ExpFamily + ?Sized>(
    fam: &F,
    z: &[f64],
    grad: &[f64],
    hess: &DMatrix<f64>,
) -> (Vec<f64>, f64) {
    let n = fam.dim();
    if z.len() != n || grad.len() != n || hess.shape() != (n, n) {
        return (vec![f64::NAN; fam.natural().len()], f64::INFINITY);
    }
    let (d1, d2) = fam.suff_stat_derivs(z);
    let ns = d1.nrows();
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
    for r in 0..2 * n {
        let norm = a.row(r).norm();
        if norm > 0.0 {
            a.row_mut(r).scale_mut(1.0 / norm);
            b[r] /= norm;
        }
    }
    if a.iter().chain(b.iter()).any(|x| !x.is_finite()) {
        return (vec![f64::NAN; ns], f64::INFINITY);
    }
    let Some(c) = solve_coefficients(&a, &b) else {
        return (vec![f64::NAN; ns], f64::INFINITY);
    };
    let resid = (&a * &c - &b).norm() / b.norm().max(1.0);
    (c.iter().copied().collect(), resid)
}

/// The least-squares solution of A c = b, each coefficient to the accuracy of the data. An
/// orthogonal solve (SVD, QR) errs by ε‖c‖ in every coefficient, which loses a small one
/// beside a large one: a Gamma's rate of 2 beside a shape of 10¹². A square system (one
/// coordinate: Gamma, inverse Gamma, Beta) is solved by elimination with complete
/// pivoting instead, whose multipliers carry each row's own rounding only; then one step of
/// iterative refinement on the residual (Higham 2002, §12.1).
fn solve_coefficients(a: &DMatrix<f64>, b: &DVector<f64>) -> Option<DVector<f64>> {
    let solve = |r: &DVector<f64>| -> Option<DVector<f64>> {
        if a.is_square() {
            a.clone().full_piv_lu().solve(r)
        } else {
            a.clone().svd(true, true).solve(r, 1e-12).ok()
        }
    };
    let mut c = solve(b)?;
    if let Some(d) = solve(&(b - a * &c)) {
        c += d;
    }
    Some(c)
}

/// A quadratic read off the full Hessian: f = c₁·z + zᵀC₂z + const has f″ = 2C₂ and
/// f′ = c₁ + f″z, so C₂ = ½ f″ and c₁ = f′ − f″z. The residual is the relative asymmetry
/// of the Hessian (0 for a true Hessian): every smooth f matches some quadratic at one
/// point, so for a Gaussian conjugacy shows only as agreement between points.
fn match_quadratic(
    z: &[f64],
    grad: &[f64],
    hess: &DMatrix<f64>,
    diagonal: bool,
) -> (Vec<f64>, f64) {
    let d = z.len();
    let ns = if diagonal { 2 * d } else { d + d * d };
    if grad.len() != d || hess.shape() != (d, d) {
        return (vec![f64::NAN; ns], f64::INFINITY);
    }
    let h = if diagonal {
        DMatrix::from_diagonal(&hess.diagonal())
    } else {
        (hess + hess.transpose()) * 0.5
    };
    let resid = (hess - hess.transpose()).norm() / hess.norm().max(1.0);
    let c1 = DVector::from_column_slice(grad) - &h * DVector::from_column_slice(z);
    let c2: Vec<f64> = if diagonal {
        h.diagonal().iter().map(|x| 0.5 * x).collect()
    } else {
        (h * 0.5).iter().copied().collect()
    };
    (c1.iter().copied().chain(c2).collect(), resid)
}

/// Weighted E[∇f] and E[∇²f] over the evaluations.
fn expected_grad_hess(evals: &[Eval], d: usize) -> (DVector<f64>, DMatrix<f64>) {
    let mut g = DVector::zeros(d);
    let mut h = DMatrix::zeros(d, d);
    for e in evals {
        g += DVector::from_column_slice(&e.grad) * e.weight;
        h += &e.hess * e.weight;
    }
    (g, h)
}

/// Bonnet and Price: ∇_μ E[f] = (E[g] − E[H] m, ½ E[H]).
///
/// For a diagonal Gaussian the mean-field fixed point is E[g] = 0, p = −diag E[H]; the plain
/// target (E[g] − D m, ½ D) with D = diag E[H] moves the mean by a Jacobi step −D⁻¹E[g],
/// which diverges when the posterior is strongly correlated. The target used instead,
/// (−D (m + n), ½ D) with the Newton step n = −E[H]⁻¹ E[g], moves the mean by n at ρ = 1
/// and has the same fixed point (it equals the plain one when E[H] is diagonal); it falls
/// back to the plain target when −E[H] is not positive definite.
fn bonnet_price(m: &[f64], evals: &[Eval], diagonal: bool) -> Vec<f64> {
    let (g, h) = expected_grad_hess(evals, m.len());
    gaussian_target(m, &g, &h, diagonal)
}

/// The target from E[∇f] = g and E[∇²f] = h: (g − h m, ½ h) for a full Gaussian, the
/// Newton-mean target (4.5b) for a diagonal one.
fn gaussian_target(m: &[f64], g: &DVector<f64>, h: &DMatrix<f64>, diagonal: bool) -> Vec<f64> {
    let d = m.len();
    let mv = DVector::from_column_slice(m);
    if !diagonal {
        let t1 = g - h * &mv;
        return t1.iter().chain((h * 0.5).iter()).copied().collect();
    }
    let diag = h.diagonal();
    let newton = (-h).cholesky().map(|c| c.solve(g));
    let t1: Vec<f64> = match newton {
        Some(n) => (0..d).map(|i| -diag[i] * (m[i] + n[i])).collect(),
        None => (0..d).map(|i| g[i] - diag[i] * m[i]).collect(),
    };
    t1.into_iter().chain(diag.iter().map(|x| 0.5 * x)).collect()
}

/// λ ← (1 − ρ) λ + ρ t, with ρ halved until λ stays in its domain.
fn convex_step<F: ExpFamily + ?Sized>(
    fam: &mut F,
    lambda: &[f64],
    target: &[f64],
    rho: f64,
) -> Result<StepNote, FamilyError> {
    let mut r = rho;
    for _ in 0..MAX_DOMAIN_HALVINGS {
        let new: Vec<f64> = lambda
            .iter()
            .zip(target)
            .map(|(l, t)| (1.0 - r) * l + r * t)
            .collect();
        if fam.in_domain(&new) {
            fam.set_natural(&new)?;
            return Ok(if r == rho {
                StepNote::Full
            } else {
                StepNote::Shortened(r)
            });
        }
        r *= 0.5;
    }
    Err(FamilyError::FailedUpdate {
        family: fam.name(),
        what: "no step towards the target stays in the natural-parameter domain",
    })
}

/// The Gaussian step on (m, P): P ← (1 − ρ) P − ρ H, or the improved rule when that leaves
/// the cone; then m ← m + ρ P⁻¹ E[g] (E[g] = t₁ + H m).
fn full_step<F: ExpFamily + ?Sized>(
    fam: &mut F,
    target: &[f64],
    rho: f64,
) -> Result<StepNote, FamilyError> {
    let family = fam.name();
    let failed = |what| FamilyError::FailedUpdate { family, what };
    let m = DVector::from_vec(fam.mean());
    let d = m.len();
    let lambda = fam.natural();
    let p = DMatrix::from_column_slice(d, d, &lambda[d..]) * (-2.0);
    let h = DMatrix::from_column_slice(d, d, &target[d..]) * 2.0;
    let h = (&h + h.transpose()) * 0.5;
    let g = DVector::from_column_slice(&target[..d]) + &h * &m;
    let (new_p, note) =
        full_precision(&p, &h, rho).ok_or(failed("the precision is not positive definite"))?;
    let chol = new_p
        .clone()
        .cholesky()
        .ok_or(failed("the precision update lost positive definiteness"))?;
    // m ← m + ρ P⁻¹ g
    let new_m = &m + chol.solve(&g) * rho;
    if new_m.iter().any(|x| !x.is_finite()) {
        return Err(failed("the mean update is not finite"));
    }
    let l1 = &new_p * &new_m;
    let new_lambda: Vec<f64> = l1.iter().chain((&new_p * (-0.5)).iter()).copied().collect();
    fam.set_natural(&new_lambda)?;
    Ok(note)
}

/// The same step for a diagonal Gaussian, coordinate by coordinate in O(d): λ = (p∘m, −½ p)
/// and t = (t₁, ½ h) give E[g] = t₁ + h∘m; then p ← `diagonal_precision`, m ← m + ρ g / p.
fn diagonal_step<F: ExpFamily + ?Sized>(
    fam: &mut F,
    target: &[f64],
    rho: f64,
) -> Result<StepNote, FamilyError> {
    let family = fam.name();
    let m = fam.mean();
    let d = m.len();
    let lambda = fam.natural();
    let p: Vec<f64> = lambda[d..].iter().map(|l| -2.0 * l).collect();
    let h: Vec<f64> = target[d..].iter().map(|t| 2.0 * t).collect();
    let (new_p, note) = diagonal_precision(&p, &h, rho);
    if new_p.iter().any(|x| !(*x > 0.0 && x.is_finite())) {
        return Err(FamilyError::FailedUpdate {
            family,
            what: "the precision update lost positive definiteness",
        });
    }
    // m ← m + ρ P⁻¹ E[g]
    let new_m: Vec<f64> = (0..d)
        .map(|i| m[i] + rho * (target[i] + h[i] * m[i]) / new_p[i])
        .collect();
    if new_m.iter().any(|x| !x.is_finite()) {
        return Err(FamilyError::FailedUpdate {
            family,
            what: "the mean update is not finite",
        });
    }
    let l1 = new_m.iter().zip(&new_p).map(|(m, p)| p * m);
    let new_lambda: Vec<f64> = l1.chain(new_p.iter().map(|p| -0.5 * p)).collect();
    fam.set_natural(&new_lambda)?;
    Ok(note)
}

/// P ← (1 − ρ) P − ρ H, or P − ρG + (ρ²/2) G P⁻¹ G with G = P + H when that leaves the
/// cone (`None` when P itself is not positive definite).
fn full_precision(
    p: &DMatrix<f64>,
    h: &DMatrix<f64>,
    rho: f64,
) -> Option<(DMatrix<f64>, StepNote)> {
    let plain = p * (1.0 - rho) - h * rho;
    if plain.iter().all(|x| x.is_finite()) && plain.clone().cholesky().is_some() {
        return Some((plain, StepNote::Full));
    }
    let gm = p + h;
    let p_inv_g = p.clone().cholesky()?.solve(&gm);
    let corrected = p - &gm * rho + (&gm * p_inv_g) * (0.5 * rho * rho);
    Some((
        (&corrected + corrected.transpose()) * 0.5,
        StepNote::PositiveDefiniteCorrection,
    ))
}

/// The same rule per coordinate: pᵢ ← (1 − ρ) pᵢ − ρ hᵢ, or pᵢ − ρGᵢ + ρ²Gᵢ²/(2pᵢ) for
/// the coordinates where that is not positive.
fn diagonal_precision(p: &[f64], h: &[f64], rho: f64) -> (Vec<f64>, StepNote) {
    let mut note = StepNote::Full;
    let diag = p
        .iter()
        .zip(h)
        .map(|(&pi, &hi)| {
            let plain = (1.0 - rho) * pi - rho * hi;
            if plain > 0.0 {
                plain
            } else {
                note = StepNote::PositiveDefiniteCorrection;
                let gi = pi + hi;
                pi - rho * gi + rho * rho * gi * gi / (2.0 * pi)
            }
        })
        .collect();
    (diag, note)
}

/// The target of a step that moves only the mean of a Gaussian (keeps P):
/// (E[g] + P m, −½ P), with E[g] = t₁ + 2 T₂ m read back from the full target. For other
/// families, `None`.
pub(crate) fn mean_only_target<F: ExpFamily + ?Sized>(fam: &F, target: &[f64]) -> Option<Vec<f64>> {
    let Geometry::Gaussian { diagonal } = fam.geometry() else {
        return None;
    };
    let m = fam.mean();
    let d = m.len();
    let lambda = fam.natural();
    if target.len() != lambda.len() {
        return None;
    }
    let t2m: Vec<f64> = if diagonal {
        (0..d).map(|i| target[d + i] * m[i]).collect()
    } else {
        let t2 = DMatrix::from_column_slice(d, d, &target[d..]);
        (t2 * DVector::from_column_slice(&m))
            .iter()
            .copied()
            .collect()
    };
    let t1 = (0..d).map(|i| target[i] + 2.0 * t2m[i] + lambda[i]);
    Some(t1.chain(lambda[d..].iter().copied()).collect())
}

/// Whether the expected Hessian in a Gaussian target, E[∇²f] = 2 T₂, has a flat or upward
/// direction: −E[∇²f] not positive definite, or with condition number above `max_cond`.
/// At a fixed point P = −E[∇²f], so a proper posterior has −E[∇²f] positive definite.
pub(crate) fn has_flat_direction<F: ExpFamily + ?Sized>(
    fam: &F,
    target: &[f64],
    max_cond: f64,
) -> bool {
    let Geometry::Gaussian { diagonal } = fam.geometry() else {
        return false;
    };
    let d = fam.dim();
    let curv: Vec<f64> = if diagonal {
        target[d..].iter().map(|t| -2.0 * t).collect()
    } else {
        let h = DMatrix::from_column_slice(d, d, &target[d..]) * (-2.0);
        let h = (&h + h.transpose()) * 0.5;
        h.symmetric_eigen().eigenvalues.iter().copied().collect()
    };
    let lo = curv.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = curv.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    !(lo > 0.0 && hi.is_finite() && hi / lo <= max_cond)
}

/// A diagonal stand-in for the Newton decrement of a Gaussian target, Σ E[gᵢ]² Sᵢᵢ (how far
/// the fixed-draw objective is from stationary in the mean); `None` for other families.
pub(crate) fn newton_decrement<F: ExpFamily + ?Sized>(fam: &F, target: &[f64]) -> Option<f64> {
    let mean_only = mean_only_target(fam, target)?;
    let d = fam.dim();
    let lambda = fam.natural();
    // E[g] = t₁' − λ₁ (the mean-only target's first part minus P m)
    let g: Vec<f64> = (0..d).map(|i| mean_only[i] - lambda[i]).collect();
    let sd = fam.sd();
    Some(g.iter().zip(&sd).map(|(gi, s)| (gi * s).powi(2)).sum())
}

/// The precision P of a Gaussian guide, read from λ₂ = −½ P; `None` for other families.
pub(crate) fn gaussian_precision<F: ExpFamily + ?Sized>(fam: &F) -> Option<DMatrix<f64>> {
    let Geometry::Gaussian { diagonal } = fam.geometry() else {
        return None;
    };
    let d = fam.dim();
    let lambda = fam.natural();
    Some(if diagonal {
        DMatrix::from_diagonal(&DVector::from_iterator(
            d,
            lambda[d..].iter().map(|l| -2.0 * l),
        ))
    } else {
        DMatrix::from_column_slice(d, d, &lambda[d..]) * (-2.0)
    })
}

/// One point of a rule with the gradient of f there (no Hessian): for Stein's estimate.
#[derive(Debug, Clone)]
pub(crate) struct GradEval {
    pub(crate) weight: f64,
    pub(crate) z: Vec<f64>,
    pub(crate) grad: Vec<f64>,
}

/// The Gaussian target from gradients alone, with Stein's identity
/// E[∇²f] = E[∇f (z − m)ᵀ] P for z ~ N(m, P⁻¹) (symmetrised) in place of pointwise Hessians.
/// Unlike the pointwise Hessian it sees a kink: |μ − c| has ∇² = 0 on both sides, yet
/// E[∇²] = 2 q(c). `None` for a family that is not Gaussian.
pub(crate) fn stein_target<F: ExpFamily + ?Sized>(fam: &F, evals: &[GradEval]) -> Option<Vec<f64>> {
    let Geometry::Gaussian { diagonal } = fam.geometry() else {
        return None;
    };
    let p = gaussian_precision(fam)?;
    let d = fam.dim();
    let mean = fam.mean();
    let m = DVector::from_column_slice(&mean);
    let mut g_mean = DVector::zeros(d);
    let mut cross = DMatrix::zeros(d, d);
    for e in evals {
        let g = DVector::from_column_slice(&e.grad);
        let r = DVector::from_column_slice(&e.z) - &m;
        cross += &g * r.transpose() * e.weight;
        g_mean += g * e.weight;
    }
    let h = cross * p;
    let h = (&h + h.transpose()) * 0.5;
    Some(gaussian_target(&mean, &g_mean, &h, diagonal))
}

/// E[∇f] and the diagonal of E[∇²f] over a rule, for a block whose Hessian is diagonal
/// (docs/design.md §4, (4.5c)–(4.5d)): all its update needs, as vectors, where a d × d
/// matrix would not fit (d = 10⁴).
#[derive(Debug, Clone)]
pub(crate) struct DiagonalCurvature {
    pub(crate) grad: Vec<f64>,
    pub(crate) hess: Vec<f64>,
}

impl DiagonalCurvature {
    pub(crate) fn new(d: usize) -> Self {
        DiagonalCurvature {
            grad: vec![0.0; d],
            hess: vec![0.0; d],
        }
    }

    /// A point of a block where the log joint is quadratic with a diagonal Hessian, with
    /// the gradients g₀ = ∇f(u) and g₁ = ∇f(u + 1): there ∇²f = diag(g₁ − g₀) exactly
    /// (4.5c).
    pub(crate) fn add_quadratic(&mut self, weight: f64, g0: &[f64], g1: &[f64]) {
        for i in 0..self.grad.len() {
            self.grad[i] += weight * g0[i];
            self.hess[i] += weight * (g1[i] - g0[i]);
        }
    }

    /// A draw z ~ N(m, diag(p)⁻¹) with the gradient g there: Stein's identity (4.5a) with a
    /// diagonal precision, E[∂²f/∂zᵢ²] = E[gᵢ (zᵢ − mᵢ)] pᵢ (4.5d).
    pub(crate) fn add_stein(&mut self, weight: f64, z: &[f64], g: &[f64], m: &[f64], p: &[f64]) {
        for i in 0..self.grad.len() {
            self.grad[i] += weight * g[i];
            self.hess[i] += weight * g[i] * (z[i] - m[i]) * p[i];
        }
    }
}

/// Bonnet and Price with a diagonal expected Hessian h (4.5 with E[∇²f] = diag h):
/// (E[g] − h∘m, ½ h). With E[∇²f] diagonal the Newton-mean target (4.5b) is this one.
/// `None` for a family that is not a diagonal Gaussian.
pub(crate) fn diagonal_curvature_target<F: ExpFamily + ?Sized>(
    fam: &F,
    c: &DiagonalCurvature,
) -> Option<Vec<f64>> {
    if fam.geometry() != (Geometry::Gaussian { diagonal: true }) {
        return None;
    }
    let m = fam.mean();
    let t1 = c
        .grad
        .iter()
        .zip(&c.hess)
        .zip(&m)
        .map(|((g, h), m)| g - h * m);
    Some(t1.chain(c.hess.iter().map(|h| 0.5 * h)).collect())
}

/// The precisions of a diagonal Gaussian, read from λ₂ = −½ p; `None` for other families.
pub(crate) fn diagonal_precisions<F: ExpFamily + ?Sized>(fam: &F) -> Option<Vec<f64>> {
    if fam.geometry() != (Geometry::Gaussian { diagonal: true }) {
        return None;
    }
    let d = fam.dim();
    Some(fam.natural()[d..].iter().map(|l| -2.0 * l).collect())
}
