//! [`DualDiag`]: value, gradient and the Hessian's diagonal, and [`hessian_diagonal`], which
//! seeds it.
//!
//! The diagonal of a Hessian propagates in forward mode on its own, without the entries off
//! it: ∂ᵢ²(ab) = b ∂ᵢ²a + 2 ∂ᵢa ∂ᵢb + a ∂ᵢ²b and ∂ᵢ²f(u) = f′(u) ∂ᵢ²u + f″(u) (∂ᵢu)², so it
//! costs what a second gradient does, O(k) per operation on k variables, where the full
//! Hessian of [`Dual2`](super::Dual2) costs O(k²). A diagonal Gaussian block needs no more
//! (docs/design.md (4.18a), (4.5f)).

use std::ops::Neg;

use nalgebra::DMatrix;

use super::ops::{dual_common, second_order_arith};
use super::tangent::{LinearSum, Tangent};
use super::Scalar;

/// A dual number with a value, its gradient and the diagonal of its Hessian with respect to
/// `n` variables.
#[derive(Clone, Debug)]
pub struct DualDiag {
    v: f64,
    n: usize,
    g: Tangent,
    /// ∂ᵢ² of the value, i = 0 … n − 1.
    d: Tangent,
}

impl DualDiag {
    /// The i-th of n independent variables, with value `v`.
    pub fn variable(v: f64, i: usize, n: usize) -> Self {
        DualDiag {
            v,
            n,
            g: Tangent::seed(i),
            d: Tangent::Zero,
        }
    }
    /// Variables `x[i]` seeded for a gradient and the Hessian's diagonal.
    pub fn variables(x: &[f64]) -> Vec<DualDiag> {
        let n = x.len();
        x.iter()
            .enumerate()
            .map(|(i, &v)| DualDiag::variable(v, i, n))
            .collect()
    }
    /// The gradient as a dense vector.
    pub fn gradient(&self) -> Vec<f64> {
        self.g.to_dense(self.n)
    }
    /// The Hessian's diagonal as a dense vector.
    pub fn diagonal(&self) -> Vec<f64> {
        self.d.to_dense(self.n)
    }

    /// Whether it has no derivative parts.
    fn is_constant(&self) -> bool {
        self.g.is_zero() && self.d.is_zero()
    }

    /// a · self + b · other in the gradient and the diagonal, plus the diagonal of
    /// c (∇self ∇otherᵀ + ∇other ∇selfᵀ), 2c ∇self ⊙ ∇other, with value `v`.
    fn combine(self, a: f64, other: DualDiag, b: f64, c: f64, v: f64) -> DualDiag {
        let n = self.n.max(other.n);
        let cross = if c == 0.0 {
            Tangent::Zero
        } else {
            self.g.hadamard(&other.g)
        };
        DualDiag {
            v,
            n,
            g: self.g.axpby(a, other.g, b, n),
            d: self.d.axpby(a, other.d, b, n).axpby(1.0, cross, 2.0 * c, n),
        }
    }
}

impl From<f64> for DualDiag {
    fn from(v: f64) -> Self {
        DualDiag {
            v,
            n: 0,
            g: Tangent::Zero,
            d: Tangent::Zero,
        }
    }
}

impl Scalar for DualDiag {
    const ORDER: u8 = 2;

    #[cfg(feature = "mpi")]
    fn to_parts(&self) -> super::Parts {
        super::Parts {
            value: self.v,
            n: self.n,
            gradient: self.gradient(),
            second: super::parts::Second::Diagonal(self.diagonal()),
        }
    }
    #[cfg(feature = "mpi")]
    fn from_parts(parts: super::Parts) -> Self {
        let d = match parts.second {
            super::parts::Second::Diagonal(d) => Tangent::from_dense(d),
            _ => Tangent::Zero,
        };
        DualDiag {
            v: parts.value,
            n: parts.n,
            g: Tangent::from_dense(parts.gradient),
            d,
        }
    }

