//! The fit API (docs/design.md §6): the [`Ngvi`] builder, which reads validate → plan → run,
//! and the [`Fit`] it returns.

mod correction;
#[cfg(feature = "export")]
mod export;
mod result;
mod settings;
mod summary;
mod tracked;

pub use correction::Correction;
#[cfg(feature = "export")]
pub use export::{DrawArray, FitRecord, StopRecord, SummaryRow};
pub(crate) use result::guide_moments;
pub use result::{Evaluations, Fit, GuideView};

use correction::{Weights, CORRECTION_DRAWS};
pub use settings::Setting;
pub(crate) use settings::{count, model_name, Record};

use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::diagnostics::{elbo_estimate, pareto_k, ParetoK, K_CAUTION, K_DO_NOT_TRUST};
use crate::engine::{centre, stream_seed, Block, Engine, Expectation, Settings};
use crate::error::Error;
use crate::family::Geometry;
use crate::guide::{self, Blocking, Guide};
use crate::model::{Latent, Model};
use crate::plate::{largest_plate, Reducer, Threads};
use crate::progress::{IterationInfo, OnIteration, Progress};
use crate::transform::Piece;

/// Natural-gradient variational inference, configured by a builder:
/// `Ngvi::new().seed(7).max_iters(200).fit(&model)?` returns a [`Fit`]. The `model!` macro's
/// documentation in the `ngvi` crate has a runnable example.
#[derive(Debug, Clone)]
pub struct Ngvi {
    seed: u64,
    max_iters: usize,
    tol: f64,
    step_size: Option<f64>,
    samples: Option<usize>,
    draws: usize,
    diagonal: bool,
    structured: bool,
    expectation: Expectation,
    overrides: Vec<(String, Guide)>,
    init: Vec<(String, Vec<f64>)>,
    threads: Option<usize>,
    minibatch: Option<usize>,
    on_iteration: Option<OnIteration>,
    /// Draw a spinner (set by `progress`, with the `progress` feature).
    progress: bool,
    /// The MPI ranks the plates are summed across (set by `mpi`, with the `mpi` feature).
    #[cfg(feature = "mpi")]
    ranks: Option<crate::plate::Ranks>,
}

impl Default for Ngvi {
    fn default() -> Self {
        Ngvi {
            seed: 0,
            max_iters: 200,
            tol: 1e-8,
            step_size: None,
            samples: None,
            draws: 4000,
            diagonal: false,
            structured: true,
            expectation: Expectation::Auto,
            overrides: Vec::new(),
            init: Vec::new(),
            threads: None,
            minibatch: None,
            on_iteration: None,
            progress: false,
            #[cfg(feature = "mpi")]
            ranks: None,
        }
    }
}

impl Ngvi {
    /// Defaults: seed 0, at most 200 sweeps, tolerance 1e-8 on the relative change of the
    /// natural parameters, ρ = 1 (with ELBO backtracking for non-conjugate blocks), Monte
    /// Carlo samples where no deterministic rule applies: 64, or 2(D + 1) for a Gaussian
    /// block of D > 31 coordinates; 4000 posterior draws.
    pub fn new() -> Self {
        Self::default()
    }
    /// Seed of every random choice the fit makes.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Largest number of sweeps over the blocks.
    pub fn max_iters(mut self, n: usize) -> Self {
        self.max_iters = n;
        self
    }
    /// Stop when the relative change of every block's natural parameters is below `tol`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// The step ρ in [1e-6, 1] (default 1: exact for conjugate blocks).
    pub fn step_size(mut self, rho: f64) -> Self {
        self.step_size = Some(rho);
        self
    }
    /// Monte Carlo draws per expectation when no deterministic rule applies (default: 64,
    /// or 2(D + 1) for a Gaussian block of D coordinates when that is more — fewer draws
    /// than coordinates cannot estimate a full-rank curvature from gradients).
    pub fn samples(mut self, n: usize) -> Self {
        self.samples = Some(n);
        self
    }
    /// Number of posterior draws kept in the fit (quantiles come from them).
    pub fn draws(mut self, n: usize) -> Self {
        self.draws = n;
        self
    }
    /// Use a diagonal Gaussian block instead of a full-rank one.
    pub fn diagonal(mut self, yes: bool) -> Self {
        self.diagonal = yes;
        self
    }
    /// Give every non-conjugate latent of at least 32 coordinates whose log joint's Hessian
    /// within itself is diagonal (group effects, each in its own likelihood terms) a
    /// diagonal Gaussian block of its own, apart from the joint full-rank block of the other
    /// latents (default `true`; the summary gives each latent's block and why). `false` puts
    /// every non-conjugate latent in the one full-rank block, which keeps every correlation
    /// at a cost that grows as the square of its size. `diagonal(true)` overrides both.
    pub fn structured(mut self, yes: bool) -> Self {
        self.structured = yes;
        self
    }
    /// How expectations are computed (deterministic rules or Monte Carlo).
    pub fn expectation(mut self, e: Expectation) -> Self {
        self.expectation = e;
        self
    }
    /// Override the guide of one latent.
    pub fn guide(mut self, latent: &str, g: Guide) -> Self {
        self.overrides.push((latent.to_string(), g));
        self
    }

