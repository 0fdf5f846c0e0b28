//! Expressions rewritten for the generated `log_joint`: latents are generic scalars `S`
//! (not `Copy`), so every use of a generic scalar is cloned, except behind `&`, as a method
//! receiver, or as an assignment target; every indexing, and every nalgebra `x.row(i)`,
//! `x.column(j)`, `x.rows(i, n)`, `x.columns(j, n)`, and every assignment to an element
//! (`nu[t] = …`, `x[(i, j)] += …`) becomes a checked access ([`index`](super::index)),
//! except inside closures (a closure cannot return the error).
//!
//! The generated `log_joint` has no `where f64: F64Ops<S>` bound (it made rustc read
//! `s * 2.0` on data as `f64 * S`), so data on the left of a generic scalar, `2.0 * mu`,
//! is written as a call, `::ngvi::macro_support::mul(2.0, mu)`; arithmetic on data alone
//! stays plain Rust.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Token};

use super::dist_call::build;
use super::index::{axis_method, is_place};
use super::{scalar_s, Names};
use crate::dists::Dist;
use crate::env::{density_call, is_assign_op, root_ident, value_mentions};
use crate::resolved::{Call, Value};
use crate::source::Info;

/// How a rewritten expression is used.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Moved: generic scalars are cloned.
    Value,
    /// Borrowed (`&x`, a method receiver): no clone.
    Ref,
    /// Assigned to (`x += …`, `&mut x`): left as written.
    Place,
}

/// Rewrites the expressions of one statement.
pub struct Rewriter<'a> {
    pub names: &'a Names,
    /// The names in the statement that are generic scalars.
    scalars: &'a BTreeSet<String>,
    /// The distributions of the statement's log densities `D(..).ln_density(x)`.
    densities: &'a [&'static Dist],
    /// The statement, for run-time errors.
    pub info: &'a Info,
    ctx: Ctx,
    in_closure: bool,
}

impl<'a> Rewriter<'a> {
    /// The rewriter of the expressions of `value`'s statement.
    pub fn new(names: &'a Names, value: &'a Value<'_>, info: &'a Info) -> Self {
        Rewriter {
            names,
            scalars: &value.scalars,
            densities: &value.densities,
            info,
            ctx: Ctx::Value,
            in_closure: false,
        }
    }

    pub fn rewrite(&mut self, e: &Expr, ctx: Ctx) -> TokenStream {
        let mut e = e.clone();
        self.ctx = ctx;
        self.visit_expr_mut(&mut e);
        e.into_token_stream()
    }

    /// Whether the variable at the root of `e` is a generic scalar.
    pub fn is_scalar_root(&self, e: &Expr) -> bool {
        root_ident(e).is_some_and(|id| self.is_scalar_name(&id))
    }

    fn is_scalar_name(&self, id: &Ident) -> bool {
        self.scalars.contains(&id.to_string())
    }

