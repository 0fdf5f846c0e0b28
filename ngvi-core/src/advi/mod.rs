//! Black-box VI (ADVI; Kucukelbir et al. 2017) on the same models, for comparison with NGVI:
//! a Gaussian on the unconstrained scale — mean-field N(m, diag e^{2ω}) or full-rank
//! N(m, L Lᵀ) — fitted by stochastic gradient ascent on the ELBO with reparameterisation
//! gradients (forward-mode duals, first order) and Adam, stopped on the relative change of
//! an ELBO estimate, as Stan's ADVI does. It returns the same [`Fit`].
//!
//! When to use it: as a baseline. It needs no Hessians (one gradient per draw), so a step is
//! cheaper than an NGVI step, but it needs hundreds to thousands of steps and a step size,
//! and its answer carries the noise of the last steps.

mod adam;
mod check;
mod objective;

use std::time::{Duration, Instant};

use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::engine::{stream_seed, Block, Engine, Expectation, Run, Settings, StopReason};
use crate::error::Error;
use crate::family::{DiagGaussian, ExpFamily, Gaussian};
use crate::fit::{count, diagnose, guide_moments, model_name, Fit, Outcome, Record, Setting};
use crate::guide::{self, Blocking, GaussianWhy, Guide, Reason};
use crate::model::{Latent, Model};
use crate::plate::Reducer;
use crate::progress::Progress;
pub use check::AdviCheck;
use objective::Objective;

/// ADVI, configured by a builder: `Advi::new().full_rank(true).step_size(0.05).fit(&model)?`.
#[derive(Debug, Clone)]
pub struct Advi {
    seed: u64,
    full_rank: bool,
    step_size: f64,
    final_step_size: Option<f64>,
    init_scale: f64,
    grad_samples: usize,
    elbo_samples: usize,
    eval_every: usize,
    tol: f64,
    max_iters: usize,
    draws: usize,
}

impl Default for Advi {
    fn default() -> Self {
        Advi {
            seed: 0,
            full_rank: false,
            step_size: 0.05,
            final_step_size: None,
            init_scale: 0.1,
            grad_samples: 1,
            elbo_samples: 100,
            eval_every: 100,
            tol: 1e-4,
            max_iters: 10_000,
            draws: 4000,
        }
    }
}

impl Advi {
    /// Defaults: seed 0, mean-field, Adam step 0.05, a start with sd 0.1 in every
    /// unconstrained coordinate (NumPyro's `init_scale`), one draw per gradient (as Stan),
    /// an ELBO estimate from 100 draws every 100 steps, stop when the mean of the last five
    /// estimates moves by less than 1e-4 relative, at most 10 000 steps, 4000 posterior
    /// draws.
    pub fn new() -> Self {
        Self::default()
    }
    /// Seed of every random choice.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// A full-rank Gaussian (true) or mean-field (false, the default).
    pub fn full_rank(mut self, yes: bool) -> Self {
        self.full_rank = yes;
        self
    }
    /// Adam's step size η.
    pub fn step_size(mut self, eta: f64) -> Self {
        self.step_size = eta;
        self
    }
    /// Decay Adam's step size exponentially from `step_size` to `eta` over `max_iters`
    /// steps, η_t = η₀ (η / η₀)^(t / max_iters), as optax's `exponential_decay` (the
    /// schedule NumPyro users pair with a large first step). Without it the step is constant.
    pub fn step_size_decay(mut self, eta: f64) -> Self {
        self.final_step_size = Some(eta);
        self
    }
    /// The guide's sd at the start, in every unconstrained coordinate (its covariance is
    /// `scale`² I). Stan's ADVI starts at 1; NumPyro's guides at 0.1, the default here: a
    /// wide start on a likelihood of many rows takes large, noisy first gradients.
    pub fn init_scale(mut self, scale: f64) -> Self {
        self.init_scale = scale;
        self
    }
    /// Draws per gradient estimate.
    pub fn grad_samples(mut self, n: usize) -> Self {
        self.grad_samples = n;
        self
    }
    /// Relative change of the ELBO estimate below which the fit stops.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Largest number of gradient steps.
    pub fn max_iters(mut self, n: usize) -> Self {
        self.max_iters = n;
        self
    }
    /// Posterior draws kept in the fit.
    pub fn draws(mut self, n: usize) -> Self {
        self.draws = n;
        self
    }