    /// Start the Gaussian block's search for the mode at `value` for latent `name` (one
    /// value per component, on the latent's own scale; it must lie in the latent's support).
    /// Useful when the log joint is −∞ or flat around the default start. A conjugate latent
    /// needs no start and ignores it.
    pub fn init(mut self, name: &str, value: &[f64]) -> Self {
        self.init.push((name.to_string(), value.to_vec()));
        self
    }

    /// Sum the model's plates (`for i in plate(0..n)`) on `n` threads (default: one per
    /// core, with the `rayon` feature). The result is the same to the bit whatever `n`.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// Stochastic NGVI on minibatches (Hoffman et al. 2013) with a full-data control
    /// variate (SVRG): each epoch takes the targets on all the data once, at its start, and
    /// then steps on minibatches of `batch` terms of every plate (`for i in plate(0..n)`)
    /// larger than that, scaled by n / batch, corrected by the same minibatch at the
    /// epoch's start; it stops when an epoch moves every mean by at most 0.05 sd
    /// (`max_iters` bounds the epochs). The plates must have no local latents (a group's
    /// effect indexed by the plate's index). The diagnostics (ELBO, k̂) use every term, k̂
    /// on 1000 draws.
    pub fn minibatch(mut self, batch: usize) -> Self {
        self.minibatch = Some(batch);
        self
    }

    /// The minibatch size, when subsampling is asked for and possible.
    fn subsampling<M: Model>(&self, model: &M) -> Result<Option<usize>, Error> {
        let Some(batch) = self.minibatch else {
            return Ok(None);
        };
        let cannot = |why: String| Err(Error::CannotSubsample { batch, why });
        let plates = model.plates();
        if plates.is_empty() {
            return cannot(
                "the model has no plate: write its data loop as `for i in plate(0..n) { ... }`"
                    .into(),
            );
        }
        if let Some(p) = plates.iter().find(|p| !p.local_latents.is_empty()) {
            return cannot(format!(
                "the plate `{}` (line {}) indexes the latents {} by its index: a minibatch \
                 would leave the other groups' latents without data; fit on all the data",
                p.statement,
                p.line,
                p.local_latents.join(", ")
            ));
        }
        Ok(Some(batch))
    }

    /// Call `f` after every sweep over the blocks with what the sweep did (iteration, phase,
    /// ELBO, relative change, step size, time since the fit began), for instance to log a
    /// long fit or to record its trace:
    /// `Ngvi::new().on_iteration(|info| eprintln!("{} {}", info.iteration, info.elbo))`.
    /// A later call replaces the callback.
    pub fn on_iteration<F>(mut self, f: F) -> Self
    where
        F: Fn(&IterationInfo) + Send + Sync + 'static,
    {
        self.on_iteration = Some(OnIteration(std::sync::Arc::new(f)));
        self
    }

    /// Draw a spinner with the iteration and the ELBO on the terminal (stderr) while the fit
    /// runs, once it has run for half a second; cleared when the fit ends. Off by default;
    /// nothing is drawn when stderr is not a terminal.
    #[cfg(feature = "progress")]
    pub fn progress(mut self, show: bool) -> Self {
        self.progress = show;
        self
    }

