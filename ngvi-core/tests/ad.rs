//! Forward-mode derivatives against central finite differences, for every elementary
//! function and operator of `Scalar`, with first- and second-order duals.

use ngvi_core::ad::{dot, gradient, hessian, ln_beta, log_sum_exp, Dual, Dual2, F64Ops, Scalar};

/// |a − b| ≤ tol · max(1, |b|)
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// Central finite-difference gradient of an f64 function.
fn fd_gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let h = 1e-5 * x[i].abs().max(1.0);
            let mut xp = x.to_vec();
            let mut xm = x.to_vec();
            xp[i] += h;
            xm[i] -= h;
            (f(&xp) - f(&xm)) / (2.0 * h)
        })
        .collect()
}

/// A scalar function written once, generic over the scalar type.
trait Case {
    fn f<S: Scalar>(&self, x: &[S]) -> S
    where
        f64: F64Ops<S>;
}

/// Check value, gradient (Dual and Dual2) and Hessian (Dual2) of `c` at `x`.
fn check<C: Case>(name: &str, c: &C, x: &[f64]) {
    let v: f64 = c.f(x);
    let (v1, g1) = gradient(|y: &[Dual]| c.f(y), x);
    let (v2, g2, h2) = hessian(|y: &[Dual2]| c.f(y), x);
    assert!(close(v1, v, 1e-14) && close(v2, v, 1e-14), "{name}: value");
    let fd = fd_gradient(&|y: &[f64]| c.f(y), x);
    for i in 0..x.len() {
        assert!(
            close(g1[i], fd[i], 1e-6),
            "{name}: d/dx{i} dual {} fd {}",
            g1[i],
            fd[i]
        );
        assert!(
            close(g2[i], g1[i], 1e-13),
            "{name}: d/dx{i} dual2 {} dual {}",
            g2[i],
            g1[i]
        );
    }
    // Hessian row i against finite differences of the first-order dual gradient.
    for i in 0..x.len() {
        let gi = |y: &[f64]| gradient(|u: &[Dual]| c.f(u), y).1[i];
        let fd_row = fd_gradient(&gi, x);
        for j in 0..x.len() {
            assert!(
                close(h2[(i, j)], fd_row[j], 1e-6),
                "{name}: H[{i},{j}] dual2 {} fd {}",
                h2[(i, j)],
                fd_row[j]
            );
        }
    }
}

/// `cases! { name at [x..] => |x| body; … }` defines and checks each case.
macro_rules! cases {
    ($($name:ident at [$($x:expr),*] => |$v:ident| $body:expr;)*) => {$(
        #[test]
        fn $name() {
            struct C;
            impl Case for C {
                fn f<S: Scalar>(&self, $v: &[S]) -> S
                where
                    f64: F64Ops<S>,
                {
                    $body
                }
            }
            for x in [$($x),*] {
                check(stringify!($name), &C, &x);
            }
        }
    )*};
}

fn c<S: Scalar>(x: &[S], i: usize) -> S {
    x[i].clone()
}

