//! A parameter that reads latents and came out non-finite, or that its distribution
//! rejected, blamed on a non-finite datum it reads: `Normal(w * x[i], 1.0)` with
//! `x[1] = NaN` is a `ModelError` `NonFinite` at `x[1]`, not a log density of −∞ at every
//! value of `w` (which left the fit without a finite start). Only on that error path: each
//! indexed data read of the expression (`x[i]`, `x[(i, j)]`, `x[i][j]`) and each row or
//! column read whole (`x.row(i)`, `x.column(j)`, named by the element: index `[1, 3]`) is read
//! again and checked. A number is checked if it is an `f64` or `f32`, a row if its elements
//! are (anything whose reference iterates over them: `&x[i]` of a `Vec<Vec<f64>>`, a
//! nalgebra row); any other read is not checked, and an expression with no non-finite
//! datum falls through to the −∞ it had.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::Visit;
use syn::{Expr, ExprIndex, Ident};

use super::index::{axis_method, is_place, split_chain};
use super::rewrite::{Ctx, Rewriter};
use super::{model_err, Names};
use crate::resolved::Value;
use crate::source::{text_of, Info};

/// `return Err(NonFinite)` at the first data read of `value` that is not finite; nothing
/// when there is none.
pub fn blame(names: &Names, value: &Value, info: &Info) -> TokenStream {
    let mut reads = Reads(Vec::new());
    reads.visit_expr(value.expr);
    let mut r = Rewriter::new(names, value, info);
    let mut checks = TokenStream::new();
    for read in reads.0 {
        let root = match read {
            Read::Index(e) => split_chain(e).0,
            Read::Line { root, .. } => root,
        };
        if !is_place(root) || r.is_scalar_root(root) {
            continue;
        }
        let base = r.rewrite(root, Ctx::Ref);
        let checked = match read {
            Read::Index(e) => {
                let c = r.chain(base, &text_of(root), &split_chain(e).1);
                let last = c.last;
                Checked {
                    setup: c.setup,
                    read: quote!(#last),
                    before: c.indices,
                    after: Vec::new(),
                }
            }
            Read::Line {
                method, size, at, ..
            } => {
                let (line, i) = (names.fresh("r"), names.fresh("i"));
                let at = r.rewrite(at, Ctx::Value);
                let size = Ident::new(size, method.span());
                // element k of x.row(i) is x[i, k]; of x.column(j), x[k, j]
                let (before, after) = if method == "row" {
                    (vec![i.clone()], Vec::new())
                } else {
                    (Vec::new(), vec![i.clone()])
                };
                // a row past the end, read in a branch the statement did not take, is not read
                Checked {
                    setup: quote! {
                        let #i: usize = #at;
                        if #i >= (#base).#size() {
                            break '__ngvi_blame;
                        }
                        let #line = (#base).#method(#i);
                    },
                    read: quote!(&#line),
                    before,
                    after,
                }
            }
        };
        checks.extend(checked.tokens(&text_of(root), info));
    }
    checks
}

/// A data read to check: the setup, a reference `read` to what it read, and its index, where the
/// position of a non-finite element of a row or column read whole goes between `before`
/// and `after`.
struct Checked {
    setup: TokenStream,
    read: TokenStream,
    before: Vec<Ident>,
    after: Vec<Ident>,
}

impl Checked {
    /// `return Err(NonFinite)` naming `name` and the index, when what was read is a
    /// non-finite number or holds one.
    fn tokens(&self, name: &str, info: &Info) -> TokenStream {
        let Checked {
            setup,
            read,
            before,
            after,
        } = self;
        let err = model_err(
            info,
            quote!(::std::string::String::from(#name)),
            quote!(__ngvi_index),
            quote!(::ngvi::ModelErrorKind::NonFinite { value: __ngvi_bad }),
        );
        quote! {'__ngvi_blame: {
            #setup
            #[allow(unused_imports)]
            use ::ngvi::macro_support::{
                NonFiniteElement as _, NonFiniteNumber as _, NotANumber as _,
            };
            if let ::core::option::Option::Some((__ngvi_at, __ngvi_bad)) =
                (&&::ngvi::macro_support::Blame(#read)).non_finite()
            {
                let mut __ngvi_index: ::std::vec::Vec<usize> = ::std::vec![#(#before),*];
                __ngvi_index.extend(__ngvi_at);
                #(__ngvi_index.push(#after);)*
                #err
            }
        }}
    }
}

/// A data read a failed parameter may blame: an index chain (`x[i]`, `x[(i, j)]`,
/// `x[i][j]`), or a row or column read whole (`x.row(i)`, `x.column(j)`).
enum Read<'e> {
    Index(&'e Expr),
    /// `root.method(at)`, whose index is checked against `root.size()`.
    Line {
        root: &'e Expr,
        method: &'e Ident,
        size: &'static str,
        at: &'e Expr,
    },
}

/// The outermost data reads of an expression, outside closures.
struct Reads<'e>(Vec<Read<'e>>);

impl<'e> Visit<'e> for Reads<'e> {
    fn visit_expr(&mut self, e: &'e Expr) {
        match e {
            Expr::Index(ExprIndex { index, .. }) => {
                self.0.push(Read::Index(e));
                // an index may itself read data (`theta[group[i]]`)
                self.visit_expr(index);
            }
            Expr::MethodCall(m) => match axis_method(&m.method, m.args.len()) {
                Some((size, false)) => {
                    self.0.push(Read::Line {
                        root: &m.receiver,
                        method: &m.method,
                        size,
                        at: &m.args[0],
                    });
                    self.visit_expr(&m.args[0]);
                }
                _ => syn::visit::visit_expr(self, e),
            },
            Expr::Closure(_) => {}
            _ => syn::visit::visit_expr(self, e),
        }
    }
}