    /// The options of this builder, for the fit's record.
    fn record(&self, model: &'static str) -> Record {
        Record {
            model,
            method: "advi",
            settings: vec![
                ("seed", Setting::Count(self.seed)),
                ("full_rank", Setting::Flag(self.full_rank)),
                ("step_size", Setting::Real(self.step_size)),
                (
                    "step_size_decay",
                    Setting::Real(self.final_step_size.unwrap_or(self.step_size)),
                ),
                ("init_scale", Setting::Real(self.init_scale)),
                ("grad_samples", count(self.grad_samples)),
                ("elbo_samples", count(self.elbo_samples)),
                ("eval_every", count(self.eval_every)),
                ("tol", Setting::Real(self.tol)),
                ("max_iters", count(self.max_iters)),
                ("draws", count(self.draws)),
            ],
        }
    }

    fn validate(&self) -> Result<(), Error> {
        let invalid = |option, value: String, expected| {
            Err(Error::InvalidOption {
                option,
                value,
                expected,
            })
        };
        if !(self.step_size > 0.0 && self.step_size.is_finite()) {
            return invalid(
                "step_size",
                self.step_size.to_string(),
                "positive and finite",
            );
        }
        if let Some(eta) = self.final_step_size {
            if !(eta > 0.0 && eta.is_finite()) {
                return invalid("step_size_decay", eta.to_string(), "positive and finite");
            }
        }
        if !(self.init_scale > 0.0 && self.init_scale.is_finite()) {
            return invalid(
                "init_scale",
                self.init_scale.to_string(),
                "positive and finite",
            );
        }
        if !(1..=100_000).contains(&self.grad_samples) {
            return invalid(
                "grad_samples",
                self.grad_samples.to_string(),
                "in 1..=100_000",
            );
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return invalid("tol", self.tol.to_string(), ">= 0 and finite");
        }
        if !(1..=100_000_000).contains(&self.max_iters) {
            return invalid(
                "max_iters",
                self.max_iters.to_string(),
                "in 1..=100_000_000",
            );
        }
        if !(2..=10_000_000).contains(&self.draws) {
            return invalid("draws", self.draws.to_string(), "in 2..=10_000_000");
        }
        Ok(())
    }

    /// Fit the model.
    pub fn fit<M: Model>(&self, model: &M) -> Result<Fit, Error> {
        self.fit_inner(model, None)
    }

    /// Fit the model as [`Advi::fit`] does, showing `watch` the guide after every `every`
    /// steps ([`AdviCheck`]): the answer the fit would give if it stopped there, the
    /// average of the iterates since the last ELBO estimate (skipped where that is not a
    /// valid Gaussian). The fit is the same, draw for draw; the time spent making the checks
    /// is left out of their `elapsed`. `every` must be at least 1.
    pub fn fit_watched<M: Model>(
        &self,
        model: &M,
        every: usize,
        mut watch: impl FnMut(&AdviCheck),
    ) -> Result<Fit, Error> {
        if every == 0 {
            return Err(Error::InvalidOption {
                option: "every",
                value: every.to_string(),
                expected: "at least 1",
            });
        }
        self.fit_inner(
            model,
            Some(Watcher {
                every,
                watch: &mut watch,
            }),
        )
    }

