//! The NGVI engine (DESIGN.md §4): mean-field over blocks, each block's natural parameters
//! updated in closed form, λ ← (1 − ρ) λ + ρ ∇_μ E_q[log p(x, z)].
//!
//! Expectations over the blocks are taken with deterministic rules where every block has
//! one (spherical-radial for Gaussians, generalised Gauss–Laguerre for Gamma and
//! InverseGamma) and the product rule stays small; otherwise by Monte Carlo with antithetic
//! Gaussian draws. A conjugate block's coefficients do not depend on its own z, so its own
//! coordinates sit at its mean.

use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::ad::{Dual2, Scalar};
use crate::error::Error;
use crate::family::{Eval, ExpFamily, StepNote};
use crate::guide::Transform;
use crate::model::Model;

/// Largest product rule used before falling back to Monte Carlo.
const MAX_RULE_POINTS: usize = 4096;
/// Halvings of ρ tried when a Gaussian step lowers the ELBO.
const MAX_BACKTRACKS: usize = 12;

/// How expectations over the guide are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// Deterministic rules when every block is conjugate (a Gaussian block is when the log
    /// joint is quadratic in it), every block has a rule and the product stays under 4096
    /// points: then the rules are exact. Monte Carlo otherwise, where a low-degree rule
    /// would bias the expectations of a non-polynomial log joint.
    Auto,
    /// Monte Carlo with antithetic Gaussian draws (`samples` draws per expectation).
    MonteCarlo,
}

/// One block of the mean-field guide: a family over some coordinates of the latent vector.
#[derive(Debug)]
pub struct Block {
    /// The guide over this block's coordinates (in the transformed space).
    pub family: Box<dyn ExpFamily>,
    /// Global coordinates of the latent vector this block holds, in order.
    pub coords: Vec<usize>,
    /// Whether the block is conjugate (ρ = 1 and no ELBO line search).
    pub conjugate: bool,
}

/// Engine settings (built by `Ngvi`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub max_iters: usize,
    pub tol: f64,
    pub step_size: Option<f64>,
    pub samples: usize,
    pub seed: u64,
    pub expectation: Expectation,
}

/// Why the iterations stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StopReason {
    /// The relative change of the natural parameters fell below `tol`.
    Converged { change: f64 },
    /// `max_iters` sweeps were made.
    MaxIters { change: f64 },
    /// No step along the natural gradient raised the ELBO estimate (try more `samples`).
    Stalled,
}

/// The outcome of the iterations.
#[derive(Debug)]
pub struct Run {
    pub elbo: Vec<f64>,
    pub iterations: usize,
    pub stop: StopReason,
    pub notes: Vec<String>,
}

/// The state being fitted: the model, the per-coordinate transforms and the blocks.
pub struct Engine<'m, M: Model> {
    pub model: &'m M,
    pub transforms: Vec<Transform>,
    pub blocks: Vec<Block>,
    pub settings: Settings,
}

/// A rule: weighted points of the whole latent vector (in guide coordinates).
type Rule = Vec<(f64, Vec<f64>)>;

