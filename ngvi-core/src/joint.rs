//! The log joint on the guides' coordinates: f̃(u) = log p(x, g(u)) + Σ ln |g′(u)|, its value
//! and its derivatives in one block of coordinates (the one place that seeds `Dual2`s).

use nalgebra::DMatrix;

use crate::ad::{Dual2, F64Ops, Scalar};
use crate::error::Error;
use crate::model::Model;
use crate::transform::Transform;

/// Value, gradient and Hessian of a function in some of its coordinates.
pub(crate) type Derivatives = (f64, Vec<f64>, DMatrix<f64>);

/// The transformed log joint of a model.
pub(crate) struct Joint<'m, M: Model> {
    pub(crate) model: &'m M,
    pub(crate) transforms: Vec<Transform>,
}

impl<M: Model> Joint<'_, M> {
    /// Length of u.
    pub(crate) fn dim(&self) -> usize {
        self.transforms.len()
    }

    /// f̃(u) = log p(x, g(u)) + Σ ln |g′(u)|
    pub(crate) fn value<S: Scalar>(&self, u: Vec<S>) -> Result<S, Error>
    where
        f64: F64Ops<S>,
    {
        let mut jac = S::constant(0.0);
        let mut z = Vec::with_capacity(u.len());
        for (ui, t) in u.into_iter().zip(&self.transforms) {
            let (zi, lj) = t.forward(ui);
            z.push(zi);
            jac += lj;
        }
        Ok(self.model.log_joint(&z)? + jac)
    }

    /// f̃ at u with its gradient and Hessian in the coordinates `coords`.
    pub(crate) fn derivatives(&self, coords: &[usize], u: &[f64]) -> Result<Derivatives, Error> {
        block_derivatives(u, coords, |uu| self.value(uu))
    }
}

/// f at `point`, with its gradient and Hessian in the coordinates `coords` (the others held
/// constant): each of those coordinates seeded as a `Dual2` variable.
pub(crate) fn block_derivatives<F>(
    point: &[f64],
    coords: &[usize],
    f: F,
) -> Result<Derivatives, Error>
where
    F: FnOnce(Vec<Dual2>) -> Result<Dual2, Error>,
{
    let n = coords.len();
    let mut x: Vec<Dual2> = point.iter().map(|&v| Dual2::constant(v)).collect();
    for (i, &g) in coords.iter().enumerate() {
        x[g] = Dual2::variable(point[g], i, n);
    }
    let y = f(x)?;
    let mut grad = y.gradient();
    grad.resize(n, 0.0);
    let h = y.hessian();
    // A function constant in the block has an empty Hessian.
    let hess = if h.shape() == (n, n) {
        h
    } else {
        DMatrix::zeros(n, n)
    };
    Ok((y.value(), grad, hess))
}
