//! Random expression trees through `f64`, `Dual` and `Dual2`, and the same trees in a few of
//! many variables (sparse tangents) against their dense evaluation.

use ngvi_core::ad::{dot, gradient, hessian, ln_beta, log_sum_exp, Dual, Dual2, Scalar};
use proptest::prelude::*;

use super::{close, config, fd5, same};

/// An expression in three variables. Every operation is smooth where it is evaluated: the
/// arguments of ln, sqrt, recip, lgamma, … are kept positive (1 + e²), divisions are by
/// 1 + e², exponentials of bounded values.
#[derive(Debug, Clone)]
enum E {
    Var(usize),
    Const(f64),
    Add(Box<E>, Box<E>),
    Sub(Box<E>, Box<E>),
    Mul(Box<E>, Box<E>),
    /// a / (1 + b²)
    Div(Box<E>, Box<E>),
    /// c / (1 + a²), data on the left
    ConstDiv(f64, Box<E>),
    AddConst(Box<E>, f64),
    MulConst(Box<E>, f64),
    Neg(Box<E>),
    /// exp(tanh a)
    Exp(Box<E>),
    /// ln(1 + a²)
    Ln(Box<E>),
    /// ln_1p(a²)
    Ln1p(Box<E>),
    /// exp_m1(tanh a)
    ExpM1(Box<E>),
    /// √(1 + a²)
    Sqrt(Box<E>),
    /// 1 / (1 + a²)
    Recip(Box<E>),
    Powi(Box<E>, i32),
    /// (1 + a²)^p
    Powf(Box<E>, f64),
    /// (1 + a²)^tanh(b)
    Pow(Box<E>, Box<E>),
    Sin(Box<E>),
    Cos(Box<E>),
    Tanh(Box<E>),
    Sigmoid(Box<E>),
    Softplus(Box<E>),
    LnSigmoid(Box<E>),
    /// lgamma(0.5 + a²)
    Lgamma(Box<E>),
    /// digamma(0.5 + a²)
    Digamma(Box<E>),
    LogSumExp(Box<E>, Box<E>),
    /// ln B(1 + a², 1 + b²)
    LnBeta(Box<E>, Box<E>),
    /// c₀ a + c₁ b through `dot`
    Dot(f64, f64, Box<E>, Box<E>),
}

fn positive<S: Scalar>(a: S) -> S {
    a.clone() * a + 1.0
}

impl E {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        use E::*;
        match self {
            Var(i) => x[*i].clone(),
            Const(c) => S::constant(*c),
            Add(a, b) => a.eval(x) + b.eval(x),
            Sub(a, b) => a.eval(x) - b.eval(x),
            Mul(a, b) => a.eval(x) * b.eval(x),
            Div(a, b) => a.eval(x) / positive(b.eval(x)),
            ConstDiv(c, a) => S::constant(*c) / positive(a.eval(x)),
            AddConst(a, c) => a.eval(x) + *c,
            MulConst(a, c) => a.eval(x) * *c,
            Neg(a) => -a.eval(x),
            Exp(a) => a.eval(x).tanh().exp(),
            Ln(a) => positive(a.eval(x)).ln(),
            Ln1p(a) => {
                let v = a.eval(x);
                (v.clone() * v).ln_1p()
            }
            ExpM1(a) => a.eval(x).tanh().exp_m1(),
            Sqrt(a) => positive(a.eval(x)).sqrt(),
            Recip(a) => positive(a.eval(x)).recip(),
            Powi(a, n) => positive(a.eval(x)).powi(*n),
            Powf(a, p) => positive(a.eval(x)).powf(*p),
            Pow(a, b) => positive(a.eval(x)).pow(&b.eval(x).tanh()),
            Sin(a) => a.eval(x).sin(),
            Cos(a) => a.eval(x).cos(),
            Tanh(a) => a.eval(x).tanh(),
            Sigmoid(a) => a.eval(x).sigmoid(),
            Softplus(a) => a.eval(x).log1p_exp(),
            LnSigmoid(a) => a.eval(x).ln_sigmoid(),
            Lgamma(a) => (positive(a.eval(x)) - 0.5).lgamma(),
            Digamma(a) => (positive(a.eval(x)) - 0.5).digamma(),
            LogSumExp(a, b) => log_sum_exp(&[a.eval(x), b.eval(x)]),
            LnBeta(a, b) => ln_beta(&positive(a.eval(x)), &positive(b.eval(x))),
            Dot(c0, c1, a, b) => dot([*c0, *c1], &[a.eval(x), b.eval(x)]),
        }
    }
}

