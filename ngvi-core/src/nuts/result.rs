//! [`NutsFit`]: NUTS draws on the latents' own scales, read by name like a [`Fit`], with
//! R̂, bulk ESS and the Monte Carlo standard error of each component.
//!
//! [`Fit`]: crate::Fit

use std::fmt::Write as _;
use std::ops::Range;

use super::Nuts;
use crate::diagnostics::mcmc::{ess_bulk, ess_mean, rhat};
use crate::model::{Latent, Shape};

/// R̂ above this flags a component whose chains disagree (Vehtari et al. 2021).
pub const RHAT_LIMIT: f64 = 1.01;

/// One chain's output.
#[derive(Debug, Clone)]
pub(super) struct ChainOutput {
    /// Each kept draw: the latent vector on the latents' own scales.
    pub(super) draws: Vec<Vec<f64>>,
    /// Divergent transitions after warmup.
    pub(super) divergences: usize,
    /// The step size after adaptation.
    pub(super) step_size: f64,
    /// Gradient evaluations, warmup included.
    pub(super) gradients: u64,
}

/// The derived quantities (`track NAME = EXPR;`) at every draw.
#[derive(Debug, Clone)]
pub(super) struct TrackedDraws {
    /// Each quantity's name and number of components, in the order the model reports them.
    pub(super) names: Vec<(&'static str, usize)>,
    /// `rows[c][i]`: every quantity's components at draw i of chain c, concatenated (NaN
    /// where the draw did not reach the quantity).
    pub(super) rows: Vec<Vec<Vec<f64>>>,
}

/// Summary statistics of one column (a latent or derived-quantity component).
#[derive(Debug, Clone, Copy)]
struct Column {
    mean: f64,
    sd: f64,
    rhat: f64,
    ess_bulk: f64,
    ess_mean: f64,
}

/// Draws from NUTS (nuts-rs) on the same model, returned by [`Nuts::sample`].
///
/// Accessors take a latent's name (or a derived quantity's, `track NAME = EXPR;`) and give
/// one value per component, as [`Fit`](crate::Fit)'s do; the draws of all chains are pooled.
#[derive(Debug, Clone)]
pub struct NutsFit {
    latents: Vec<Latent>,
    /// Every variable's name and columns: the latents, then the derived quantities.
    names: Vec<(&'static str, Range<usize>)>,
    /// How many of `names` are latents.
    n_latents: usize,
    /// `chains[c][i]`: draw i of chain c, every column.
    chains: Vec<Vec<Vec<f64>>>,
    divergences: Vec<usize>,
    step_sizes: Vec<f64>,
    gradients: u64,
    columns: Vec<Column>,
    settings: Nuts,
}

impl NutsFit {
    /// Assemble the chains' outputs and the derived quantities at their draws.
    pub(super) fn new(
        settings: Nuts,
        latents: Vec<Latent>,
        outputs: Vec<ChainOutput>,
        tracked: TrackedDraws,
    ) -> NutsFit {
        let mut names = Vec::new();
        let mut offset = 0;
        for l in &latents {
            names.push((l.name, offset..offset + l.shape.len()));
            offset += l.shape.len();
        }
        let n_latents = names.len();
        for (name, len) in &tracked.names {
            names.push((*name, offset..offset + len));
            offset += len;
        }
        let divergences = outputs.iter().map(|o| o.divergences).collect();
        let step_sizes = outputs.iter().map(|o| o.step_size).collect();
        let gradients = outputs.iter().map(|o| o.gradients).sum();
        let chains: Vec<Vec<Vec<f64>>> = outputs
            .into_iter()
            .zip(tracked.rows)
            .map(|(o, t)| {
                o.draws
                    .into_iter()
                    .zip(t)
                    .map(|(mut z, extra)| {
                        z.extend(extra);
                        z
                    })
                    .collect()
            })
            .collect();
        let columns = (0..offset).map(|g| column(&chains, g)).collect();
        NutsFit {
            latents,
            names,
            n_latents,
            chains,
            divergences,
            step_sizes,
            gradients,
            columns,
            settings,
        }
    }

