//! The fit API: the [`Ngvi`] builder and the [`Fit`] it returns (DESIGN.md §6).

use std::fmt::Write as _;

use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::engine::{Block, Engine, Expectation, Settings, StopReason};
use crate::error::Error;
use crate::family::{DiagGaussian, ExpFamily, Gaussian};
use crate::guide::{self, Choice, Guide, Transform};
use crate::model::{Latent, Model};

/// Natural-gradient variational inference, configured by a builder:
/// `Ngvi::new().seed(7).max_iters(200).fit(&model)?` returns a [`Fit`]. The `model!` macro's
/// documentation in the `ngvi` crate has a runnable example.
#[derive(Debug, Clone)]
pub struct Ngvi {
    seed: u64,
    max_iters: usize,
    tol: f64,
    step_size: Option<f64>,
    samples: usize,
    draws: usize,
    diagonal: bool,
    expectation: Expectation,
    overrides: Vec<(String, Guide)>,
}

impl Default for Ngvi {
    fn default() -> Self {
        Ngvi {
            seed: 0,
            max_iters: 200,
            tol: 1e-8,
            step_size: None,
            samples: 64,
            draws: 4000,
            diagonal: false,
            expectation: Expectation::Auto,
            overrides: Vec::new(),
        }
    }
}

impl Ngvi {
    /// Defaults: seed 0, at most 200 sweeps, tolerance 1e-8 on the relative change of the
    /// natural parameters, ρ = 1 (with ELBO backtracking for non-conjugate blocks), 64 Monte
    /// Carlo samples where no deterministic rule applies, 4000 posterior draws.
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
    /// The step ρ in (0, 1] (default 1: exact for conjugate blocks).
    pub fn step_size(mut self, rho: f64) -> Self {
        self.step_size = Some(rho);
        self
    }
    /// Monte Carlo draws per expectation when no deterministic rule applies.
    pub fn samples(mut self, n: usize) -> Self {
        self.samples = n;
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

    fn validate(&self, latents: &[Latent]) -> Result<(), Error> {
        if let Some(r) = self.step_size {
            if !(r > 0.0 && r <= 1.0) {
                return Err(Error::Config(format!(
                    "step_size must be in (0, 1], got {r}"
                )));
            }
        }
        if self.tol.is_nan() || self.tol < 0.0 {
            return Err(Error::Config(format!("tol must be >= 0, got {}", self.tol)));
        }
        if self.max_iters == 0 || self.samples == 0 {
            return Err(Error::Config(
                "max_iters and samples must be at least 1".into(),
            ));
        }
        if latents.is_empty() {
            return Err(Error::Config("the model has no latent variable".into()));
        }
        for (name, _) in &self.overrides {
            if !latents.iter().any(|l| l.name == name) {
                let names: Vec<&str> = latents.iter().map(|l| l.name).collect();
                return Err(Error::Config(format!(
                    "guide override for `{name}`, which is not a latent (latents: {})",
                    names.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Fit the model.
    pub fn fit<M: Model>(&self, model: &M) -> Result<Fit, Error> {
        let latents = model.latents()?;
        self.validate(&latents)?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let base = guide::initial_point(&latents);
        let choices = guide::choose(model, &latents, &self.overrides, &base, &mut rng)?;

        // Blocks: one per conjugate latent, then one Gaussian block for all the others.
        let dim: usize = latents.iter().map(|l| l.shape.len()).sum();
        let mut transforms = vec![Transform::Identity; dim];
        let mut blocks = Vec::new();
        let mut gauss_coords = Vec::new();
        let mut gauss_init = Vec::new();
        let mut latent_block = Vec::with_capacity(latents.len());
        let mut reasons = Vec::with_capacity(latents.len());
        let mut offset = 0;
        for (l, (choice, reason)) in latents.iter().zip(choices) {
            let n = l.shape.len();
            let coords: Vec<usize> = (offset..offset + n).collect();
            match choice {
                Choice::Conjugate(family) => {
                    latent_block.push(Some(blocks.len()));
                    blocks.push(Block {
                        family,
                        coords,
                        conjugate: true,
                    });
                }
                Choice::Gaussian(t) => {
                    latent_block.push(None);
                    for (i, &g) in coords.iter().enumerate() {
                        transforms[g] = t;
                        gauss_init.push(t.inverse(base[offset + i]));
                    }
                    gauss_coords.extend(coords);
                }
            }
            reasons.push(reason);
            offset += n;
        }
        let gauss_block = (!gauss_coords.is_empty()).then_some(blocks.len());
        if !gauss_coords.is_empty() {
            let d = gauss_coords.len();
            let family: Box<dyn ExpFamily> = if self.diagonal {
                Box::new(DiagGaussian::new(gauss_init, vec![1.0; d]).map_err(Error::Numerical)?)
            } else {
                Box::new(
                    Gaussian::new(gauss_init, DMatrix::identity(d, d)).map_err(Error::Numerical)?,
                )
            };
            blocks.push(Block {
                family,
                coords: gauss_coords,
                conjugate: false,
            });
        }
        let latent_block = latent_block
            .into_iter()
            .map(|b| b.or(gauss_block).unwrap_or(0))
            .collect();

        let mut engine = Engine {
            model,
            transforms,
            blocks,
            settings: Settings {
                max_iters: self.max_iters,
                tol: self.tol,
                step_size: self.step_size,
                samples: self.samples,
                seed: self.seed,
                expectation: self.expectation,
            },
        };
        if let Some(b) = gauss_block {
            let quadratic = engine.is_quadratic(b)?;
            engine.blocks[b].conjugate = quadratic;
            if let (true, Some(i)) = (
                quadratic,
                reasons.iter().position(|r| r.starts_with("Gaussian")),
            ) {
                reasons[i].push_str("; log joint quadratic in the block: exact in one step");
            }
        }
        let run = engine.run()?;
        let draws = draw(&engine.blocks, &engine.transforms, self.draws, &mut rng);
        let moments = moments(&engine.blocks, &engine.transforms, &draws);
        Ok(Fit {
            latents,
            latent_block,
            reasons,
            blocks: engine.blocks,
            draws,
            moments,
            elbo: run.elbo,
            iterations: run.iterations,
            stop: run.stop,
            notes: run.notes,
        })
    }
}

/// (mean, sd) of every coordinate on its latent's scale: closed form for conjugate blocks and
/// for the identity and log transforms of the Gaussian block, from the draws otherwise.
fn moments(blocks: &[Block], transforms: &[Transform], draws: &[Vec<f64>]) -> Vec<(f64, f64)> {
    let mut out = vec![(f64::NAN, f64::NAN); transforms.len()];
    for b in blocks {
        let (mean, sd) = (b.family.mean(), b.family.sd());
        for (i, &g) in b.coords.iter().enumerate() {
            let (m, s) = (mean[i], sd[i]);
            out[g] = match transforms[g] {
                Transform::Identity => (m, s),
                // Log-normal: E = e^{m + s²/2}, Var = (e^{s²} − 1) e^{2m + s²}
                Transform::Log => {
                    let e = (m + 0.5 * s * s).exp();
                    (e, e * (s * s).exp_m1().sqrt())
                }
                Transform::Logit(..) => {
                    let n = draws.len() as f64;
                    let e = draws.iter().map(|z| z[g]).sum::<f64>() / n;
                    let var =
                        draws.iter().map(|z| (z[g] - e).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
                    (e, var.sqrt())
                }
            };
        }
    }
    out
}

/// `n` draws of the whole latent vector, on the latents' own scales.
fn draw(blocks: &[Block], transforms: &[Transform], n: usize, rng: &mut StdRng) -> Vec<Vec<f64>> {
    (0..n)
        .map(|_| {
            let mut z = vec![0.0; transforms.len()];
            for b in blocks {
                for (&g, u) in b.coords.iter().zip(b.family.sample(rng)) {
                    z[g] = transforms[g].forward(u).0;
                }
            }
            z
        })
        .collect()
}

/// A fitted approximate posterior.
#[derive(Debug)]
pub struct Fit {
    latents: Vec<Latent>,
    latent_block: Vec<usize>,
    reasons: Vec<String>,
    blocks: Vec<Block>,
    draws: Vec<Vec<f64>>,
    moments: Vec<(f64, f64)>,
    elbo: Vec<f64>,
    iterations: usize,
    stop: StopReason,
    notes: Vec<String>,
}

impl Fit {
    fn find(&self, name: &str) -> Option<(usize, std::ops::Range<usize>)> {
        let mut offset = 0;
        for (i, l) in self.latents.iter().enumerate() {
            let n = l.shape.len();
            if l.name == name {
                return Some((i, offset..offset + n));
            }
            offset += n;
        }
        None
    }

    /// The guide (family and parameters) of the block that holds `name`. For latents in the
    /// joint Gaussian block, this is the whole block, in its (possibly transformed) space.
    pub fn guide(&self, name: &str) -> Option<&dyn ExpFamily> {
        let (i, _) = self.find(name)?;
        Some(self.blocks[self.latent_block[i]].family.as_ref())
    }

    /// Why the guide of `name` was chosen.
    pub fn reason(&self, name: &str) -> Option<&str> {
        let (i, _) = self.find(name)?;
        Some(&self.reasons[i])
    }

    /// Posterior mean of each component of `name`, on its own scale (closed form where the
    /// guide gives one, else from the draws).
    pub fn mean(&self, name: &str) -> Option<Vec<f64>> {
        let (_, range) = self.find(name)?;
        Some(range.map(|g| self.moments(g).0).collect())
    }

    /// Posterior standard deviation of each component of `name`, on its own scale.
    pub fn sd(&self, name: &str) -> Option<Vec<f64>> {
        let (_, range) = self.find(name)?;
        Some(range.map(|g| self.moments(g).1).collect())
    }

    /// The q-quantile (0 ≤ q ≤ 1) of each component of `name`, from the draws.
    pub fn quantile(&self, name: &str, q: f64) -> Option<Vec<f64>> {
        let (_, range) = self.find(name)?;
        if !(0.0..=1.0).contains(&q) || self.draws.is_empty() {
            return None;
        }
        Some(range.map(|g| quantile(self.column(g), q)).collect())
    }

    /// Draws of `name` from the approximate posterior: one `Vec` per draw.
    pub fn draws(&self, name: &str) -> Option<Vec<Vec<f64>>> {
        let (_, range) = self.find(name)?;
        Some(
            self.draws
                .iter()
                .map(|z| z[range.clone()].to_vec())
                .collect(),
        )
    }

    /// The ELBO after each sweep (the first entry is at the initial guide).
    pub fn elbo(&self) -> &[f64] {
        &self.elbo
    }

    /// Sweeps made.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Whether and why the iterations stopped.
    pub fn stop_reason(&self) -> StopReason {
        self.stop
    }

    /// Step-size adjustments the fit made (shortened steps, positive-definite corrections).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    fn column(&self, g: usize) -> Vec<f64> {
        self.draws.iter().map(|z| z[g]).collect()
    }

    /// (mean, sd) of global coordinate g on the latent's scale.
    fn moments(&self, g: usize) -> (f64, f64) {
        self.moments[g]
    }

    /// A table a Stan user would recognise: mean, sd, 5% / 50% / 95% quantiles and the guide
    /// for every latent component, then the run's facts.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<14} {:>12} {:>12} {:>12} {:>12} {:>12}  guide",
            "latent", "mean", "sd", "5%", "50%", "95%"
        );
        let mut offset = 0;
        for (i, l) in self.latents.iter().enumerate() {
            let n = l.shape.len();
            for k in 0..n {
                let g = offset + k;
                let label = if n == 1 && l.shape == crate::model::Shape::Scalar {
                    l.name.to_string()
                } else {
                    format!("{}[{k}]", l.name)
                };
                let (m, s) = self.moments(g);
                let col = self.column(g);
                let guide = if k == 0 {
                    self.reasons[i].as_str()
                } else {
                    "\""
                };
                let _ = writeln!(
                    out,
                    "{label:<14} {m:>12.5} {s:>12.5} {:>12.5} {:>12.5} {:>12.5}  {guide}",
                    quantile(col.clone(), 0.05),
                    quantile(col.clone(), 0.5),
                    quantile(col, 0.95),
                );
            }
            offset += n;
        }
        let stop = match self.stop {
            StopReason::Converged { change } => {
                format!("converged (relative change {change:.2e})")
            }
            StopReason::MaxIters { change } => {
                format!("stopped at max_iters (relative change {change:.2e})")
            }
            StopReason::Stalled => "stalled: no step raised the ELBO estimate".to_string(),
        };
        let _ = writeln!(
            out,
            "\n{} iterations, {stop}; ELBO {:.6}; {} draws",
            self.iterations,
            self.elbo.last().copied().unwrap_or(f64::NAN),
            self.draws.len()
        );
        const SHOWN: usize = 3;
        for note in self.notes.iter().take(SHOWN) {
            let _ = writeln!(out, "note: {note}");
        }
        if self.notes.len() > SHOWN {
            let _ = writeln!(
                out,
                "note: ... and {} more (Fit::notes)",
                self.notes.len() - SHOWN
            );
        }
        out
    }
}

/// Linear-interpolation quantile (type 7, as R and NumPy default).
fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = q * (v.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}
