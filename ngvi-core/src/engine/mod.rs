//! The NGVI engine (docs/design.md §4): mean-field over blocks, each block's natural
//! parameters moved towards the natural-gradient target, λ ← (1 − ρ) λ + ρ ∇_μ E_q[log p(x, z)].
//!
//! Expectations are taken by the rules of `rule`: exact cubature when every block is
//! conjugate, otherwise a fixed set of antithetic draws per phase (common random numbers, as
//! DADVI does), so that within a phase the objective does not change between iterations, the
//! line search is monotone and "converged" means converged. A second phase on fresh draws
//! measures what the fixed draws leave. The update rules themselves are in `update`; the
//! starting point in `start`; the step control in `step`; the diagnostic's log importance
//! ratios in `ratios`.

mod ascent;
mod ratios;
mod rule;
mod start;
mod step;
mod stochastic;
#[cfg(test)]
mod test_models;
mod update;

pub(crate) use start::centre;
pub use update::{Eval, NaturalGradient, StepNote};

use std::sync::Arc;

use nalgebra::DMatrix;

use crate::error::Error;
use crate::family::{ExpFamily, Rule, LN_2PI};
use crate::joint::Joint;
use crate::model::Model;
use crate::plate::Expectations;

/// Largest condition number of −E[∇²f] accepted as a proper, identified posterior.
const MAX_CURVATURE_COND: f64 = 1e13;
/// Smallest sd, relative to max(1, |mean|) on the unconstrained scale, before the guide is
/// called collapsed.
const MIN_RELATIVE_SD: f64 = 1e-10;
/// Largest sd on the unconstrained scale before the guide is called divergent.
const MAX_UNCONSTRAINED_SD: f64 = 1e6;
/// Most fixed-draw phases of a non-exact fit. Each starts from the last on fresh draws; from
/// the third on, with twice the draws, until the Gaussian means move by at most
/// `DRAW_TOL` sd between two phases.
const MAX_PHASES: u64 = 5;
/// Draws of the ELBO estimate in an exact fit.
const EXACT_ELBO_DRAWS: usize = 2;
/// Largest change of a Gaussian mean between phases, in sd, for the fit to stop.
pub(crate) const DRAW_TOL: f64 = 0.05;

/// How expectations over the guide are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// Deterministic rules when every block is conjugate (a Gaussian block is when the log
    /// joint is quadratic in it), every block has a rule and the product stays under 4096
    /// points: then the rules are exact. Fixed antithetic draws otherwise, where a
    /// low-degree rule would bias the expectations of a non-polynomial log joint. A lone
    /// Gaussian block whose observes read it through affine predictors (a GLM), with the
    /// rest of the log joint quadratic, takes those observes' expectations by Gauss–Hermite
    /// along each predictor instead (docs/design.md (4.5e)).
    Auto,
    /// Fixed antithetic draws (`samples` per expectation) for every block.
    MonteCarlo,
    /// Every block's deterministic rule, exact or not (2d points for a Gaussian of d
    /// coordinates, exact to degree 3): 2–5× fewer gradients than the draws and as accurate
    /// where the log joint is close to cubic over the guide's spread (GLMs); biased where it
    /// is not (eight schools: `tau`'s sd 2.6× too wide). Monte Carlo for a block without a
    /// rule. docs/design.md §4 ("Fixed draws against cubature") measures it.
    Cubature,
}

/// Why the iterations stopped. Only [`StopReason::Converged`] is a fit to use as it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StopReason {
    /// The relative change of the natural parameters fell below `tol` on a fixed objective.
    Converged { change: f64 },
    /// `max_iters` sweeps were made without converging.
    MaxIters { change: f64 },
    /// No step raised the objective although it is not stationary.
    Stalled,
    /// A direction of the Gaussian block has no curvature (or curves upwards) at the fit:
    /// the posterior is improper or not identified there.
    Unidentified,
    /// The Gaussian guide's variance grew without bound (sd above 1e6 on the unconstrained
    /// scale): the posterior is improper.
    Diverged { sd: f64 },
    /// The Gaussian guide collapsed: an sd below 1e-10 of its mean's magnitude (or of 1) on
    /// the unconstrained scale, where f64 cannot resolve the posterior.
    Collapsed { sd: f64 },
}