    fn find(&self, name: &str) -> Option<Range<usize>> {
        self.names
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r.clone())
    }

    fn per_component(&self, name: &str, f: impl Fn(&Column) -> f64) -> Option<Vec<f64>> {
        Some(self.find(name)?.map(|g| f(&self.columns[g])).collect())
    }

    fn pooled(&self, g: usize) -> Vec<f64> {
        self.chains.iter().flatten().map(|z| z[g]).collect()
    }

    /// The model's latents, as `Model::latents` gave them.
    pub fn latents(&self) -> &[Latent] {
        &self.latents
    }

    /// The names of the model's derived quantities (`track NAME = EXPR;`), in order.
    pub fn tracked_names(&self) -> Vec<&'static str> {
        self.names[self.n_latents..]
            .iter()
            .map(|(n, _)| *n)
            .collect()
    }

    /// Posterior mean of each component of `name`, on its own scale.
    pub fn mean(&self, name: &str) -> Option<Vec<f64>> {
        self.per_component(name, |c| c.mean)
    }

    /// Posterior standard deviation of each component of `name`.
    pub fn sd(&self, name: &str) -> Option<Vec<f64>> {
        self.per_component(name, |c| c.sd)
    }

    /// The q-quantile (0 ≤ q ≤ 1) of each component of `name` (type 7, as R and NumPy).
    pub fn quantile(&self, name: &str, q: f64) -> Option<Vec<f64>> {
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        Some(
            self.find(name)?
                .map(|g| quantile(self.pooled(g), q))
                .collect(),
        )
    }

    /// The draws of `name`, chain after chain: one `Vec` per draw.
    pub fn draws(&self, name: &str) -> Option<Vec<Vec<f64>>> {
        let range = self.find(name)?;
        Some(
            self.chains
                .iter()
                .flatten()
                .map(|z| z[range.clone()].to_vec())
                .collect(),
        )
    }

    /// The draws of `name` in chain `chain` (0-based), in order.
    pub fn chain_draws(&self, name: &str, chain: usize) -> Option<Vec<Vec<f64>>> {
        let range = self.find(name)?;
        Some(
            self.chains
                .get(chain)?
                .iter()
                .map(|z| z[range.clone()].to_vec())
                .collect(),
        )
    }

    /// Rank-normalised split-R̂ of each component of `name` (see
    /// [`diagnostics::mcmc::rhat`](crate::diagnostics::mcmc::rhat)); trust the draws below
    /// [`RHAT_LIMIT`].
    pub fn rhat(&self, name: &str) -> Option<Vec<f64>> {
        self.per_component(name, |c| c.rhat)
    }

    /// Bulk effective sample size of each component of `name`.
    pub fn ess_bulk(&self, name: &str) -> Option<Vec<f64>> {
        self.per_component(name, |c| c.ess_bulk)
    }

    /// Monte Carlo standard error of each component's posterior mean: sd / √ESS(mean).
    pub fn mcse_mean(&self, name: &str) -> Option<Vec<f64>> {
        self.per_component(name, |c| c.sd / c.ess_mean.sqrt())
    }

    /// The largest R̂ over every latent component (NaN if any is NaN).
    pub fn max_rhat(&self) -> f64 {
        self.latent_columns()
            .map(|c| c.rhat)
            .fold(
                f64::NEG_INFINITY,
                |a, b| if b.is_nan() { b } else { a.max(b) },
            )
    }

    /// The smallest bulk ESS over every latent component.
    pub fn min_ess_bulk(&self) -> f64 {
        self.latent_columns()
            .map(|c| c.ess_bulk)
            .fold(f64::INFINITY, f64::min)
    }

    fn latent_columns(&self) -> impl Iterator<Item = &Column> {
        let end = self.names[..self.n_latents]
            .last()
            .map_or(0, |(_, r)| r.end);
        self.columns[..end].iter()
    }

    /// Divergent transitions after warmup, over all chains.
    pub fn divergences(&self) -> usize {
        self.divergences.iter().sum()
    }