cases! {
    add at [[0.3, -1.2], [2.0, 5.0]] => |x| c(x, 0) + c(x, 1) * c(x, 0);
    sub at [[0.3, -1.2]] => |x| c(x, 0) - c(x, 1) * c(x, 1);
    mul at [[0.3, -1.2], [1.5, 2.5]] => |x| c(x, 0) * c(x, 1) * c(x, 1);
    div at [[0.3, -1.2], [1.5, 2.5]] => |x| c(x, 0) / c(x, 1) + c(x, 1) / c(x, 0);
    neg at [[0.7, 0.2]] => |x| -(c(x, 0) * c(x, 1));
    f64_left at [[0.7, 1.9]] => |x| 2.0 * c(x, 0) + (1.0 - c(x, 1)) * (3.0 / c(x, 0)) - (4.0 + c(x, 1));
    f64_right at [[0.7, 1.9]] => |x| (c(x, 0) * 2.0 + 1.0) * (c(x, 1) - 3.0) / 4.0;
    assign_ops at [[0.7, 1.9]] => |x| {
        let mut a = c(x, 0);
        a += c(x, 1);
        a *= c(x, 0);
        a -= c(x, 1) * 0.5;
        a /= c(x, 1);
        a += 1.0;
        a *= 3.0;
        a -= 2.0;
        a /= 5.0;
        a
    };
    exp at [[0.3, -0.2], [-2.0, 1.0]] => |x| (c(x, 0) * c(x, 1)).exp();
    ln at [[0.3, 2.0], [4.0, 0.5]] => |x| (c(x, 0) * c(x, 1)).ln();
    ln_1p at [[0.3, 2.0], [1e-3, 0.5]] => |x| (c(x, 0) * c(x, 1)).ln_1p();
    exp_m1 at [[0.3, 2.0], [1e-3, -0.5]] => |x| (c(x, 0) * c(x, 1)).exp_m1();
    sqrt at [[0.3, 2.0], [4.0, 0.5]] => |x| (c(x, 0) * c(x, 1)).sqrt();
    recip at [[0.3, 2.0], [-4.0, 0.5]] => |x| (c(x, 0) + c(x, 1)).recip();
    powi at [[0.3, 2.0], [-1.5, 0.5]] => |x| (c(x, 0) * c(x, 1)).powi(3) + c(x, 0).powi(-2);
    powf at [[0.3, 2.0], [4.0, 0.5]] => |x| (c(x, 0) * c(x, 1)).powf(-0.5) + c(x, 1).powf(2.5);
    pow at [[0.3, 2.0], [4.0, 0.5]] => |x| c(x, 0).pow(&c(x, 1));
    abs at [[0.3, -2.0], [-4.0, 0.5]] => |x| (c(x, 0) * c(x, 1)).abs() * c(x, 0);
    sin at [[0.3, 2.0]] => |x| (c(x, 0) * c(x, 1)).sin();
    cos at [[0.3, 2.0]] => |x| (c(x, 0) * c(x, 1)).cos();
    tanh at [[0.3, 2.0], [-1.0, 0.4]] => |x| (c(x, 0) * c(x, 1)).tanh();
    sigmoid at [[0.3, 2.0], [-30.0, 1.0], [30.0, 1.0]] => |x| (c(x, 0) * c(x, 1)).sigmoid();
    log1p_exp at [[0.3, 2.0], [-40.0, 1.0], [40.0, 1.0]] => |x| (c(x, 0) * c(x, 1)).log1p_exp();
    ln_sigmoid at [[0.3, 2.0], [-40.0, 1.0], [40.0, 1.0]] => |x| (c(x, 0) * c(x, 1)).ln_sigmoid();
    lgamma at [[0.3, 2.0], [4.0, 2.5], [0.01, 1.0]] => |x| (c(x, 0) * c(x, 1)).lgamma();
    digamma at [[0.3, 2.0], [4.0, 2.5], [0.05, 1.0]] => |x| (c(x, 0) * c(x, 1)).digamma();
    ln_beta_fn at [[0.3, 2.0], [4.0, 2.5]] => |x| ln_beta(&c(x, 0), &c(x, 1));
    max_min at [[0.3, 2.0], [4.0, 2.5]] => |x| c(x, 0).max(c(x, 1)) * c(x, 0).min(c(x, 1) * 0.5);
    log_sum_exp_fn at [[0.3, 2.0, -1.0], [400.0, 401.0, -5.0]] => |x| log_sum_exp(x) * c(x, 2);
    dot_fn at [[0.3, 2.0, -1.0]] => |x| {
        let eta = dot([1.5, -0.5, 2.0], x);
        eta.clone().sigmoid() * eta
    };
    dot_quadratic at [[0.3, 2.0, -1.0]] => |x| {
        // A quadratic form through fused sums: exercises Dense tangents and Hessians.
        let a = dot([1.0, 2.0, 3.0], x);
        let b = dot([-1.0, 0.5, 0.0], x);
        a.clone() * b + a.clone() * a
    };
    sum_of_duals at [[0.3, 2.0, -1.0]] => |x| {
        let terms: Vec<S> = x.iter().map(|v| v.clone() * v.clone()).collect();
        let mut acc = S::constant(0.0);
        for t in terms {
            acc += t;
        }
        acc.exp()
    };
}