impl StopReason {
    /// Whether the fit converged.
    pub fn is_converged(&self) -> bool {
        matches!(self, StopReason::Converged { .. })
    }
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
    /// The Hessian of the log joint in this block when it is constant: a lone block whose
    /// log joint passed the quadratic check (3.2). Its targets then need gradients only.
    pub(crate) hessian: Option<DMatrix<f64>>,
    /// The Hessian of the rest of the log joint, when the block's observes read it through
    /// affine predictors and the rest is quadratic in it: then its targets and ELBO take
    /// those observes' expectations per datum along their predictors (4.5e).
    pub(crate) linear_rest: Option<DMatrix<f64>>,
    /// The latents (in model order) this block holds, when there are other blocks: its
    /// gradients take only the terms that read one of them (`Model::log_joint_reaching`).
    pub(crate) reach: Option<Vec<bool>>,
    /// Whether the log joint's Hessian within the block is diagonal (probed when planning):
    /// then its curvature is read from gradients as a vector, in O(d) memory
    /// (docs/design.md §4, (4.5c)–(4.5d)).
    pub(crate) diagonal_hessian: bool,
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
    /// Starting values of Gaussian-block coordinates (coordinate, value on the
    /// unconstrained scale), from `Ngvi::init`.
    pub(crate) init: Vec<(usize, f64)>,
    /// Minibatch size and the largest plate's size, for stochastic NGVI.
    pub(crate) minibatch: Option<(usize, usize)>,
    /// Told of every sweep (`Ngvi::on_iteration`, `Ngvi::progress`).
    pub(crate) progress: crate::progress::Progress,
}

/// The outcome of the iterations.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) elbo: Vec<f64>,
    pub(crate) iterations: usize,
    pub(crate) stop: StopReason,
    pub(crate) notes: Vec<String>,
    /// Largest change of a Gaussian-block mean between the two fixed-draw phases, in units
    /// of its sd: what the fixed draws leave (`None` for an exact fit).
    pub(crate) draw_error: Option<f64>,
}

/// The state being fitted: the transformed log joint and the blocks.
pub(crate) struct Engine<'m, M: Model> {
    pub(crate) joint: Joint<'m, M>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) settings: Settings,
}

