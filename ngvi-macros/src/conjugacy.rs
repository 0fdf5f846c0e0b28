//! Static conjugacy facts: whether a latent's use, as written, is in a conjugate position
//! for its prior (docs/language.md, "Static facts for guide choice"). Only plain spellings
//! are recognised; the engine confirms and completes these facts numerically, so a missed
//! case is harmless and a false positive never happens.

use syn::Expr;

use crate::dists::{self, Dist};
use crate::env::{literal_value, Binding, Env};

/// Whether using `latent` (prior `prior`) as argument `i` of `d`, written `e`, is in a
/// conjugate position (docs/language.md). Only plain spellings are recognised; the engine
/// confirms and completes these facts numerically, so a missed case is harmless.
pub fn conjugate(
    env: &Env,
    prior: &Dist,
    unit_uniform: bool,
    d: &Dist,
    i: usize,
    e: &Expr,
    latent: &str,
) -> bool {
    match dists::conjugate_form(prior.name, unit_uniform, d.name, i) {
        Some(dists::LatentForm::Direct) => is_direct(env, e, latent, 0),
        Some(dists::LatentForm::InvSqrt) => is_inv_sqrt(env, e, latent, 0),
        Some(dists::LatentForm::Sqrt) => is_sqrt(env, e, latent, 0),
        Some(dists::LatentForm::Linear) => linear(env, e, latent, 0) == Some(true),
        None => false,
    }
}

const MAX_DEPTH: usize = 16;

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        _ => e,
    }
}

/// The definition of a `let` name, to look through.
fn let_def<'e>(env: &'e Env, e: &Expr) -> Option<&'e Expr> {
    let Expr::Path(p) = e else { return None };
    let id = p.path.get_ident()?;
    match env.get(&id.to_string()) {
        Some(Binding::Let { def: Some(d), .. }) => Some(d),
        _ => None,
    }
}

/// `e` is the latent itself (or an element of a vector latent).
fn is_direct(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let e = strip(e);
    match e {
        Expr::Path(p) if p.path.is_ident(latent) => {
            matches!(env.get(latent), Some(Binding::Latent))
        }
        Expr::Index(ix) => {
            matches!(strip(&ix.expr), Expr::Path(p) if p.path.is_ident(latent))
                && !env.deps(&ix.index).contains(latent)
        }
        Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
            is_direct(env, &m.receiver, latent, depth + 1)
        }
        _ => let_def(env, e).is_some_and(|d| is_direct(env, d, latent, depth + 1)),
    }
}

fn method<'e>(e: &'e Expr, name: &str) -> Option<&'e syn::ExprMethodCall> {
    match strip(e) {
        Expr::MethodCall(m) if m.method == name => Some(m),
        _ => None,
    }
}

/// `e` is √latent.
fn is_sqrt(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if let Some(m) = method(e, "sqrt").filter(|m| m.args.is_empty()) {
        return is_direct(env, &m.receiver, latent, depth + 1);
    }
    if let Some(m) = method(e, "powf") {
        return m.args.len() == 1
            && literal_value(&m.args[0]) == Some(0.5)
            && is_direct(env, &m.receiver, latent, depth + 1);
    }
    let_def(env, strip(e)).is_some_and(|d| is_sqrt(env, d, latent, depth + 1))
}

/// `e` is 1/latent.
fn is_recip(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if let Some(m) = method(e, "recip").filter(|m| m.args.is_empty()) {
        return is_direct(env, &m.receiver, latent, depth + 1);
    }
    match strip(e) {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Div(_)) => {
            literal_value(&b.left) == Some(1.0) && is_direct(env, &b.right, latent, depth + 1)
        }
        _ => false,
    }
}

/// `e` is 1/√latent, written plainly.
fn is_inv_sqrt(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if let Some(m) = method(e, "powf") {
        return m.args.len() == 1
            && literal_value(&m.args[0]) == Some(-0.5)
            && is_direct(env, &m.receiver, latent, depth + 1);
    }
    if let Some(m) = method(e, "recip").filter(|m| m.args.is_empty()) {
        return is_sqrt(env, &m.receiver, latent, depth + 1);
    }
    if let Some(m) = method(e, "sqrt").filter(|m| m.args.is_empty()) {
        return is_recip(env, &m.receiver, latent, depth + 1);
    }
    match strip(e) {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Div(_)) => {
            literal_value(&b.left) == Some(1.0) && is_sqrt(env, &b.right, latent, depth + 1)
        }
        other => let_def(env, other).is_some_and(|d| is_inv_sqrt(env, d, latent, depth + 1)),
    }
}

/// Whether `e` is affine in `latent`: `Some(true)` when it contains the latent linearly,
/// `Some(false)` when it does not contain it, `None` otherwise.
fn linear(env: &Env, e: &Expr, latent: &str, depth: usize) -> Option<bool> {
    if depth > MAX_DEPTH {
        return None;
    }
    if !env.deps(e).contains(latent) {
        return Some(false);
    }
    if is_direct(env, e, latent, depth + 1) {
        return Some(true);
    }
    let e = strip(e);
    match e {
        Expr::Binary(b) => {
            let l = linear(env, &b.left, latent, depth + 1)?;
            let r = linear(env, &b.right, latent, depth + 1)?;
            match b.op {
                syn::BinOp::Add(_) | syn::BinOp::Sub(_) => Some(l || r),
                syn::BinOp::Mul(_) => (!(l && r)).then_some(l || r),
                syn::BinOp::Div(_) => (!r).then_some(l),
                _ => None,
            }
        }
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            linear(env, &u.expr, latent, depth + 1)
        }
        Expr::Reference(r) => linear(env, &r.expr, latent, depth + 1),
        Expr::Call(c) => {
            let is_dot = matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "dot"));
            if is_dot && c.args.len() == 2 {
                let x = &c.args[0];
                let w = strip(&c.args[1]);
                let w = match w {
                    Expr::Reference(r) => strip(&r.expr),
                    other => other,
                };
                let w_is_latent = matches!(w, Expr::Path(p) if p.path.is_ident(latent))
                    && matches!(env.get(latent), Some(Binding::Latent));
                return (!env.deps(x).contains(latent) && w_is_latent).then_some(true);
            }
            None
        }
        _ => let_def(env, e).and_then(|d| linear(env, d, latent, depth + 1)),
    }
}
