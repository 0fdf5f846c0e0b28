//! Scalars and forward-mode automatic differentiation.
//!
//! [`Scalar`] is the one numeric trait a model's log joint is generic over. Four types
//! implement it: `f64` (the value), [`Dual`] (value and gradient), [`DualDiag`] (value,
//! gradient and the Hessian's diagonal) and [`Dual2`] (value, gradient and Hessian). The derivative parts are sparse-aware: a seed variable carries a
//! single non-zero tangent, an expression in k of n variables a sorted list of k entries
//! (while k ≤ n/16), and a linear expression carries no Hessian, so a linear predictor
//! `x · w` costs O(D) per row for the gradient, a datum touching k latents O(k), and
//! nothing is added to the Hessian until a non-linear function is applied (see
//! `BENCHMARKS.md` for the measurements).
//!
//! Every elementary function is defined once through [`Scalar::chain`], which receives the
//! value and the first two derivatives of the function at the argument (the chain rule:
//! ∇f(u) = f′(u)∇u, ∇²f(u) = f′(u)∇²u + f″(u)∇u∇uᵀ).
//!
//! This module holds the [`Scalar`] trait and its `f64` implementation; the dual types are
//! in their own files (`dual.rs`, `dual_diag.rs`, `dual2.rs`) over the shared sparse tangent (`tangent.rs`),
//! with the operator boilerplate they share in `ops.rs` and the free functions over any
//! scalar in `functions.rs`.

mod dual;
mod dual2;
mod dual_diag;
mod functions;
mod jet;
mod ops;
#[cfg(feature = "mpi")]
mod parts;
mod tangent;

use std::fmt::Debug;

use nalgebra::DMatrix;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::special;

pub use dual::{gradient, Dual};
pub use dual2::{hessian, Dual2};
pub use dual_diag::{hessian_diagonal, DualDiag};
pub use functions::{dot, ln_beta, log_sum_exp, sigmoid, softplus};
pub use jet::Jet;
#[cfg(feature = "mpi")]
#[doc(hidden)]
pub use parts::{Parts, SecondKind};

/// Arithmetic with an `f64` on the left-hand side (`2.0 * x`, `1.0 - p`, `0.0 < x`).
///
/// Rust does not carry a bound on `f64` from a trait to its users, so generic code that
/// writes `2.0 * x` states `where f64: F64Ops<S>`. Under that bound rustc reads every
/// `f64 * f64` as `f64 * S`, so the code `model!` generates does without it (it writes
/// `2.0 * x` as a call; see `docs/language.md`).
pub trait F64Ops<S>:
    Add<S, Output = S>
    + Sub<S, Output = S>
    + Mul<S, Output = S>
    + Div<S, Output = S>
    + PartialEq<S>
    + PartialOrd<S>
{
}

impl<S> F64Ops<S> for f64 where
    f64: Add<S, Output = S>
        + Sub<S, Output = S>
        + Mul<S, Output = S>
        + Div<S, Output = S>
        + PartialEq<S>
        + PartialOrd<S>
{
}

