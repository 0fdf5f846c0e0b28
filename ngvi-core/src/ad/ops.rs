//! The operations the dual types share, written once as macros: arithmetic with an `f64`
//! on either side, compound assignment, comparison (by value) and `Sum` for every dual type
//! (`dual_common!`), and the arithmetic of two second-order duals (`second_order_arith!`).
//!
//! A dual type `T` with fields `v: f64` (the value), `From<f64>` and a [`Scalar`] impl in
//! scope invokes `dual_common!(T);` in its own module.
//!
//! [`Scalar`]: super::Scalar

/// The shared operations for a dual type (see the module docs).
macro_rules! dual_common {
    ($t:ident) => {
        impl std::ops::Add<f64> for $t {
            type Output = $t;
            #[inline]
            fn add(mut self, rhs: f64) -> $t {
                self.v += rhs;
                self
            }
        }
        impl std::ops::Sub<f64> for $t {
            type Output = $t;
            #[inline]
            fn sub(mut self, rhs: f64) -> $t {
                self.v -= rhs;
                self
            }
        }
        impl std::ops::Mul<f64> for $t {
            type Output = $t;
            #[inline]
            fn mul(self, rhs: f64) -> $t {
                let v = self.v * rhs;
                self.chain_owned(v, rhs, 0.0)
            }
        }
        impl std::ops::Div<f64> for $t {
            type Output = $t;
            #[inline]
            fn div(self, rhs: f64) -> $t {
                let v = self.v / rhs;
                self.chain_owned(v, 1.0 / rhs, 0.0)
            }
        }
        impl std::ops::Add<$t> for f64 {
            type Output = $t;
            #[inline]
            fn add(self, rhs: $t) -> $t {
                rhs + self
            }
        }
        impl std::ops::Sub<$t> for f64 {
            type Output = $t;
            #[inline]
            fn sub(self, rhs: $t) -> $t {
                -rhs + self
            }
        }
        impl std::ops::Mul<$t> for f64 {
            type Output = $t;
            #[inline]
            fn mul(self, rhs: $t) -> $t {
                rhs * self
            }
        }
        impl std::ops::Div<$t> for f64 {
            type Output = $t;
            // a / v through the chain rule at v: a/v, −a/v², 2a/v³ (the value is the
            // division itself, so that it equals the f64 one bit for bit)
            #[inline]
            fn div(self, rhs: $t) -> $t {
                let v = rhs.v;
                rhs.chain_owned(self / v, -self / (v * v), 2.0 * self / (v * v * v))
            }
        }
        impl std::ops::AddAssign for $t {
            #[inline]
            fn add_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) + rhs;
            }
        }
        impl std::ops::SubAssign for $t {
            #[inline]
            fn sub_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) - rhs;
            }
        }
        impl std::ops::MulAssign for $t {
            #[inline]
            fn mul_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) * rhs;
            }
        }
        impl std::ops::DivAssign for $t {
            #[inline]
            fn div_assign(&mut self, rhs: $t) {
                *self = std::mem::replace(self, $t::from(0.0)) / rhs;
            }
        }
        impl std::ops::AddAssign<f64> for $t {
            #[inline]
            fn add_assign(&mut self, rhs: f64) {
                self.v += rhs;
            }
        }
        impl std::ops::SubAssign<f64> for $t {
            #[inline]
            fn sub_assign(&mut self, rhs: f64) {
                self.v -= rhs;
            }
        }
        impl std::ops::MulAssign<f64> for $t {
            #[inline]
            fn mul_assign(&mut self, rhs: f64) {
                *self = std::mem::replace(self, $t::from(0.0)) * rhs;
            }
        }
        impl std::ops::DivAssign<f64> for $t {
            #[inline]
            fn div_assign(&mut self, rhs: f64) {
                *self = std::mem::replace(self, $t::from(0.0)) / rhs;
            }
        }
        impl PartialEq for $t {
            #[inline]
            fn eq(&self, other: &$t) -> bool {
                self.v == other.v
            }
        }
        impl PartialOrd for $t {
            #[inline]
            fn partial_cmp(&self, other: &$t) -> Option<std::cmp::Ordering> {
                self.v.partial_cmp(&other.v)
            }
        }
        impl PartialEq<f64> for $t {
            #[inline]
            fn eq(&self, other: &f64) -> bool {
                self.v == *other
            }
        }
        impl PartialOrd<f64> for $t {
            #[inline]
            fn partial_cmp(&self, other: &f64) -> Option<std::cmp::Ordering> {
                self.v.partial_cmp(other)
            }
        }
        impl PartialEq<$t> for f64 {
            #[inline]
            fn eq(&self, other: &$t) -> bool {
                *self == other.v
            }
        }
        impl PartialOrd<$t> for f64 {
            #[inline]
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

pub(super) use dual_common;

/// `+ − × ÷` between two second-order duals of type `T`, which has the fields `v` and `n`
/// and the methods `is_constant(&self)` (no derivative parts) and
/// `combine(self, a, other, b, c, v)`: a · self + b · other in every part but the value,
/// plus c (∇self ∇otherᵀ + ∇other ∇selfᵀ) in the second derivatives it holds, with value v.
macro_rules! second_order_arith {
    ($t:ident) => {
        impl std::ops::Add for $t {
            type Output = $t;
            fn add(self, rhs: $t) -> $t {
                let v = self.v + rhs.v;
                // A constant plus a dual (the start of every sum): the dual's parts, moved.
                if self.is_constant() && self.n <= rhs.n {
                    return $t { v, ..rhs };
                }
                self.combine(1.0, rhs, 1.0, 0.0, v)
            }
        }
        impl std::ops::Sub for $t {
            type Output = $t;
            fn sub(self, rhs: $t) -> $t {
                let v = self.v - rhs.v;
                self.combine(1.0, rhs, -1.0, 0.0, v)
            }
        }
        impl std::ops::Mul for $t {
            type Output = $t;
            fn mul(self, rhs: $t) -> $t {
                // ∇²(ab) = b∇²a + a∇²b + ∇a∇bᵀ + ∇b∇aᵀ
                let (a, b) = (self.v, rhs.v);
                self.combine(b, rhs, a, 1.0, a * b)
            }
        }
        impl std::ops::Div for $t {
            type Output = $t;
            // a / b = a · (1/b): the second derivatives of 1/b come from `chain`; the value
            // is a / b itself, so that it equals the f64 division bit for bit.
            #[allow(clippy::suspicious_arithmetic_impl)]
            fn div(self, rhs: $t) -> $t {
                let v = self.v / rhs.v;
                let mut out = self * rhs.recip();
                out.v = v;
                out
            }
        }
    };
}

pub(super) use second_order_arith;
