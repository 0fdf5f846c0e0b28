//! [`Dual2`]: the second-order dual number (value, gradient and Hessian), and [`hessian`],
//! which seeds it.

use std::ops::Neg;

use nalgebra::DMatrix;

use super::ops::{dual_common, second_order_arith};
use super::tangent::{LinearSum, Tangent};
use super::Scalar;

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
            g: Tangent::seed(i),
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

    /// Whether it has no derivative parts.
    fn is_constant(&self) -> bool {
        self.g.is_zero() && self.h.is_none()
    }

    fn hess_mut(&mut self, n: usize) -> &mut Vec<f64> {
        self.h.get_or_insert_with(|| vec![0.0; n * n])
    }

    /// a · self + b · other in every part but the value, plus c (∇self ∇otherᵀ + ∇other ∇selfᵀ).
    fn combine(mut self, a: f64, other: Dual2, b: f64, c: f64, v: f64) -> Dual2 {
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
            g: self.g.axpby(a, other.g, b, n),
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

    #[cfg(feature = "mpi")]
    fn to_parts(&self) -> super::Parts {
        super::Parts {
            value: self.v,
            n: self.n,
            gradient: self.gradient(),
            second: match &self.h {
                Some(h) => super::parts::Second::Hessian(h.clone()),
                None => super::parts::Second::None,
            },
        }
    }
    #[cfg(feature = "mpi")]
    fn from_parts(parts: super::Parts) -> Self {
        Dual2 {
            v: parts.value,
            n: parts.n,
            g: Tangent::from_dense(parts.gradient),
            h: match parts.second {
                super::parts::Second::Hessian(h) => Some(h),
                _ => None,
            },
        }
    }

    fn value(&self) -> f64 {
        self.v
    }
    fn chain(&self, f0: f64, f1: f64, f2: f64) -> Self {
        self.clone().chain_owned(f0, f1, f2)
    }
    fn chain_owned(mut self, f0: f64, f1: f64, f2: f64) -> Self {
        // ∇²f(u) = f′ ∇²u + f″ ∇u ∇uᵀ
        let n = self.n;
        if let Some(h) = self.h.as_mut() {
            h.iter_mut().for_each(|x| *x *= f1);
        }
        if f2 != 0.0 && !self.g.is_zero() {
            let g = std::mem::replace(&mut self.g, Tangent::Zero);
            Tangent::add_sym_outer(self.hess_mut(n), n, 0.5 * f2, &g, &g);
            self.g = g;
        }
        Dual2 {
            v: f0,
            n,
            g: self.g.scaled(f1),
            h: self.h,
        }
    }
    fn spread(&self, cov: &DMatrix<f64>) -> Option<f64> {
        let flat = self.h.as_ref().is_none_or(|h| h.iter().all(|&x| x == 0.0));
        flat.then(|| self.g.quadratic_form(cov))
    }
    fn weighted_sum<'a, I>(terms: I) -> Self
    where
        I: IntoIterator<Item = (f64, &'a Self)>,
    {
        let terms = terms.into_iter();
        let mut g = LinearSum::new(terms.size_hint().0);
        let (mut v, mut n) = (0.0, 0);
        let mut h: Option<Vec<f64>> = None;
        for (c, u) in terms {
            v += c * u.v;
            n = n.max(u.n);
            g.add(c, &u.g, u.n);
            if let Some(hu) = &u.h {
                let h = h.get_or_insert_with(|| vec![0.0; hu.len()]);
                h.iter_mut().zip(hu).for_each(|(x, y)| *x += c * y);
            }
        }
        let g = g.finish();
        Dual2 { v, n, g, h }
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

dual_common!(Dual2);
second_order_arith!(Dual2);

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