    /// Fit on data spread across the ranks of the MPI communicator `comm` (a collective call:
    /// every rank makes it). Each rank builds the model from its own shard of the plates'
    /// data ([`crate::mpi::shard`]) and calls `fit` with the same options and seed; each
    /// plate's sum is added across the ranks, and every rank returns the same fit (print
    /// it on rank 0). What lies outside the plates must be the same on every rank. Not with
    /// `minibatch`. See [`crate::mpi`].
    ///
    /// With the `mpi` feature, `Ngvi` is neither `Send` nor `Sync`: it may hold a duplicate
    /// of the communicator, which rsmpi ties to the thread that made it. Drop the builder
    /// before the [`Universe`](crate::mpi::Universe) where you can (a communicator left
    /// after MPI stops is not freed, which is harmless at exit).
    #[cfg(feature = "mpi")]
    pub fn mpi<C: ::mpi::traits::Communicator>(mut self, comm: &C) -> Self {
        self.ranks = Some(crate::plate::Ranks::new(comm));
        self
    }

    /// The plates' reducer: over `threads`, and across the MPI ranks with `mpi`.
    fn reducer(&self) -> Result<Reducer, Error> {
        Ok(Reducer {
            threads: Threads::new(self.threads)?,
            subsample: None,
            #[cfg(feature = "mpi")]
            ranks: self.ranks.clone(),
            linear: Default::default(),
        })
    }

    /// The options of this builder, for the fit's record.
    fn record(&self, model: &'static str) -> Record {
        #[allow(unused_mut)] // extended with the `mpi` feature
        let mut record = Record {
            model,
            method: "ngvi",
            settings: vec![
                ("seed", Setting::Count(self.seed)),
                ("max_iters", count(self.max_iters)),
                ("tol", Setting::Real(self.tol)),
                ("step_size", Setting::Real(self.step_size.unwrap_or(1.0))),
                (
                    "samples",
                    self.samples.map_or(Setting::Choice("auto"), count),
                ),
                ("draws", count(self.draws)),
                ("diagonal", Setting::Flag(self.diagonal)),
                ("structured", Setting::Flag(self.structured)),
                (
                    "threads",
                    self.threads.map_or(Setting::Choice("auto"), count),
                ),
                (
                    "minibatch",
                    self.minibatch.map_or(Setting::Choice("none"), count),
                ),
                (
                    "expectation",
                    Setting::Choice(match self.expectation {
                        Expectation::Auto => "auto",
                        Expectation::MonteCarlo => "monte_carlo",
                        Expectation::Cubature => "cubature",
                    }),
                ),
            ],
        };
        #[cfg(feature = "mpi")]
        if let Some(ranks) = &self.ranks {
            record.settings.push(("mpi_ranks", count(ranks.size())));
        }
        record
    }

    fn validate(&self, latents: &[Latent]) -> Result<(), Error> {
        let invalid = |option, value: String, expected| {
            Err(Error::InvalidOption {
                option,
                value,
                expected,
            })
        };
        if let Some(r) = self.step_size {
            if !(MIN_STEP_SIZE..=1.0).contains(&r) {
                return invalid("step_size", r.to_string(), "in [1e-6, 1]");
            }
        }
        if self.tol.is_nan() || self.tol < 0.0 {
            return invalid("tol", self.tol.to_string(), ">= 0");
        }
        if !(1..=MAX_ITERS).contains(&self.max_iters) {
            return invalid("max_iters", self.max_iters.to_string(), "in 1..=10_000_000");
        }
        if let Some(n) = self.samples.filter(|n| !(2..=MAX_SAMPLES).contains(n)) {
            return invalid("samples", n.to_string(), "in 2..=1_000_000");
        }
        let dim: usize = latents.iter().map(|l| l.shape.len()).sum();
        if self.draws < 2 || self.draws.saturating_mul(dim.max(1)) > MAX_DRAWN_VALUES {
            return invalid(
                "draws",
                self.draws.to_string(),
                "at least 2, and draws × (number of latent scalars) at most 2^28",
            );
        }
        if self.minibatch == Some(0) {
            return invalid("minibatch", "0".into(), "at least 1");
        }
        if self.threads == Some(0) {
            return invalid("threads", "0".into(), "at least 1");
        }
        #[cfg(feature = "mpi")]
        if let (Some(batch), Some(_)) = (self.minibatch, &self.ranks) {
            return invalid(
                "minibatch",
                batch.to_string(),
                "no minibatch in a fit over MPI ranks (`Ngvi::mpi`): fit on all the data",
            );
        }
        if latents.is_empty() {
            return Err(Error::NoLatent);
        }
        let named = self
            .overrides
            .iter()
            .map(|(n, _)| n)
            .chain(self.init.iter().map(|(n, _)| n));
        for name in named {
            if !latents.iter().any(|l| l.name == name) {
                return Err(Error::UnknownLatent {
                    name: name.clone(),
                    latents: latents.iter().map(|l| l.name).collect(),
                });
            }
        }
        Ok(())
    }

