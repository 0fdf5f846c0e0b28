//! Stage 3: expand the checked model into a struct implementing `::ngvi::Model`.
//!
//! Inside the generated `log_joint`, latents are generic scalars `S` (not `Copy`), so
//! expressions are rewritten: every use of a latent or of a latent-dependent `let` is
//! cloned (except behind `&`, as a method receiver, or as an assignment target), and every
//! indexing `x[i]`, `x[i][j]`, `x[(i, j)]`, `x[a..b]` becomes a checked access that returns
//! a [`ModelError`](https://docs.rs/ngvi) `IndexOutOfRange` instead of panicking. Indexing
//! inside closures is left as written (a closure cannot return the error).

use std::cell::Cell;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Token, Type};

use crate::check::{is_assign_op, root_ident, Analysis, Binding, Env};
use crate::dists::{Dist, Domain, SupportKind};
use crate::parse::{text_of, DistCall, Else, IfStmt, Info, ModelFn, Stmt};

const LIFETIME: &str = "'ngvi";

/// Generate the struct, its constructor function and the `Model` impl.
pub fn expand(model: &ModelFn, analysis: &Analysis) -> TokenStream {
    let ex = Expander {
        model,
        analysis,
        counter: Cell::new(0),
    };
    ex.all()
}

struct Expander<'m> {
    model: &'m ModelFn,
    analysis: &'m Analysis,
    counter: Cell<usize>,
}

/// How a rewritten expression is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Moved: generic scalars are cloned.
    Value,
    /// Borrowed (`&x`, a method receiver): no clone.
    Ref,
    /// Assigned to (`x += …`, `&mut x`): left as written.
    Place,
}

fn fresh(counter: &Cell<usize>, prefix: &str) -> Ident {
    let n = counter.get();
    counter.set(n + 1);
    Ident::new(&format!("__ngvi_{prefix}{n}"), Span::mixed_site())
}

fn lp() -> Ident {
    Ident::new("__ngvi_lp", Span::mixed_site())
}

fn zvec() -> Ident {
    Ident::new("__ngvi_z", Span::mixed_site())
}

fn scalar_s() -> Ident {
    Ident::new("S", Span::call_site())
}

/// `return Err(ModelError { .. })` for statement `info`.
fn model_err(
    info: &Info,
    variable: TokenStream,
    index: TokenStream,
    kind: TokenStream,
) -> TokenStream {
    let text = &info.text;
    let line = info.line;
    quote! {
        return ::core::result::Result::Err(::ngvi::ModelError {
            statement: #text,
            line: #line,
            variable: #variable,
            index: #index,
            kind: #kind,
        })
    }
}

