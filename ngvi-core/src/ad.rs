//! Scalars and forward-mode automatic differentiation.
//!
//! [`Scalar`] is the one numeric trait a model's log joint is generic over. Three types
//! implement it: `f64` (the value), [`Dual`] (value and gradient) and [`Dual2`] (value,
//! gradient and Hessian). The derivative parts are sparse-aware: a seed variable carries a
//! single non-zero tangent and a linear expression carries no Hessian, so a linear predictor
//! `x · w` costs O(D) per row for the gradient and adds nothing to the Hessian until a
//! non-linear function is applied to it (see `BENCHMARKS.md` for the measurements).
//!
//! Every elementary function is defined once through [`Scalar::chain`], which receives the
//! value and the first two derivatives of the function at the argument (the chain rule:
//! ∇f(u) = f′(u)∇u, ∇²f(u) = f′(u)∇²u + f″(u)∇u∇uᵀ).

use std::borrow::Borrow;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use nalgebra::DMatrix;

use crate::special;

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

/// A real scalar that a log density can be evaluated with: `f64`, [`Dual`] or [`Dual2`].
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
    + 'static
{
    /// Highest derivative order carried (0 for `f64`, 1 for [`Dual`], 2 for [`Dual2`]).
    const ORDER: u8;

    /// A constant (all derivatives zero).
    fn constant(x: f64) -> Self {
        Self::from(x)
    }

    /// The value part.
    fn value(&self) -> f64;

    /// f(u) from f(v), f′(v), f″(v) at v = `self.value()` (the chain rule).
    fn chain(&self, f0: f64, f1: f64, f2: f64) -> Self;

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
        self.chain(
            x.powi(n),
            nf * x.powi(n - 1),
            nf * (nf - 1.0) * x.powi(n - 2),
        )
    }
    /// xᵖ for a constant p.
    fn powf(&self, p: f64) -> Self {
        let x = self.value();
        self.chain(
            x.powf(p),
            p * x.powf(p - 1.0),
            p * (p - 1.0) * x.powf(p - 2.0),
        )
    }
    /// xʸ for a scalar exponent, as exp(y ln x).
    fn pow(&self, y: &Self) -> Self {
        (y.clone() * self.ln()).exp()
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
        let x = self.value();
        let s = sigmoid_f64(x);
        self.chain(log1p_exp_f64(x), s, s * (1.0 - s))
    }
    /// Alias of [`Scalar::log1p_exp`].
    fn softplus(&self) -> Self {
        self.log1p_exp()
    }
    /// ln σ(x) = −softplus(−x), stable for large |x|.
    fn ln_sigmoid(&self) -> Self {
        let x = self.value();
        let s = sigmoid_f64(x);
        self.chain(-log1p_exp_f64(-x), 1.0 - s, -s * (1.0 - s))
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

fn sigmoid_f64(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

fn log1p_exp_f64(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

impl Scalar for f64 {
    const ORDER: u8 = 0;

    fn value(&self) -> f64 {
        *self
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

// ---------------------------------------------------------------------------------------
// Tangent storage shared by both dual types.

/// A gradient: zero, a single non-zero entry (a seed variable), or dense.
#[derive(Clone, Debug, PartialEq)]
enum Tangent {
    Zero,
    One(usize, f64),
    Dense(Vec<f64>),
}

impl Tangent {
    fn is_zero(&self) -> bool {
        matches!(self, Tangent::Zero)
    }

    fn to_dense(&self, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        self.add_to(1.0, &mut out);
        out
    }

    /// out += c · self
    fn add_to(&self, c: f64, out: &mut [f64]) {
        match self {
            Tangent::Zero => {}
            Tangent::One(i, a) => out[*i] += c * a,
            Tangent::Dense(g) => out.iter_mut().zip(g).for_each(|(o, gi)| *o += c * gi),
        }
    }

    /// c · self
    fn scaled(self, c: f64) -> Tangent {
        match self {
            Tangent::Zero => Tangent::Zero,
            Tangent::One(i, a) => Tangent::One(i, c * a),
            Tangent::Dense(mut g) => {
                g.iter_mut().for_each(|x| *x *= c);
                Tangent::Dense(g)
            }
        }
    }

    /// a · self + b · other, reusing `self`'s storage when it is dense.
    fn axpby(self, a: f64, other: &Tangent, b: f64, n: usize) -> Tangent {
        match (self, other) {
            (s, Tangent::Zero) => s.scaled(a),
            (Tangent::Zero, o) => o.clone().scaled(b),
            (Tangent::One(i, x), Tangent::One(j, y)) if i == *j => Tangent::One(i, a * x + b * y),
            (Tangent::Dense(mut g), o) => {
                if a != 1.0 {
                    g.iter_mut().for_each(|x| *x *= a);
                }
                o.add_to(b, &mut g);
                Tangent::Dense(g)
            }
            (s, o) => {
                let mut g = vec![0.0; n];
                s.add_to(a, &mut g);
                o.add_to(b, &mut g);
                Tangent::Dense(g)
            }
        }
    }

    /// h += c (u vᵀ + v uᵀ) for an n × n row-major h.
    fn add_sym_outer(h: &mut [f64], n: usize, c: f64, u: &Tangent, v: &Tangent) {
        if c == 0.0 {
            return;
        }
        match (u, v) {
            (Tangent::Zero, _) | (_, Tangent::Zero) => {}
            (Tangent::One(i, a), Tangent::One(j, b)) => {
                h[i * n + j] += c * a * b;
                h[j * n + i] += c * a * b;
            }
            (Tangent::One(i, a), Tangent::Dense(g)) | (Tangent::Dense(g), Tangent::One(i, a)) => {
                for (k, gk) in g.iter().enumerate() {
                    h[i * n + k] += c * a * gk;
                    h[k * n + i] += c * a * gk;
                }
            }
            (Tangent::Dense(g), Tangent::Dense(f)) => {
                for r in 0..n {
                    let (gr, fr) = (g[r], f[r]);
                    if gr == 0.0 && fr == 0.0 {
                        continue;
                    }
                    let row = &mut h[r * n..(r + 1) * n];
                    for k in 0..n {
                        row[k] += c * (gr * f[k] + fr * g[k]);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// First-order dual.

/// A first-order dual number: a value and its gradient with respect to `n` variables.
#[derive(Clone, Debug)]
pub struct Dual {
    v: f64,
    n: usize,
    g: Tangent,
}

impl Dual {
    /// The i-th of n independent variables, with value `v`.
    pub fn variable(v: f64, i: usize, n: usize) -> Self {
        Dual {
            v,
            n,
            g: Tangent::One(i, 1.0),
        }
    }
    /// The gradient as a dense vector (zeros for a constant).
    pub fn gradient(&self) -> Vec<f64> {
        self.g.to_dense(self.n)
    }
    /// Variables `x[i]` seeded for a gradient.
    pub fn variables(x: &[f64]) -> Vec<Dual> {
        let n = x.len();
        x.iter()
            .enumerate()
            .map(|(i, &v)| Dual::variable(v, i, n))
            .collect()
    }
}

impl From<f64> for Dual {
    fn from(v: f64) -> Self {
        Dual {
            v,
            n: 0,
            g: Tangent::Zero,
        }
    }
}

impl Scalar for Dual {
    const ORDER: u8 = 1;

    fn value(&self) -> f64 {
        self.v
    }
    fn chain(&self, f0: f64, f1: f64, _f2: f64) -> Self {
        Dual {
            v: f0,
            n: self.n,
            g: self.g.clone().scaled(f1),
        }
    }
    fn weighted_sum<'a, I>(terms: I) -> Self
    where
        I: IntoIterator<Item = (f64, &'a Self)>,
    {
        let mut v = 0.0;
        let mut n = 0;
        let mut g: Vec<f64> = Vec::new();
        for (c, u) in terms {
            v += c * u.v;
            if !u.g.is_zero() {
                if g.len() < u.n {
                    g.resize(u.n, 0.0);
                    n = u.n;
                }
                u.g.add_to(c, &mut g);
            }
        }
        let g = if g.is_empty() {
            Tangent::Zero
        } else {
            Tangent::Dense(g)
        };
        Dual { v, n, g }
    }
}

impl Add for Dual {
    type Output = Dual;
    fn add(self, rhs: Dual) -> Dual {
        let n = self.n.max(rhs.n);
        Dual {
            v: self.v + rhs.v,
            n,
            g: self.g.axpby(1.0, &rhs.g, 1.0, n),
        }
    }
}

impl Sub for Dual {
    type Output = Dual;
    fn sub(self, rhs: Dual) -> Dual {
        let n = self.n.max(rhs.n);
        Dual {
            v: self.v - rhs.v,
            n,
            g: self.g.axpby(1.0, &rhs.g, -1.0, n),
        }
    }
}

impl Mul for Dual {
    type Output = Dual;
    fn mul(self, rhs: Dual) -> Dual {
        // ∇(ab) = b∇a + a∇b
        let n = self.n.max(rhs.n);
        Dual {
            v: self.v * rhs.v,
            n,
            g: self.g.axpby(rhs.v, &rhs.g, self.v, n),
        }
    }
}

impl Div for Dual {
    type Output = Dual;
    fn div(self, rhs: Dual) -> Dual {
        // ∇(a/b) = ∇a / b − a∇b / b²
        let n = self.n.max(rhs.n);
        let r = 1.0 / rhs.v;
        Dual {
            v: self.v * r,
            n,
            g: self.g.axpby(r, &rhs.g, -self.v * r * r, n),
        }
    }
}

impl Neg for Dual {
    type Output = Dual;
    fn neg(self) -> Dual {
        Dual {
            v: -self.v,
            n: self.n,
            g: self.g.scaled(-1.0),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Second-order dual.

/// A second-order dual number: value, gradient and (dense, symmetric) Hessian with respect
/// to `n` variables. The Hessian is stored only once it is non-zero.
#[derive(Clone, Debug)]
pub struct Dual2 {
    v: f64,
    n: usize,
    g: Tangent,
    h: Option<Vec<f64>>,
}

impl Dual2 {
    /// The i-th of n independent variables, with value `v`.
    pub fn variable(v: f64, i: usize, n: usize) -> Self {
        Dual2 {
            v,
            n,
            g: Tangent::One(i, 1.0),
            h: None,
        }
    }
    /// Variables `x[i]` seeded for a Hessian.
    pub fn variables(x: &[f64]) -> Vec<Dual2> {
        let n = x.len();
        x.iter()
            .enumerate()
            .map(|(i, &v)| Dual2::variable(v, i, n))
            .collect()
    }
    /// The gradient as a dense vector.
    pub fn gradient(&self) -> Vec<f64> {
        self.g.to_dense(self.n)
    }
    /// The Hessian as an n × n matrix.
    pub fn hessian(&self) -> DMatrix<f64> {
        match &self.h {
            Some(h) => DMatrix::from_row_slice(self.n, self.n, h),
            None => DMatrix::zeros(self.n, self.n),
        }
    }

    fn hess_mut(&mut self, n: usize) -> &mut Vec<f64> {
        self.h.get_or_insert_with(|| vec![0.0; n * n])
    }

    /// a · self + b · other in every part but the value, plus c (∇self ∇otherᵀ + ∇other ∇selfᵀ).
    fn combine(mut self, a: f64, other: &Dual2, b: f64, c: f64, v: f64) -> Dual2 {
        let n = self.n.max(other.n);
        let mut h = self.h.take();
        if let Some(h) = h.as_mut() {
            if a != 1.0 {
                h.iter_mut().for_each(|x| *x *= a);
            }
        }
        if let Some(ho) = &other.h {
            let h = h.get_or_insert_with(|| vec![0.0; n * n]);
            h.iter_mut().zip(ho).for_each(|(x, y)| *x += b * y);
        }
        if c != 0.0 && !self.g.is_zero() && !other.g.is_zero() {
            let h = h.get_or_insert_with(|| vec![0.0; n * n]);
            Tangent::add_sym_outer(h, n, c, &self.g, &other.g);
        }
        Dual2 {
            v,
            n,
            g: self.g.axpby(a, &other.g, b, n),
            h,
        }
    }
}

impl From<f64> for Dual2 {
    fn from(v: f64) -> Self {
        Dual2 {
            v,
            n: 0,
            g: Tangent::Zero,
            h: None,
        }
    }
}

impl Scalar for Dual2 {
    const ORDER: u8 = 2;

    fn value(&self) -> f64 {
        self.v
    }
    fn chain(&self, f0: f64, f1: f64, f2: f64) -> Self {
        // ∇²f(u) = f′ ∇²u + f″ ∇u ∇uᵀ
        let n = self.n;
        let mut out = Dual2 {
            v: f0,
            n,
            g: self.g.clone().scaled(f1),
            h: self.h.as_ref().map(|h| h.iter().map(|x| f1 * x).collect()),
        };
        if f2 != 0.0 && !self.g.is_zero() {
            let h = out.hess_mut(n);
            Tangent::add_sym_outer(h, n, 0.5 * f2, &self.g, &self.g);
        }
        out
    }
    fn weighted_sum<'a, I>(terms: I) -> Self
    where
        I: IntoIterator<Item = (f64, &'a Self)>,
    {
        let mut v = 0.0;
        let mut n = 0;
        let mut g: Vec<f64> = Vec::new();
        let mut h: Option<Vec<f64>> = None;
        for (c, u) in terms {
            v += c * u.v;
            if !u.g.is_zero() {
                if g.len() < u.n {
                    g.resize(u.n, 0.0);
                    n = u.n;
                }
                u.g.add_to(c, &mut g);
            }
            if let Some(hu) = &u.h {
                let h = h.get_or_insert_with(|| vec![0.0; hu.len()]);
                h.iter_mut().zip(hu).for_each(|(x, y)| *x += c * y);
            }
        }
        let g = if g.is_empty() {
            Tangent::Zero
        } else {
            Tangent::Dense(g)
        };
        Dual2 { v, n, g, h }
    }
}

impl Add for Dual2 {
    type Output = Dual2;
    fn add(self, rhs: Dual2) -> Dual2 {
        let v = self.v + rhs.v;
        self.combine(1.0, &rhs, 1.0, 0.0, v)
    }
}

impl Sub for Dual2 {
    type Output = Dual2;
    fn sub(self, rhs: Dual2) -> Dual2 {
        let v = self.v - rhs.v;
        self.combine(1.0, &rhs, -1.0, 0.0, v)
    }
}

impl Mul for Dual2 {
    type Output = Dual2;
    fn mul(self, rhs: Dual2) -> Dual2 {
        // ∇²(ab) = b∇²a + a∇²b + ∇a∇bᵀ + ∇b∇aᵀ
        let (a, b) = (self.v, rhs.v);
        self.combine(b, &rhs, a, 1.0, a * b)
    }
}

impl Div for Dual2 {
    type Output = Dual2;
    // a / b = a · (1/b): the Hessian of 1/b comes from `chain`.
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn div(self, rhs: Dual2) -> Dual2 {
        self * rhs.recip()
    }
}

impl Neg for Dual2 {
    type Output = Dual2;
    fn neg(self) -> Dual2 {
        Dual2 {
            v: -self.v,
            n: self.n,
            g: self.g.scaled(-1.0),
            h: self.h.map(|h| h.into_iter().map(|x| -x).collect()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Operations shared by both duals: with f64 on either side, compound assignment, comparison.

macro_rules! dual_common {
    ($t:ident) => {
        impl Add<f64> for $t {
            type Output = $t;
            fn add(mut self, rhs: f64) -> $t {
                self.v += rhs;
                self
            }
        }
        impl Sub<f64> for $t {
            type Output = $t;
            fn sub(mut self, rhs: f64) -> $t {
                self.v -= rhs;
                self
            }
        }
        impl Mul<f64> for $t {
            type Output = $t;
            fn mul(self, rhs: f64) -> $t {
                self.chain(self.v * rhs, rhs, 0.0)
            }
        }
        impl Div<f64> for $t {
            type Output = $t;
            fn div(self, rhs: f64) -> $t {
                self.chain(self.v / rhs, 1.0 / rhs, 0.0)
            }
        }
        impl Add<$t> for f64 {
            type Output = $t;
            fn add(self, rhs: $t) -> $t {
                rhs + self
            }
        }
        impl Sub<$t> for f64 {
            type Output = $t;
            fn sub(self, rhs: $t) -> $t {
                -rhs + self
            }
        }
        impl Mul<$t> for f64 {
            type Output = $t;
            fn mul(self, rhs: $t) -> $t {
                rhs * self
            }
        }
        impl Div<$t> for f64 {
            type Output = $t;
            #[allow(clippy::suspicious_arithmetic_impl)]
            fn div(self, rhs: $t) -> $t {
                rhs.recip() * self
            }
        }
        impl AddAssign for $t {
            fn add_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) + rhs;
            }
        }
        impl SubAssign for $t {
            fn sub_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) - rhs;
            }
        }
        impl MulAssign for $t {
            fn mul_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) * rhs;
            }
        }
        impl DivAssign for $t {
            fn div_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) / rhs;
            }
        }
        impl AddAssign<f64> for $t {
            fn add_assign(&mut self, rhs: f64) {
                self.v += rhs;
            }
        }
        impl SubAssign<f64> for $t {
            fn sub_assign(&mut self, rhs: f64) {
                self.v -= rhs;
            }
        }
        impl MulAssign<f64> for $t {
            fn mul_assign(&mut self, rhs: f64) {
                *self = std::mem::replace(self, $t::from(0.0)) * rhs;
            }
        }
        impl DivAssign<f64> for $t {
            fn div_assign(&mut self, rhs: f64) {
                *self = std::mem::replace(self, $t::from(0.0)) / rhs;
            }
        }
        impl PartialEq for $t {
            fn eq(&self, other: &$t) -> bool {
                self.v == other.v
            }
        }
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &$t) -> Option<std::cmp::Ordering> {
                self.v.partial_cmp(&other.v)
            }
        }
        impl PartialEq<f64> for $t {
            fn eq(&self, other: &f64) -> bool {
                self.v == *other
            }
        }
        impl PartialOrd<f64> for $t {
            fn partial_cmp(&self, other: &f64) -> Option<std::cmp::Ordering> {
                self.v.partial_cmp(other)
            }
        }
        impl PartialEq<$t> for f64 {
            fn eq(&self, other: &$t) -> bool {
                *self == other.v
            }
        }
        impl PartialOrd<$t> for f64 {
            fn partial_cmp(&self, other: &$t) -> Option<std::cmp::Ordering> {
                self.partial_cmp(&other.v)
            }
        }
        impl std::iter::Sum for $t {
            fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                iter.fold($t::from(0.0), |a, b| a + b)
            }
        }
    };
}

dual_common!(Dual);
dual_common!(Dual2);

/// Value and gradient of `f` at `x`, by forward mode.
///
/// ```
/// use ngvi_core::ad::{gradient, Dual, Scalar};
/// let (v, g) = gradient(|x: &[Dual]| x[0].clone() * x[1].exp(), &[2.0, 0.0]);
/// assert_eq!(v, 2.0);
/// assert_eq!(g, vec![1.0, 2.0]);
/// ```
pub fn gradient<F>(f: F, x: &[f64]) -> (f64, Vec<f64>)
where
    F: Fn(&[Dual]) -> Dual,
{
    let y = f(&Dual::variables(x));
    let mut g = y.gradient();
    g.resize(x.len(), 0.0);
    (y.v, g)
}

/// Value, gradient and Hessian of `f` at `x`, by second-order forward mode.
///
/// ```
/// use ngvi_core::ad::{hessian, Dual2, Scalar};
/// let (v, g, h) = hessian(|x: &[Dual2]| x[0].clone() * x[0].clone() * x[1].clone(), &[3.0, 2.0]);
/// assert_eq!((v, g), (18.0, vec![12.0, 9.0]));
/// assert_eq!(h[(0, 0)], 4.0);
/// assert_eq!(h[(0, 1)], 6.0);
/// ```
pub fn hessian<F>(f: F, x: &[f64]) -> (f64, Vec<f64>, DMatrix<f64>)
where
    F: Fn(&[Dual2]) -> Dual2,
{
    let y = f(&Dual2::variables(x));
    let n = x.len();
    let mut g = y.gradient();
    g.resize(n, 0.0);
    let h = if y.n == n {
        y.hessian()
    } else {
        DMatrix::zeros(n, n)
    };
    (y.v, g, h)
}
