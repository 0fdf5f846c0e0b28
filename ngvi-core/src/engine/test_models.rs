//! Models the engine's unit tests share, and their engines: a Poisson regression whose
//! observes go through `Plates::linear` as `model!` sends them, and a conjugate
//! Gamma–Poisson.

// the plates' closures return `ModelError`, as a model's do
#![allow(clippy::result_large_err)]

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{Engine, Expectation, Settings};
use crate::ad::{F64Ops, Jet, Scalar};
use crate::dist::{DistKind, Support};
use crate::error::ModelError;
use crate::guide::{plan, Blocking};
use crate::model::{Latent, LatentUse, Model, Shape};
use crate::plate::{Chunk, Density, Plates, Reducer};
use crate::progress::Progress;

/// A Poisson regression with a log link on three coefficients, w ~ N(0, 1) (or with
/// density ∝ exp(−Σ w⁴/4) when `quartic`), its observes handed to `Plates::linear` as
/// `model!` hands them.
pub(crate) struct Counts {
    x: Vec<[f64; 3]>,
    y: Vec<f64>,
    /// ln y!
    ln_fact: Vec<f64>,
    quartic: bool,
}

impl Model for Counts {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        Ok(vec![Latent {
            name: "w",
            shape: Shape::Vector(3),
            prior: DistKind::Normal,
            prior_params: Some(vec![0.0, 1.0]),
            support: Support::Real,
        }])
    }
    fn uses(&self) -> Vec<LatentUse> {
        Vec::new()
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        self.log_joint_in(z, &crate::plate::InOrder)
    }
    fn log_joint_in<S: Scalar>(&self, w: &[S], plates: &dyn Plates<S>) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        let prior = w.iter().fold(S::from(0.0), |acc, wj| match self.quartic {
            true => acc - wj.powi(4) * 0.25,
            false => acc - wj.clone() * wj.clone() * 0.5,
        });
        let data = plates.sum(0, 0..self.y.len(), &|chunk: Chunk<'_>| {
            let mut lp = S::from(0.0);
            for i in chunk {
                let eta = S::weighted_sum(self.x[i].iter().copied().zip(w));
                let (y, ln_fact) = (self.y[i], self.ln_fact[i]);
                // ln Poisson(y | eᶯ) = yη − eᶯ − ln y!
                let jet = |e: Jet| Ok(e * y - e.exp() - ln_fact);
                let values = |xs: &mut [f64]| {
                    xs.iter_mut().for_each(|e| *e = ln_poisson(*e, y, ln_fact));
                    Ok(())
                };
                lp += plates.linear(
                    eta,
                    Density {
                        jet: &jet,
                        values: &values,
                    },
                )?;
            }
            Ok(lp)
        })?;
        Ok(prior + data)
    }
}

/// ln Poisson(y | eᶯ) in `f64`, outside the models' generic code (where `f64 * f64`
/// would be read as `f64 * S`).
fn ln_poisson(eta: f64, y: f64, ln_fact: f64) -> f64 {
    y * eta - eta.exp() - ln_fact
}

pub(crate) fn data(n: usize, quartic: bool) -> Counts {
    let x: Vec<[f64; 3]> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            [1.0, (7.0 * t).sin(), t - 0.5]
        })
        .collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, r)| {
            ((0.3 + 0.8 * r[1] - r[2]).exp() + (i % 3) as f64 - 1.0)
                .max(0.0)
                .round()
        })
        .collect();
    let ln_fact = y.iter().map(|&v| crate::special::lgamma(v + 1.0)).collect();
    Counts {
        x,
        y,
        ln_fact,
        quartic,
    }
}

/// Counts y with a rate λ ~ Gamma(2, 1): conjugate, the posterior Gamma(2 + Σy, 1 + n);
/// with −`bend`·λ² added to the log joint, not conjugate, though a small bend is invisible
/// where the planner probes it.
pub(crate) struct Rate {
    pub(crate) y: Vec<f64>,
    pub(crate) bend: f64,
}

impl Model for Rate {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        Ok(vec![Latent {
            name: "lam",
            shape: Shape::Scalar,
            prior: DistKind::Gamma,
            prior_params: Some(vec![2.0, 1.0]),
            support: Support::Positive,
        }])
    }
    fn uses(&self) -> Vec<LatentUse> {
        vec![LatentUse {
            latent: "lam",
            dist: Some(DistKind::Poisson),
            arg: Some(0),
            conjugate: true,
            statement: "observe y[i] ~ Poisson(lam)",
            line: 1,
        }]
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        self.log_joint_in(z, &crate::plate::InOrder)
    }
    fn log_joint_in<S: Scalar>(&self, z: &[S], _: &dyn Plates<S>) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        // (2 − 1) ln λ − λ + Σ (y ln λ − λ − ln y!) − bend λ²
        let (shape, rate, ln_fact) = self.coefficients();
        let lam = &z[0];
        Ok(lam.ln() * shape - lam.clone() * rate - ln_fact - lam.powi(2) * self.bend)
    }
}

impl Rate {
    /// 1 + Σy, 1 + n and Σ ln y!, outside the generic code (where `f64 + f64` would be
    /// read as `f64 + S`).
    fn coefficients(&self) -> (f64, f64, f64) {
        let sum: f64 = self.y.iter().sum();
        let ln_fact: f64 = self
            .y
            .iter()
            .map(|&v| crate::special::lgamma(v + 1.0))
            .sum();
        (1.0 + sum, 1.0 + self.y.len() as f64, ln_fact)
    }
}

/// The engine the planner makes for `model` (default settings, 200 sweeps), not yet run.
pub(crate) fn planned<M: Model>(model: &M) -> Engine<'_, M> {
    let reducer = Reducer::default();
    let latents = model.latents().unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let plan = plan(
        model,
        &latents,
        &[],
        Blocking::Structured,
        (true, true),
        &reducer,
        &mut rng,
    )
    .unwrap();
    Engine {
        joint: plan.joint,
        blocks: plan.blocks,
        settings: Settings {
            max_iters: 200,
            tol: 1e-8,
            step_size: None,
            samples: 64,
            seed: 0,
            expectation: Expectation::Auto,
            init: Vec::new(),
            minibatch: None,
            progress: Progress::new(None, false),
        },
    }
}

/// [`planned`], run.
pub(crate) fn fitted<M: Model>(model: &M) -> Engine<'_, M> {
    let mut engine = planned(model);
    engine.run().unwrap();
    engine
}