/// An independent stream's seed: SplitMix64 of (seed, stream), never `seed + i`.
pub(crate) fn stream_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<M: Model> Engine<'_, M> {
    /// Whether the fit is exact: conjugate blocks with deterministic rules.
    pub(crate) fn exact(&self) -> bool {
        rule::deterministic(&self.blocks, self.settings.expectation)
    }

    fn rule(&self, own_at_mean: Option<usize>, seed: u64) -> Rule {
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

    /// The rule of the target of exact block `b` with a diagonal Hessian (docs/design.md
    /// §4, (4.5c)): the block at its mean, the other blocks by their cubature when their
    /// product rule is small, Monte Carlo otherwise (or when asked for). Each point costs two gradient passes in
    /// every coordinate of the block, and the cubature is exact to the degree the whitened
    /// antithetic draws are (3: they match the mean and covariance and cancel odd moments):
    /// the 4 points of a 2-coordinate block serve where 64 draws would cost 16 times more.
    fn exact_block_rule(&self, b: usize, seed: u64) -> Rule {
        let s = &self.settings;
        let expectation = match s.expectation {
            Expectation::MonteCarlo => Expectation::MonteCarlo,
            Expectation::Auto | Expectation::Cubature => Expectation::Cubature,
        };
        rule::rule(
            &self.blocks,
            self.joint.dim(),
            expectation,
            s.samples,
            Some(b),
            seed,
        )
    }

    /// ELBO = E_q[f̃(u) − ln q(u)] over `seed`'s rule. Averaging the difference (rather than
    /// adding the closed-form entropy) makes the estimate exact, with zero variance, when q
    /// is the exact posterior: then f̃ − ln q = ln p(x) at every point. −∞ where the log
    /// joint is −∞ at a point of the rule.
    pub(crate) fn elbo(&self, seed: u64) -> Result<f64, Error> {
        if let [only] = self.blocks.as_slice() {
            let closed = match (&only.hessian, &only.linear_rest) {
                (Some(h), _) => self.closed_form_elbo(only, h, false)?,
                (None, Some(h)) => self.closed_form_elbo(only, h, true)?,
                (None, None) => None,
            };
            if let Some(e) = closed {
                return Ok(e);
            }
        }
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
            let f = self.joint.value(u)?;
            if f == f64::NEG_INFINITY {
                return Ok(f64::NEG_INFINITY);
            }
            e += w * (f - ln_q);
        }
        Ok(if e.is_nan() { f64::NEG_INFINITY } else { e })
    }

    /// The ELBO of a lone Gaussian block on a log joint with constant Hessian H, in closed
    /// form from one value pass (4.12a):
    /// L = f̃(m) + ½ tr(H P⁻¹) + ½ d (1 + ln 2π) − ½ ln |P|; or, when `linear`, on a log
    /// joint whose observes read the block through affine predictors and whose rest has
    /// constant Hessian H, with those observes' expectations in place of their values at
    /// m (4.12b). `None` when P is not positive definite, or a predictor's sd is too wide
    /// for the quadrature (then the general ELBO serves).
    fn closed_form_elbo(
        &self,
        block: &Block,
        h: &DMatrix<f64>,
        linear: bool,
    ) -> Result<Option<f64>, Error> {
        let Some(chol) =
            update::gaussian_precision(block.family.as_ref()).and_then(|p| p.cholesky())
        else {
            return Ok(None);
        };
        let d = h.nrows() as f64;
        let ln_det_p = 2.0
            * chol
                .l_dirty()
                .diagonal()
                .iter()
                .map(|x| x.ln())
                .sum::<f64>();
        let sigma = chol.inverse();
        let trace = (h * &sigma).trace();
        let u = start::centre(&self.blocks, self.joint.dim());
        let f = if linear {
            let q = Arc::new(Expectations::new(sigma));
            let f = self.joint.expected_value(&block.coords, &u, &q)?;
            if !q.trusted() {
                return Ok(None);
            }
            f
        } else {
            self.joint.value(u)?
        };
        let e = f + 0.5 * trace + 0.5 * d * (1.0 + LN_2PI) - 0.5 * ln_det_p;
        Ok(Some(if e.is_nan() { f64::NEG_INFINITY } else { e }))
    }

    /// Fit: one pass of deterministic rules for an exact model; otherwise start the Gaussian
    /// block near the mode and run the fixed-draw phases.
    pub(crate) fn run(&mut self) -> Result<Run, Error> {
        if let Some((batch, n)) = self.settings.minibatch {
            return self.run_stochastic(batch, n);
        }
        let mut notes = Vec::new();
        let seed = self.settings.seed;
        if self.exact() {
            // Only the ELBO trace draws here, and at the exact posterior f̃ − ln q is the same
            // at every point: two draws are enough.
            self.settings.samples = self.settings.samples.min(EXACT_ELBO_DRAWS);
            let phase = self.phase(stream_seed(seed, 1), &mut notes)?;
            self.check_resolved(seed)?;
            return Ok(Run {
                elbo: phase.elbo,
                iterations: phase.iterations,
                stop: phase.stop,
                notes,
                draw_error: None,
            });
        }
        let planned: Vec<Box<dyn ExpFamily>> =
            self.blocks.iter().map(|b| b.family.boxed_clone()).collect();
        self.start_blocks()?;
        let mut elbo = Vec::new();
        let mut iterations = 0;
        let mut previous = self.gaussian_moments();
        let mut draw_error = None;
        let mut stop = StopReason::Stalled;
        for p in 1..=MAX_PHASES {
            // A mode search can run into a funnel's neck (the density unbounded as a scale
            // goes to 0): the first phase then fails or collapses. Start again from the
            // planned (prior-centred) guide, once.
            let first = self.phase(stream_seed(seed, p), &mut notes);
            let why = match &first {
                Err(e @ (Error::NoProgress { .. } | Error::NonFinite { .. })) => {
                    Some(e.to_string())
                }
                Ok(ph) if matches!(ph.stop, StopReason::Collapsed { .. }) => {
                    Some("the guide collapsed".to_string())
                }
                _ => None,
            };
            let phase = match why.filter(|_| p == 1) {
                Some(why) => {
                    notes.push(format!(
                        "the start at the mode failed ({why}); restarted from the prior-centred guide"
                    ));
                    for (blk, fam) in self.blocks.iter_mut().zip(&planned) {
                        blk.family = fam.boxed_clone();
                    }
                    self.phase(stream_seed(seed, p), &mut notes)?
                }
                None => first?,
            };
            elbo.extend(phase.elbo);
            iterations += phase.iterations;
            stop = phase.stop;
            let now = self.gaussian_moments();
            if p > 1 {
                draw_error = Some(mean_shift(&previous, &now));
            }
            previous = now;
            let steady = draw_error.is_some_and(|e| e <= DRAW_TOL);
            if !stop.is_converged() || steady || p == MAX_PHASES {
                break;
            }
            if p > 1 {
                self.settings.samples = self.settings.samples.saturating_mul(2);
            }
        }
        Ok(Run {
            elbo,
            iterations,
            stop,
            notes,
            draw_error,
        })
    }

    /// The starting guides: every exact block with a diagonal Hessian takes one step on the
    /// planned guides (a group effect starts at its data, not at the prior's centre, so that
    /// the search for the other blocks' mode does not run into a funnel's neck); then every
    /// non-conjugate block starts near its mode, the blocks before it at their starts.
    pub(super) fn start_blocks(&mut self) -> Result<(), Error> {
        let seed = self.settings.seed;
        for b in 0..self.blocks.len() {
            if self.blocks[b].conjugate && self.blocks[b].diagonal_hessian {
                let target = self.target(b, stream_seed(seed, 0))?;
                self.blocks[b].family.step(&target, 1.0)?;
            }
        }
        for b in 0..self.blocks.len() {
            if !self.blocks[b].conjugate {
                self.blocks[b].family = start::start(
                    &self.joint,
                    &self.blocks,
                    b,
                    &self.settings.init,
                    stream_seed(seed, 0),
                )?;
            }
        }
        Ok(())
    }

    /// (mean, sd) of every non-conjugate block.
    fn gaussian_moments(&self) -> Vec<(Vec<f64>, Vec<f64>)> {
        self.blocks
            .iter()
            .filter(|b| !b.conjugate)
            .map(|b| (b.family.mean(), b.family.sd()))
            .collect()
    }
}

