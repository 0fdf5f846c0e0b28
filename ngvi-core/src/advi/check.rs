//! What ADVI shows a watcher during a fit (`Advi::fit_watched`): the current guide's moments
//! on the latents' own scales and the evaluations so far, to measure how soon it reaches a
//! known posterior or to follow it.

use std::time::Duration;

use crate::fit::Evaluations;
use crate::model::Latent;

/// The state of an ADVI fit after some of its steps.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AdviCheck {
    /// Adam steps taken so far.
    pub step: usize,
    /// Evaluations of the log joint so far (gradients for the steps, values for the ELBO
    /// estimates).
    pub evaluations: Evaluations,
    /// Time since `fit_watched` was called.
    pub elapsed: Duration,
    /// The latents' names and sizes, in the model's order.
    names: Vec<(&'static str, usize)>,
    /// (mean, sd) of every latent component on its own scale, laid out as the latent
    /// vector.
    moments: Vec<(f64, f64)>,
}

impl AdviCheck {
    pub(super) fn new(
        (step, evaluations, elapsed): (usize, Evaluations, Duration),
        latents: &[Latent],
        moments: Vec<(f64, f64)>,
    ) -> AdviCheck {
        AdviCheck {
            step,
            evaluations,
            elapsed,
            names: latents.iter().map(|l| (l.name, l.shape.len())).collect(),
            moments,
        }
    }

    /// The guide's mean of every latent component, laid out as the latent vector (the
    /// model's latents in order).
    pub fn means(&self) -> Vec<f64> {
        self.moments.iter().map(|m| m.0).collect()
    }

    /// The guide's sd of every latent component, laid out as the latent vector.
    pub fn sds(&self) -> Vec<f64> {
        self.moments.iter().map(|m| m.1).collect()
    }

    /// The guide's mean of each component of latent `name`, on its own scale.
    pub fn mean(&self, name: &str) -> Option<Vec<f64>> {
        self.of(name, |m| m.0)
    }

    /// The guide's sd of each component of latent `name`, on its own scale.
    pub fn sd(&self, name: &str) -> Option<Vec<f64>> {
        self.of(name, |m| m.1)
    }

    /// `part` of the moments of each component of latent `name`.
    fn of(&self, name: &str, part: fn(&(f64, f64)) -> f64) -> Option<Vec<f64>> {
        Some(
            self.moments
                .get(self.find(name)?)?
                .iter()
                .map(part)
                .collect(),
        )
    }

    fn find(&self, name: &str) -> Option<std::ops::Range<usize>> {
        let mut offset = 0;
        for &(n, len) in &self.names {
            if n == name {
                return Some(offset..offset + len);
            }
            offset += len;
        }
        None
    }
}
