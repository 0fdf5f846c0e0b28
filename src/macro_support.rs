//! Support for the code `model!` generates; not part of the public API.
//!
//! The generated `log_joint` has no `where f64: F64Ops<S>` bound. With that bound rustc
//! reads `f64 op x` as `f64 op S` whenever the type of `x` is still being inferred (a
//! where-clause wins over the impls), so arithmetic on data alone, such as `s * 2.0`, did
//! not compile. Without it, `f64 op S` has no impl, so the macro writes data on the left of
//! a generic scalar as a call to one of these functions: `2.0 * mu` becomes
//! `mul(2.0, mu)` (docs/language.md, "Expressions"). Operands are evaluated in the
//! written order.

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