/// A random expression in variables 0..vars.
fn tree(vars: usize) -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        3 => (0..vars).prop_map(E::Var),
        1 => (-2.0..2.0f64).prop_map(E::Const),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        let b = || inner.clone().prop_map(Box::new);
        let c = || -2.0..2.0f64;
        prop_oneof![
            (b(), b()).prop_map(|(a, b)| E::Add(a, b)),
            (b(), b()).prop_map(|(a, b)| E::Sub(a, b)),
            (b(), b()).prop_map(|(a, b)| E::Mul(a, b)),
            (b(), b()).prop_map(|(a, b)| E::Div(a, b)),
            (c(), b()).prop_map(|(c, a)| E::ConstDiv(c, a)),
            (b(), c()).prop_map(|(a, c)| E::AddConst(a, c)),
            (b(), c()).prop_map(|(a, c)| E::MulConst(a, c)),
            b().prop_map(E::Neg),
            b().prop_map(E::Exp),
            b().prop_map(E::Ln),
            b().prop_map(E::Ln1p),
            b().prop_map(E::ExpM1),
            b().prop_map(E::Sqrt),
            b().prop_map(E::Recip),
            (b(), -3..4i32).prop_map(|(a, n)| E::Powi(a, n)),
            (b(), -2.5..2.5f64).prop_map(|(a, p)| E::Powf(a, p)),
            (b(), b()).prop_map(|(a, b)| E::Pow(a, b)),
            b().prop_map(E::Sin),
            b().prop_map(E::Cos),
            b().prop_map(E::Tanh),
            b().prop_map(E::Sigmoid),
            b().prop_map(E::Softplus),
            b().prop_map(E::LnSigmoid),
            b().prop_map(E::Lgamma),
            b().prop_map(E::Digamma),
            (b(), b()).prop_map(|(a, b)| E::LogSumExp(a, b)),
            (b(), b()).prop_map(|(a, b)| E::LnBeta(a, b)),
            (c(), c(), b(), b()).prop_map(|(c0, c1, a, b)| E::Dot(c0, c1, a, b)),
        ]
    })
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn f64_and_dual_values_agree_and_derivatives_match_finite_differences(
        e in tree(3),
        x in proptest::collection::vec(-1.5..1.5f64, 3),
    ) {
        let value: f64 = e.eval(&x);
        prop_assume!(value.is_finite() && value.abs() < 1e8);
        let (v1, g1) = gradient(|y: &[Dual]| e.eval(y), &x);
        let (v2, g2, h2) = hessian(|y: &[Dual2]| e.eval(y), &x);
        prop_assert!(same(v1, value), "{e:?} at {x:?}: f64 {value:e} dual {v1:e}");
        prop_assert!(same(v2, value), "{e:?} at {x:?}: f64 {value:e} dual2 {v2:e}");
        for i in 0..3 {
            prop_assert!(close(g2[i], g1[i], 1e-12), "{e:?}: d/dx{i} dual2 {} dual {}", g2[i], g1[i]);
        }
        for i in 0..3 {
            let h = 1e-4;
            let at = |t: f64| {
                let mut y = x.clone();
                y[i] = t;
                y
            };
            let fd = fd5(|t| e.eval(&at(t)), x[i], h);
            prop_assert!(close(g1[i], fd, 1e-6), "{e:?} at {x:?}: d/dx{i} dual {} fd {fd}", g1[i]);
            for j in 0..3 {
                let fd = fd5(|t| gradient(|y: &[Dual]| e.eval(y), &at(t)).1[j], x[i], h);
                prop_assert!(close(h2[(i, j)], fd, 1e-5), "{e:?} at {x:?}: H[{i},{j}] dual2 {} fd {fd}", h2[(i, j)]);
            }
        }
    }
}

