//! Support for the code `model!` generates; not part of the public API.
//!
//! The generated `log_joint` has no `where f64: F64Ops<S>` bound. With that bound rustc
//! reads `f64 op x` as `f64 op S` whenever the type of `x` is still being inferred (a
//! where-clause wins over the impls), so arithmetic on data alone, such as `s * 2.0`, did
//! not compile. Without it, `f64 op S` has no impl, so the macro writes data on the left of
//! a generic scalar as a call to one of these functions: `2.0 * mu` becomes
//! `mul(2.0, mu)` (docs/language.md, "Expressions"). Operands are evaluated in the
//! written order.

use std::any::Any;
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, PoisonError, RwLock};

use nalgebra::{Dim, MatrixView, U1};
use ngvi_core::Scalar;

/// a + s
pub fn add<S: Scalar>(a: f64, s: S) -> S {
    s + a
}

/// a − s
pub fn sub<S: Scalar>(a: f64, s: S) -> S {
    -s + a
}

/// a · s
pub fn mul<S: Scalar>(a: f64, s: S) -> S {
    s * a
}

/// a / s, through the chain rule at v = s: a/v, −a/v², 2a/v³.
pub fn div<S: Scalar>(a: f64, s: S) -> S {
    let v = s.value();
    s.chain(a / v, -a / (v * v), 2.0 * a / (v * v * v))
}

/// a < s
pub fn lt<S: Scalar>(a: f64, s: S) -> bool {
    s > a
}

/// a ≤ s
pub fn le<S: Scalar>(a: f64, s: S) -> bool {
    s >= a
}

/// a > s
pub fn gt<S: Scalar>(a: f64, s: S) -> bool {
    s < a
}

/// a ≥ s
pub fn ge<S: Scalar>(a: f64, s: S) -> bool {
    s <= a
}

/// a = s
pub fn eq<S: Scalar>(a: f64, s: S) -> bool {
    s == a
}

/// a ≠ s
pub fn ne<S: Scalar>(a: f64, s: S) -> bool {
    s != a
}

/// The data elements of a container that later receives generic scalars
/// (`let mut nu = vec![0.0; n];` then `nu[t] = mu + …`), as generic scalars.
pub fn scalars<S: Scalar, I>(data: I) -> Vec<S>
where
    I: IntoIterator,
    I::Item: ngvi_core::dist::Observation,
{
    data.into_iter()
        .map(|x| S::constant(ngvi_core::dist::Observation::to_f64(&x)))
        .collect()
}

/// Whether a statement that reads the latents `reads` (by index) is evaluated: always
/// without a reach, else when one of them is reached (`Model::log_joint_reaching`).
pub fn reaches(reach: Option<&[bool]>, reads: &[usize]) -> bool {
    reach.is_none_or(|r| reads.iter().any(|&k| r.get(k).copied().unwrap_or(true)))
}

/// A datum read by a parameter that failed, to be blamed if it is not finite (`model!`'s
/// error path, `ngvi-macros/src/expand/blame.rs`): `(&&Blame(x)).non_finite()` is
/// `Some((None, v))` for a non-finite `f64` or `f32` v, `Some((Some(j), v))` for a row of
/// them (`x.row(i)`, a `Vec<f64>`: anything whose reference iterates over them) whose
/// element j is the first non-finite one, and `None` for finite data or any other type (by
/// the method resolution of [`NonFiniteNumber`] and [`NonFiniteElement`] before
/// [`NotANumber`]).
pub struct Blame<'a, T>(pub &'a T);

/// The numbers a datum may be.
pub trait Number: Copy {
    /// The number as an `f64`.
    fn as_f64(self) -> f64;
}

impl Number for f64 {
    fn as_f64(self) -> f64 {
        self
    }
}

impl Number for f32 {
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}

/// The check of a number read by a failed parameter.
pub trait NonFiniteNumber {
    /// `(None, value)` when the number is not finite.
    fn non_finite(&self) -> Option<(Option<usize>, f64)>;
}

impl<E: Number> NonFiniteNumber for &Blame<'_, E> {
    fn non_finite(&self) -> Option<(Option<usize>, f64)> {
        let v = self.0.as_f64();
        (!v.is_finite()).then_some((None, v))
    }
}

/// The check of a row of numbers read by a failed parameter.
pub trait NonFiniteElement {
    /// The position and value of the first element that is not finite.
    fn non_finite(&self) -> Option<(Option<usize>, f64)>;
}

impl<T, E: Number> NonFiniteElement for &Blame<'_, T>
where
    for<'b> &'b T: IntoIterator<Item = &'b E>,
{
    fn non_finite(&self) -> Option<(Option<usize>, f64)> {
        self.0
            .into_iter()
            .map(|e| e.as_f64())
            .enumerate()
            .find(|(_, v)| !v.is_finite())
            .map(|(j, v)| (Some(j), v))
    }
}

/// Any other type read by a failed parameter: never blamed.
pub trait NotANumber {
    /// `None`.
    fn non_finite(&self) -> Option<(Option<usize>, f64)> {
        None
    }
}

