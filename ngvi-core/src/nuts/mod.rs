//! NUTS on the same model, to check a fit (feature `nuts`): the No-U-Turn sampler of the
//! nuts-rs crate (the sampler behind PyMC's nutpie) on the log joint mapped to the
//! unconstrained scale by each latent's transform, with gradients from first-order duals.
//!
//! ```no_run
//! # use ngvi_core::{Model, Nuts, Ngvi};
//! # fn check<M: Model + Sync>(model: &M) -> Result<(), ngvi_core::Error> {
//! let nuts = Nuts::new().chains(4).draws(1000).warmup(1000).seed(1).sample(model)?;
//! println!("{}", nuts.summary());
//! let fit = Ngvi::new().seed(1).fit(model)?;
//! println!("{}", fit.compare(&nuts));
//! # Ok(()) }
//! ```

mod compare;
mod result;
mod target;

use nuts_rs::{Chain, CpuMath, DiagNutsSettings, Settings};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

pub use compare::{Comparison, ComparisonRow};
pub use result::{NutsFit, RHAT_LIMIT};

use crate::engine::stream_seed;
use crate::error::Error;
use crate::model::Model;
use result::{ChainOutput, TrackedDraws};
use target::{Density, Target};

/// Starting points tried per chain before giving up.
const START_TRIES: usize = 100;

/// The NUTS builder: options, then [`Nuts::sample`].
///
/// Defaults: 4 chains, 1000 warmup iterations and 1000 draws per chain, seed 0, target
/// acceptance 0.8, maximum tree depth 10. nuts-rs adapts the step size and a diagonal
/// mass matrix during warmup (its default `DiagNutsSettings`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nuts {
    pub(crate) chains: usize,
    pub(crate) draws: usize,
    pub(crate) warmup: usize,
    pub(crate) seed: u64,
    pub(crate) target_accept: f64,
    pub(crate) max_depth: u64,
}

impl Default for Nuts {
    fn default() -> Self {
        Nuts {
            chains: 4,
            draws: 1000,
            warmup: 1000,
            seed: 0,
            target_accept: 0.8,
            max_depth: 10,
        }
    }
}

impl Nuts {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of chains (at least 1; R̂ needs at least 2 to compare chains). Chains run
    /// on their own threads.
    pub fn chains(mut self, n: usize) -> Self {
        self.chains = n;
        self
    }

    /// Draws kept per chain after warmup (at least 1; R̂ and ESS need at least 4).
    pub fn draws(mut self, n: usize) -> Self {
        self.draws = n;
        self
    }

    /// Warmup (adaptation) iterations per chain, discarded.
    pub fn warmup(mut self, n: usize) -> Self {
        self.warmup = n;
        self
    }

    /// The seed: chain c draws from its own stream, split from it; the same seed gives the
    /// same draws.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The acceptance rate the step size is adapted to (in (0, 1); raise it towards 0.95
    /// when there are divergences).
    pub fn target_accept(mut self, p: f64) -> Self {
        self.target_accept = p;
        self
    }

    /// The largest tree depth: at most 2^depth leapfrog steps per draw (1 to 30).
    pub fn max_depth(mut self, depth: u64) -> Self {
        self.max_depth = depth;
        self
    }

    fn validate(&self) -> Result<(), Error> {
        let invalid = |option, value: String, expected| {
            Err(Error::InvalidOption {
                option,
                value,
                expected,
            })
        };
        if self.chains < 1 {
            return invalid("chains", self.chains.to_string(), "at least 1");
        }
        if self.draws < 1 {
            return invalid("draws", self.draws.to_string(), "at least 1");
        }
        if !(self.target_accept > 0.0 && self.target_accept < 1.0) {
            return invalid(
                "target_accept",
                self.target_accept.to_string(),
                "strictly between 0 and 1",
            );
        }
        if !(1..=30).contains(&self.max_depth) {
            return invalid("max_depth", self.max_depth.to_string(), "from 1 to 30");
        }
        Ok(())
    }