fn neg_inf() -> TokenStream {
    let s = scalar_s();
    quote!(return ::core::result::Result::Ok(<#s as ::ngvi::Scalar>::constant(f64::NEG_INFINITY)))
}

struct Rewriter<'a> {
    env: &'a Env,
    info: &'a Info,
    counter: &'a Cell<usize>,
    ctx: Ctx,
    in_closure: bool,
}

/// The result of a checked index chain: setup statements, the reference to the element,
/// and the index variables.
struct Chain {
    setup: TokenStream,
    last: Ident,
    indices: Vec<Ident>,
}

impl Rewriter<'_> {
    fn rewrite(&mut self, e: &Expr, ctx: Ctx) -> TokenStream {
        let mut e = e.clone();
        self.ctx = ctx;
        self.visit_expr_mut(&mut e);
        e.into_token_stream()
    }

    /// Checked accesses `base[parts[0]][parts[1]]…`, `base` already rewritten.
    fn chain(&mut self, base: TokenStream, name: &str, parts: &[&Expr]) -> Chain {
        let mut setup = TokenStream::new();
        let mut cur = base;
        let mut indices: Vec<Ident> = Vec::new();
        let mut last = fresh(self.counter, "r");
        for part in parts {
            let r = fresh(self.counter, "r");
            match part {
                Expr::Tuple(t) if t.elems.len() == 2 => {
                    let (i, j) = (fresh(self.counter, "i"), fresh(self.counter, "i"));
                    let a = self.rewrite(&t.elems[0], Ctx::Value);
                    let b = self.rewrite(&t.elems[1], Ctx::Value);
                    indices.push(i.clone());
                    indices.push(j.clone());
                    let (at, len) = (fresh(self.counter, "i"), fresh(self.counter, "n"));
                    let err = model_err(
                        self.info,
                        quote!(::std::string::String::from(#name)),
                        quote!(::std::vec![#(#indices),*]),
                        quote!(::ngvi::ModelErrorKind::IndexOutOfRange { index: #at, len: #len }),
                    );
                    setup.extend(quote! {
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
                    });
                }
                Expr::Range(range) => {
                    let (s, e) = (fresh(self.counter, "i"), fresh(self.counter, "i"));
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
                    let err = model_err(
                        self.info,
                        quote!(::std::string::String::from(#name)),
                        quote!(::std::vec![#(#indices),*]),
                        quote!(::ngvi::ModelErrorKind::IndexOutOfRange {
                            index: if #s > #e { #s } else { #e },
                            len: (#cur).len(),
                        }),
                    );
                    setup.extend(quote! {
                        let #s: usize = #start;
                        let #e: usize = #end;
                        let #r = match (#cur).get(#rng) {
                            ::core::option::Option::Some(v) => v,
                            ::core::option::Option::None => { #err }
                        };
                    });
                }
                _ => {
                    let i = fresh(self.counter, "i");
                    let x = self.rewrite(part, Ctx::Value);
                    indices.push(i.clone());
                    let err = model_err(
                        self.info,
                        quote!(::std::string::String::from(#name)),
                        quote!(::std::vec![#(#indices),*]),
                        quote!(::ngvi::ModelErrorKind::IndexOutOfRange { index: #i, len: (#cur).len() }),
                    );
                    setup.extend(quote! {
                        let #i: usize = #x;
                        let #r = match (#cur).get(#i) {
                            ::core::option::Option::Some(v) => v,
                            ::core::option::Option::None => { #err }
                        };
                    });
                }
            }
            cur = r.to_token_stream();
            last = r;
        }
        Chain {
            setup,
            last,
            indices,
        }
    }

    /// A checked index chain as an expression.
    fn index(&mut self, e: &Expr, ctx: Ctx) -> TokenStream {
        let (root, parts) = split_chain(e);
        let name = text_of(root);
        let scalar = root_ident(root).is_some_and(|id| self.env.is_scalar_name(&id.to_string()));
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
            let tmp = fresh(self.counter, "b");
            let c = self.chain(quote!(#tmp), &name, &parts);
            let (setup, last) = (c.setup, c.last);
            quote!({ let #tmp = #base; #setup ::core::clone::Clone::clone(#last) })
        }
    }

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
}

/// `x[i][j]` → (`x`, [`i`, `j`]).
fn split_chain(e: &Expr) -> (&Expr, Vec<&Expr>) {
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
fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => true,
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && is_place(&u.expr),
        _ => false,
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let ctx = std::mem::replace(&mut self.ctx, Ctx::Value);
        match e {
            Expr::Path(p) => {
                let scalar = p.qself.is_none()
                    && p.path
                        .get_ident()
                        .is_some_and(|id| self.env.is_scalar_name(&id.to_string()));
                if scalar && ctx == Ctx::Value {
                    *e = Expr::Verbatim(quote!(::core::clone::Clone::clone(&#p)));
                }
            }
            Expr::Index(ix) if self.in_closure || ctx == Ctx::Place => {
                let scalar =
                    root_ident(&ix.expr).is_some_and(|id| self.env.is_scalar_name(&id.to_string()));
                self.ctx = if ctx == Ctx::Place {
                    Ctx::Place
                } else {
                    Ctx::Ref
                };
                self.visit_expr_mut(&mut ix.expr);
                self.visit_expr_mut(&mut ix.index);
                if scalar && ctx == Ctx::Value {
                    *e = Expr::Verbatim(quote!(::core::clone::Clone::clone(&#ix)));
                }
            }
            Expr::Index(_) => {
                let ts = self.index(e, ctx);
                *e = Expr::Verbatim(ts);
            }
            Expr::Reference(r) => {
                self.ctx = if r.mutability.is_some() {
                    Ctx::Place
                } else {
                    Ctx::Ref
                };
                self.visit_expr_mut(&mut r.expr);
            }
            Expr::MethodCall(m) => {
                let by_value = m.method == "max" || m.method == "min";
                self.ctx = if by_value { Ctx::Value } else { Ctx::Ref };
                self.visit_expr_mut(&mut m.receiver);
                for a in m.args.iter_mut() {
                    self.visit_expr_mut(a);
                }
            }
            Expr::Assign(a) => {
                self.ctx = Ctx::Place;
                self.visit_expr_mut(&mut a.left);
                self.visit_expr_mut(&mut a.right);
            }
            Expr::Binary(b) if is_assign_op(&b.op) => {
                self.ctx = Ctx::Place;
                self.visit_expr_mut(&mut b.left);
                self.visit_expr_mut(&mut b.right);
            }
            Expr::Field(f) => {
                let scalar =
                    root_ident(&f.base).is_some_and(|id| self.env.is_scalar_name(&id.to_string()));
                self.ctx = if ctx == Ctx::Place {
                    Ctx::Place
                } else {
                    Ctx::Ref
                };
                self.visit_expr_mut(&mut f.base);
                if scalar && ctx == Ctx::Value {
                    *e = Expr::Verbatim(quote!(::core::clone::Clone::clone(&#f)));
                }
            }
            Expr::Paren(p) => {
                self.ctx = ctx;
                self.visit_expr_mut(&mut p.expr);
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.ctx = Ctx::Ref;
                self.visit_expr_mut(&mut u.expr);
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

/// Add the struct's lifetime to every elided reference lifetime of a type.
struct AddLifetime;

impl VisitMut for AddLifetime {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = Some(syn::Lifetime::new(LIFETIME, Span::call_site()));
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }
    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        if l.ident == "_" {
            *l = syn::Lifetime::new(LIFETIME, l.span());
        }
    }
}

fn is_primitive(ty: &Type) -> bool {
    const PRIMS: &[&str] = &[
        "f64", "f32", "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32",
        "i64", "i128", "bool", "char",
    ];
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.get_ident().is_some_and(|id| PRIMS.iter().any(|s| id == s)))
}

fn camel_case(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn support_tokens(k: SupportKind) -> Option<TokenStream> {
    Some(match k {
        SupportKind::Real => quote!(::ngvi::dist::Support::Real),
        SupportKind::Positive => quote!(::ngvi::dist::Support::Positive),
        SupportKind::UnitInterval => quote!(::ngvi::dist::Support::UnitInterval),
        SupportKind::Simplex => quote!(::ngvi::dist::Support::Simplex),
        _ => return None,
    })
}

/// A data value read as `f64`: its setup, the variable holding it, and how to name it in
/// an error (the variable and its index variables).
struct DataValue {
    setup: TokenStream,
    value: Ident,
    variable: String,
    indices: Vec<Ident>,
}

impl DataValue {
    fn variable_tokens(&self) -> TokenStream {
        let v = &self.variable;
        quote!(::std::string::String::from(#v))
    }
    fn index_tokens(&self) -> TokenStream {
        let ix = &self.indices;
        quote!(::std::vec![#(#ix),*])
    }
}

/// A distribution constructed in generated code.
struct Built {
    setup: TokenStream,
    var: Ident,
    /// Whether each argument depends on latents.
    latent_args: Vec<bool>,
}

impl Expander<'_> {
    fn rewriter<'a>(&'a self, env: &'a Env, info: &'a Info) -> Rewriter<'a> {
        Rewriter {
            env,
            info,
            counter: &self.counter,
            ctx: Ctx::Value,
            in_closure: false,
        }
    }

    fn rw(&self, env: &Env, info: &Info, e: &Expr, ctx: Ctx) -> TokenStream {
        self.rewriter(env, info).rewrite(e, ctx)
    }

    fn data_value(&self, env: &Env, info: &Info, e: &Expr) -> DataValue {
        let value = fresh(&self.counter, "v");
        let (root, parts) = split_chain(e);
        if !parts.is_empty() && is_place(root) {
            let mut r = self.rewriter(env, info);
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
        let x = self.rw(env, info, e, Ctx::Value);
        DataValue {
            setup: quote!(let #value: f64 = ::ngvi::dist::Observation::to_f64(&(#x));),
            value,
            variable: text_of(e),
            indices: Vec::new(),
        }
    }

    /// Construct distribution `d` from `call` with scalar type `s` (`S` in the log joint;
    /// `f64` in `latents()`, where every argument is data).
    fn build(
        &self,
        env: &Env,
        info: &Info,
        d: &'static Dist,
        call: &DistCall,
        s: &TokenStream,
    ) -> Built {
        let mut setup = TokenStream::new();
        let mut args = Vec::new();
        let mut latent_args = Vec::new();
        let mut arms = TokenStream::new();
        let var = fresh(&self.counter, "d");
        let e = Ident::new("__ngvi_e", Span::mixed_site());
        for (a, (pname, domain)) in call.args.iter().zip(d.params) {
            let x = fresh(&self.counter, "a");
            let latent = env.is_scalar(a);
            latent_args.push(latent);
            if *domain == Domain::Vector {
                let v = self.rw(env, info, a, Ctx::Ref);
                if latent {
                    setup.extend(quote! {
                        let #x: ::std::vec::Vec<#s> = (#v).iter().cloned().collect();
                    });
                } else {
                    setup.extend(quote! {
                        let #x: ::std::vec::Vec<#s> = (#v)
                            .iter()
                            .map(|v| <#s as ::core::convert::From<f64>>::from(::ngvi::dist::Observation::to_f64(v)))
                            .collect();
                    });
                    let text = text_of(a);
                    let err = model_err(
                        info,
                        quote!(::std::string::String::from(#text)),
                        quote!(::std::vec::Vec::new()),
                        quote!(::ngvi::ModelErrorKind::Parameter(#e)),
                    );
                    arms.extend(quote!(#pname => { #err }));
                }
            } else if latent {
                let v = self.rw(env, info, a, Ctx::Value);
                setup.extend(quote!(let #x: #s = #v;));
            } else {
                let dv = self.data_value(env, info, a);
                let (dsetup, value) = (&dv.setup, &dv.value);
                setup.extend(quote! {
                    #dsetup
                    let #x: #s = <#s as ::core::convert::From<f64>>::from(#value);
                });
                let err = model_err(
                    info,
                    dv.variable_tokens(),
                    dv.index_tokens(),
                    quote!(::ngvi::ModelErrorKind::Parameter(#e)),
                );
                arms.extend(quote!(#pname => { #err }));
            }
            args.push(x);
        }
        // A parameter that must exceed the one before it fails with the later one's name.
        let any_latent = latent_args.iter().any(|l| *l);
        if any_latent && d.params.iter().any(|p| p.1 == Domain::AbovePrevious) {
            arms = TokenStream::new();
        }
        let fallback = if any_latent {
            neg_inf()
        } else {
            model_err(
                info,
                quote!(::std::string::String::from(#e.param)),
                quote!(::std::vec::Vec::new()),
                quote!(::ngvi::ModelErrorKind::Parameter(#e)),
            )
        };
        let name = Ident::new(d.name, call.name.span());
        let path = if d.improper {
            quote!(::ngvi::dist::#name)
        } else {
            quote!(::ngvi::dist::#name::<#s>)
        };
        setup.extend(quote! {
            let #var = match #path::new(#(#args),*) {
                ::core::result::Result::Ok(d) => d,
                ::core::result::Result::Err(#e) => match #e.param {
                    #arms
                    _ => { #fallback }
                },
            };
        });
        Built {
            setup,
            var,
            latent_args,
        }
    }

    fn all(&self) -> TokenStream {
        let m = self.model;
        let struct_name =
            format_ident!("{}", camel_case(&m.name.to_string()), span = m.name.span());
        let docs: Vec<&syn::Attribute> = m
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .collect();
        let other: Vec<&syn::Attribute> = m
            .attrs
            .iter()
            .filter(|a| !a.path().is_ident("doc"))
            .collect();
        let vis = &m.vis;
        let fn_name = &m.name;
        let names: Vec<&Ident> = m.args.iter().map(|a| &a.name).collect();
        let tys: Vec<Type> = m
            .args
            .iter()
            .map(|a| {
                let mut t = a.ty.clone();
                AddLifetime.visit_type_mut(&mut t);
                t
            })
            .collect();
        let has_lifetime = tys
            .iter()
            .zip(&m.args)
            .any(|(t, a)| t.to_token_stream().to_string() != a.ty.to_token_stream().to_string());
        let lt = syn::Lifetime::new(LIFETIME, Span::call_site());
        let generics = if has_lifetime {
            quote!(<#lt>)
        } else {
            quote!()
        };
        let latents = self.latents_fn();
        let uses = self.uses_fn();
        let log_joint = self.log_joint_fn();
        let doc_struct = format!(
            "The model `{}`: its data, and the [`ngvi::Model`] implementation generated by `model!`.",
            m.name
        );
        let struct_docs = if docs.is_empty() {
            quote!(#[doc = #doc_struct])
        } else {
            quote!(#(#docs)*)
        };
        quote! {
            #struct_docs
            #vis struct #struct_name #generics {
                #(#names: #tys,)*
            }

            #(#docs)*
            #(#other)*
            #vis fn #fn_name #generics (#(#names: #tys),*) -> #struct_name #generics {
                #struct_name { #(#names),* }
            }

            impl #generics ::ngvi::Model for #struct_name #generics {
                #latents
                #uses
                #log_joint
            }
        }
    }

    /// `let y = self.y;` for each data argument.
    fn bindings(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for a in &self.model.args {
            let n = &a.name;
            if matches!(a.ty, Type::Reference(_)) || is_primitive(&a.ty) {
                out.extend(quote!(let #n = self.#n;));
            } else {
                out.extend(quote!(let #n = &self.#n;));
            }
        }
        out
    }

    /// The top-level data-only `let`s that the layout expressions need, and the layout:
    /// `[len_0, len_1, …]` for the latents in sample order.
    fn layout(&self) -> TokenStream {
        let mut env = Env::new(self.model);
        let mut needed: std::collections::HashSet<String> = std::collections::HashSet::new();
        for s in &self.model.body {
            if let Stmt::Sample { len, dist, .. } = s {
                for e in len.iter().chain(dist.args.iter()) {
                    needed.extend(crate::check::mentions(e).iter().map(ToString::to_string));
                }
            }
        }
        let mut keep = vec![false; self.model.body.len()];
        for (k, s) in self.model.body.iter().enumerate().rev() {
            if let Stmt::Let { pat, init, .. } = s {
                let binds = crate::check::pat_idents(pat);
                if binds.iter().any(|b| needed.contains(&b.to_string())) {
                    keep[k] = true;
                    needed.extend(crate::check::mentions(init).iter().map(ToString::to_string));
                }
            }
        }
        let mut setup = TokenStream::new();
        let mut lens = Vec::new();
        for (k, s) in self.model.body.iter().enumerate() {
            match s {
                Stmt::Let {
                    pat,
                    ty,
                    init,
                    info,
                } if keep[k] && !env.is_scalar(init) => {
                    let x = self.rw(&env, info, init, Ctx::Value);
                    let annotation = ty.as_ref().map(|t| quote!(: #t));
                    setup.extend(quote!(let #pat #annotation = #x;));
                    env.bind_let(pat, ty.as_ref(), init);
                }
                Stmt::Sample {
                    len, dist, info, ..
                } => {
                    let is_simplex = crate::dists::lookup(&dist.name.to_string())
                        .is_some_and(|d| d.multivariate);
                    let n = fresh(&self.counter, "len");
                    if let Some(len) = len {
                        let x = self.rw(&env, info, len, Ctx::Value);
                        setup.extend(quote!(let #n: usize = #x;));
                    } else if is_simplex {
                        let x = self.rw(&env, info, &dist.args[0], Ctx::Ref);
                        setup.extend(quote!(let #n: usize = (#x).iter().count();));
                    } else {
                        setup.extend(quote!(let #n: usize = 1;));
                    }
                    lens.push(n);
                }
                _ => {}
            }
        }
        quote!({ #setup [#(#lens),*] })
    }

    fn latents_fn(&self) -> TokenStream {
        let bindings = self.bindings();
        let layout = self.layout();
        let lens = Ident::new("__ngvi_lens", Span::mixed_site());
        let mut env = Env::new(self.model);
        let mut pushes = TokenStream::new();
        let f64t = quote!(f64);
        let mut k = 0usize;
        for s in &self.model.body {
            match s {
                Stmt::Let { pat, ty, init, .. } => env.bind_let(pat, ty.as_ref(), init),
                Stmt::Sample {
                    name,
                    len,
                    dist,
                    info,
                    ..
                } => {
                    let Some(latent) = self.analysis.latents.iter().find(|l| l.name == *name)
                    else {
                        continue;
                    };
                    let d = latent.dist;
                    let kind = Ident::new(d.name, Span::call_site());
                    let name_str = name.to_string();
                    let shape = if d.multivariate {
                        quote!(::ngvi::Shape::Simplex(#lens[#k]))
                    } else if len.is_some() {
                        quote!(::ngvi::Shape::Vector(#lens[#k]))
                    } else {
                        quote!(::ngvi::Shape::Scalar)
                    };
                    let all_data = dist.args.iter().all(|a| !env.is_scalar(a));
                    let fixed = support_tokens(d.support);
                    let (setup, params, support) = if all_data {
                        let b = self.build(&env, info, d, dist, &f64t);
                        let var = &b.var;
                        let params = if d.multivariate {
                            quote!(::core::option::Option::Some(#var.alpha.clone()))
                        } else {
                            let fields =
                                d.params.iter().map(|p| Ident::new(p.0, Span::call_site()));
                            quote!(::core::option::Option::Some(::std::vec![#(#var.#fields),*]))
                        };
                        let support = fixed.clone().unwrap_or_else(
                            || quote!(::ngvi::dist::Univariate::<f64>::support(&#var)),
                        );
                        (b.setup, params, support)
                    } else {
                        (
                            TokenStream::new(),
                            quote!(::core::option::Option::None),
                            fixed.unwrap_or_else(|| quote!(::ngvi::dist::Support::Real)),
                        )
                    };
                    pushes.extend(quote! {
                        {
                            #setup
                            __ngvi_out.push(::ngvi::Latent {
                                name: #name_str,
                                shape: #shape,
                                prior: ::ngvi::dist::DistKind::#kind,
                                prior_params: #params,
                                support: #support,
                            });
                        }
                    });
                    env.bind(name_str, Binding::Latent);
                    k += 1;
                }
                _ => {}
            }
        }
        let n = self.analysis.latents.len();
        quote! {
            #[allow(unused_variables, clippy::redundant_clone)]
            fn latents(&self) -> ::core::result::Result<::std::vec::Vec<::ngvi::Latent>, ::ngvi::ModelError> {
                #bindings
                let #lens: [usize; #n] = #layout;
                let mut __ngvi_out = ::std::vec::Vec::with_capacity(#n);
                #pushes
                ::core::result::Result::Ok(__ngvi_out)
            }
        }
    }

    fn uses_fn(&self) -> TokenStream {
        let items = self.analysis.uses.iter().map(|u| {
            let latent = &u.latent;
            let dist = match u.dist {
                Some(d) => {
                    let k = Ident::new(d.name, Span::call_site());
                    quote!(::core::option::Option::Some(::ngvi::dist::DistKind::#k))
                }
                None => quote!(::core::option::Option::None),
            };
            let arg = match u.arg {
                Some(a) => quote!(::core::option::Option::Some(#a)),
                None => quote!(::core::option::Option::None),
            };
            let (conj, text, line) = (u.conjugate, &u.text, u.line);
            quote! {
                ::ngvi::LatentUse {
                    latent: #latent,
                    dist: #dist,
                    arg: #arg,
                    conjugate: #conj,
                    statement: #text,
                    line: #line,
                }
            }
        });
        quote! {
            fn uses(&self) -> ::std::vec::Vec<::ngvi::LatentUse> {
                ::std::vec![#(#items),*]
            }
        }
    }

    fn log_joint_fn(&self) -> TokenStream {
        let bindings = self.bindings();
        let layout = self.layout();
        let lens = Ident::new("__ngvi_lens", Span::mixed_site());
        let offs = Ident::new("__ngvi_offs", Span::mixed_site());
        let n = self.analysis.latents.len();
        let (z, lp, s) = (zvec(), lp(), scalar_s());
        let mut env = Env::new(self.model);
        let mut k = 0usize;
        let body = self.stmts(&mut env, &self.model.body, &mut k);
        let err = model_err(
            &self.model.info,
            quote!(::std::string::String::from("z")),
            quote!(::std::vec::Vec::new()),
            quote!(::ngvi::ModelErrorKind::LatentLength { expected: __ngvi_total, got: #z.len() }),
        );
        quote! {
            #[allow(unused_variables, unused_mut, unused_parens, clippy::redundant_clone, clippy::needless_borrow, clippy::double_parens)]
            fn log_joint<#s: ::ngvi::Scalar>(&self, #z: &[#s]) -> ::core::result::Result<#s, ::ngvi::ModelError>
            where
                f64: ::ngvi::F64Ops<#s>,
            {
                #bindings
                let #lens: [usize; #n] = #layout;
                let mut #offs = [0usize; #n];
                let mut __ngvi_total = 0usize;
                for (k, len) in #lens.iter().enumerate() {
                    #offs[k] = __ngvi_total;
                    __ngvi_total += *len;
                }
                if #z.len() != __ngvi_total {
                    #err;
                }
                let mut #lp: #s = <#s as ::ngvi::Scalar>::constant(0.0);
                #body
                ::core::result::Result::Ok(#lp)
            }
        }
    }

    fn stmts(&self, env: &mut Env, stmts: &[Stmt], k: &mut usize) -> TokenStream {
        stmts.iter().map(|s| self.stmt(env, s, k)).collect()
    }

    fn stmt(&self, env: &mut Env, s: &Stmt, k: &mut usize) -> TokenStream {
        let (lp, s_ty, z) = (lp(), scalar_s(), zvec());
        let s_tokens = s_ty.to_token_stream();
        match s {
            Stmt::Sample {
                name,
                len,
                dist,
                info,
                ..
            } => {
                let Some(d) = self
                    .analysis
                    .latents
                    .iter()
                    .find(|l| l.name == *name)
                    .map(|l| l.dist)
                else {
                    return TokenStream::new();
                };
                let b = self.build(env, info, d, dist, &s_tokens);
                let (setup, var) = (&b.setup, &b.var);
                let lens = Ident::new("__ngvi_lens", Span::mixed_site());
                let offs = Ident::new("__ngvi_offs", Span::mixed_site());
                let idx = *k;
                *k += 1;
                let out = if d.multivariate {
                    quote! {
                        let #name: &[#s_ty] = &#z[#offs[#idx]..#offs[#idx] + #lens[#idx]];
                        {
                            #setup
                            #lp += #var.ln_density(#name);
                        }
                    }
                } else if len.is_some() {
                    quote! {
                        let #name: &[#s_ty] = &#z[#offs[#idx]..#offs[#idx] + #lens[#idx]];
                        {
                            #setup
                            for x in #name {
                                #lp += ::ngvi::dist::Univariate::<#s_ty>::ln_density(&#var, x);
                            }
                        }
                    }
                } else {
                    quote! {
                        let #name: #s_ty = ::core::clone::Clone::clone(&#z[#offs[#idx]]);
                        {
                            #setup
                            #lp += ::ngvi::dist::Univariate::<#s_ty>::ln_density(&#var, &#name);
                        }
                    }
                };
                env.bind(name.to_string(), Binding::Latent);
                out
            }
            Stmt::Observe {
                value, dist, info, ..
            } => {
                let Some(d) = crate::dists::lookup(&dist.name.to_string()) else {
                    return TokenStream::new();
                };
                let dv = self.data_value(env, info, value);
                let b = self.build(env, info, d, dist, &s_tokens);
                let v = &dv.value;
                let nonfinite = model_err(
                    info,
                    dv.variable_tokens(),
                    dv.index_tokens(),
                    quote!(::ngvi::ModelErrorKind::NonFinite { value: #v }),
                );
                let dname = d.name;
                let outside = if d
                    .support_params
                    .iter()
                    .any(|i| b.latent_args.get(*i).copied().unwrap_or(false))
                {
                    neg_inf()
                } else {
                    model_err(
                        info,
                        dv.variable_tokens(),
                        dv.index_tokens(),
                        quote!(::ngvi::ModelErrorKind::OutsideSupport {
                            value: #v,
                            dist: #dname,
                            support: ::std::string::ToString::to_string(&__ngvi_support),
                        }),
                    )
                };
                let (dsetup, bsetup, var) = (&dv.setup, &b.setup, &b.var);
                quote! {
                    {
                        #dsetup
                        if !#v.is_finite() {
                            #nonfinite;
                        }
                        #bsetup
                        let __ngvi_support = ::ngvi::dist::Univariate::<#s_ty>::support(&#var);
                        if !__ngvi_support.contains(#v) {
                            #outside;
                        }
                        #lp += ::ngvi::dist::Univariate::<#s_ty>::ln_density(
                            &#var,
                            &<#s_ty as ::core::convert::From<f64>>::from(#v),
                        );
                    }
                }
            }
            Stmt::Factor { expr, info } => {
                if env.is_scalar(expr) {
                    let x = self.rw(env, info, expr, Ctx::Value);
                    quote!(#lp += #x;)
                } else {
                    let x = self.rw(env, info, expr, Ctx::Value);
                    quote!(#lp += ::ngvi::dist::Observation::to_f64(&(#x));)
                }
            }
            Stmt::Let {
                pat,
                ty,
                init,
                info,
            } => {
                let x = self.rw(env, info, init, Ctx::Value);
                let t = ty.as_ref().map(|t| quote!(: #t));
                env.bind_let(pat, ty.as_ref(), init);
                quote!(let #pat #t = #x;)
            }
            Stmt::For {
                kw,
                pat,
                iter,
                body,
                info,
            } => {
                let x = self.rw(env, info, iter, Ctx::Value);
                env.push();
                env.bind_data(pat);
                let inner = self.stmts(env, body, k);
                env.pop();
                quote!(#kw #pat in #x { #inner })
            }
            Stmt::If(i) => self.if_stmt(env, i, k),
            Stmt::Expr { expr, semi, info } => {
                let x = self.rw(env, info, expr, Ctx::Value);
                env.assign(expr);
                if *semi {
                    quote!(#x;)
                } else {
                    x
                }
            }
        }
    }

    fn if_stmt(&self, env: &mut Env, i: &IfStmt, k: &mut usize) -> TokenStream {
        let kw = &i.kw;
        let cond = self.rw(env, &i.info, &i.cond, Ctx::Value);
        env.push();
        let then = self.stmts(env, &i.then, k);
        env.pop();
        let els = match &i.els {
            Some(Else::Block(b)) => {
                env.push();
                let inner = self.stmts(env, b, k);
                env.pop();
                quote!(else { #inner })
            }
            Some(Else::If(e)) => {
                let inner = self.if_stmt(env, e, k);
                quote!(else #inner)
            }
            None => quote!(),
        };
        quote!(#kw #cond { #then } #els)
    }
}
