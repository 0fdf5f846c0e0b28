//! Checked indexing: `x[i]`, `x[i][j]`, nalgebra `x[(i, j)]` and ranges `x[a..b]` become
//! `.get(..)` chains, and the nalgebra methods that take a row or column index
//! (`x.row(i)`, `x.column(j)`, `x.rows(i, n)`, `x.columns(j, n)`) are preceded by a check
//! of the matrix's shape; each returns a `ModelError` `IndexOutOfRange` (naming the
//! variable at the root, the index and the statement) instead of panicking. And data
//! values read as `f64` for `observe` and distribution parameters.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Expr, ExprMethodCall, ExprRange, Ident};

use super::rewrite::{Ctx, Rewriter};
use super::{model_err, Expander, Names};
use crate::resolved::Value;
use crate::source::{text_of, Info};

/// The result of a checked index chain: setup statements, the reference to the element,
/// and the index variables.
pub struct Chain {
    pub setup: TokenStream,
    pub last: Ident,
    pub indices: Vec<Ident>,
}

impl Rewriter<'_> {
    /// `return Err(IndexOutOfRange)` for the access chain so far.
    fn out_of_range(&self, name: &str, indices: &[Ident], kind: TokenStream) -> TokenStream {
        model_err(
            self.info,
            quote!(::std::string::String::from(#name)),
            quote!(::std::vec![#(#indices),*]),
            kind,
        )
    }

    /// Checked accesses `base[parts[0]][parts[1]]…`, `base` already rewritten.
    pub fn chain(&mut self, base: TokenStream, name: &str, parts: &[&Expr]) -> Chain {
        let mut setup = TokenStream::new();
        let mut cur = base;
        let mut indices: Vec<Ident> = Vec::new();
        let mut last = self.names.fresh("r");
        for part in parts {
            let r = self.names.fresh("r");
            let step = match part {
                Expr::Tuple(t) if t.elems.len() == 2 => {
                    self.pair(&cur, &r, name, (&t.elems[0], &t.elems[1]), &mut indices)
                }
                Expr::Range(range) => self.range(&cur, &r, name, range, &indices),
                _ => self.single(&cur, &r, name, part, &mut indices),
            };
            setup.extend(step);
            cur = r.to_token_stream();
            last = r;
        }
        Chain {
            setup,
            last,
            indices,
        }
    }

    /// `let r = cur.get((i, j))` (a matrix element).
    fn pair(
        &mut self,
        cur: &TokenStream,
        r: &Ident,
        name: &str,
        (a, b): (&Expr, &Expr),
        indices: &mut Vec<Ident>,
    ) -> TokenStream {
        let (i, j) = (self.names.fresh("i"), self.names.fresh("i"));
        let a = self.rewrite(a, Ctx::Value);
        let b = self.rewrite(b, Ctx::Value);
        indices.push(i.clone());
        indices.push(j.clone());
        let (at, len) = (self.names.fresh("i"), self.names.fresh("n"));
        let err = self.out_of_range(
            name,
            indices,
            quote!(::ngvi::ModelErrorKind::IndexOutOfRange { index: #at, len: #len }),
        );
        quote! {
            let #i: usize = #a;
            let #j: usize = #b;
            let #r = match (#cur).get((#i, #j)) {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => {
                    let (#at, #len) = if #i >= (#cur).nrows() {
                        (#i, (#cur).nrows())
                    } else {
                        (#j, (#cur).ncols())
                    };
                    #err
                }
            };
        }
    }

    /// `let r = cur.get(a..b)` (a sub-slice).
    fn range(
        &mut self,
        cur: &TokenStream,
        r: &Ident,
        name: &str,
        range: &ExprRange,
        indices: &[Ident],
    ) -> TokenStream {
        let (s, e) = (self.names.fresh("i"), self.names.fresh("i"));
        let start = match &range.start {
            Some(x) => self.rewrite(x, Ctx::Value),
            None => quote!(0),
        };
        let end = match &range.end {
            Some(x) => self.rewrite(x, Ctx::Value),
            None => quote!((#cur).len()),
        };
        let rng = match range.limits {
            syn::RangeLimits::HalfOpen(_) => quote!(#s..#e),
            syn::RangeLimits::Closed(_) => quote!(#s..=#e),
        };
        let err = self.out_of_range(
            name,
            indices,
            quote!(::ngvi::ModelErrorKind::IndexOutOfRange {
                index: if #s > #e { #s } else { #e },
                len: (#cur).len(),
            }),
        );
        quote! {
            let #s: usize = #start;
            let #e: usize = #end;
            let #r = match (#cur).get(#rng) {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => { #err }
            };
        }
    }

    /// `let r = cur.get(i)`.
    fn single(
        &mut self,
        cur: &TokenStream,
        r: &Ident,
        name: &str,
        part: &Expr,
        indices: &mut Vec<Ident>,
    ) -> TokenStream {
        let i = self.names.fresh("i");
        let x = self.rewrite(part, Ctx::Value);
        indices.push(i.clone());
        let err = self.out_of_range(
            name,
            indices,
            quote!(::ngvi::ModelErrorKind::IndexOutOfRange { index: #i, len: (#cur).len() }),
        );
        quote! {
            let #i: usize = #x;
            let #r = match (#cur).get(#i) {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => { #err }
            };
        }
    }

    /// A checked index chain as an expression.
    pub fn index(&mut self, e: &Expr, ctx: Ctx) -> TokenStream {
        let (root, parts) = split_chain(e);
        let name = text_of(root);
        let scalar = self.is_scalar_root(root);
        let base = self.rewrite(root, Ctx::Ref);
        if is_place(root) {
            let c = self.chain(base, &name, &parts);
            let (setup, last) = (c.setup, c.last);
            if scalar && ctx == Ctx::Value {
                quote!(::core::clone::Clone::clone({ #setup #last }))
            } else {
                quote!((*{ #setup #last }))
            }
        } else {
            let tmp = self.names.fresh("b");
            let c = self.chain(quote!(#tmp), &name, &parts);
            let (setup, last) = (c.setup, c.last);
            quote!({ let #tmp = #base; #setup ::core::clone::Clone::clone(#last) })
        }
    }
}

impl Rewriter<'_> {
    /// Whether an assignment to `target` can be checked: an indexed place (`nu[t]`,
    /// `x[i][j]`, `m[(i, j)]`), without ranges.
    pub fn checks_assignment(&self, target: &Expr) -> bool {
        let (root, parts) = split_chain(target);
        !parts.is_empty() && is_place(root) && !parts.iter().any(|p| matches!(p, Expr::Range(_)))
    }

    /// `target OP value` for a target that [`Rewriter::checks_assignment`]: the value
    /// first, then checked `get_mut` accesses, then the assignment through the reference.
    pub fn checked_assignment(
        &mut self,
        target: &Expr,
        op: TokenStream,
        value: TokenStream,
    ) -> TokenStream {
        let (root, parts) = split_chain(target);
        let name = text_of(root);
        let v = self.names.fresh("v");
        let mut setup = quote!(let #v = #value;);
        let mut cur = self.rewrite(root, Ctx::Place);
        let mut indices: Vec<Ident> = Vec::new();
        for part in parts {
            let (r, len) = (self.names.fresh("r"), self.names.fresh("n"));
            let step = if let Expr::Tuple(t) = part {
                let (i, j, at) = (
                    self.names.fresh("i"),
                    self.names.fresh("i"),
                    self.names.fresh("i"),
                );
                let a = self.rewrite(&t.elems[0], Ctx::Value);
                let b = self.rewrite(&t.elems[1], Ctx::Value);
                indices.push(i.clone());
                indices.push(j.clone());
                let err = self.out_of_range(
                    &name,
                    &indices,
                    quote!(::ngvi::ModelErrorKind::IndexOutOfRange { index: #at, len: #len }),
                );
                quote! {
                    let #i: usize = #a;
                    let #j: usize = #b;
                    let (#at, #len) = if #i >= (#cur).nrows() {
                        (#i, (#cur).nrows())
                    } else {
                        (#j, (#cur).ncols())
                    };
                    let #r = match (#cur).get_mut((#i, #j)) {
                        ::core::option::Option::Some(v) => v,
                        ::core::option::Option::None => { #err }
                    };
                }
            } else {
                let i = self.names.fresh("i");
                let x = self.rewrite(part, Ctx::Value);
                indices.push(i.clone());
                let err = self.out_of_range(
                    &name,
                    &indices,
                    quote!(::ngvi::ModelErrorKind::IndexOutOfRange { index: #i, len: #len }),
                );
                quote! {
                    let #i: usize = #x;
                    let #len: usize = (#cur).len();
                    let #r = match (#cur).get_mut(#i) {
                        ::core::option::Option::Some(v) => v,
                        ::core::option::Option::None => { #err }
                    };
                }
            };
            setup.extend(step);
            cur = r.to_token_stream();
        }
        quote!({ #setup *#cur #op #v; })
    }
}

/// A nalgebra method that takes a row or column index, by name and argument count: the
/// method giving the size it is checked against, and whether its second argument is a
/// count (`x.rows(i, n)`).
pub fn axis_method(method: &Ident, args: usize) -> Option<(&'static str, bool)> {
    match (method.to_string().as_str(), args) {
        ("row", 1) => Some(("nrows", false)),
        ("column", 1) => Some(("ncols", false)),
        ("rows", 2) => Some(("nrows", true)),
        ("columns", 2) => Some(("ncols", true)),
        _ => None,
    }
}

impl Rewriter<'_> {
    /// `x.row(i)` (any [`axis_method`]) on a data place `x`, preceded by the check that
    /// the rows (columns) exist: `IndexOutOfRange` names `x`, the first missing index and
    /// the number of rows (columns).
    pub fn checked_axis(&mut self, m: &ExprMethodCall, size: &str, count: bool) -> TokenStream {
        let recv = self.rewrite(&m.receiver, Ctx::Ref);
        let name = text_of(&*m.receiver);
        let size = Ident::new(size, m.method.span());
        let method = &m.method;
        let (i, n, at, len) = (
            self.names.fresh("i"),
            self.names.fresh("i"),
            self.names.fresh("i"),
            self.names.fresh("n"),
        );
        let first = self.rewrite(&m.args[0], Ctx::Value);
        let err = self.out_of_range(
            &name,
            std::slice::from_ref(&at),
            quote!(::ngvi::ModelErrorKind::IndexOutOfRange { index: #at, len: #len }),
        );
        if count {
            let second = self.rewrite(&m.args[1], Ctx::Value);
            quote!({
                let #i: usize = #first;
                let #n: usize = #second;
                let #len: usize = (#recv).#size();
                if #i > #len || #n > #len - #i {
                    let #at: usize = if #i >= #len { #i } else { #i + #n - 1 };
                    #err;
                }
                (#recv).#method(#i, #n)
            })
        } else {
            // A row walks its stride faster wrapped (`macro_support::Row`).
            let access = match method.to_string().as_str() {
                "row" => quote!(::ngvi::macro_support::Row((#recv).#method(#i))),
                _ => quote!((#recv).#method(#i)),
            };
            quote!({
                let #i: usize = #first;
                let #len: usize = (#recv).#size();
                if #i >= #len {
                    let #at: usize = #i;
                    #err;
                }
                #access
            })
        }
    }
}

/// `x[i][j]` → (`x`, [`i`, `j`]).
pub fn split_chain(e: &Expr) -> (&Expr, Vec<&Expr>) {
    let mut parts = Vec::new();
    let mut cur = e;
    while let Expr::Index(ix) = cur {
        parts.push(&*ix.index);
        cur = &ix.expr;
    }
    parts.reverse();
    (cur, parts)
}

/// Whether an expression names a place that outlives the statement (so a reference to an
/// element of it can be returned from a block).
pub fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => true,
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && is_place(&u.expr),
        _ => false,
    }
}

/// A data value read as `f64`: its setup, the variable holding it, and how to name it in
/// an error (the variable and its index variables).
pub struct DataValue {
    pub setup: TokenStream,
    pub value: Ident,
    variable: String,
    indices: Vec<Ident>,
}

impl DataValue {
    pub fn variable_tokens(&self) -> TokenStream {
        let v = &self.variable;
        quote!(::std::string::String::from(#v))
    }
    pub fn index_tokens(&self) -> TokenStream {
        let ix = &self.indices;
        quote!(::std::vec![#(#ix),*])
    }
}

impl Expander<'_, '_> {
    /// Read a data expression as `f64`; an indexed one names its root and indices in
    /// errors.
    pub fn data_value(&self, v: &Value, info: &Info) -> DataValue {
        data_value(&self.names, v, info)
    }
}

/// See [`Expander::data_value`].
pub fn data_value(names: &Names, v: &Value, info: &Info) -> DataValue {
    let value = names.fresh("v");
    let (root, parts) = split_chain(v.expr);
    if !parts.is_empty() && is_place(root) {
        let mut r = Rewriter::new(names, v, info);
        let base = r.rewrite(root, Ctx::Ref);
        let c = r.chain(base, &text_of(root), &parts);
        let (setup, last) = (c.setup, c.last);
        return DataValue {
            setup: quote! {
                #setup
                let #value: f64 = ::ngvi::dist::Observation::to_f64(#last);
            },
            value,
            variable: text_of(root),
            indices: c.indices,
        };
    }
    let x = Rewriter::new(names, v, info).rewrite(v.expr, Ctx::Value);
    DataValue {
        setup: quote!(let #value: f64 = ::ngvi::dist::Observation::to_f64(&(#x));),
        value,
        variable: text_of(v.expr),
        indices: Vec::new(),
    }
}