    fn value(&self) -> f64 {
        self.v
    }
    fn chain(&self, f0: f64, f1: f64, f2: f64) -> Self {
        self.clone().chain_owned(f0, f1, f2)
    }
    fn chain_owned(self, f0: f64, f1: f64, f2: f64) -> Self {
        // ∂ᵢ²f(u) = f′ ∂ᵢ²u + f″ (∂ᵢu)²
        let n = self.n;
        let square = if f2 == 0.0 {
            Tangent::Zero
        } else {
            self.g.hadamard(&self.g)
        };
        DualDiag {
            v: f0,
            n,
            g: self.g.scaled(f1),
            d: self.d.axpby(f1, square, f2, n),
        }
    }
    /// As [`Dual`](super::Dual), it takes itself as affine unless its diagonal shows the
    /// contrary: the entries off the diagonal are not carried.
    fn spread(&self, cov: &DMatrix<f64>) -> Option<f64> {
        let mut flat = true;
        self.d.for_each(|_, x| flat &= x == 0.0);
        flat.then(|| self.g.quadratic_form(cov))
    }
    fn weighted_sum<'a, I>(terms: I) -> Self
    where
        I: IntoIterator<Item = (f64, &'a Self)>,
    {
        let terms = terms.into_iter();
        let hint = terms.size_hint().0;
        let (mut g, mut d) = (LinearSum::new(hint), LinearSum::new(hint));
        let (mut v, mut n) = (0.0, 0);
        for (c, u) in terms {
            v += c * u.v;
            n = n.max(u.n);
            g.add(c, &u.g, u.n);
            d.add(c, &u.d, u.n);
        }
        DualDiag {
            v,
            n,
            g: g.finish(),
            d: d.finish(),
        }
    }
}

impl Neg for DualDiag {
    type Output = DualDiag;
    fn neg(self) -> DualDiag {
        DualDiag {
            v: -self.v,
            n: self.n,
            g: self.g.scaled(-1.0),
            d: self.d.scaled(-1.0),
        }
    }
}

dual_common!(DualDiag);
second_order_arith!(DualDiag);

/// Value, gradient and the Hessian's diagonal of `f` at `x`, by forward mode.
///
/// ```
/// use ngvi_core::ad::{hessian_diagonal, DualDiag, Scalar};
/// let (v, g, d) = hessian_diagonal(
///     |x: &[DualDiag]| x[0].clone() * x[0].clone() * x[1].clone(),
///     &[3.0, 2.0],
/// );
/// assert_eq!((v, g, d), (18.0, vec![12.0, 9.0], vec![4.0, 0.0]));
/// ```
pub fn hessian_diagonal<F>(f: F, x: &[f64]) -> (f64, Vec<f64>, Vec<f64>)
where
    F: Fn(&[DualDiag]) -> DualDiag,
{
    let y = f(&DualDiag::variables(x));
    let (mut g, mut d) = (y.gradient(), y.diagonal());
    g.resize(x.len(), 0.0);
    d.resize(x.len(), 0.0);
    (y.v, g, d)
}

#[cfg(test)]
mod tests {
    use super::hessian_diagonal;
    use crate::ad::{hessian, F64Ops, Scalar};

    /// A function of five variables through every operation and elementary function the
    /// trait has, with sparse and dense intermediates: its diagonal is the full Hessian's.
    fn mixed<S: Scalar>(x: &[S]) -> S
    where
        f64: F64Ops<S>,
    {
        let lin = S::weighted_sum([(0.5, &x[0]), (-1.5, &x[2]), (2.0, &x[4])]);
        let prod = x[0].clone() * x[1].clone() / (x[2].clone() * x[2].clone() + 1.0);
        let unary = x[3].tanh() + x[1].exp() * 0.25 - (x[4].clone() * x[4].clone()).ln_1p()
            + x[0].sigmoid()
            + x[2].log1p_exp()
            + (x[3].clone() + 3.0).lgamma()
            + (x[1].clone() + 2.0).sqrt().recip()
            + x[0].sin() * x[4].cos()
            + (x[2].clone() * 0.1).powi(3)
            + (x[3].clone() + 2.0).powf(1.7)
            + (x[0].clone() + 2.0).pow(&(x[1].clone() * 0.3));
        let mut sum = S::constant(0.0);
        for k in 0..5 {
            sum += x[k].clone() * x[(k + 1) % 5].clone();
        }
        (lin.clone() * lin).tanh() * prod - unary * sum - 2.0 / (x[3].clone() + 4.0)
    }

    #[test]
    fn the_diagonal_is_the_full_hessians() {
        for x in [
            [0.3, -0.7, 1.2, 0.1, -0.4],
            [-1.1, 0.5, -0.2, 0.9, 1.3],
            [2.0, 0.0, 0.6, -0.8, 0.05],
        ] {
            let (v, g, d) = hessian_diagonal(mixed, &x);
            let (v2, g2, h) = hessian(mixed, &x);
            assert_eq!(v, v2);
            for i in 0..5 {
                assert!((g[i] - g2[i]).abs() <= 1e-13 * g2[i].abs().max(1.0), "∂{i}");
                let want = h[(i, i)];
                assert!(
                    (d[i] - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "∂{i}² {} {want}",
                    d[i]
                );
            }
        }
    }

    /// A sum over many variables goes dense, and each term's diagonal lands in its own
    /// coordinate: Σⱼ xⱼ³ / 6 has ∂ⱼ² = xⱼ.
    #[test]
    fn a_long_sum_keeps_each_coordinates_curvature() {
        let x: Vec<f64> = (0..300).map(|i| (i as f64 * 0.37).sin()).collect();
        let (_, g, d) = hessian_diagonal(
            |u| {
                u.iter()
                    .fold(Scalar::constant(0.0), |acc, ui| acc + ui.powi(3) / 6.0)
            },
            &x,
        );
        for (i, &xi) in x.iter().enumerate() {
            assert!((g[i] - 0.5 * xi * xi).abs() < 1e-15, "∂{i}");
            assert!((d[i] - xi).abs() < 1e-15, "∂{i}²");
        }
    }
}