    /// How the non-conjugate latents are grouped into Gaussian blocks.
    fn blocking(&self) -> Blocking {
        match (self.diagonal, self.structured) {
            (true, _) => Blocking::Diagonal,
            (false, true) => Blocking::Structured,
            (false, false) => Blocking::FullRank,
        }
    }

    /// The starting values on the unconstrained scale, by unconstrained coordinate, for the
    /// latents `init` names.
    fn starting_values(
        &self,
        latents: &[Latent],
        pieces: &[Piece],
    ) -> Result<Vec<(usize, f64)>, Error> {
        let mut out = Vec::new();
        for (name, values) in &self.init {
            let mut offset = 0;
            for l in latents {
                let n = l.shape.len();
                if l.name == name {
                    out.extend(init_latent(l, values, offset, pieces)?);
                }
                offset += n;
            }
        }
        Ok(out)
    }

    /// Fit the model: validate the options, plan the guides, run the engine, draw — on a
    /// thread of the pool that sums the plates.
    pub fn fit<M: Model>(&self, model: &M) -> Result<Fit, Error> {
        let reducer = self.reducer()?;
        reducer.install(|| self.fit_with(model, &reducer))
    }

    fn fit_with<M: Model>(&self, model: &M, reducer: &Reducer) -> Result<Fit, Error> {
        let progress = Progress::new(self.on_iteration.clone(), self.progress);
        let latents = model.latents()?;
        self.validate(&latents)?;
        let mut plan_rng = StdRng::seed_from_u64(stream_seed(self.seed, PLANNING_STREAM));
        let plan = guide::plan(
            model,
            &latents,
            &self.overrides,
            self.blocking(),
            (true, self.expectation == Expectation::Auto),
            reducer,
            &mut plan_rng,
        )?;
        let minibatch = match self.subsampling(model)? {
            Some(batch) => {
                let z = plan.joint.latent(&centre(&plan.blocks, plan.joint.dim()));
                Some((batch, largest_plate(model, &z)?))
            }
            None => None,
        };
        let init = self.starting_values(&latents, &plan.joint.pieces)?;
        let samples = self
            .samples
            .unwrap_or_else(|| default_samples(&plan.blocks));
        let mut engine = Engine {
            joint: plan.joint,
            blocks: plan.blocks,
            settings: Settings {
                max_iters: self.max_iters,
                tol: self.tol,
                step_size: self.step_size,
                samples,
                seed: self.seed,
                expectation: self.expectation,
                init,
                minibatch,
                progress,
            },
        };
        let run = engine.run();
        engine.settings.progress.finish();
        let run = run?;
        let diagnostics = diagnose(&engine)?;
        let mut fit = Fit::new(
            latents,
            plan.latent_block,
            plan.reasons,
            engine,
            Outcome {
                run,
                diagnostics,
                record: self.record(model_name::<M>()),
            },
            self.draws,
            stream_seed(self.seed, DRAWS_STREAM),
        );
        fit.track(model)?;
        Ok(fit)
    }
}

/// Smallest `step_size`: below it a step is lost in the rounding of λ (λ + ρ(t − λ) = λ),
/// and the fit would look converged where it never moved.
const MIN_STEP_SIZE: f64 = 1e-6;
/// Largest `max_iters`.
const MAX_ITERS: usize = 10_000_000;
/// Monte Carlo draws per expectation by default.
const DEFAULT_SAMPLES: usize = 64;