/// The number of variables the sparse-path property works in: a few-variable tangent is
/// sparse there, the mean of all of them dense.
const WIDE: usize = 64;

/// The leaves of a tree in `WIDE` variables: x at three indices, and the mean of all of x.
fn wide_leaves<S: Scalar>(x: &[S], at: &[usize; 3]) -> [S; 4] {
    let mean = dot(std::iter::repeat_n(1.0 / WIDE as f64, WIDE), x);
    [x[at[0]].clone(), x[at[1]].clone(), x[at[2]].clone(), mean]
}

proptest! {
    #![proptest_config(config(200))]

    // f(x) = E(Px) for the 4 × WIDE map P onto (x_i, x_j, x_k, mean x): through sparse
    // tangents (and dense ones, from the mean) in WIDE variables, ∇f = Pᵀ∇E and
    // ∇²f = Pᵀ∇²E P, with ∇E and ∇²E from the dense evaluation in 4 variables.
    #[test]
    fn sparse_tangents_give_the_dense_derivatives(
        e in tree(4),
        at in proptest::array::uniform3(0..WIDE),
        x in proptest::collection::vec(-1.5..1.5f64, WIDE),
    ) {
        let leaves = wide_leaves(&x, &at);
        let value: f64 = e.eval(&leaves);
        prop_assume!(value.is_finite() && value.abs() < 1e8);
        let (v4, g4, h4) = hessian(|y: &[Dual2]| e.eval(y), &leaves);
        let (v1, g1) = gradient(|y: &[Dual]| e.eval(&wide_leaves(y, &at)), &x);
        let (v2, g2, h2) = hessian(|y: &[Dual2]| e.eval(&wide_leaves(y, &at)), &x);
        prop_assert!(same(v1, v4) && same(v2, v4), "{e:?}: values {v1:e} {v2:e} {v4:e}");
        let p = |r: usize, k: usize| f64::from(u8::from(r < 3 && at[r] == k)) + if r == 3 { 1.0 / WIDE as f64 } else { 0.0 };
        for k in 0..WIDE {
            let want: f64 = (0..4).map(|r| p(r, k) * g4[r]).sum();
            prop_assert!(close(g1[k], want, 1e-10), "{e:?} at {at:?}: d/dx{k} dual {} dense {want}", g1[k]);
            prop_assert!(close(g2[k], want, 1e-10), "{e:?} at {at:?}: d/dx{k} dual2 {} dense {want}", g2[k]);
            for l in 0..WIDE {
                let want: f64 = (0..4)
                    .flat_map(|r| (0..4).map(move |c| (r, c)))
                    .map(|(r, c)| p(r, k) * h4[(r, c)] * p(c, l))
                    .sum();
                prop_assert!(close(h2[(k, l)], want, 1e-10), "{e:?} at {at:?}: H[{k},{l}] dual2 {} dense {want}", h2[(k, l)]);
            }
        }
    }
}

#[test]
fn powi_at_zero_has_finite_derivatives() {
    for n in [0, 1, 2, 3] {
        let (v, g, h) = hessian(
            |y: &[Dual2]| (y[0].clone() - y[0].clone()).powi(n) + y[0].clone() * 0.0,
            &[0.7],
        );
        let want = if n == 0 { 1.0 } else { 0.0 };
        assert_eq!(v, want, "x^{n}");
        assert!(
            g[0].is_finite() && h[(0, 0)].is_finite(),
            "x^{n}: {g:?} {h}"
        );
    }
}
