//! The [`Model`] trait: what `model!` generates and the engine fits.

use crate::ad::{F64Ops, Scalar};
use crate::dist::{DistKind, Support};
use crate::error::ModelError;
use crate::plate::{PlateInfo, Plates};

/// The shape of one latent variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `sample x ~ D(..)`
    Scalar,
    /// `sample x[n] ~ D(..)`: n i.i.d. scalars.
    Vector(usize),
    /// `sample x ~ Dirichlet(alpha)`: a point of the simplex with k components.
    Simplex(usize),
}

impl Shape {
    /// Number of scalars the latent occupies in the latent vector.
    pub fn len(&self) -> usize {
        match *self {
            Shape::Scalar => 1,
            Shape::Vector(n) | Shape::Simplex(n) => n,
        }
    }
    /// Whether the latent occupies no scalar (a vector of length 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One latent variable, with its length evaluated from the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Latent {
    /// Its name in the model.
    pub name: &'static str,
    /// Scalar, vector or simplex, with its length.
    pub shape: Shape,
    /// The prior's family.
    pub prior: DistKind,
    /// The prior's hyperparameters when they are constants (do not depend on other
    /// latents); for a Dirichlet, the whole concentration vector.
    pub prior_params: Option<Vec<f64>>,
    /// Where the latent lives.
    pub support: Support,
}

/// A static fact for guide choice: one place where a latent is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatentUse {
    /// The latent used.
    pub latent: &'static str,
    /// The distribution of the statement that uses it (`None` for `factor`).
    pub dist: Option<DistKind>,
    /// Which argument of that distribution the latent appears in (0-based); `None` when it
    /// appears in the observed value (a latent's own prior does not count) or in `factor`.
    pub arg: Option<usize>,
    /// Whether this use is in a conjugate position for the latent's prior (docs/design.md §3).
    pub conjugate: bool,
    /// Source text of the statement.
    pub statement: &'static str,
    /// Line of the statement.
    pub line: u32,
}

/// A probabilistic model: latents, their uses, and a log joint density.
///
/// `model!` implements this; it can also be implemented by hand. A model is shared by the
/// threads that sum its plates and run its fit, hence `Sync`.
///
/// A [`ModelError`] is large (it names the statement, variable and index), but it is
/// built only on the error path, so it is returned unboxed.
#[allow(clippy::result_large_err)]
pub trait Model: Sync {
    /// The latent variables in order, lengths evaluated from the data.
    fn latents(&self) -> Result<Vec<Latent>, ModelError>;

    /// Every use of every latent, for guide choice.
    fn uses(&self) -> Vec<LatentUse>;

    /// log p(data, z), normalising constants included. `z` holds the latents
    /// concatenated in the order of [`Model::latents`], each on its own (constrained) scale.
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>;

    /// The log joint with each plate's terms summed by `plates` (the engine passes its
    /// reducer: threads, or a minibatch). The default, for a model without plates, is
    /// [`Model::log_joint`]; `model!` implements both, `log_joint` as
    /// `log_joint_in(z, &InOrder)` ([`crate::plate::InOrder`]).
    fn log_joint_in<S: Scalar>(&self, z: &[S], plates: &dyn Plates<S>) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        let _ = plates;
        self.log_joint(z)
    }

    /// The log joint's terms that read at least one latent `k` with `reach[k]` (latents in
    /// the order of [`Model::latents`]): a term that reads none of them may be left out, so
    /// the gradient in the reached latents is the log joint's but the value is not. The
    /// engine takes a block's gradients this way. The default: every term.
    fn log_joint_reaching<S: Scalar>(
        &self,
        z: &[S],
        plates: &dyn Plates<S>,
        reach: &[bool],
    ) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        let _ = reach;
        self.log_joint_in(z, plates)
    }

    /// The model's plates (`for i in plate(a..b)`), in source order. The default: none.
    fn plates(&self) -> Vec<PlateInfo> {
        Vec::new()
    }

    /// Total number of scalars in `z`.
    fn dim(&self) -> Result<usize, ModelError> {
        Ok(self.latents()?.iter().map(|l| l.shape.len()).sum())
    }

    /// The names of the derived quantities (`track NAME = EXPR;` in `model!`), in statement
    /// order. The default: none. A fit draws its posterior sample when it is first read,
    /// unless the model has derived quantities to evaluate at every draw.
    fn tracked_names(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// The derived quantities at `z` (`track NAME = EXPR;` in `model!`), in statement
    /// order, each with its components (one for a scalar). A `track` after a statement
    /// that makes the log joint −∞ at `z` is not reached and not listed. The default: none.
    fn tracked(&self, z: &[f64]) -> Result<Vec<(&'static str, Vec<f64>)>, ModelError> {
        let _ = z;
        Ok(Vec::new())
    }
}

/// A value a derived quantity can have (`track NAME = EXPR;`): a scalar, or a slice, `Vec`
/// or array of them (nested ones flattened in order).
pub trait Tracked {
    /// The components, in order.
    fn components(&self) -> Vec<f64>;
}

impl<S: Scalar> Tracked for S {
    fn components(&self) -> Vec<f64> {
        vec![self.value()]
    }
}

impl<T: Tracked> Tracked for [T] {
    fn components(&self) -> Vec<f64> {
        self.iter().flat_map(Tracked::components).collect()
    }
}

impl<T: Tracked> Tracked for Vec<T> {
    fn components(&self) -> Vec<f64> {
        self.as_slice().components()
    }
}

impl<T: Tracked, const N: usize> Tracked for [T; N] {
    fn components(&self) -> Vec<f64> {
        self.as_slice().components()
    }
}