    fn fit_inner<M: Model>(&self, model: &M, watcher: Option<Watcher<'_>>) -> Result<Fit, Error> {
        self.validate()?;
        let latents = model.latents()?;
        if latents.is_empty() {
            return Err(Error::NoLatent);
        }
        let overrides: Vec<(String, Guide)> = latents
            .iter()
            .map(|l| (l.name.to_string(), Guide::Gaussian))
            .collect();
        let mut rng = StdRng::seed_from_u64(stream_seed(self.seed, 1));
        let plan = guide::plan(
            model,
            &latents,
            &overrides,
            if self.full_rank {
                Blocking::FullRank
            } else {
                Blocking::Diagonal
            },
            (false, false),
            &Reducer::default(),
            &mut rng,
        )?;
        let start = plan
            .blocks
            .last()
            .map(|b| b.family.mean())
            .unwrap_or_default();
        let objective = Objective {
            joint: &plan.joint,
            full_rank: self.full_rank,
        };
        let watcher = watcher.map(|w| (w, latents.as_slice()));
        let (theta, run) = self.optimise(&objective, start, watcher, &mut rng)?;
        let mut reasons = plan.reasons;
        for r in &mut reasons {
            if let Reason::Gaussian { why, .. } = r {
                *why = GaussianWhy::Advi;
            }
        }
        let family = objective.family(&theta)?;
        let d = plan.joint.dim();
        let engine = Engine {
            joint: plan.joint,
            blocks: vec![whole(family, d)],
            settings: Settings {
                max_iters: self.max_iters,
                tol: self.tol,
                step_size: Some(self.step_size),
                samples: self.elbo_samples,
                seed: self.seed,
                expectation: Expectation::MonteCarlo,
                init: Vec::new(),
                minibatch: None,
                progress: Progress::silent(),
            },
        };
        let diagnostics = diagnose(&engine)?;
        Ok(Fit::new(
            latents,
            plan.latent_block,
            reasons,
            engine,
            Outcome {
                run,
                diagnostics,
                record: self.record(model_name::<M>()),
            },
            self.draws,
            stream_seed(self.seed, 2),
        ))
    }

    /// Adam on the ELBO until its estimate settles: every `eval_every` steps an ELBO
    /// estimate; the fit stops when the mean of the last `WINDOW` estimates differs from the
    /// mean of the `WINDOW` before by less than `tol` relative. The answer is the average
    /// of the iterates over the last `eval_every` steps (Polyak averaging), which removes
    /// most of the noise a constant step leaves.
    fn optimise<M: Model>(
        &self,
        objective: &Objective<'_, '_, M>,
        start: Vec<f64>,
        mut watcher: Option<(Watcher<'_>, &[Latent])>,
        rng: &mut StdRng,
    ) -> Result<(Vec<f64>, Run), Error> {
        let started = Instant::now();
        let mut watching = Duration::ZERO;
        let mut theta = objective.initial(start, self.init_scale);
        let mut average = vec![0.0; theta.len()];
        let mut adam = adam::Adam::new(theta.len());
        let mut elbo = vec![objective.elbo(&theta, self.elbo_samples, rng)?];
        let mut stop = StopReason::MaxIters {
            change: f64::INFINITY,
        };
        let mut iterations = self.max_iters;
        for t in 1..=self.max_iters {
            let grad = objective.gradient(&theta, self.grad_samples, rng)?;
            adam.ascend(&mut theta, &grad, self.step_at(t));
            average.iter_mut().zip(&theta).for_each(|(a, x)| *a += x);
            if let Some((w, latents)) = watcher.as_mut().filter(|(w, _)| t % w.every == 0) {
                let check_started = Instant::now();
                let elapsed = started.elapsed().saturating_sub(watching);
                // the answer the fit gives when it stops: the average since the last estimate
                let k = (t - 1) % self.eval_every + 1;
                let shown: Vec<f64> = average.iter().map(|a| a / k as f64).collect();
                let counts = objective.joint.counts.get().into();
                // a guide that is no Gaussian here (a singular covariance) is not shown: the
                // fit goes on as it would unwatched, and fails at its end if it stays so
                if let Ok(family) = objective.family(&shown) {
                    let moments = guide_moments(
                        &[whole(family, objective.joint.dim())],
                        objective.joint.pieces.clone(),
                        CHECK_DRAWS,
                        stream_seed(self.seed, 3),
                    );
                    (w.watch)(&AdviCheck::new((t, counts, elapsed), latents, moments));
                }
                watching += check_started.elapsed();
            }
            if t % self.eval_every != 0 {
                continue;
            }
            let now: Vec<f64> = average.iter().map(|a| a / self.eval_every as f64).collect();
            average.iter_mut().for_each(|a| *a = 0.0);
            elbo.push(objective.elbo(&now, self.elbo_samples, rng)?);
            if let Some(change) = window_change(&elbo) {
                stop = StopReason::MaxIters { change };
                if change < self.tol {
                    stop = StopReason::Converged { change };
                    iterations = t;
                    theta = now;
                    break;
                }
            }
            if t + self.eval_every > self.max_iters {
                theta = now;
            }
        }
        let run = Run {
            elbo,
            iterations,
            stop,
            notes: Vec::new(),
            draw_error: None,
        };
        Ok((theta, run))
    }
}

impl Advi {
    /// Adam's step size at step t (1-based): constant, or η₀ (η / η₀)^(t / max_iters).
    fn step_at(&self, t: usize) -> f64 {
        match self.final_step_size {
            Some(eta) => {
                let progress = t as f64 / self.max_iters as f64;
                self.step_size * (eta / self.step_size).powf(progress)
            }
            None => self.step_size,
        }
    }
}

/// A watcher of `Advi::fit_watched`: its callback and how many steps apart it is called.
struct Watcher<'w> {
    every: usize,
    watch: &'w mut dyn FnMut(&AdviCheck),
}

