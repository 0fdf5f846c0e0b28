//! Plates: the `for i in plate(a..b) { … }` loops of a model, whose iterations are
//! conditionally independent given the latents, so that their log-density terms can be
//! summed in any grouping (docs/design.md §8).
//!
//! A model's log joint hands each plate's terms to a [`Plates`] implementation, the
//! reduction seam: [`InOrder`] sums them on the calling thread, the engine's reducer (in
//! `reduce`) over threads or over a minibatch. Every implementation here sums the same
//! fixed chunks of [`CHUNK`] terms and then the chunk sums in order, so that a fit gives
//! the same bits whatever the number of threads.

// A `ModelError` names the statement, variable and index; it is built only on the error
// path, so it is returned unboxed, as `Model` does.
#![allow(clippy::result_large_err)]

#[cfg(feature = "mpi")]
mod across;
mod draws;
mod linear;
mod reduce;

#[cfg(feature = "mpi")]
pub(crate) use across::Ranks;

pub(crate) use draws::{AtDraws, Remainders, SUBSAMPLE_TERMS};
pub(crate) use linear::Expectations;
pub(crate) use reduce::{Linear, Reducer, Subsample, Threads};

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ad::{Jet, Scalar};
use crate::error::ModelError;
use crate::model::Model;

/// Terms per chunk: the unit of parallel work and of the fixed summation order.
pub const CHUNK: usize = 512;

/// The sum of a plate's log-density terms over some of its indices (a chunk, in order).
/// `model!` writes it as a loop over the indices, so that what does not change from one
/// iteration to the next is computed once per chunk.
pub type Term<'a, S> = dyn Fn(Chunk<'_>) -> Result<S, ModelError> + Sync + 'a;

/// The indices of a plate that one call of a [`Term`] sums, ascending: a run of
/// consecutive indices (a chunk of every term, read without an index vector), or those a
/// minibatch picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk<'a> {
    Run(Range<usize>),
    Picked(&'a [usize]),
}

impl<'a> IntoIterator for Chunk<'a> {
    type Item = usize;
    type IntoIter = ChunkIter<'a>;
    fn into_iter(self) -> ChunkIter<'a> {
        match self {
            Chunk::Run(r) => ChunkIter::Run(r),
            Chunk::Picked(p) => ChunkIter::Picked(p.iter()),
        }
    }
}

/// The indices of a [`Chunk`], in order.
#[derive(Debug, Clone)]
pub enum ChunkIter<'a> {
    Run(Range<usize>),
    Picked(std::slice::Iter<'a, usize>),
}

impl Iterator for ChunkIter<'_> {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            ChunkIter::Run(r) => r.next(),
            ChunkIter::Picked(p) => p.next().copied(),
        }
    }
}

/// A plate as the model declares it (`Model::plates`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlateInfo {
    /// Its number among the model's plates, in source order (the `plate` argument of
    /// [`Plates::sum`]).
    pub id: usize,
    /// Source text of the `for` header.
    pub statement: &'static str,
    /// Line of the `for`.
    pub line: u32,
    /// Latents indexed inside the plate by its index (local to an iteration, as a group's
    /// effect is); a plate with local latents cannot be subsampled.
    pub local_latents: Vec<&'static str>,
}

/// The log density of a datum as a function of the one parameter of its distribution that
/// reads a latent (η). `model!` writes both forms from the same expression.
#[derive(Clone, Copy)]
pub struct Density<'a> {
    /// At one value of η, with its first two derivatives in η.
    pub jet: &'a (dyn Fn(Jet) -> Result<Jet, ModelError> + 'a),
    /// At many values of η at once, each replaced by the log density there (no
    /// derivatives): one call per datum for many draws (docs/design.md (4.12c)).
    pub values: &'a (dyn Fn(&mut [f64]) -> Result<(), ModelError> + 'a),
}

/// How a model's plates are summed: the reduction seam between the model and the engine.
pub trait Plates<S>: Sync {
    /// Σ_{i ∈ range} (term i) for plate number `plate`, by calls of `term` on chunks of the
    /// range, or the first error of a term.
    fn sum(&self, plate: usize, range: Range<usize>, term: &Term<'_, S>) -> Result<S, ModelError>;

    /// The log density of an `observe` whose distribution reads the latents through one
    /// parameter only, `eta`, as `density` gives it along that parameter: f(eta) by the
    /// chain rule. The engine's reducer may instead give its expectation when the latents
    /// are Gaussian and `eta` is affine in them (docs/design.md §4, (4.5e)).
    fn linear(&self, eta: S, density: Density<'_>) -> Result<S, ModelError>
    where
        S: Scalar,
    {
        at_point(eta, density)
    }
}

/// f(eta) from the density along eta at eta's value (the chain rule); a value alone needs
/// no derivatives, so it comes from the density's `f64` form.
pub(crate) fn at_point<S: Scalar>(eta: S, density: Density<'_>) -> Result<S, ModelError> {
    if S::ORDER == 0 {
        let mut f = [eta.value()];
        (density.values)(&mut f)?;
        return Ok(eta.chain_owned(f[0], 0.0, 0.0));
    }
    let (f0, f1, f2) = (density.jet)(Jet::variable(eta.value()))?.parts();
    Ok(eta.chain_owned(f0, f1, f2))
}

/// Every term, on the calling thread, in fixed chunks.
#[derive(Debug, Clone, Copy, Default)]
pub struct InOrder;

impl<S: Scalar> Plates<S> for InOrder {
    fn sum(&self, _plate: usize, range: Range<usize>, term: &Term<'_, S>) -> Result<S, ModelError> {
        let sums: Result<Vec<S>, ModelError> = chunks(range)
            .into_iter()
            .map(|c| term(Chunk::Run(c)))
            .collect();
        Ok(sum_in_order(sums?))
    }
}

/// The range cut into consecutive chunks of `CHUNK` terms (the last may be shorter).
pub(crate) fn chunks(range: Range<usize>) -> Vec<Range<usize>> {
    let (start, end) = (range.start, range.end.max(range.start));
    (start..end)
        .step_by(CHUNK)
        .map(|a| a..(a + CHUNK).min(end))
        .collect()
}

/// The chunk sums added in order.
pub(crate) fn sum_in_order<S: Scalar>(sums: Vec<S>) -> S {
    sums.into_iter().fold(S::constant(0.0), |acc, s| acc + s)
}

/// The size of the model's largest plate at `z` (its ranges come from the data), read
/// without evaluating a term.
pub(crate) fn largest_plate<M: Model>(model: &M, z: &[f64]) -> Result<usize, ModelError> {
    let sizes = Sizes(AtomicUsize::new(0));
    model.log_joint_in(z, &sizes)?;
    Ok(sizes.0.load(Ordering::Relaxed))
}

/// Records the largest range it is given; sums nothing.
struct Sizes(AtomicUsize);

impl Plates<f64> for Sizes {
    fn sum(
        &self,
        _plate: usize,
        range: Range<usize>,
        _term: &Term<'_, f64>,
    ) -> Result<f64, ModelError> {
        self.0.fetch_max(range.len(), Ordering::Relaxed);
        Ok(0.0)
    }
}
