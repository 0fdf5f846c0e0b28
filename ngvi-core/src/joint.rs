//! The log joint on the guides' coordinates: f̃(u) = log p(x, g(u)) + ln |det g′(u)|, its
//! value and its derivatives in one block of coordinates (the one place that seeds `Dual2`s).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use nalgebra::DMatrix;

use crate::ad::{Dual, Dual2, DualDiag, F64Ops, Scalar};
use crate::error::Error;
use crate::model::Model;
use crate::plate::{AtDraws, Expectations, Linear, Plates, Reducer, Remainders};
use crate::transform::Piece;

/// Value, gradient and Hessian of a function in some of its coordinates.
pub(crate) type Derivatives = (f64, Vec<f64>, DMatrix<f64>);

/// Evaluations of the log joint so far, by what they computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) values: u64,
    pub(crate) gradients: u64,
    pub(crate) hessians: u64,
    pub(crate) diagonals: u64,
}

/// The kinds of evaluation [`Counters`] counts, by index.
const VALUE: usize = 0;
const GRADIENT: usize = 1;
const HESSIAN: usize = 2;
const DIAGONAL: usize = 3;

/// [`Counts`] kept by evaluations on any thread.
#[derive(Debug, Default)]
pub(crate) struct Counters([AtomicU64; 4]);

impl Counters {
    pub(crate) fn get(&self) -> Counts {
        let [v, g, h, d] = self.0.each_ref().map(|c| c.load(Ordering::Relaxed));
        Counts {
            values: v,
            gradients: g,
            hessians: h,
            diagonals: d,
        }
    }

    fn add(&self, kind: usize) {
        self.0[kind].fetch_add(1, Ordering::Relaxed);
    }
}

/// The transformed log joint of a model.
pub(crate) struct Joint<'m, M: Model> {
    pub(crate) model: &'m M,
    /// The pieces, covering the unconstrained and the latent coordinates in order.
    pub(crate) pieces: Vec<Piece>,
    /// Evaluations so far.
    pub(crate) counts: Counters,
    /// How the model's plates are summed (every term, or a minibatch).
    pub(crate) reducer: Reducer,
}

