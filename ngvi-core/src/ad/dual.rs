//! [`Dual`]: the first-order dual number (value and gradient), and [`gradient`], which
//! seeds it.

use std::ops::{Add, Div, Mul, Neg, Sub};

use nalgebra::DMatrix;

use super::ops::dual_common;
use super::tangent::{LinearSum, Tangent};
use super::Scalar;

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
            g: Tangent::seed(i),
        }
    }
    /// The gradient as a dense vector (zeros for a constant).
    pub fn gradient(&self) -> Vec<f64> {
        self.g.to_dense(self.n)
    }
    /// f(i, ∂/∂xᵢ) for each partial derivative held, by increasing i (a sparse gradient
    /// without its zeros).
    pub(crate) fn for_each_partial(&self, f: impl FnMut(usize, f64)) {
        self.g.for_each(f);
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

    #[cfg(feature = "mpi")]
    fn to_parts(&self) -> super::Parts {
        super::Parts {
            value: self.v,
            n: self.n,
            gradient: self.gradient(),
            second: super::parts::Second::None,
        }
    }
    #[cfg(feature = "mpi")]
    fn from_parts(parts: super::Parts) -> Self {
        Dual {
            v: parts.value,
            n: parts.n,
            g: Tangent::from_dense(parts.gradient),
        }
    }

    fn value(&self) -> f64 {
        self.v
    }
    fn chain(&self, f0: f64, f1: f64, f2: f64) -> Self {
        self.clone().chain_owned(f0, f1, f2)
    }
    fn chain_owned(self, f0: f64, f1: f64, _f2: f64) -> Self {
        Dual {
            v: f0,
            n: self.n,
            g: self.g.scaled(f1),
        }
    }
    fn spread(&self, cov: &DMatrix<f64>) -> Option<f64> {
        Some(self.g.quadratic_form(cov))
    }
    fn weighted_sum<'a, I>(terms: I) -> Self
    where
        I: IntoIterator<Item = (f64, &'a Self)>,
    {
        let terms = terms.into_iter();
        let mut g = LinearSum::new(terms.size_hint().0);
        let (mut v, mut n) = (0.0, 0);
        for (c, u) in terms {
            v += c * u.v;
            n = n.max(u.n);
            g.add(c, &u.g, u.n);
        }
        let g = g.finish();
        Dual { v, n, g }
    }
}

impl Add for Dual {
    type Output = Dual;
    fn add(self, rhs: Dual) -> Dual {
        // A constant plus a dual (the start of every sum): the dual's gradient, moved.
        if self.g.is_zero() && self.n <= rhs.n {
            return Dual {
                v: self.v + rhs.v,
                ..rhs
            };
        }
        let n = self.n.max(rhs.n);
        Dual {
            v: self.v + rhs.v,
            n,
            g: self.g.axpby(1.0, rhs.g, 1.0, n),
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
            g: self.g.axpby(1.0, rhs.g, -1.0, n),
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
            g: self.g.axpby(rhs.v, rhs.g, self.v, n),
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
            v: self.v / rhs.v,
            n,
            g: self.g.axpby(r, rhs.g, -self.v * r * r, n),
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

dual_common!(Dual);

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
