//! Property tests (proptest) with modest case counts, so that `cargo test` stays fast:
//!
//! - `dist`: every distribution's log density, with `Dual` and `Dual2`, equals its `f64`
//!   value and has the gradient and Hessian of central finite differences, at random valid
//!   parameters; random invalid parameters are a `ParamError` naming the parameter;
//! - `family`: every guide family survives `set_natural(natural())` unchanged, its mean
//!   parameters are ∇A(λ), and `NaturalGradient::step` from a random valid state towards a
//!   random valid target stays in the domain (towards any target: stays in the domain or
//!   fails leaving the guide unchanged);
//! - `ad`: random expression trees give the same value as `f64`, `Dual` and `Dual2`, and
//!   their gradients and Hessians match finite differences; the same trees in a few of many
//!   variables (sparse tangents, mixed with dense ones) give the dense derivatives.

mod ad;
mod dist;
mod family;

use proptest::test_runner::Config;

/// The configuration of every property here: `cases` random cases, no persistence file.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The five-point central difference of `f` at `x` with step `h`: error O(h⁴).
fn fd5(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x - 2.0 * h) - 8.0 * f(x - h) + 8.0 * f(x + h) - f(x + 2.0 * h)) / (12.0 * h)
}

/// |a − b| ≤ tol · max(1, |b|).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// The same value: equal, or both NaN.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}