    /// Divergent transitions after warmup, per chain.
    pub fn divergences_per_chain(&self) -> &[usize] {
        &self.divergences
    }

    /// Each chain's step size after adaptation.
    pub fn step_sizes(&self) -> &[f64] {
        &self.step_sizes
    }

    /// Gradient evaluations of the log joint, warmup included, over all chains.
    pub fn gradients(&self) -> u64 {
        self.gradients
    }

    /// Number of chains.
    pub fn num_chains(&self) -> usize {
        self.chains.len()
    }

    /// Draws kept per chain.
    pub fn draws_per_chain(&self) -> usize {
        self.settings.draws
    }

    /// A table: per component its mean, sd, 5 %, 50 % and 95 % quantiles, MCSE of the mean,
    /// bulk ESS and R̂, then the divergences; components with R̂ ≥ [`RHAT_LIMIT`] flagged.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let s = &self.settings;
        let _ = writeln!(
            out,
            "NUTS (nuts-rs): {} chains × {} draws after {} warmup, seed {}",
            s.chains, s.draws, s.warmup, s.seed
        );
        let _ = writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8} {:>7}",
            "", "mean", "sd", "5%", "50%", "95%", "mcse", "ess_bulk", "r_hat"
        );
        for (i, (name, range)) in self.names.iter().enumerate() {
            let scalar = self
                .latents
                .get(i)
                .map_or(range.len() == 1, |l| l.shape == Shape::Scalar);
            let q: Vec<Vec<f64>> = [0.05, 0.5, 0.95]
                .iter()
                .map(|&p| range.clone().map(|g| quantile(self.pooled(g), p)).collect())
                .collect();
            for (k, g) in range.clone().enumerate() {
                let c = &self.columns[g];
                let flag = if c.rhat < RHAT_LIMIT {
                    ""
                } else {
                    "  (R̂ high)"
                };
                let _ = writeln!(
                    out,
                    "{:<16} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>9.4} {:>8.0} {:>7.3}{flag}",
                    label(name, scalar, k),
                    c.mean,
                    c.sd,
                    q[0][k],
                    q[1][k],
                    q[2][k],
                    c.sd / c.ess_mean.sqrt(),
                    c.ess_bulk,
                    c.rhat
                );
            }
        }
        let _ = writeln!(
            out,
            "divergences after warmup: {} (per chain {:?}); step sizes {}",
            self.divergences(),
            self.divergences,
            self.step_sizes
                .iter()
                .map(|h| format!("{h:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if self.max_rhat().is_nan() {
            let _ = writeln!(
                out,
                "warning: R̂ could not be computed (fewer than 4 draws per chain, or a \
                 non-finite draw)"
            );
        } else if self.max_rhat() >= RHAT_LIMIT {
            let _ = writeln!(
                out,
                "warning: R̂ ≥ {RHAT_LIMIT} for some component: the chains disagree; run longer \
                 or reparameterise before trusting these draws"
            );
        }
        if self.divergences() > 0 {
            let _ = writeln!(
                out,
                "warning: divergent transitions: the sampler missed part of the posterior; \
                 raise `target_accept` or reparameterise"
            );
        }
        out
    }
}

/// `name` for a scalar, `name[k]` for a component of a vector or simplex.
pub(super) fn label(name: &str, scalar: bool, k: usize) -> String {
    if scalar {
        name.to_string()
    } else {
        format!("{name}[{k}]")
    }
}

/// Mean, sd and the convergence diagnostics of column g over all chains.
fn column(chains: &[Vec<Vec<f64>>], g: usize) -> Column {
    let per_chain: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| c.iter().map(|z| z[g]).collect())
        .collect();
    let slices: Vec<&[f64]> = per_chain.iter().map(Vec::as_slice).collect();
    let all: Vec<f64> = per_chain.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let var = all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    Column {
        mean,
        sd: var.sqrt(),
        rhat: rhat(&slices),
        ess_bulk: ess_bulk(&slices),
        ess_mean: ess_mean(&slices),
    }
}

/// Linear-interpolation quantile (type 7); NaN for no values.
fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = q * (v.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}