impl<M: Model> Engine<'_, M> {
    fn dim(&self) -> usize {
        self.transforms.len()
    }

    /// f̃(u) = log p(x, g(u)) + Σ ln |g′(u)|, with the derivatives in block `b`'s coordinates.
    fn eval_block(
        &self,
        b: usize,
        u: &[f64],
    ) -> Result<(f64, Vec<f64>, nalgebra::DMatrix<f64>), Error> {
        let coords = &self.blocks[b].coords;
        let n = coords.len();
        let mut uu: Vec<Dual2> = u.iter().map(|&v| Dual2::constant(v)).collect();
        for (i, &g) in coords.iter().enumerate() {
            uu[g] = Dual2::variable(u[g], i, n);
        }
        let f = self.log_joint_transformed(uu)?;
        let mut grad = f.gradient();
        grad.resize(n, 0.0);
        let h = f.hessian();
        // A log joint constant in the block has an empty Hessian.
        let hess = if h.nrows() == n {
            h
        } else {
            nalgebra::DMatrix::zeros(n, n)
        };
        Ok((f.value(), grad, hess))
    }

    fn log_joint_transformed<S: Scalar>(&self, u: Vec<S>) -> Result<S, Error>
    where
        f64: crate::ad::F64Ops<S>,
    {
        let mut jac = S::constant(0.0);
        let mut z = Vec::with_capacity(u.len());
        for (ui, t) in u.into_iter().zip(&self.transforms) {
            let (zi, lj) = t.forward(ui);
            z.push(zi);
            jac += lj;
        }
        Ok(self.model.log_joint(&z)? + jac)
    }

    /// The rule for an expectation: blocks in `own_at_mean` sit at their mean, the others
    /// are integrated by their cubature (product rule) or by Monte Carlo.
    fn rule(&self, own_at_mean: Option<usize>, seed: u64) -> Rule {
        let per_block: Vec<Option<Rule>> = self
            .blocks
            .iter()
            .enumerate()
            .map(|(j, blk)| {
                if Some(j) == own_at_mean {
                    Some(vec![(1.0, blk.family.mean())])
                } else {
                    blk.family.cubature()
                }
            })
            .collect();
        let size = per_block.iter().try_fold(1usize, |acc, p| {
            p.as_ref().map(|p| acc.saturating_mul(p.len()))
        });
        match (self.settings.expectation, size) {
            (Expectation::Auto, Some(n))
                if n <= MAX_RULE_POINTS && self.blocks.iter().all(|b| b.conjugate) =>
            {
                let mut rule: Rule = vec![(1.0, vec![0.0; self.dim()])];
                for (blk, pts) in self.blocks.iter().zip(per_block.iter().flatten()) {
                    rule = rule
                        .iter()
                        .flat_map(|(w, u)| {
                            pts.iter().map(move |(wp, p)| {
                                let mut u = u.clone();
                                for (&g, &v) in blk.coords.iter().zip(p) {
                                    u[g] = v;
                                }
                                (w * wp, u)
                            })
                        })
                        .collect();
                }
                rule
            }
            _ => self.monte_carlo(own_at_mean, seed),
        }
    }

    /// `samples` draws of every block (antithetic pairs for the Gaussian blocks).
    fn monte_carlo(&self, own_at_mean: Option<usize>, seed: u64) -> Rule {
        let mut rng = StdRng::seed_from_u64(seed);
        let pairs = self.settings.samples.div_ceil(2).max(1);
        let w = 1.0 / (2 * pairs) as f64;
        let mut rule = Vec::with_capacity(2 * pairs);
        for _ in 0..pairs {
            let mut u = vec![0.0; self.dim()];
            let mut mirror = vec![0.0; self.dim()];
            for (j, blk) in self.blocks.iter().enumerate() {
                let mean = blk.family.mean();
                let draw = if Some(j) == own_at_mean {
                    mean.clone()
                } else {
                    blk.family.sample(&mut rng)
                };
                for (i, &g) in blk.coords.iter().enumerate() {
                    u[g] = draw[i];
                    mirror[g] = if blk.family.needs_own_expectation() {
                        2.0 * mean[i] - draw[i]
                    } else {
                        draw[i]
                    };
                }
            }
            rule.push((w, u));
            rule.push((w, mirror));
        }
        rule
    }

    /// ELBO = E_q[f̃(u) − ln q(u)] over `seed`'s rule. Averaging the difference (rather than
    /// adding the closed-form entropy) makes the estimate exact, with zero variance, when q
    /// is the exact posterior: then f̃ − ln q = ln p(x) at every point.
    pub fn elbo(&self, seed: u64) -> Result<f64, Error> {
        let mut e = 0.0;
        for (w, u) in self.rule(None, seed) {
            let ln_q: f64 = self
                .blocks
                .iter()
                .map(|b| {
                    let ub: Vec<f64> = b.coords.iter().map(|&g| u[g]).collect();
                    b.family.log_density(&ub)
                })
                .sum();
            e += w * (self.log_joint_transformed(u)? - ln_q);
        }
        Ok(e)
    }

    /// Whether the log joint is quadratic in block `b`'s coordinates (the other blocks at
    /// their means): its Hessian is the same at the block's mean and at two other points.
    pub fn is_quadratic(&self, b: usize) -> Result<bool, Error> {
        let mut u = vec![0.0; self.dim()];
        for blk in &self.blocks {
            for (&g, v) in blk.coords.iter().zip(blk.family.mean()) {
                u[g] = v;
            }
        }
        let (_, _, h0) = self.eval_block(b, &u)?;
        for shift in [0.7, -1.3] {
            let mut v = u.clone();
            for (i, &g) in self.blocks[b].coords.iter().enumerate() {
                v[g] += shift * (1.0 + 0.1 * i as f64);
            }
            let (_, _, h) = self.eval_block(b, &v)?;
            let scale = h0.amax().max(1.0);
            if h0.iter().chain(h.iter()).any(|x| !x.is_finite()) || (&h - &h0).amax() > 1e-9 * scale
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The natural-gradient target of block `b`.
    fn target(&self, b: usize, seed: u64) -> Result<Vec<f64>, Error> {
        let fam = &self.blocks[b].family;
        let at_mean = (!fam.needs_own_expectation()).then_some(b);
        let mut evals = Vec::new();
        for (weight, u) in self.rule(at_mean, seed) {
            let (v, grad, hess) = self.eval_block(b, &u)?;
            if !v.is_finite() || grad.iter().chain(hess.iter()).any(|x| !x.is_finite()) {
                return Err(Error::Numerical(format!(
                    "the log joint or its derivatives are not finite at a point of the {} guide \
                     (value {v}); check the model's supports and priors",
                    fam.name()
                )));
            }
            let z = self.blocks[b].coords.iter().map(|&g| u[g]).collect();
            evals.push(Eval {
                weight,
                z,
                grad,
                hess,
            });
        }
        let t = fam.target(&evals);
        if t.iter().any(|x| !x.is_finite()) {
            return Err(Error::Numerical(format!(
                "the natural-gradient target of the {} guide is not finite",
                fam.name()
            )));
        }
        Ok(t)
    }

    /// One NGVI step of block `b`; a non-conjugate block halves ρ while the ELBO falls.
    /// Returns whether a step was taken.
    fn step_block(
        &mut self,
        b: usize,
        iter: usize,
        seed: u64,
        notes: &mut Vec<String>,
    ) -> Result<bool, Error> {
        let target = self.target(b, seed)?;
        let rho0 = self.settings.step_size.unwrap_or(1.0);
        let name = self.blocks[b].family.name();
        if self.blocks[b].conjugate {
            let note = self.blocks[b]
                .family
                .step(&target, rho0)
                .map_err(Error::Numerical)?;
            record(notes, iter, name, note);
            return Ok(true);
        }
        let before = self.elbo(seed)?;
        let saved = self.blocks[b].family.boxed_clone();
        let mut rho = rho0;
        for k in 0..=MAX_BACKTRACKS {
            let note = self.blocks[b].family.step(&target, rho);
            let after = match note {
                Ok(_) => self.elbo(seed).unwrap_or(f64::NEG_INFINITY),
                Err(_) => f64::NEG_INFINITY,
            };
            if after.is_finite() && after >= before - 1e-12 * before.abs() {
                if let Ok(n) = note {
                    record(notes, iter, name, n);
                }
                if k > 0 {
                    notes.push(format!(
                        "iteration {iter}: {name} step shortened to rho = {rho} to raise the ELBO"
                    ));
                }
                return Ok(true);
            }
            self.blocks[b].family = saved.boxed_clone();
            rho *= 0.5;
        }
        notes.push(format!(
            "iteration {iter}: no {name} step raised the ELBO; block left unchanged"
        ));
        Ok(false)
    }

    /// Sweep the blocks until the natural parameters stop changing.
    pub fn run(&mut self) -> Result<Run, Error> {
        let mut notes = Vec::new();
        let mut elbo = vec![self.elbo(self.settings.seed)?];
        let mut change = f64::INFINITY;
        for iter in 1..=self.settings.max_iters {
            let seed = self.settings.seed.wrapping_add(iter as u64);
            let old: Vec<Vec<f64>> = self.blocks.iter().map(|b| b.family.natural()).collect();
            let mut stalled = false;
            for b in 0..self.blocks.len() {
                stalled |= !self.step_block(b, iter, seed, &mut notes)?;
            }
            elbo.push(self.elbo(seed)?);
            // Relative change ‖λ_new − λ_old‖ / max(1, ‖λ_old‖), largest over blocks.
            change = self
                .blocks
                .iter()
                .zip(&old)
                .map(|(b, o)| {
                    let new = b.family.natural();
                    let diff: f64 = new.iter().zip(o).map(|(x, y)| (x - y).powi(2)).sum();
                    let norm: f64 = o.iter().map(|y| y * y).sum();
                    diff.sqrt() / norm.sqrt().max(1.0)
                })
                .fold(0.0, f64::max);
            if stalled {
                return Ok(Run {
                    elbo,
                    iterations: iter,
                    stop: StopReason::Stalled,
                    notes,
                });
            }
            if change < self.settings.tol {
                return Ok(Run {
                    elbo,
                    iterations: iter,
                    stop: StopReason::Converged { change },
                    notes,
                });
            }
        }
        Ok(Run {
            elbo,
            iterations: self.settings.max_iters,
            stop: StopReason::MaxIters { change },
            notes,
        })
    }
}

fn record(notes: &mut Vec<String>, iter: usize, name: &str, note: StepNote) {
    match note {
        StepNote::Full => {}
        StepNote::Shortened(r) => notes.push(format!(
            "iteration {iter}: {name} step shortened to rho = {r} to stay in the parameter domain"
        )),
        StepNote::PositiveDefiniteCorrection => notes.push(format!(
            "iteration {iter}: {name} precision kept positive definite by the improved learning rule"
        )),
    }
}
