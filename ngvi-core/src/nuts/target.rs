//! The density NUTS samples: the log joint on the unconstrained scale,
//! f̃(u) = log p(x, g(u)) + ln |det g′(u)| (docs/design.md (4.2)), with its gradient from
//! first-order duals, as nuts-rs's [`CpuLogpFunc`].

use std::collections::HashMap;

use nuts_rs::{CpuLogpFunc, CpuMathError, HasDims, LogpError};

use crate::ad::{Dual, Scalar};
use crate::error::{Error, ModelError};
use crate::model::{Latent, Model};
use crate::transform::{Piece, Transform};

/// A model's log joint with every latent mapped to the real line by its support's transform.
pub(super) struct Target<'m, M: Model> {
    model: &'m M,
    pieces: Vec<Piece>,
}

impl<'m, M: Model> Target<'m, M> {
    /// The pieces of `latents` (from `model.latents()`), one per coordinate of an
    /// elementwise transform and one per simplex; a latent no transform reaches (a discrete
    /// one) is an error.
    pub(super) fn new(model: &'m M, latents: &[Latent]) -> Result<Self, Error> {
        let mut pieces = Vec::new();
        let (mut u, mut z) = (0, 0);
        for l in latents {
            let transform = Transform::for_support(l.support).ok_or(Error::NoTransform {
                name: l.name.to_string(),
                support: l.support,
            })?;
            let n = l.shape.len();
            if transform.is_elementwise() {
                for i in 0..n {
                    pieces.push(Piece {
                        transform,
                        u: u + i..u + i + 1,
                        z: z + i..z + i + 1,
                    });
                }
                u += n;
            } else {
                let m = n.saturating_sub(1);
                pieces.push(Piece {
                    transform,
                    u: u..u + m,
                    z: z..z + n,
                });
                u += m;
            }
            z += n;
        }
        Ok(Target { model, pieces })
    }

    /// Length of u.
    pub(super) fn dim(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.u.end)
    }

    /// z = g(u) and ln |det g′(u)|, piece by piece.
    fn to_latent<S: Scalar>(&self, u: &[S]) -> (Vec<S>, S) {
        crate::transform::to_latent(&self.pieces, u)
    }

    /// The latent vector z = g(u), on the latents' own scales.
    pub(super) fn latent(&self, u: &[f64]) -> Vec<f64> {
        self.to_latent(u).0
    }

    /// f̃(u) and its gradient, by forward mode. (A [`ModelError`] is large but built only on
    /// the error path, as in [`Model::log_joint`].)
    #[allow(clippy::result_large_err)]
    pub(super) fn value_gradient(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ModelError> {
        let (z, jac) = self.to_latent(&Dual::variables(u));
        let y = self.model.log_joint(&z)? + jac;
        let mut g = y.gradient();
        g.resize(u.len(), 0.0);
        Ok((y.value(), g))
    }
}

/// Why the density could not be evaluated at a point. nuts-rs treats every one as a
/// divergence of the trajectory that reached the point (the point is rejected): the start
/// was checked before sampling, so an error here comes from where the sampler went.
#[derive(Debug, thiserror::Error)]
pub(super) enum PointError {
    /// The model rejected the point.
    #[error("model error: {0}")]
    Model(Box<ModelError>),
    /// The value or a gradient component is NaN or infinite.
    #[error("the log joint or its gradient is not finite (value {0})")]
    NonFinite(f64),
}

impl LogpError for PointError {
    fn is_recoverable(&self) -> bool {
        true
    }
}

/// [`Target`] as nuts-rs's density.
pub(super) struct Density<'t, 'm, M: Model> {
    pub(super) target: &'t Target<'m, M>,
}

impl<M: Model> HasDims for Density<'_, '_, M> {
    fn dim_sizes(&self) -> HashMap<String, u64> {
        let d = self.target.dim() as u64;
        HashMap::from([
            ("unconstrained_parameter".to_string(), d),
            ("dim".to_string(), d),
        ])
    }
}

impl<M: Model> CpuLogpFunc for Density<'_, '_, M> {
    type LogpError = PointError;
    type FlowParameters = ();
    type ExpandedVector = ();

    fn dim(&self) -> usize {
        self.target.dim()
    }

    fn logp(&mut self, position: &[f64], gradient: &mut [f64]) -> Result<f64, PointError> {
        let (value, g) = self
            .target
            .value_gradient(position)
            .map_err(|e| PointError::Model(Box::new(e)))?;
        if !value.is_finite() || g.iter().any(|x| !x.is_finite()) {
            return Err(PointError::NonFinite(value));
        }
        gradient.copy_from_slice(&g);
        Ok(value)
    }

    fn expand_vector<R: rand::Rng + ?Sized>(
        &mut self,
        _rng: &mut R,
        _position: &[f64],
    ) -> Result<(), CpuMathError> {
        Ok(())
    }
}
