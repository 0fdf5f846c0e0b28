//! [`Fit`]: the fitted approximate posterior, read by latent name.

use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::SeedableRng;
use special::Error as _;

use super::correction::{corrected, Correction};
use super::{Diagnostics, Outcome, Setting};
use crate::engine::{Block, Engine, StopReason};
use crate::family::{ExpFamily, Geometry};
use crate::guide::Reason;
use crate::model::{Latent, Model};
use crate::transform::{Piece, Transform};

/// A fitted approximate posterior.
#[derive(Debug)]
pub struct Fit {
    pub(super) latents: Vec<Latent>,
    pub(super) latent_block: Vec<usize>,
    pub(super) reasons: Vec<Reason>,
    pub(super) blocks: Vec<Block>,
    pub(super) draws: Draws,
    pub(super) moments: Vec<(f64, f64)>,
    /// By latent coordinate: the transform and the (mean, sd) on the guide's scale of a
    /// coordinate of a Gaussian block under an elementwise transform.
    gaussian_marginals: Vec<Option<(Transform, f64, f64)>>,
    pub(super) elbo: Vec<f64>,
    pub(super) iterations: usize,
    pub(super) stop: StopReason,
    pub(super) notes: Vec<String>,
    pub(super) draw_error: Option<f64>,
    pub(super) diagnostics: Diagnostics,
    pub(super) evaluations: Evaluations,
    pub(super) fit_evaluations: Evaluations,
    pub(super) tracked: super::tracked::TrackedDraws,
    pub(super) record: super::Record,
}

/// How many times the fit evaluated the log joint (guide planning's probes not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluations {
    /// Evaluations of the value alone (ELBO estimates, line searches, diagnostics).
    pub values: u64,
    /// Evaluations with the gradient (ADVI's steps).
    pub gradients: u64,
    /// Evaluations with the gradient and Hessian in a block (targets, the start).
    pub hessians: u64,
    /// Evaluations with the gradient and the Hessian's diagonal in a block (a diagonal
    /// block's start and curvature), each about two gradients' cost.
    pub diagonals: u64,
}

impl From<crate::joint::Counts> for Evaluations {
    fn from(c: crate::joint::Counts) -> Evaluations {
        Evaluations {
            values: c.values,
            gradients: c.gradients,
            hessians: c.hessians,
            diagonals: c.diagonals,
        }
    }
}

/// A read-only view of the guide of one block of a [`Fit`].
#[derive(Debug, Clone, Copy)]
pub struct GuideView<'f> {
    family: &'f dyn ExpFamily,
}

impl GuideView<'_> {
    /// The family's name ("Beta", "Gaussian", …).
    pub fn name(&self) -> &'static str {
        self.family.name()
    }
    /// Natural parameters λ (for a Gaussian block, (P m, −½ P) over the whole block).
    pub fn natural(&self) -> Vec<f64> {
        self.family.natural()
    }
    /// Mean parameters μ = E_q[T(z)].
    pub fn mean_params(&self) -> Vec<f64> {
        self.family.mean_params()
    }
    /// Dimension of the block.
    pub fn dim(&self) -> usize {
        self.family.dim()
    }
    /// ln q(z) at a point of the block's (transformed) space; `None` for a point of the
    /// wrong length.
    pub fn log_density(&self, z: &[f64]) -> Option<f64> {
        (z.len() == self.family.dim()).then(|| self.family.log_density(z))
    }
}