/// Draws a check takes the moments of a latent from, where no closed form serves (as
/// NumPyro's benchmark script checks a constrained latent's).
const CHECK_DRAWS: usize = 4000;

/// The one block of an ADVI guide: `family` over all `d` coordinates, fitted by gradients.
fn whole(family: Box<dyn ExpFamily>, d: usize) -> Block {
    Block {
        family,
        coords: (0..d).collect(),
        conjugate: false,
        hessian: None,
        linear_rest: None,
        reach: None,
        diagonal_hessian: false,
    }
}

/// ELBO estimates averaged per window.
const WINDOW: usize = 5;

/// |mean(last window) − mean(window before)| / max(1, |mean(last window)|), once there are
/// two windows of estimates (the first, at the start, left out).
fn window_change(elbo: &[f64]) -> Option<f64> {
    let e = &elbo[1..];
    if e.len() < 2 * WINDOW {
        return None;
    }
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let last = mean(&e[e.len() - WINDOW..]);
    let before = mean(&e[e.len() - 2 * WINDOW..e.len() - WINDOW]);
    Some((last - before).abs() / last.abs().max(1.0))
}

/// A guide from its mean and the square root of its covariance.
fn gaussian_from(m: Vec<f64>, l: &DMatrix<f64>) -> Result<Box<dyn ExpFamily>, Error> {
    let d = m.len();
    let cov = l * l.transpose();
    let prec = cov
        .cholesky()
        .map(|c| c.inverse())
        .unwrap_or_else(|| DMatrix::identity(d, d));
    let prec = (&prec + prec.transpose()) * 0.5;
    Ok(Box::new(Gaussian::new(m, prec)?))
}

/// A mean-field guide from its mean and log-sds ω.
fn diagonal_from(m: Vec<f64>, omega: &DVector<f64>) -> Result<Box<dyn ExpFamily>, Error> {
    let p = omega.iter().map(|w| (-2.0 * w).exp()).collect();
    Ok(Box::new(DiagGaussian::new(m, p)?))
}
