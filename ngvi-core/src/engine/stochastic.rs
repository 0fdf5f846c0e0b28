//! Stochastic NGVI on minibatches of the plates, with a control variate (SVRG; Johnson &
//! Zhang 2013) so that the minibatch noise vanishes as the guide settles.
//!
//! Each epoch fixes an anchor (the guide at its start) and takes every block's target
//! there on all the data, T(a). Each step then takes a minibatch B (terms scaled by n/b)
//! and fresh draws and estimates the target at the current guide λ by
//! t̂ = T(a) + T_B(λ) − T_B(a), with the same batch and the same standard-normal draws on
//! both sides: right in expectation, since E_B[T_B] = T (a target is linear in the
//! log joint's sum over the plate), and with a variance that falls with ‖λ − a‖, so full
//! steps ρ = 1 work as they do on all the data. An epoch is about one pass over the data in
//! minibatches; the fit stops when an epoch moves every mean by at most `DRAW_TOL` sd.

use super::update::has_flat_direction;
use super::{
    stream_seed, Block, Engine, NaturalGradient, Run, StopReason, DRAW_TOL, MAX_CURVATURE_COND,
    MAX_UNCONSTRAINED_SD,
};
use crate::error::Error;
use crate::family::ExpFamily;
use crate::model::Model;
use crate::plate::Subsample;

/// Most minibatch steps per epoch.
const MAX_STEPS_PER_EPOCH: usize = 1000;
/// The stream of the minibatches, apart from the engine's draws.
const BATCH_STREAM: u64 = 1 << 40;

impl<M: Model> Engine<'_, M> {
    /// Stochastic NGVI with minibatches of `batch` terms of every plate larger than that;
    /// `n` is the largest plate's size. `max_iters` bounds the epochs.
    pub(crate) fn run_stochastic(&mut self, batch: usize, n: usize) -> Result<Run, Error> {
        let seed = self.settings.seed;
        let mut subsample = Subsample {
            batch,
            seed: stream_seed(seed, BATCH_STREAM),
            step: 0,
        };
        self.joint.reducer.subsample = Some(subsample);
        self.start_blocks()?;
        let steps = n.div_ceil(batch).clamp(1, MAX_STEPS_PER_EPOCH);
        let rho = self.settings.step_size.unwrap_or(1.0);
        let (mut elbo, mut notes, mut shift) = (Vec::new(), Vec::new(), None);
        let mut stop = StopReason::MaxIters {
            change: f64::INFINITY,
        };
        let mut epochs = 0;
        for epoch in 1..=self.settings.max_iters {
            epochs = epoch;
            let before = self.moments();
            let anchor: Vec<Box<dyn ExpFamily>> =
                self.blocks.iter().map(|b| b.family.boxed_clone()).collect();
            self.joint.reducer.subsample = None;
            let epoch_seed = stream_seed(seed, epoch as u64);
            let full = (0..self.blocks.len())
                .map(|b| self.target(b, epoch_seed))
                .collect::<Result<Vec<_>, _>>()?;
            // (4.17) on the full-data targets at the anchor
            let flat = full
                .iter()
                .zip(&self.blocks)
                .any(|(t, blk)| has_flat_direction(blk.family.as_ref(), t, MAX_CURVATURE_COND));
            for k in 0..steps {
                subsample.step = (epoch * steps + k) as u64;
                self.joint.reducer.subsample = Some(subsample);
                let draws = stream_seed(epoch_seed, k as u64 + 1);
                for (b, at_anchor) in full.iter().enumerate() {
                    let now = self.target(b, draws)?;
                    let then = self.at(&anchor, |e| e.target(b, draws))?;
                    // t̂ = T(a) + T_B(λ) − T_B(a)
                    let t: Vec<f64> = at_anchor
                        .iter()
                        .zip(now.iter().zip(&then))
                        .map(|(f, (n, a))| f + n - a)
                        .collect();
                    self.blocks[b].family.step(&t, rho)?;
                }
            }
            self.joint.reducer.subsample = None;
            elbo.push(self.elbo(epoch_seed)?);
            let s = super::mean_shift(&before, &self.moments());
            shift = Some(s);
            let last = elbo.last().copied().unwrap_or(f64::NAN);
            self.settings.progress.iteration(epoch, last, s, rho);
            stop = StopReason::MaxIters { change: s };
            // the same guards as on all the data: an improper posterior or a collapse ends
            // the fit, not converged
            if let Some(sd) = self.largest_sd().filter(|s| *s > MAX_UNCONSTRAINED_SD) {
                stop = StopReason::Diverged { sd };
                break;
            }
            if let Some(sd) = self.collapsed_sd() {
                stop = StopReason::Collapsed { sd };
                break;
            }
            if s <= DRAW_TOL {
                stop = match flat {
                    true => StopReason::Unidentified,
                    false => StopReason::Converged { change: s },
                };
                break;
            }
        }
        self.joint.reducer.subsample = None;
        notes.push(format!(
            "stochastic NGVI on minibatches of {batch} (with a full-data control variate): \
             {epochs} epochs of {steps} steps"
        ));
        Ok(Run {
            elbo,
            iterations: epochs,
            stop,
            notes,
            draw_error: shift,
        })
    }

    /// `f` evaluated with the blocks' guides set to `guides`, which are then restored.
    fn at<T>(
        &mut self,
        guides: &[Box<dyn ExpFamily>],
        f: impl FnOnce(&Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let saved: Vec<Box<dyn ExpFamily>> = swap(&mut self.blocks, guides);
        let out = f(self);
        swap(&mut self.blocks, &saved);
        out
    }

    /// (mean, sd) of every block.
    fn moments(&self) -> Vec<(Vec<f64>, Vec<f64>)> {
        self.blocks
            .iter()
            .map(|b| (b.family.mean(), b.family.sd()))
            .collect()
    }
}

/// Set the blocks' guides to copies of `guides`, returning the ones they had.
fn swap(blocks: &mut [Block], guides: &[Box<dyn ExpFamily>]) -> Vec<Box<dyn ExpFamily>> {
    blocks
        .iter_mut()
        .zip(guides)
        .map(|(blk, g)| std::mem::replace(&mut blk.family, g.boxed_clone()))
        .collect()
}