impl<'m, M: Model> Joint<'m, M> {
    /// Length of u.
    pub(crate) fn dim(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.u.end)
    }

    /// Length of z.
    pub(crate) fn latent_dim(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.z.end)
    }

    /// z = g(u) and ln |det g′(u)|, piece by piece.
    fn to_latent<S: Scalar>(&self, u: &[S]) -> (Vec<S>, S) {
        crate::transform::to_latent(&self.pieces, u)
    }

    /// The latent vector z = g(u), on the latents' own scales.
    pub(crate) fn latent(&self, u: &[f64]) -> Vec<f64> {
        self.to_latent(u).0
    }

    /// f̃(u) = log p(x, g(u)) + ln |det g′(u)|   (4.2)
    pub(crate) fn value(&self, u: Vec<f64>) -> Result<f64, Error> {
        self.count(VALUE);
        self.transformed(u)
    }

    /// f̃ at u with its gradient in every coordinate (first-order duals).
    pub(crate) fn gradient(&self, u: &[f64]) -> Result<(f64, Vec<f64>), Error> {
        let coords: Vec<usize> = (0..u.len()).collect();
        self.block_gradient(&coords, u)
    }

    /// f̃ at u with its gradient in the coordinates `coords` (first-order duals; the others
    /// held constant).
    pub(crate) fn block_gradient(
        &self,
        coords: &[usize],
        u: &[f64],
    ) -> Result<(f64, Vec<f64>), Error> {
        self.reaching_gradient(coords, u, None)
    }

    /// The gradient of f̃ in the coordinates `coords` from the terms that read a latent
    /// with `reach[k]` (those of the block `coords` belong to): the others do not move
    /// with them. The value is of those terms alone.
    pub(crate) fn reaching_gradient(
        &self,
        coords: &[usize],
        u: &[f64],
        reach: Option<&[bool]>,
    ) -> Result<(f64, Vec<f64>), Error> {
        self.count(GRADIENT);
        self.gradient_with(coords, u, reach, &self.reducer)
    }

    /// f̃ at u with its gradient and Hessian in `coords`, each observe read through one
    /// parameter taken by its expectation under `q`, a Gaussian of those coordinates
    /// centred at u (4.5e); the other terms at u.
    pub(crate) fn expected_derivatives(
        &self,
        coords: &[usize],
        u: &[f64],
        q: &Arc<Expectations>,
    ) -> Result<Derivatives, Error> {
        self.count(HESSIAN);
        let reducer = self.expecting(q);
        block_derivatives(u, coords, |uu| self.transformed_with(uu, None, &reducer))
    }

    /// The value of [`Joint::expected_derivatives`], from first-order duals.
    pub(crate) fn expected_value(
        &self,
        coords: &[usize],
        u: &[f64],
        q: &Arc<Expectations>,
    ) -> Result<f64, Error> {
        self.count(GRADIENT);
        Ok(self.gradient_with(coords, u, None, &self.expecting(q))?.0)
    }

    /// The reducer that takes each observe read through one parameter by its expectation
    /// under `q` (4.5e).
    fn expecting(&self, q: &Arc<Expectations>) -> Reducer {
        self.reducer.with_linear(Linear::Expected(Arc::clone(q)))
    }

    /// The log joint without the observes read through one parameter ("the rest").
    pub(crate) fn rest(&self) -> Joint<'m, M> {
        Joint {
            model: self.model,
            pieces: self.pieces.clone(),
            counts: Counters::default(),
            reducer: self.reducer.with_linear(Linear::Left),
        }
    }

    /// For each of `draws` points u + Δₛ (Δₛ in `coords`, laid out by coordinate:
    /// [`AtDraws`]), the sum of the remainders of the observes read through one parameter
    /// after their second-order expansions at u, each datum read once (4.12c); plates of
    /// 20 000 terms or more subsampled with `subsample`'s seed when given. Counted as
    /// `draws` values.
    pub(crate) fn remainders(
        &self,
        coords: &[usize],
        u: &[f64],
        deviations: &[f64],
        draws: usize,
        subsample: Option<u64>,
    ) -> Result<Remainders, Error> {
        self.counts.0[VALUE].fetch_add(draws as u64, Ordering::Relaxed);
        let plates = AtDraws::new(deviations, draws, subsample);
        self.gradient_with(coords, u, None, &plates)?;
        Ok(plates.into_remainders())
    }

    fn gradient_with(
        &self,
        coords: &[usize],
        u: &[f64],
        reach: Option<&[bool]>,
        plates: &dyn Plates<Dual>,
    ) -> Result<(f64, Vec<f64>), Error> {
        let n = coords.len();
        let mut x: Vec<Dual> = u.iter().map(|&v| Dual::constant(v)).collect();
        for (i, &g) in coords.iter().enumerate() {
            x[g] = Dual::variable(u[g], i, n);
        }
        let y = self.transformed_with(x, reach, plates)?;
        let mut g = y.gradient();
        g.resize(n, 0.0);
        Ok((y.value(), g))
    }

    fn count(&self, kind: usize) {
        self.counts.add(kind);
    }

    /// (4.2) for any scalar.
    fn transformed<S: Scalar>(&self, u: Vec<S>) -> Result<S, Error>
    where
        f64: F64Ops<S>,
    {
        self.transformed_with(u, None, &self.reducer)
    }

    /// (4.2) with the plates summed by `plates`, and only the terms that read a latent
    /// with `reach[k]` when given (`Model::log_joint_reaching`).
    fn transformed_with<S: Scalar>(
        &self,
        u: Vec<S>,
        reach: Option<&[bool]>,
        plates: &dyn Plates<S>,
    ) -> Result<S, Error>
    where
        f64: F64Ops<S>,
    {
        let (z, jac) = self.to_latent(&u);
        let f = match reach {
            Some(r) => self.model.log_joint_reaching(&z, plates, r)?,
            None => self.model.log_joint_in(&z, plates)?,
        };
        Ok(f + jac)
    }

    /// f̃ at u with its gradient and the diagonal of its Hessian in the coordinates `coords`
    /// (the others held constant), at about twice a gradient's cost whatever the Hessian's
    /// sparsity.
    pub(crate) fn diagonal_derivatives(
        &self,
        coords: &[usize],
        u: &[f64],
    ) -> Result<(f64, Vec<f64>, Vec<f64>), Error> {
        self.count(DIAGONAL);
        let n = coords.len();
        let mut x: Vec<DualDiag> = u.iter().map(|&v| DualDiag::constant(v)).collect();
        for (i, &g) in coords.iter().enumerate() {
            x[g] = DualDiag::variable(u[g], i, n);
        }
        let y = self.transformed(x)?;
        let (mut g, mut d) = (y.gradient(), y.diagonal());
        g.resize(n, 0.0);
        d.resize(n, 0.0);
        Ok((y.value(), g, d))
    }

    /// f̃ at u with its gradient and Hessian in the coordinates `coords`.
    pub(crate) fn derivatives(&self, coords: &[usize], u: &[f64]) -> Result<Derivatives, Error> {
        self.count(HESSIAN);
        block_derivatives(u, coords, |uu| self.transformed(uu))
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
