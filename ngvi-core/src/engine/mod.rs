//! The NGVI engine (docs/design.md §4): mean-field over blocks, each block's natural
//! parameters moved towards the natural-gradient target, λ ← (1 − ρ) λ + ρ ∇_μ E_q[log p(x, z)].
//!
//! Expectations over the blocks are taken by the rules of [`rule`]. A conjugate block's
//! coefficients do not depend on its own z, so its own coordinates sit at its mean. The
//! update rules themselves are in [`update`].

mod rule;
mod update;

pub use update::{Eval, NaturalGradient, StepNote};

use crate::error::Error;
use crate::family::{ExpFamily, Geometry};
use crate::joint::Joint;
use crate::model::Model;

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

/// One block of the mean-field guide: a family over some coordinates of the latent vector.
#[derive(Debug)]
pub(crate) struct Block {
    /// The guide over this block's coordinates (in the transformed space).
    pub(crate) family: Box<dyn ExpFamily>,
    /// Global coordinates of the latent vector this block holds, in order.
    pub(crate) coords: Vec<usize>,
    /// Whether the block is exact in one step (ρ = 1 and no ELBO line search).
    pub(crate) conjugate: bool,
}

/// Engine settings (built by `Ngvi`).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) max_iters: usize,
    pub(crate) tol: f64,
    pub(crate) step_size: Option<f64>,
    pub(crate) samples: usize,
    pub(crate) seed: u64,
    pub(crate) expectation: Expectation,
}

/// The outcome of the iterations.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) elbo: Vec<f64>,
    pub(crate) iterations: usize,
    pub(crate) stop: StopReason,
    pub(crate) notes: Vec<String>,
}

/// The state being fitted: the transformed log joint and the blocks.
pub(crate) struct Engine<'m, M: Model> {
    pub(crate) joint: Joint<'m, M>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) settings: Settings,
}

impl<M: Model> Engine<'_, M> {
    fn rule(&self, own_at_mean: Option<usize>, seed: u64) -> crate::family::Rule {
        let s = &self.settings;
        rule::rule(
            &self.blocks,
            self.joint.dim(),
            s.expectation,
            s.samples,
            own_at_mean,
            seed,
        )
    }

    /// ELBO = E_q[f̃(u) − ln q(u)] over `seed`'s rule. Averaging the difference (rather than
    /// adding the closed-form entropy) makes the estimate exact, with zero variance, when q
    /// is the exact posterior: then f̃ − ln q = ln p(x) at every point.
    pub(crate) fn elbo(&self, seed: u64) -> Result<f64, Error> {
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
            e += w * (self.joint.value(u)? - ln_q);
        }
        Ok(e)
    }

    /// The natural-gradient target of block `b`.
    fn target(&self, b: usize, seed: u64) -> Result<Vec<f64>, Error> {
        let fam = &self.blocks[b].family;
        let own = matches!(fam.geometry(), Geometry::Gaussian { .. });
        let at_mean = (!own).then_some(b);
        let mut evals = Vec::new();
        for (weight, u) in self.rule(at_mean, seed) {
            let (v, grad, hess) = self.joint.derivatives(&self.blocks[b].coords, &u)?;
            if !v.is_finite() || grad.iter().chain(hess.iter()).any(|x| !x.is_finite()) {
                return Err(Error::NonFinite {
                    family: fam.name(),
                    value: v,
                });
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
            return Err(Error::NonFinite {
                family: fam.name(),
                value: f64::NAN,
            });
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
            let note = self.blocks[b].family.step(&target, rho0)?;
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
    pub(crate) fn run(&mut self) -> Result<Run, Error> {
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
            change = relative_change(&self.blocks, &old);
            let stop = if stalled {
                Some(StopReason::Stalled)
            } else if change < self.settings.tol {
                Some(StopReason::Converged { change })
            } else {
                None
            };
            if let Some(stop) = stop {
                return Ok(Run {
                    elbo,
                    iterations: iter,
                    stop,
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

/// ‖λ_new − λ_old‖ / max(1, ‖λ_old‖), the largest over blocks.
fn relative_change(blocks: &[Block], old: &[Vec<f64>]) -> f64 {
    blocks
        .iter()
        .zip(old)
        .map(|(b, o)| {
            let new = b.family.natural();
            let diff: f64 = new.iter().zip(o).map(|(x, y)| (x - y).powi(2)).sum();
            let norm: f64 = o.iter().map(|y| y * y).sum();
            diff.sqrt() / norm.sqrt().max(1.0)
        })
        .fold(0.0, f64::max)
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