/// 64 draws, or 2(D + 1) for the largest full-rank non-conjugate block of D coordinates: a
/// full Gaussian block takes its curvature from gradients at the draws (Stein), whose
/// estimate has rank at most the number of draws, and its draws are whitened only when they
/// outnumber D. A diagonal block estimates each coordinate's curvature on its own, so the
/// 64 draws serve it at any D.
fn default_samples(blocks: &[Block]) -> usize {
    let d = blocks
        .iter()
        .filter(|b| !b.conjugate)
        .filter(|b| !matches!(b.family.geometry(), Geometry::Gaussian { diagonal: true }))
        .map(|b| b.coords.len())
        .max()
        .unwrap_or(0);
    DEFAULT_SAMPLES.max(2 * (d + 1))
}

/// Largest `samples`.
const MAX_SAMPLES: usize = 1_000_000;
/// Largest number of values the posterior draws may hold (2 GiB of f64).
const MAX_DRAWN_VALUES: usize = 1 << 28;
/// Draws from the fitted guide for the diagnostics.
const DIAGNOSTIC_DRAWS: usize = 4000;
/// The first of them: a k̂ above 0.7 by three times its noise there is past doubt, and the
/// rest are not drawn (a network's fit, k̂ ≈ 10, saves 3000 passes over the data).
const FIRST_DIAGNOSTIC_DRAWS: usize = 1000;
/// The same for a minibatch fit.
const MINIBATCH_DIAGNOSTIC_DRAWS: usize = 1000;
/// The same for an exact fit.
const EXACT_DIAGNOSTIC_DRAWS: usize = 2;
/// How far k̂ on `DIAGNOSTIC_DRAWS` draws may be from its value on many more: about 0.1
/// (eight schools: 0.50 on 4000 draws, 0.70 on 16 000, 0.65 on 64 000). A k̂ that near the
/// usable range (0.5, 0.7] is measured again on the next of `CORRECTION_STEPS`.
const K_HAT_NOISE: f64 = 0.1;
/// The draws k̂ is measured on again, in turn, while it stays near the usable range; the
/// last is `CORRECTION_DRAWS`, the draws of the correction.
const CORRECTION_STEPS: [usize; 2] = [16_000, CORRECTION_DRAWS];
/// The independent streams of random numbers a fit uses besides the engine's.
const DIAGNOSTIC_STREAM: u64 = 1 << 32;
const PLANNING_STREAM: u64 = 1 << 33;
const DRAWS_STREAM: u64 = 1 << 34;

/// The ELBO with its Monte Carlo standard error and, for a fit that is not exact, the
/// Pareto k̂ of the importance ratios p(x, z)/q(z) (Yao et al. 2018), on fresh draws. On a
/// full-data fit whose k̂ is near (0.5, 0.7], k̂ is measured again on more draws, up to
/// `CORRECTION_DRAWS`; if it lies in that range there, their smoothed weights correct the
/// summaries.
pub(crate) fn diagnose<M: Model>(engine: &Engine<'_, M>) -> Result<Diagnostics, Error> {
    let fitted = Evaluations::from(engine.joint.counts.get());
    let seed = stream_seed(engine.settings.seed, DIAGNOSTIC_STREAM);
    let mut rng = StdRng::seed_from_u64(seed);
    let exact = engine.exact();
    // An exact fit's log ratios are all ln p(x): two draws show it.
    // A minibatch fit is for data too large to pass over thousands of times.
    let n = if exact {
        EXACT_DIAGNOSTIC_DRAWS
    } else if engine.settings.minibatch.is_some() {
        MINIBATCH_DIAGNOSTIC_DRAWS
    } else {
        DIAGNOSTIC_DRAWS
    };
    // The tail holds M ∝ √S ratios, so k̂'s noise shrinks as S^(−1/4).
    let noise = |p: &ParetoK| {
        K_HAT_NOISE * (DIAGNOSTIC_DRAWS as f64 / p.log_weights.len() as f64).powf(0.25)
    };
    let first = n.min(FIRST_DIAGNOSTIC_DRAWS);
    let mut draws = engine.ratio_draws()?;
    let mut ratios = draws.next(first, &mut rng)?;
    let mut psis = pareto_k(&ratios.values).ok();
    let past_doubt = psis
        .as_ref()
        .is_some_and(|p| p.k > K_DO_NOT_TRUST + 3.0 * noise(p));
    if n > first && !past_doubt {
        ratios.append(draws.next(n - first, &mut rng)?);
        psis = pareto_k(&ratios.values).ok();
    }
    // k̂ is measured again on more draws while it is near the usable range (0.5, 0.7]:
    // 4000 → 16 000 → 64 000, each step only while k̂ is within its noise of the range.
    let near = |p: &ParetoK| p.k > K_CAUTION - noise(p) && p.k <= K_DO_NOT_TRUST + noise(p);
    let full_data = !exact && engine.settings.minibatch.is_none();
    for total in CORRECTION_STEPS {
        if !(full_data && psis.as_ref().is_some_and(near)) {
            break;
        }
        let more = draws.next(total - ratios.values.len(), &mut rng)?;
        ratios.append(more);
        psis = pareto_k(&ratios.values).ok();
    }
    let weights = psis
        .as_ref()
        .filter(|p| {
            ratios.values.len() == CORRECTION_DRAWS && p.k > K_CAUTION && p.k <= K_DO_NOT_TRUST
        })
        .map(|p| Weights {
            seed,
            log_weights: p.log_weights.clone(),
        });
    let (elbo, elbo_se) = elbo_estimate(&ratios.values);
    let k_hat = (!exact).then(|| psis.as_ref().map_or(f64::INFINITY, |p| p.k));
    let correction = weights
        .as_ref()
        .zip(psis.as_ref())
        .map(|(w, p)| Correction {
            draws: w.log_weights.len(),
            ess: p.ess,
        });
    Ok(Diagnostics {
        fitted,
        elbo,
        elbo_se,
        draws: ratios.values.len(),
        k_hat,
        ratio_noise: ratios.noise,
        correction,
        weights,
    })
}