    /// Sample the model's posterior: every chain from its own start, drawn uniformly in
    /// (−2, 2) on each unconstrained coordinate (as Stan) until the log joint and its
    /// gradient are finite there.
    ///
    /// Errors: an invalid option; a model without latents, or with a latent no transform
    /// reaches (a discrete one); a model error or no finite start in 100
    /// tries; a failure inside nuts-rs. A model error or a non-finite value met during
    /// sampling is a divergence (the point is rejected), not an error.
    pub fn sample<M: Model + Sync>(&self, model: &M) -> Result<NutsFit, Error> {
        self.validate()?;
        let latents = model.latents()?;
        let target = Target::new(model, &latents)?;
        if target.dim() == 0 {
            return Err(Error::NoLatent);
        }
        let outputs = std::thread::scope(|s| {
            let handles: Vec<_> = (0..self.chains)
                .map(|c| {
                    let target = &target;
                    s.spawn(move || self.chain(target, c))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect::<Result<Vec<_>, Error>>()
        })?;
        let tracked = track(model, &outputs)?;
        Ok(NutsFit::new(*self, latents, outputs, tracked))
    }

    /// One chain: its start, warmup, then the kept draws on the latents' scales.
    fn chain<M: Model>(&self, target: &Target<'_, M>, c: usize) -> Result<ChainOutput, Error> {
        let mut rng = StdRng::seed_from_u64(stream_seed(self.seed, c as u64));
        let start = start(target, &mut rng)?;
        let mut settings = DiagNutsSettings {
            num_tune: self.warmup as u64,
            num_draws: self.draws as u64,
            num_chains: self.chains,
            seed: self.seed,
            maxdepth: self.max_depth,
            ..Default::default()
        };
        settings.adapt_options.step_size_settings.target_accept = self.target_accept;
        let mut chain = settings
            .new_chain(c as u64, CpuMath::new(Density { target }), &mut rng)
            .map_err(|e| sampler_error(c, e))?;
        chain
            .set_position(&start)
            .map_err(|e| sampler_error(c, e))?;
        let mut out = ChainOutput {
            draws: Vec::with_capacity(self.draws),
            divergences: 0,
            step_size: f64::NAN,
            gradients: 0,
        };
        for i in 0..self.warmup + self.draws {
            let (u, progress) = chain.draw().map_err(|e| sampler_error(c, e))?;
            out.gradients += progress.num_gradients;
            if i < self.warmup {
                continue;
            }
            out.draws.push(target.latent(&u));
            out.divergences += usize::from(progress.diverging);
            out.step_size = progress.step_size;
        }
        Ok(out)
    }
}

/// A failure inside nuts-rs, in chain `chain`.
fn sampler_error(chain: usize, e: impl std::fmt::Display) -> Error {
    Error::Sampler {
        chain,
        message: format!("{e:#}"),
    }
}

/// A start where the log joint and its gradient are finite: u ~ U(−2, 2)ᵈ, up to
/// [`START_TRIES`] times. When none is, the model's last error if it gave one, else
/// [`Error::NanLogJoint`] if every value was NaN, else [`Error::NoSamplerStart`].
fn start<M: Model>(target: &Target<'_, M>, rng: &mut StdRng) -> Result<Vec<f64>, Error> {
    let mut model_error = None;
    let mut all_nan = true;
    for _ in 0..START_TRIES {
        let u: Vec<f64> = (0..target.dim())
            .map(|_| rng.random_range(-2.0..2.0))
            .collect();
        match target.value_gradient(&u) {
            Ok((v, g)) if v.is_finite() && g.iter().all(|x| x.is_finite()) => return Ok(u),
            Ok((v, _)) => all_nan &= v.is_nan(),
            Err(e) => model_error = Some(e),
        }
    }
    Err(match model_error {
        Some(e) => e.into(),
        None if all_nan => Error::NanLogJoint { tries: START_TRIES },
        None => Error::NoSamplerStart { tries: START_TRIES },
    })
}

/// The derived quantities at every draw.
fn track<M: Model>(model: &M, outputs: &[ChainOutput]) -> Result<TrackedDraws, Error> {
    let mut names: Vec<(&'static str, usize)> = Vec::new();
    let mut reported = Vec::with_capacity(outputs.len());
    for o in outputs {
        let mut chain = Vec::with_capacity(o.draws.len());
        for z in &o.draws {
            let values = model.tracked(z)?;
            for (name, v) in &values {
                match names.iter_mut().find(|(n, _)| n == name) {
                    Some((_, len)) => *len = (*len).max(v.len()),
                    None => names.push((name, v.len())),
                }
            }
            chain.push(values);
        }
        reported.push(chain);
    }
    let width: usize = names.iter().map(|(_, len)| len).sum();
    let rows = reported
        .into_iter()
        .map(|chain| {
            chain
                .into_iter()
                .map(|values| {
                    let mut row = vec![f64::NAN; width];
                    let mut offset = 0;
                    for (name, len) in &names {
                        if let Some((_, v)) = values.iter().find(|(n, _)| n == name) {
                            row[offset..offset + v.len()].copy_from_slice(v);
                        }
                        offset += len;
                    }
                    row
                })
                .collect()
        })
        .collect();
    Ok(TrackedDraws { names, rows })
}