/// Largest |Δmean| / sd over the coordinates of matching blocks.
fn mean_shift(before: &[(Vec<f64>, Vec<f64>)], now: &[(Vec<f64>, Vec<f64>)]) -> f64 {
    before
        .iter()
        .zip(now)
        .flat_map(|((m0, _), (m1, s1))| {
            m0.iter()
                .zip(m1)
                .zip(s1)
                .map(|((a, b), s)| (a - b).abs() / s)
        })
        .fold(0.0, f64::max)
}

/// ‖λ_new − λ_old‖ / max(1, ‖λ_old‖), the largest over blocks.
fn relative_change_of(blocks: &[Block], old: &[Vec<f64>]) -> f64 {
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

/// KL(q_old ‖ q_new) = A(λ_new) − A(λ_old) − (λ_new − λ_old)·μ_old, the largest over the
/// blocks.
fn largest_kl(blocks: &[Block], old: &[Vec<f64>], old_mu: &[Vec<f64>]) -> f64 {
    blocks
        .iter()
        .zip(old.iter().zip(old_mu))
        .map(|(b, (l0, mu0))| {
            let l1 = b.family.natural();
            let dot: f64 = l1
                .iter()
                .zip(l0)
                .zip(mu0)
                .map(|((a, b), m)| (a - b) * m)
                .sum();
            let kl = b.family.log_partition(&l1) - b.family.log_partition(l0) - dot;
            kl.abs()
        })
        .fold(0.0, f64::max)
}