/// What the fit knows of its own quality.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Diagnostics {
    /// The evaluations of the log joint before the diagnostics: the fit's own.
    pub(crate) fitted: Evaluations,
    /// ELBO on fresh draws and its Monte Carlo standard error.
    pub(crate) elbo: f64,
    pub(crate) elbo_se: f64,
    /// The fresh draws the ELBO and k̂ were measured on.
    pub(crate) draws: usize,
    /// Pareto k̂ (`None` for an exact fit).
    pub(crate) k_hat: Option<f64>,
    /// The largest sd that subsampling the plates left in a log ratio, when it was done
    /// (docs/design.md (4.12c)).
    pub(crate) ratio_noise: Option<f64>,
    /// How the summaries were corrected by importance sampling, if they were.
    pub(crate) correction: Option<Correction>,
    /// The weights of that correction (taken by `Fit::new`).
    pub(crate) weights: Option<Weights>,
}

/// What the engine and the diagnostics made of the plan.
pub(crate) struct Outcome {
    pub(crate) run: crate::engine::Run,
    pub(crate) diagnostics: Diagnostics,
    pub(crate) record: Record,
}

/// One latent's starting values, checked and mapped to its unconstrained coordinates.
fn init_latent(
    l: &Latent,
    values: &[f64],
    offset: usize,
    pieces: &[Piece],
) -> Result<Vec<(usize, f64)>, Error> {
    let bad = |index: usize, value: f64, why| Error::InvalidInit {
        name: l.name.to_string(),
        index,
        value,
        why,
    };
    let n = l.shape.len();
    if values.len() != n {
        return Err(bad(
            values.len().min(n),
            f64::NAN,
            "one value per component of the latent is needed",
        ));
    }
    if let Some((i, &v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && l.support.contains(**v)))
    {
        return Err(bad(
            i,
            v,
            "the value must be finite and inside the latent's support",
        ));
    }
    let mut out = Vec::new();
    for p in pieces
        .iter()
        .filter(|p| p.z.start >= offset && p.z.end <= offset + n)
    {
        let u = p.inverse(&values[p.z.start - offset..p.z.end - offset]);
        if let Some(k) = u.iter().position(|x| !x.is_finite()) {
            return Err(bad(
                p.z.start - offset + k,
                values[p.z.start - offset + k],
                "the value must lie inside the latent's support",
            ));
        }
        out.extend(p.u.clone().zip(u));
    }
    Ok(out)
}