#[test]
fn comparisons_use_the_value() {
    let a = Dual::variable(1.0, 0, 2);
    let b = Dual::variable(2.0, 1, 2);
    assert!(a < b);
    assert!(a < 1.5 && 0.5 < a);
    assert!(a == 1.0);
    assert!(1.0 == a);
    let a2 = Dual2::variable(3.0, 0, 1);
    assert!(a2 > 2.0 && 4.0 > a2);
}

#[test]
fn constants_have_zero_derivatives() {
    let (v, g, h) = hessian(|_x: &[Dual2]| Dual2::constant(3.0).exp(), &[1.0, 2.0]);
    assert_eq!(v, 3.0_f64.exp());
    assert_eq!(g, vec![0.0, 0.0]);
    assert!(h.iter().all(|&x| x == 0.0));
}

#[test]
fn linear_expressions_carry_no_hessian_storage() {
    // x·w is linear, so its Hessian is exactly zero.
    let w = Dual2::variables(&[0.5, -1.0, 2.0]);
    let eta = dot([1.0, 2.0, 3.0], &w) + 1.0;
    assert_eq!(eta.value(), 0.5 - 2.0 + 6.0 + 1.0);
    assert!(eta.hessian().iter().all(|&x| x == 0.0));
    assert_eq!(eta.gradient(), vec![1.0, 2.0, 3.0]);
}

/// Σⱼ ½(xⱼ − x₀)² over j ≥ 1: every term touches two of the variables (sparse tangents).
fn spread<S: Scalar>(x: &[S]) -> S {
    let mut acc = S::constant(0.0);
    for xj in &x[1..] {
        let d = xj.clone() - x[0].clone();
        acc += d.clone() * d * 0.5;
    }
    acc
}

#[test]
fn a_sum_of_ten_thousand_two_variable_terms_has_their_gradient() {
    let x: Vec<f64> = (0..10_000).map(|i| 1e-3 * i as f64).collect();
    let (v, g) = gradient(|y: &[Dual]| spread(y), &x);
    assert!(close(v, spread(&x), 1e-14));
    // ∂/∂xⱼ = xⱼ − x₀ for j ≥ 1, ∂/∂x₀ = −Σⱼ (xⱼ − x₀)
    let d0: f64 = x[1..].iter().map(|xj| x[0] - xj).sum();
    assert!(close(g[0], d0, 1e-12), "{} {d0}", g[0]);
    assert!(x[1..].iter().zip(&g[1..]).all(|(xj, gj)| *gj == xj - x[0]));
}

#[test]
fn a_sum_of_two_variable_terms_has_their_hessian() {
    let n = 300;
    let x: Vec<f64> = (0..n).map(|i| 0.01 * i as f64).collect();
    let (_, g, h) = hessian(|y: &[Dual2]| spread(y), &x);
    let (_, g1) = gradient(|y: &[Dual]| spread(y), &x);
    assert_eq!(g, g1);
    // ∇² = [[n − 1, −1ᵀ], [−1, I]]
    for i in 0..n {
        for j in 0..n {
            let want = match (i, j) {
                (0, 0) => (n - 1) as f64,
                (0, _) | (_, 0) => -1.0,
                _ if i == j => 1.0,
                _ => 0.0,
            };
            assert_eq!(h[(i, j)], want, "H[{i},{j}]");
        }
    }
}