    /// Rewrite the items of a macro call that are expressions (`vec![a, b]`, `vec![a; n]`);
    /// other macros are left as written.
    fn rewrite_macro(&mut self, m: &mut syn::ExprMacro) {
        let tokens = m.mac.tokens.clone();
        let list = syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            tokens.clone(),
        );
        if let Ok(list) = list {
            let items: Vec<TokenStream> =
                list.iter().map(|e| self.rewrite(e, Ctx::Value)).collect();
            m.mac.tokens = quote!(#(#items),*);
            return;
        }
        let repeat = |input: syn::parse::ParseStream| {
            let a: Expr = input.parse()?;
            input.parse::<Token![;]>()?;
            let b: Expr = input.parse()?;
            Ok((a, b))
        };
        if let Ok((a, b)) = syn::parse::Parser::parse2(repeat, tokens) {
            let a = self.rewrite(&a, Ctx::Value);
            let b = self.rewrite(&b, Ctx::Value);
            m.mac.tokens = quote!(#a; #b);
        }
    }

    /// Visit `e` in context `ctx`.
    fn visit_in(&mut self, e: &mut Expr, ctx: Ctx) {
        self.ctx = ctx;
        self.visit_expr_mut(e);
    }

    /// `x[i]` left as written (in a closure, or assigned to), its generic scalar cloned.
    fn plain_index(&mut self, e: &mut Expr, ix: &mut syn::ExprIndex, ctx: Ctx) {
        let scalar = self.is_scalar_root(&ix.expr);
        let inner = if ctx == Ctx::Place {
            Ctx::Place
        } else {
            Ctx::Ref
        };
        self.visit_in(&mut ix.expr, inner);
        self.visit_in(&mut ix.index, Ctx::Value);
        *e = if scalar && ctx == Ctx::Value {
            Expr::Verbatim(quote!(::core::clone::Clone::clone(&#ix)))
        } else {
            Expr::Index(ix.clone())
        };
    }

    /// `a op s` with data `a` and a generic scalar `s`, as `macro_support::op(a, s)`;
    /// `None` for any other binary expression.
    fn data_then_scalar(&mut self, b: &syn::ExprBinary) -> Option<TokenStream> {
        use syn::BinOp::*;
        let f = match b.op {
            Add(_) => "add",
            Sub(_) => "sub",
            Mul(_) => "mul",
            Div(_) => "div",
            Lt(_) => "lt",
            Le(_) => "le",
            Gt(_) => "gt",
            Ge(_) => "ge",
            Eq(_) => "eq",
            Ne(_) => "ne",
            _ => return None,
        };
        if self.is_scalar_expr(&b.left) || !self.is_scalar_expr(&b.right) {
            return None;
        }
        let f = Ident::new(f, b.op.span());
        let (mut a, mut s) = (b.left.clone(), b.right.clone());
        self.visit_in(&mut a, Ctx::Value);
        self.visit_in(&mut s, Ctx::Value);
        Some(quote!(::ngvi::macro_support::#f(#a, #s)))
    }

    /// For `x.row(i)` and the other [`axis_method`]s on a data place outside a closure
    /// (where the check can return the error), the size to check and whether the method
    /// takes a count.
    fn checks_axis(&self, m: &syn::ExprMethodCall) -> Option<(&'static str, bool)> {
        if self.in_closure
            || m.turbofish.is_some()
            || !is_place(&m.receiver)
            || self.is_scalar_expr(&m.receiver)
        {
            return None;
        }
        axis_method(&m.method, m.args.len())
    }

    /// `D(args).ln_density(x)`: the distribution built as in a `sample` or `observe`
    /// (a parameter from data outside its domain is a `ModelError`, one from latents a log
    /// density of −∞), then its log density at `x` as a generic scalar. `None` for any
    /// other expression, and inside a closure (which cannot return the error).
    fn density(&mut self, e: &Expr) -> Option<TokenStream> {
        let (d, call, x) = density_call(e)?;
        let d = *self.densities.iter().find(|k| std::ptr::eq(**k, d))?;
        if self.in_closure {
            return None;
        }
        let scalars_of = |a: &Expr| -> BTreeSet<String> {
            value_mentions(a)
                .iter()
                .map(ToString::to_string)
                .filter(|n| self.scalars.contains(n))
                .collect()
        };
        let args: Vec<Value> = call
            .args
            .iter()
            .map(|a| Value {
                expr: a,
                scalars: scalars_of(a),
                densities: self.densities.to_vec(),
            })
            .collect();
        let name = match &*call.func {
            Expr::Path(p) => p.path.get_ident()?.clone(),
            _ => return None,
        };
        let resolved = Call {
            dist: d,
            name: &name,
            args,
        };
        let s = scalar_s();
        let b = build(self.names, self.info, &resolved, &quote!(#s));
        let (setup, var) = (&b.setup, &b.var);
        let xv = self.names.fresh("x");
        let x_scalar = !scalars_of(x).is_empty();
        let body = if d.multivariate {
            let xs = self.rewrite(x, Ctx::Ref);
            if x_scalar {
                quote!(#var.ln_density(&(#xs)[..]))
            } else {
                quote! {{
                    let #xv: ::std::vec::Vec<#s> = ::ngvi::macro_support::scalars((#xs).iter());
                    #var.ln_density(&#xv)
                }}
            }
        } else {
            let xs = self.rewrite(x, Ctx::Value);
            let conv = if x_scalar {
                quote!(#xs)
            } else {
                quote!(<#s as ::core::convert::From<f64>>::from(
                    ::ngvi::dist::Observation::to_f64(&(#xs))
                ))
            };
            quote! {{
                let #xv: #s = #conv;
                ::ngvi::dist::Univariate::<#s>::ln_density(&#var, &#xv)
            }}
        };
        Some(quote!({ #setup #body }))
    }

    /// Whether an expression computes a generic scalar (it uses one).
    fn is_scalar_expr(&self, e: &Expr) -> bool {
        value_mentions(e).iter().any(|id| self.is_scalar_name(id))
    }

    /// `x.f`: the base is borrowed; a generic scalar's field is cloned.
    fn field(&mut self, e: &mut Expr, f: &mut syn::ExprField, ctx: Ctx) {
        let scalar = self.is_scalar_root(&f.base);
        let inner = if ctx == Ctx::Place {
            Ctx::Place
        } else {
            Ctx::Ref
        };
        self.visit_in(&mut f.base, inner);
        *e = if scalar && ctx == Ctx::Value {
            Expr::Verbatim(quote!(::core::clone::Clone::clone(&#f)))
        } else {
            Expr::Field(f.clone())
        };
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let ctx = std::mem::replace(&mut self.ctx, Ctx::Value);
        if let Some(ts) = self.replacement(e) {
            *e = Expr::Verbatim(ts);
            return;
        }
        if self.assignment(e) {
            return;
        }
        match e {
            Expr::Path(p) => {
                let scalar = p.qself.is_none()
                    && p.path.get_ident().is_some_and(|id| self.is_scalar_name(id));
                if scalar && ctx == Ctx::Value {
                    *e = Expr::Verbatim(quote!(::core::clone::Clone::clone(&#p)));
                }
            }
            Expr::Index(ix) if self.in_closure || ctx == Ctx::Place => {
                let mut ix = ix.clone();
                self.plain_index(e, &mut ix, ctx);
            }
            Expr::Index(_) => {
                let ts = self.index(e, ctx);
                *e = Expr::Verbatim(ts);
            }
            Expr::Reference(r) => {
                let inner = if r.mutability.is_some() {
                    Ctx::Place
                } else {
                    Ctx::Ref
                };
                self.visit_in(&mut r.expr, inner);
            }
            Expr::MethodCall(m) => {
                let by_value = m.method == "max" || m.method == "min";
                self.visit_in(
                    &mut m.receiver,
                    if by_value { Ctx::Value } else { Ctx::Ref },
                );
                for a in m.args.iter_mut() {
                    self.visit_in(a, Ctx::Value);
                }
            }
            Expr::Binary(b) => match self.data_then_scalar(b) {
                Some(call) => *e = Expr::Verbatim(call),
                None => syn::visit_mut::visit_expr_mut(self, e),
            },
            Expr::Field(f) => {
                let mut f = f.clone();
                self.field(e, &mut f, ctx);
            }
            Expr::Paren(p) => self.visit_in(&mut p.expr, ctx),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.visit_in(&mut u.expr, Ctx::Ref);
            }
            Expr::Closure(c) => {
                let outer = std::mem::replace(&mut self.in_closure, true);
                self.visit_expr_mut(&mut c.body);
                self.in_closure = outer;
            }
            Expr::Macro(m) => self.rewrite_macro(m),
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
}

impl Rewriter<'_> {
    /// The code that replaces `e` whole: a log density `D(args).ln_density(x)`, or a checked
    /// matrix axis access (`x.row(i)`, …).
    fn replacement(&mut self, e: &Expr) -> Option<TokenStream> {
        if let Some(ts) = self.density(e) {
            return Some(ts);
        }
        match e {
            Expr::MethodCall(m) => {
                let (size, count) = self.checks_axis(m)?;
                Some(self.checked_axis(m, size, count))
            }
            _ => None,
        }
    }

    /// An assignment `place = value` or `place op= value`: checked when its place indexes
    /// data the body relies on, rewritten in place otherwise. Returns whether `e` was one.
    fn assignment(&mut self, e: &mut Expr) -> bool {
        match e {
            Expr::Assign(a) if !self.in_closure && self.checks_assignment(&a.left) => {
                let a = a.clone();
                let value = self.rewrite(&a.right, Ctx::Value);
                let eq = a.eq_token;
                *e = Expr::Verbatim(self.checked_assignment(&a.left, quote!(#eq), value));
            }
            Expr::Binary(b)
                if is_assign_op(&b.op) && !self.in_closure && self.checks_assignment(&b.left) =>
            {
                let b = b.clone();
                let value = self.rewrite(&b.right, Ctx::Value);
                let op = b.op;
                *e = Expr::Verbatim(self.checked_assignment(&b.left, quote!(#op), value));
            }
            Expr::Assign(a) => {
                self.visit_in(&mut a.left, Ctx::Place);
                self.visit_in(&mut a.right, Ctx::Value);
            }
            Expr::Binary(b) if is_assign_op(&b.op) => {
                self.visit_in(&mut b.left, Ctx::Place);
                self.visit_in(&mut b.right, Ctx::Value);
            }
            _ => return false,
        }
        true
    }
}
