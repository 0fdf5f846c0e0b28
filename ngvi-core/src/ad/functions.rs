//! Free functions over any [`Scalar`]: log-sum-exp, ln B, the fused dot product, and the
//! free-function forms of `sigmoid` and `softplus`.

use std::borrow::Borrow;

use super::Scalar;

/// ln Σᵢ exp(xᵢ), computed stably (−∞ for an empty slice).
pub fn log_sum_exp<S: Scalar>(xs: &[S]) -> S {
    let m = xs
        .iter()
        .map(Scalar::value)
        .fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return S::constant(m);
    }
    let sum = xs
        .iter()
        .fold(S::constant(0.0), |acc, x| acc + (x.clone() - m).exp());
    sum.ln() + m
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
pub fn ln_beta<S: Scalar>(a: &S, b: &S) -> S {
    a.lgamma() + b.lgamma() - (a.clone() + b.clone()).lgamma()
}

/// Σᵢ xᵢ wᵢ for data `x` and scalars `w` (a fused linear predictor).
///
/// `x` may be a slice, a `Vec`, or a nalgebra row or column iterator
/// (`dot(x.row(i).iter(), &w)`). Extra elements on either side are ignored; check lengths
/// at the call site.
pub fn dot<S, I>(x: I, w: &[S]) -> S
where
    S: Scalar,
    I: IntoIterator,
    I::Item: Borrow<f64>,
{
    S::weighted_sum(x.into_iter().zip(w).map(|(c, u)| (*c.borrow(), u)))
}

/// Logistic sigmoid of a scalar (free-function form of [`Scalar::sigmoid`]).
pub fn sigmoid<S: Scalar>(x: S) -> S {
    x.sigmoid()
}

/// softplus ln(1 + eˣ) of a scalar (free-function form of [`Scalar::log1p_exp`]).
pub fn softplus<S: Scalar>(x: S) -> S {
    x.log1p_exp()
}