/// A real scalar that a log density can be evaluated with: `f64`, [`Dual`], [`DualDiag`] or
/// [`Dual2`].
///
/// Comparisons look at the value only.
pub trait Scalar:
    Clone
    + Debug
    + From<f64>
    + PartialEq
    + PartialOrd
    + PartialEq<f64>
    + PartialOrd<f64>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + AddAssign<f64>
    + SubAssign<f64>
    + MulAssign<f64>
    + DivAssign<f64>
    + Send
    + Sync
    + 'static
{
    /// Highest derivative order carried (0 for `f64`, 1 for [`Dual`], 2 for [`DualDiag`] and
    /// [`Dual2`]).
    const ORDER: u8;

    /// A constant (all derivatives zero).
    fn constant(x: f64) -> Self {
        Self::from(x)
    }

    /// The value part.
    fn value(&self) -> f64;

    /// f(u) from f(v), f′(v), f″(v) at v = `self.value()` (the chain rule).
    fn chain(&self, f0: f64, f1: f64, f2: f64) -> Self;

    /// [`Scalar::chain`] of a value not needed afterwards, its derivatives' storage reused
    /// (`u * 2.0`, a density's value at a predictor).
    fn chain_owned(self, f0: f64, f1: f64, f2: f64) -> Self {
        self.chain(f0, f1, f2)
    }

    /// The variance bᵀΣb of this scalar as an affine function a + bᵀu of the variables u
    /// it is taken in, when u has covariance `cov`; `None` when its second derivatives show
    /// it is not affine. `f64` is a constant (0); [`Dual`] carries no second derivatives and
    /// takes itself as affine.
    fn spread(&self, cov: &DMatrix<f64>) -> Option<f64>;

    /// The value and derivatives, dense, to be summed across MPI ranks (feature `mpi`; not
    /// for models: the four scalar types and the one-variable `Jet` are the only
    /// implementations).
    #[cfg(feature = "mpi")]
    #[doc(hidden)]
    fn to_parts(&self) -> Parts;

    /// The scalar with these parts (the inverse of [`Scalar::to_parts`]).
    #[cfg(feature = "mpi")]
    #[doc(hidden)]
    fn from_parts(parts: Parts) -> Self;

    /// Σᵢ cᵢ uᵢ, fused: one pass and one allocation for the derivative parts.
    fn weighted_sum<'a, I>(terms: I) -> Self
    where
        I: IntoIterator<Item = (f64, &'a Self)>,
    {
        terms
            .into_iter()
            .fold(Self::constant(0.0), |acc, (c, u)| acc + u.clone() * c)
    }

    /// eˣ
    fn exp(&self) -> Self {
        let e = self.value().exp();
        self.chain(e, e, e)
    }
    /// ln x
    fn ln(&self) -> Self {
        let x = self.value();
        self.chain(x.ln(), 1.0 / x, -1.0 / (x * x))
    }
    /// ln(1 + x), accurate near 0.
    fn ln_1p(&self) -> Self {
        let x = self.value();
        let d = 1.0 / (1.0 + x);
        self.chain(x.ln_1p(), d, -d * d)
    }
    /// eˣ − 1, accurate near 0.
    fn exp_m1(&self) -> Self {
        let x = self.value();
        let e = x.exp();
        self.chain(x.exp_m1(), e, e)
    }
    /// √x
    fn sqrt(&self) -> Self {
        let s = self.value().sqrt();
        self.chain(s, 0.5 / s, -0.25 / (s * s * s))
    }
    /// 1 / x
    fn recip(&self) -> Self {
        let x = self.value();
        let r = 1.0 / x;
        self.chain(r, -r * r, 2.0 * r * r * r)
    }
    /// xⁿ
    fn powi(&self, n: i32) -> Self {
        let x = self.value();
        let nf = f64::from(n);
        // n = 0 and n = 1 written out: at x = 0, n·x^(n−1) would be 0·∞ = NaN.
        let f1 = if n == 0 { 0.0 } else { nf * x.powi(n - 1) };
        let f2 = if n == 0 || n == 1 {
            0.0
        } else {
            nf * (nf - 1.0) * x.powi(n - 2)
        };
        self.chain(x.powi(n), f1, f2)
    }
    /// xᵖ for a constant p.
    fn powf(&self, p: f64) -> Self {
        let x = self.value();
        // p = 0 and p = 1 written out, as for powi
        let f1 = if p == 0.0 { 0.0 } else { p * x.powf(p - 1.0) };
        let f2 = if p == 0.0 || p == 1.0 {
            0.0
        } else {
            p * (p - 1.0) * x.powf(p - 2.0)
        };
        self.chain(x.powf(p), f1, f2)
    }
    /// xʸ for a scalar exponent: the value of `powf`, the derivatives of exp(y ln x).
    fn pow(&self, y: &Self) -> Self {
        // derivatives from exp(y ln x); the value from powf, as for f64 (the identity chain
        // keeps the derivatives and replaces the value)
        let v = self.value().powf(y.value());
        (y.clone() * self.ln()).exp().chain(v, 1.0, 0.0)
    }
    /// |x| (derivative sign(x), taken as 0 at 0).
    fn abs(&self) -> Self {
        let x = self.value();
        let s = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(x.abs(), s, 0.0)
    }
    /// sin x
    fn sin(&self) -> Self {
        let (s, c) = self.value().sin_cos();
        self.chain(s, c, -s)
    }
    /// cos x
    fn cos(&self) -> Self {
        let (s, c) = self.value().sin_cos();
        self.chain(c, -s, -c)
    }
    /// tanh x
    fn tanh(&self) -> Self {
        let t = self.value().tanh();
        let d = 1.0 - t * t;
        self.chain(t, d, -2.0 * t * d)
    }
    /// Logistic sigmoid 1 / (1 + e⁻ˣ).
    fn sigmoid(&self) -> Self {
        let s = sigmoid_f64(self.value());
        let d = s * (1.0 - s);
        self.chain(s, d, d * (1.0 - 2.0 * s))
    }
    /// softplus ln(1 + eˣ), stable for large |x|.
    fn log1p_exp(&self) -> Self {
        let (f, s) = softplus_sigmoid(self.value());
        self.chain(f, s, s * (1.0 - s))
    }
    /// Alias of [`Scalar::log1p_exp`].
    fn softplus(&self) -> Self {
        self.log1p_exp()
    }
    /// ln σ(x) = −softplus(−x), stable for large |x|.
    fn ln_sigmoid(&self) -> Self {
        // ln σ(x) = −ln(1 + e⁻ˣ), d/dx = σ(−x) = 1 − σ(x)
        let (f, s) = softplus_sigmoid(-self.value());
        self.chain(-f, s, -s * (1.0 - s))
    }
    /// ln Γ(x)
    fn lgamma(&self) -> Self {
        let x = self.value();
        let f2 = if Self::ORDER >= 2 {
            special::trigamma(x)
        } else {
            0.0
        };
        self.chain(special::lgamma(x), special::digamma(x), f2)
    }
    /// ψ(x) = d ln Γ(x) / dx
    fn digamma(&self) -> Self {
        let x = self.value();
        let (f1, f2) = match Self::ORDER {
            0 => (0.0, 0.0),
            1 => (special::trigamma(x), 0.0),
            _ => (special::trigamma(x), special::tetragamma(x)),
        };
        self.chain(special::digamma(x), f1, f2)
    }
    /// The larger of two values (the derivative follows the larger).
    fn max(self, other: Self) -> Self {
        if other > self {
            other
        } else {
            self
        }
    }
    /// The smaller of two values (the derivative follows the smaller).
    fn min(self, other: Self) -> Self {
        if other < self {
            other
        } else {
            self
        }
    }
}

/// 1 / (1 + e⁻ˣ) on `f64`, without overflow for large |x|.
fn sigmoid_f64(x: f64) -> f64 {
    softplus_sigmoid(x).1
}

/// ln(1 + eˣ) on `f64`, without overflow for large x.
fn log1p_exp_f64(x: f64) -> f64 {
    softplus_sigmoid(x).0
}

/// (ln(1 + eˣ), 1 / (1 + e⁻ˣ)) from the one exponential t = e^(−|x|) ∈ (0, 1]:
/// ln(1 + eˣ) = max(x, 0) + ln(1 + t), σ(x) = 1/(1 + t) for x ≥ 0 and t/(1 + t) below.
#[inline]
fn softplus_sigmoid(x: f64) -> (f64, f64) {
    let t = (-x.abs()).exp();
    let s = if x >= 0.0 {
        1.0 / (1.0 + t)
    } else {
        t / (1.0 + t)
    };
    (x.max(0.0) + ln_1p_unit(t), s)
}

/// ln(1 + t) for t ∈ [0, 1] with one ln instead of libm's slower log1p: ln(u)·t/(u − 1)
/// for u = fl(1 + t) cancels the rounding of 1 + t (Higham 2002, §1.14.1), to a few ulps.
#[inline]
fn ln_1p_unit(t: f64) -> f64 {
    let u = 1.0 + t;
    if u == 1.0 {
        t
    } else {
        u.ln() * t / (u - 1.0)
    }
}

impl Scalar for f64 {
    const ORDER: u8 = 0;

    #[cfg(feature = "mpi")]
    fn to_parts(&self) -> Parts {
        Parts::constant(*self)
    }
    #[cfg(feature = "mpi")]
    fn from_parts(parts: Parts) -> Self {
        parts.value
    }

    fn value(&self) -> f64 {
        *self
    }
    fn spread(&self, _cov: &DMatrix<f64>) -> Option<f64> {
        Some(0.0)
    }
    fn chain(&self, f0: f64, _f1: f64, _f2: f64) -> Self {
        f0
    }
    fn weighted_sum<'a, I>(terms: I) -> Self
    where
        I: IntoIterator<Item = (f64, &'a Self)>,
    {
        terms.into_iter().map(|(c, u)| c * u).sum()
    }
    fn exp(&self) -> Self {
        f64::exp(*self)
    }
    fn ln(&self) -> Self {
        f64::ln(*self)
    }
    fn ln_1p(&self) -> Self {
        f64::ln_1p(*self)
    }
    fn exp_m1(&self) -> Self {
        f64::exp_m1(*self)
    }
    fn sqrt(&self) -> Self {
        f64::sqrt(*self)
    }
    fn recip(&self) -> Self {
        f64::recip(*self)
    }
    fn powi(&self, n: i32) -> Self {
        f64::powi(*self, n)
    }
    fn powf(&self, p: f64) -> Self {
        f64::powf(*self, p)
    }
    fn pow(&self, y: &Self) -> Self {
        f64::powf(*self, *y)
    }
    fn abs(&self) -> Self {
        f64::abs(*self)
    }
    fn sin(&self) -> Self {
        f64::sin(*self)
    }
    fn cos(&self) -> Self {
        f64::cos(*self)
    }
    fn tanh(&self) -> Self {
        f64::tanh(*self)
    }
    fn sigmoid(&self) -> Self {
        sigmoid_f64(*self)
    }
    fn log1p_exp(&self) -> Self {
        log1p_exp_f64(*self)
    }
    fn ln_sigmoid(&self) -> Self {
        -log1p_exp_f64(-*self)
    }
    fn lgamma(&self) -> Self {
        special::lgamma(*self)
    }
    fn digamma(&self) -> Self {
        special::digamma(*self)
    }
}

#[cfg(test)]
mod tests {
    use nalgebra::{DMatrix, DVector};

    use super::{ln_1p_unit, log1p_exp_f64, sigmoid_f64, Dual, Dual2, DualDiag, Scalar};

    /// The one-ln ln(1 + t) and the softplus built on it agree with libm's log1p to a few
    /// ulps, from t = 1e-300 (where 1 + t rounds to 1) to t = 1.
    #[test]
    fn softplus_by_one_ln_matches_log1p() {
        let mut worst: f64 = 0.0;
        let mut t = 1e-300_f64;
        while t <= 1.0 {
            worst = worst.max((ln_1p_unit(t) / t.ln_1p() - 1.0).abs());
            t *= 1.013;
        }
        assert!(worst <= 4.0 * f64::EPSILON, "ln(1 + t) off by {worst:e}");
        let mut x = -745.0_f64;
        while x < 40.0 {
            let exact = if x > 0.0 {
                x + (-x).exp().ln_1p()
            } else {
                x.exp().ln_1p()
            };
            let rel = (log1p_exp_f64(x) / exact - 1.0).abs();
            assert!(rel <= 4.0 * f64::EPSILON, "softplus({x}) off by {rel:e}");
            let s = if x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                x.exp() / (1.0 + x.exp())
            };
            assert!(
                (sigmoid_f64(x) / s - 1.0).abs() <= 4.0 * f64::EPSILON,
                "σ({x})"
            );
            x += 0.0731;
        }
        assert!(log1p_exp_f64(f64::NAN).is_nan() && sigmoid_f64(f64::NAN).is_nan());
        assert_eq!(log1p_exp_f64(f64::INFINITY), f64::INFINITY);
        assert_eq!(log1p_exp_f64(f64::NEG_INFINITY), 0.0);
    }

    /// u = x₀x₁ + x₀² + 3x₂ and the affine v = x₀ + 3x₂, of each dual type, at x.
    fn u_and_v<S: Scalar>(x: &[S]) -> (S, S) {
        let [x0, x1, x2] = [&x[0], &x[1], &x[2]].map(S::clone);
        let u = x0.clone() * x1 + x0.clone() * x0.clone() + x2.clone() * 3.0;
        (u, x0 + x2 * 3.0)
    }

    /// The chain rule on an owned dual, its storage reused, is the chain rule:
    /// ∇f = f′∇u, ∇²f = f′∇²u + f″∇u∇uᵀ, for f′ = −0.7, f″ = 2.5, on u with a Hessian off
    /// the diagonal and on the affine v, which has none until the chain rule gives it one.
    #[test]
    fn the_chain_rule_on_an_owned_dual_is_the_chain_rule() {
        let x = [0.3, -1.2, 2.0];
        let (f1, f2) = (-0.7, 2.5);
        // ∇u = (x₁ + 2x₀, x₀, 3), ∇²u = [[2, 1, 0], [1, 0, 0], [0, 0, 0]]; ∇v = (1, 0, 3)
        let (gu, gv) = (
            DVector::from_vec(vec![-0.6, 0.3, 3.0]),
            DVector::from_vec(vec![1.0, 0.0, 3.0]),
        );
        let hu = DMatrix::from_row_slice(3, 3, &[2.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let exact = |g: &DVector<f64>, h: &DMatrix<f64>| (g * f1, h * f1 + g * g.transpose() * f2);
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-12);

        let (u, v) = u_and_v(&Dual2::variables(&x));
        for (w, (g, h)) in [(u, exact(&gu, &hu)), (v, exact(&gv, &DMatrix::zeros(3, 3)))] {
            let (a, b) = (w.chain(1.5, f1, f2), w.chain_owned(1.5, f1, f2));
            assert_eq!((a.value(), a.gradient()), (b.value(), b.gradient()));
            assert_eq!(a.hessian(), b.hessian());
            assert!(
                close(b.gradient().as_slice(), g.as_slice()),
                "{:?}",
                b.gradient()
            );
            assert!(
                close(b.hessian().as_slice(), h.as_slice()),
                "{}",
                b.hessian()
            );
        }

        let (u, v) = u_and_v(&DualDiag::variables(&x));
        for (w, (g, h)) in [(u, exact(&gu, &hu)), (v, exact(&gv, &DMatrix::zeros(3, 3)))] {
            let (a, b) = (w.chain(1.5, f1, f2), w.chain_owned(1.5, f1, f2));
            assert_eq!((a.gradient(), a.diagonal()), (b.gradient(), b.diagonal()));
            assert!(close(&b.gradient(), g.as_slice()));
            assert!(close(&b.diagonal(), h.diagonal().as_slice()));
        }

        let (u, _) = u_and_v(&Dual::variables(&x));
        let (a, b) = (u.chain(1.5, f1, f2), u.chain_owned(1.5, f1, f2));
        assert_eq!((a.value(), a.gradient()), (1.5, b.gradient()));
        assert!(close(&b.gradient(), (&gu * f1).as_slice()));
    }
}