impl Fit {
    pub(crate) fn new<M: Model>(
        latents: Vec<Latent>,
        latent_block: Vec<usize>,
        reasons: Vec<Reason>,
        engine: Engine<'_, M>,
        outcome: Outcome,
        n_draws: usize,
        draws_seed: u64,
    ) -> Fit {
        let Outcome {
            run,
            mut diagnostics,
            record,
        } = outcome;
        let evaluations = Evaluations::from(engine.joint.counts.get());
        let pieces = engine.joint.pieces.clone();
        let marginals = gaussian_marginals(&engine.blocks, &engine.joint.pieces);
        let (moments, draws) = match diagnostics.weights.take() {
            Some(w) => {
                let mut rng = StdRng::seed_from_u64(draws_seed);
                let (moments, draws) = corrected(&engine, &w, n_draws, &mut rng);
                (moments, Draws::made(draws, pieces, true))
            }
            None => {
                let draws = Draws::pending(pieces, n_draws, draws_seed);
                (moments(&engine.blocks, &draws), draws)
            }
        };
        Fit {
            latents,
            latent_block,
            reasons,
            blocks: engine.blocks,
            gaussian_marginals: marginals,
            draws,
            moments,
            elbo: run.elbo,
            iterations: run.iterations,
            stop: run.stop,
            notes: run.notes,
            draw_error: run.draw_error,
            fit_evaluations: diagnostics.fitted,
            diagnostics,
            evaluations,
            tracked: Default::default(),
            record,
        }
    }

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
    pub fn guide(&self, name: &str) -> Option<GuideView<'_>> {
        let (i, _) = self.find(name)?;
        Some(GuideView {
            family: self.blocks[self.latent_block[i]].family.as_ref(),
        })
    }

    /// Why the guide of `name` was chosen.
    pub fn reason(&self, name: &str) -> Option<&Reason> {
        let (i, _) = self.find(name)?;
        Some(&self.reasons[i])
    }

    /// Posterior mean of each component of `name`, on its own scale: importance-weighted
    /// when the fit was corrected ([`Fit::correction`]), else the guide's (closed form where the
    /// guide gives one, else from the draws); for a derived quantity, from the draws.
    pub fn mean(&self, name: &str) -> Option<Vec<f64>> {
        let Some((_, range)) = self.find(name) else {
            return self.tracked_mean(name);
        };
        Some(range.map(|g| self.moments[g].0).collect())
    }

    /// Posterior standard deviation of each component of `name`, on its own scale.
    pub fn sd(&self, name: &str) -> Option<Vec<f64>> {
        let Some((_, range)) = self.find(name) else {
            return self.tracked_sd(name);
        };
        Some(range.map(|g| self.moments[g].1).collect())
    }

    /// The q-quantile (0 ≤ q ≤ 1) of each component of `name`: exact for a coordinate of a
    /// Gaussian block under an elementwise transform g (g(m + s Φ⁻¹(q)), g increasing),
    /// from the draws otherwise (and for a corrected fit).
    pub fn quantile(&self, name: &str, q: f64) -> Option<Vec<f64>> {
        let Some((_, range)) = self.find(name) else {
            return self.tracked_quantile(name, q);
        };
        if !(0.0..=1.0).contains(&q) || self.draws.n == 0 {
            return None;
        }
        Some(range.map(|g| self.coordinate_quantile(g, q)).collect())
    }

    /// The q-quantile of latent coordinate `g` (see [`Fit::quantile`]).
    pub(super) fn coordinate_quantile(&self, g: usize, q: f64) -> f64 {
        self.gaussian_quantile(g, q)
            .unwrap_or_else(|| quantile(self.column(g), q))
    }

    /// g(m + s Φ⁻¹(q)) for latent coordinate `g` when it is one coordinate of a Gaussian
    /// block under an elementwise (increasing) transform and the fit was not corrected.
    fn gaussian_quantile(&self, g: usize, q: f64) -> Option<f64> {
        if self.draws.corrected {
            return None;
        }
        let (transform, m, s) = self.gaussian_marginals[g]?;
        // Φ⁻¹(q) = √2 erf⁻¹(2q − 1)
        let z = std::f64::consts::SQRT_2 * (2.0 * q - 1.0).inv_error();
        Some(transform.forward(m + s * z).0)
    }

    /// Draws of `name` from the approximate posterior: one `Vec` per draw.
    pub fn draws(&self, name: &str) -> Option<Vec<Vec<f64>>> {
        let Some((_, range)) = self.find(name) else {
            return self.tracked_draws(name);
        };
        Some(
            self.draws
                .all(&self.blocks)
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

    /// What the fixed draws leave: the largest change of a Gaussian-block mean between two
    /// phases on independent draw sets, in units of its sd (`None` for an exact fit).
    pub fn draw_error(&self) -> Option<f64> {
        self.draw_error
    }

    /// The Pareto k̂ of the importance ratios p(x, z)/q(z) at 4000 fresh draws (Yao,
    /// Vehtari, Simpson & Gelman 2018), or at 64 000 when it is above 0.5 there: below 0.5
    /// the guide is close to the posterior; 0.5–0.7 usable, and the summaries are then
    /// corrected by importance sampling ([`Fit::correction`]); above 0.7 do not trust the
    /// fit. `None` for an exact fit.
    pub fn pareto_k(&self) -> Option<f64> {
        self.diagnostics.k_hat
    }

    /// How the posterior summaries and draws were corrected by Pareto-smoothed importance
    /// sampling on the guide, when 0.5 < k̂ ≤ 0.7 (see [`Fit::pareto_k`]); `None` when they
    /// are the guide's own.
    pub fn correction(&self) -> Option<Correction> {
        self.diagnostics.correction
    }

    /// The ELBO at the fitted guide on fresh draws, with its Monte Carlo standard error.
    pub fn elbo_estimate(&self) -> (f64, f64) {
        (self.diagnostics.elbo, self.diagnostics.elbo_se)
    }

    /// The method that made the fit: "ngvi" ([`Ngvi`](super::Ngvi)) or "advi"
    /// ([`Advi`](crate::Advi)).
    pub fn method(&self) -> &'static str {
        self.record.method
    }

    /// The options the fit ran with, by the name of the builder method that sets each.
    pub fn settings(&self) -> &[(&'static str, Setting)] {
        &self.record.settings
    }

    /// How many times the fit evaluated the log joint, its diagnostics included.
    pub fn evaluations(&self) -> Evaluations {
        self.evaluations
    }

    /// The evaluations the fit itself took, before its diagnostics (the ELBO on fresh draws,
    /// k̂, and the importance-sampling correction's draws): what reaching the answer cost.
    pub fn fit_evaluations(&self) -> Evaluations {
        self.fit_evaluations
    }

    pub(super) fn column(&self, g: usize) -> Vec<f64> {
        self.draws.all(&self.blocks).iter().map(|z| z[g]).collect()
    }

    /// Every posterior draw of the whole latent vector, made now if not yet made.
    pub(super) fn all_draws(&self) -> &[Vec<f64>] {
        self.draws.all(&self.blocks)
    }
}

/// The posterior draws of a fit: made when first read (most fits are read through their
/// means, sds and quantiles, which need none), from their own seed, so that the same fit
/// gives the same draws whenever they are made.
#[derive(Debug)]
pub(super) struct Draws {
    made: OnceLock<Vec<Vec<f64>>>,
    /// How many.
    pub(super) n: usize,
    /// The transforms from the guides' coordinates to the latents' scales.
    pub(super) pieces: Vec<Piece>,
    /// The seed of the generator to draw from, until they are made.
    seed: Option<u64>,
    /// Whether they were resampled by importance weight (a corrected fit).
    pub(super) corrected: bool,
}

impl Draws {
    fn made(draws: Vec<Vec<f64>>, pieces: Vec<Piece>, corrected: bool) -> Draws {
        Draws {
            n: draws.len(),
            made: OnceLock::from(draws),
            pieces,
            seed: None,
            corrected,
        }
    }

    fn pending(pieces: Vec<Piece>, n: usize, seed: u64) -> Draws {
        Draws {
            made: OnceLock::new(),
            n,
            pieces,
            seed: Some(seed),
            corrected: false,
        }
    }

    /// The draws of the guide `blocks`, made on first use.
    pub(super) fn all(&self, blocks: &[Block]) -> &[Vec<f64>] {
        self.made.get_or_init(|| match self.seed {
            Some(seed) => draw(
                blocks,
                &self.pieces,
                self.n,
                &mut StdRng::seed_from_u64(seed),
            ),
            None => Vec::new(),
        })
    }
}

/// (mean, sd) of every latent coordinate of the guide `blocks` on its own scale, from `n`
/// draws made with `seed` where no closed form serves ([`moments`]).
pub(crate) fn guide_moments(
    blocks: &[Block],
    pieces: Vec<Piece>,
    n: usize,
    seed: u64,
) -> Vec<(f64, f64)> {
    moments(blocks, &Draws::pending(pieces, n, seed))
}

/// (mean, sd) of every latent coordinate on its own scale: closed form for the identity and
/// log transforms (a conjugate block is on the identity), from the draws otherwise.
fn moments(blocks: &[Block], draws: &Draws) -> Vec<(f64, f64)> {
    let pieces = &draws.pieces;
    let dim_u = pieces.last().map_or(0, |p| p.u.end);
    let mut by_u = vec![(f64::NAN, f64::NAN); dim_u];
    for b in blocks {
        for ((&g, m), s) in b.coords.iter().zip(b.family.mean()).zip(b.family.sd()) {
            by_u[g] = (m, s);
        }
    }
    let mut out = Vec::new();
    for p in pieces {
        match p.transform {
            Transform::Identity => out.push(by_u[p.u.start]),
            // Log-normal: E = e^{m + s²/2}, Var = (e^{s²} − 1) e^{2m + s²}
            Transform::Log => {
                let (m, s) = by_u[p.u.start];
                let e = (m + 0.5 * s * s).exp();
                out.push((e, e * (s * s).exp_m1().sqrt()));
            }
            Transform::Logit(..) | Transform::StickBreaking => {
                let all = draws.all(blocks);
                out.extend(p.z.clone().map(|g| draw_moments(all, g)));
            }
        }
    }
    out
}

/// By latent coordinate: the transform and the guide's (mean, sd) of every coordinate of a
/// Gaussian block under an elementwise transform.
fn gaussian_marginals(blocks: &[Block], pieces: &[Piece]) -> Vec<Option<(Transform, f64, f64)>> {
    let mut by_u = vec![None; pieces.last().map_or(0, |p| p.u.end)];
    for b in blocks {
        if matches!(b.family.geometry(), Geometry::Gaussian { .. }) {
            for ((&g, m), s) in b.coords.iter().zip(b.family.mean()).zip(b.family.sd()) {
                by_u[g] = Some((m, s));
            }
        }
    }
    let mut out = vec![None; pieces.last().map_or(0, |p| p.z.end)];
    for p in pieces.iter().filter(|p| p.transform.is_elementwise()) {
        out[p.z.start] = by_u[p.u.start].map(|(m, s)| (p.transform, m, s));
    }
    out
}

/// Mean and sd of coordinate g over the draws.
fn draw_moments(draws: &[Vec<f64>], g: usize) -> (f64, f64) {
    let n = draws.len() as f64;
    let e = draws.iter().map(|z| z[g]).sum::<f64>() / n;
    let var = draws.iter().map(|z| (z[g] - e).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (e, var.sqrt())
}

/// `n` draws of the whole latent vector from the guide `blocks`, on the latents' own scales.
fn draw(blocks: &[Block], pieces: &[Piece], n: usize, rng: &mut StdRng) -> Vec<Vec<f64>> {
    let dim = pieces.last().map_or(0, |p| p.u.end);
    (0..n)
        .map(|_| {
            let mut u = vec![0.0; dim];
            for b in blocks {
                for (&g, v) in b.coords.iter().zip(b.family.sample(rng)) {
                    u[g] = v;
                }
            }
            crate::transform::to_latent(pieces, &u).0
        })
        .collect()
}

/// Linear-interpolation quantile (type 7, as R and NumPy default); NaN for no values. The two
/// order statistics it needs are selected in O(n), not sorted for.
pub(super) fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let h = q * (v.len() - 1) as f64;
    let lo = h.floor() as usize;
    let (_, &mut below, above) = v.select_nth_unstable_by(lo, f64::total_cmp);
    // The next order statistic is the smallest of those above.
    let next = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .unwrap_or(below);
    below + (h - lo as f64) * (next - below)
}

#[cfg(test)]
mod tests {
    use super::quantile;

    /// Type 7 from a full sort: h = q (n − 1), v[⌊h⌋] + (h − ⌊h⌋)(v[⌈h⌉] − v[⌊h⌋]).
    fn sorted_quantile(mut v: Vec<f64>, q: f64) -> f64 {
        v.sort_by(f64::total_cmp);
        let h = q * (v.len() - 1) as f64;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    }

    #[test]
    fn selected_quantiles_equal_sorted_ones() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for n in [1, 2, 3, 10, 101, 4000] {
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 1000) as f64 / 7.0
                })
                .collect();
            for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
                assert_eq!(
                    quantile(v.clone(), q),
                    sorted_quantile(v.clone(), q),
                    "n {n} q {q}"
                );
            }
        }
        assert!(quantile(Vec::new(), 0.5).is_nan());
    }
}