impl<T> NotANumber for &&Blame<'_, T> {}

/// The sufficient statistics of a model's loops that read the same data at every
/// evaluation (a top-level `for`, or a plate's chunk of consecutive indices, whose
/// statements are all batched observes; docs/design.md §8), by batched observe and part
/// (0 for a `for`, the chunk's first index for a plate): summed on the model's first
/// evaluation that completes the loop, then read in place of the data. The data a model
/// borrows cannot change while it lives, and the statistics depend on the data alone.
#[derive(Default)]
pub struct Statistics(RwLock<HashMap<(usize, usize), Arc<dyn Any + Send + Sync>>>);

impl Statistics {
    /// The statistics of batched observe `id` over part `part`, once known.
    pub fn get<T: Clone + 'static>(&self, id: usize, part: usize) -> Option<T> {
        let kept = self.0.read().unwrap_or_else(PoisonError::into_inner);
        kept.get(&(id, part))?.downcast_ref::<T>().cloned()
    }

    /// Keep `sums` as the statistics of batched observe `id` over part `part`.
    pub fn keep<T: Clone + Send + Sync + 'static>(&self, id: usize, part: usize, sums: &T) {
        let mut kept = self.0.write().unwrap_or_else(PoisonError::into_inner);
        kept.insert((id, part), Arc::new(sums.clone()));
    }
}

/// `x.row(i)` in a model body: nalgebra's row view, with an `iter()` that steps through the
/// row by its column stride. nalgebra's general matrix iterator re-derives its position at
/// every element of a row of a column-major matrix; on a logistic regression of 2000 rows
/// and 20 predictors it made a value pass take 98 µs against 57 µs over slices. Everything
/// else is the view's, through `Deref`.
pub struct Row<'a, T, C: Dim, RStride: Dim, CStride: Dim>(
    pub MatrixView<'a, T, U1, C, RStride, CStride>,
);

impl<'a, T, C: Dim, RStride: Dim, CStride: Dim> Deref for Row<'a, T, C, RStride, CStride> {
    type Target = MatrixView<'a, T, U1, C, RStride, CStride>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a, T, C: Dim, RStride: Dim, CStride: Dim> Row<'a, T, C, RStride, CStride> {
    /// The row's elements, in order.
    pub fn iter(&self) -> RowIter<'_, 'a, T, C, RStride, CStride> {
        RowIter {
            row: &self.0,
            next: 0,
        }
    }
}

/// The elements of a [`Row`], in order.
pub struct RowIter<'r, 'a, T, C: Dim, RStride: Dim, CStride: Dim> {
    row: &'r MatrixView<'a, T, U1, C, RStride, CStride>,
    next: usize,
}

impl<'r, T, C: Dim, RStride: Dim, CStride: Dim> Iterator
    for RowIter<'r, '_, T, C, RStride, CStride>
{
    type Item = &'r T;
    fn next(&mut self) -> Option<&'r T> {
        let j = self.next;
        let item = self.row.get((0, j))?;
        self.next = j + 1;
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.row.ncols() - self.next;
        (left, Some(left))
    }
}

impl<T, C: Dim, RStride: Dim, CStride: Dim> ExactSizeIterator
    for RowIter<'_, '_, T, C, RStride, CStride>
{
}

impl<'r, 'a, T, C: Dim, RStride: Dim, CStride: Dim> IntoIterator
    for &'r Row<'a, T, C, RStride, CStride>
{
    type Item = &'r T;
    type IntoIter = RowIter<'r, 'a, T, C, RStride, CStride>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ngvi_core::{hessian, Dual2};

    type Op = fn(f64, Dual2) -> Dual2;

    /// Each function equals the operator with `f64` on the left, in value, gradient and
    /// Hessian.
    #[test]
    fn equal_the_operators() {
        let x = [0.7, 1.3];
        let cases: [(Op, Op); 4] = [
            (add, |a, s| a + s),
            (sub, |a, s| a - s),
            (mul, |a, s| a * s),
            (div, |a, s| a / s),
        ];
        for (f, op) in cases {
            let (v1, g1, h1) = hessian(|z: &[Dual2]| f(2.5, z[0].clone() * z[1].clone()), &x);
            let (v2, g2, h2) = hessian(|z: &[Dual2]| op(2.5, z[0].clone() * z[1].clone()), &x);
            assert!((v1 - v2).abs() < 1e-14);
            for (a, b) in g1.iter().zip(&g2).chain(h1.iter().zip(h2.iter())) {
                assert!((a - b).abs() < 1e-12, "{g1:?} {g2:?} {h1} {h2}");
            }
        }
        for (a, s) in [(1.0, 2.0), (2.0, 1.0), (1.0, 1.0)] {
            assert_eq!(lt(a, s), a < s);
            assert_eq!(le(a, s), a <= s);
            assert_eq!(gt(a, s), a > s);
            assert_eq!(ge(a, s), a >= s);
            assert_eq!(eq(a, s), a == s);
            assert_eq!(ne(a, s), a != s);
        }
    }
}
