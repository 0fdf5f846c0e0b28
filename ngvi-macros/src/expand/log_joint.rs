//! `Model::log_joint(z)`: checks `z.len()`, binds the latents from `z` (scalars as `S`,
//! vector and Dirichlet latents as `&[S]`), and runs the body, adding each statement's log
//! density to the accumulator. The method has no `where f64: F64Ops<S>` bound (an impl may
//! ask less than the trait); see [`rewrite`](super::rewrite) for why.
//!
//! A plate's body becomes a closure that sums its terms over a chunk of indices, handed to
//! the `Plates` reducer `log_joint_in` was given (`log_joint` gives `InOrder`).
//!
//! A model with derived quantities (`track NAME = EXPR;`) runs its body in a generic
//! inherent method that also collects them when asked: `log_joint` calls it without
//! collecting, `Model::tracked(z)` with `S = f64`, collecting each `track` as it passes
//! (the tracked expression sees the bindings the body made so far).

use proc_macro2::{Ident, TokenStream};
use quote::{quote, ToTokens};

use super::blame::blame;
use super::dist_call::build_along;
use super::index::DataValue;
use super::items::bindings;
use super::rewrite::Ctx;
use super::{lens, lp, model_err, neg_inf, offs, reach, scalar_s, track_out, zvec, Expander};
use crate::dists::Domain;
use crate::resolved::{Call, Convert, Else, If, Latent, Shape, Stmt, Value};
use crate::source::Info;

impl Expander<'_, '_> {
    /// `log_joint` (and `tracked`) for the `Model` impl, and the inherent method that runs
    /// the body when the model tracks derived quantities (else nothing).
    pub fn log_joint_fn(&self) -> (TokenStream, TokenStream) {
        let bindings = bindings(self.model.syntax);
        let layout = self.layout();
        let (lens, offs) = (lens(), offs());
        let n = self.model.latents.len();
        let (z, lp, s) = (zvec(), lp(), scalar_s());
        let body = self.top_stmts(&self.model.body);
        let err = model_err(
            &self.model.syntax.info,
            quote!(::std::string::String::from("z")),
            quote!(::std::vec::Vec::new()),
            quote!(::ngvi::ModelErrorKind::LatentLength { expected: __ngvi_total, got: #z.len() }),
        );
        let allow = quote!(#[allow(unused_variables, unused_mut, unused_parens, clippy::redundant_clone, clippy::needless_borrow, clippy::double_parens, clippy::result_large_err)]);
        let result = quote!(::core::result::Result<#s, ::ngvi::ModelError>);
        let run_body = quote! {
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
        };
        let (run, out, plates, reach) = (run_fn(), track_out(), plates_arg(), reach());
        let list = quote!(::std::vec::Vec<(&'static str, ::std::vec::Vec<f64>)>);
        let tracked = (!self.model.tracked.is_empty()).then(|| {
            let names = &self.model.tracked;
            quote! {
                fn tracked_names(&self) -> ::std::vec::Vec<&'static str> {
                    ::std::vec![#(#names),*]
                }
                fn tracked(&self, #z: &[f64]) -> ::core::result::Result<#list, ::ngvi::ModelError> {
                    let mut out = ::std::vec::Vec::new();
                    self.#run(
                        #z,
                        &::ngvi::InOrder,
                        ::core::option::Option::None,
                        ::core::option::Option::Some(&mut out),
                    )?;
                    ::core::result::Result::Ok(out)
                }
            }
        });
        let plate_list = self.plate_list();
        let model_fns = quote! {
            fn log_joint<#s: ::ngvi::Scalar>(&self, #z: &[#s]) -> #result {
                self.#run(
                    #z,
                    &::ngvi::InOrder,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                )
            }
            fn log_joint_in<#s: ::ngvi::Scalar>(
                &self,
                #z: &[#s],
                #plates: &dyn ::ngvi::Plates<#s>,
            ) -> #result {
                self.#run(#z, #plates, ::core::option::Option::None, ::core::option::Option::None)
            }
            fn log_joint_reaching<#s: ::ngvi::Scalar>(
                &self,
                #z: &[#s],
                #plates: &dyn ::ngvi::Plates<#s>,
                #reach: &[bool],
            ) -> #result {
                self.#run(
                    #z,
                    #plates,
                    ::core::option::Option::Some(#reach),
                    ::core::option::Option::None,
                )
            }
            #tracked
            #plate_list
        };
        let inherent = quote! {
            #allow
            fn #run<#s: ::ngvi::Scalar>(
                &self,
                #z: &[#s],
                #plates: &dyn ::ngvi::Plates<#s>,
                #reach: ::core::option::Option<&[bool]>,
                mut #out: ::core::option::Option<&mut #list>,
            ) -> #result {
                #run_body
            }
        };
        (model_fns, inherent)
    }

    /// `Model::plates`, when the model has plates.
    fn plate_list(&self) -> Option<TokenStream> {
        if self.model.plates.is_empty() {
            return None;
        }
        let entries = self.model.plates.iter().enumerate().map(|(id, p)| {
            let (text, line) = (&p.info.text, p.info.line);
            let locals = &p.local_latents;
            quote! {
                ::ngvi::PlateInfo {
                    id: #id,
                    statement: #text,
                    line: #line,
                    local_latents: ::std::vec![#(#locals),*],
                }
            }
        });
        Some(quote! {
            fn plates(&self) -> ::std::vec::Vec<::ngvi::PlateInfo> {
                ::std::vec![#(#entries),*]
            }
        })
    }

    fn stmts(&self, stmts: &[Stmt]) -> TokenStream {
        stmts.iter().map(|s| self.stmt(s)).collect()
    }

    /// The body's own statements: a `for` of batched observes alone keeps its statistics
    /// (`keeps_statistics`; a plate, always the body's own, keeps them wherever it is).
    fn top_stmts(&self, stmts: &[Stmt]) -> TokenStream {
        stmts.iter().map(|s| self.stmt_at(s, true)).collect()
    }

    /// Whether the model keeps the sufficient statistics of some loop (the struct then has
    /// the field that holds them).
    pub fn keeps_statistics(&self) -> bool {
        self.model.body.iter().any(keeps_statistics)
    }

    /// `for PAT in ITER { BODY }` with its batched observes' statistics declared before and
    /// their log density added after; with `keep`, read from and kept in the model (part 0).
    fn for_loop(
        &self,
        (kw, pat, iter, info): (&syn::token::For, &syn::Pat, &Value, &Info),
        body: &[Stmt],
        batched: &[usize],
        keep: bool,
    ) -> TokenStream {
        let x = self.rw(iter, info, Ctx::Value);
        let inner = self.stmts(body);
        let part = keep.then(|| quote!(::core::option::Option::Some(0usize)));
        let bind_kept = keep.then(bind_kept);
        let Batches { start, each, end } = batches(batched, part);
        quote!({
            #bind_kept
            #start
            #kw #pat in #x { #inner #each }
            #end
        })
    }

    fn stmt(&self, s: &Stmt) -> TokenStream {
        self.stmt_at(s, false)
    }

    /// A statement; `top`: one of the body's own.
    fn stmt_at(&self, s: &Stmt, top: bool) -> TokenStream {
        match s {
            Stmt::Sample(k) => self.sample(*k, &self.model.latents[*k]),
            Stmt::Observe {
                value,
                call,
                reads,
                batch: None,
                info,
            } => when_reached(reads, self.observe(value, call, info)),
            Stmt::Observe {
                value,
                call,
                batch: Some(id),
                info,
                ..
            } => self.observe_batched(value, call, info, *id),
            Stmt::Track { name, expr, info } => {
                let x = self.rw(expr, info, Ctx::Value);
                let (out, text) = (track_out(), name.to_string());
                let list = proc_macro2::Ident::new("__ngvi_list", proc_macro2::Span::mixed_site());
                quote! {
                    let #name = #x;
                    if let ::core::option::Option::Some(#list) = &mut #out {
                        use ::ngvi::Tracked as _;
                        #list.push((#text, #name.components()));
                    }
                }
            }
            Stmt::Factor { expr, reads, info } => {
                let x = self.rw(expr, info, Ctx::Value);
                let lp = lp();
                let add = if expr.is_scalar() {
                    quote!(#lp += #x;)
                } else {
                    quote!(#lp += ::ngvi::dist::Observation::to_f64(&(#x));)
                };
                when_reached(reads, add)
            }
            Stmt::Let {
                pat,
                ty,
                init,
                convert,
                info,
            } => {
                let x = self.rw(init, info, Ctx::Value);
                let s = scalar_s();
                match convert {
                    Convert::Scalar => quote! {
                        let #pat: #s = <#s as ::ngvi::Scalar>::constant(
                            ::ngvi::dist::Observation::to_f64(&(#x)),
                        );
                    },
                    Convert::Container if is_empty_vec(init.expr) => {
                        quote!(let #pat: ::std::vec::Vec<#s> = #x;)
                    }
                    Convert::Container => quote! {
                        let #pat: ::std::vec::Vec<#s> = ::ngvi::macro_support::scalars(#x);
                    },
                    Convert::No => {
                        let t = ty.map(|t| quote!(: #t));
                        quote!(let #pat #t = #x;)
                    }
                }
            }
            Stmt::For {
                kw,
                pat,
                iter,
                body,
                batched,
                info,
            } => self.for_loop(
                (kw, pat, iter, info),
                body,
                batched,
                top && is_kept_body(body),
            ),
            Stmt::Plate {
                id,
                var,
                range,
                body,
                batched,
                info,
            } => {
                let x = self.rw(range, info, Ctx::Value);
                let inner = self.stmts(body);
                let indices =
                    proc_macro2::Ident::new("__ngvi_indices", proc_macro2::Span::mixed_site());
                // a chunk of consecutive indices keeps its statistics under its first index;
                // a minibatch's pick sums them each time
                let keep = is_kept_body(body).then(|| {
                    quote!(match &#indices {
                        ::ngvi::plate::Chunk::Run(__ngvi_r) => ::core::option::Option::Some(__ngvi_r.start),
                        ::ngvi::plate::Chunk::Picked(_) => ::core::option::Option::None,
                    })
                });
                let Batches { start, each, end } = batches(batched, keep);
                let (lp, s, plates) = (lp(), scalar_s(), plates_arg());
                let term = proc_macro2::Ident::new("__ngvi_term", proc_macro2::Span::mixed_site());
                let bind_kept = is_kept_body(body).then(bind_kept);
                quote! {
                    {
                        let __ngvi_range: ::core::ops::Range<usize> = #x;
                        #bind_kept
                        let #term = |#indices: ::ngvi::plate::Chunk<'_>| -> ::core::result::Result<#s, ::ngvi::ModelError> {
                            let mut #lp: #s = <#s as ::ngvi::Scalar>::constant(0.0);
                            #start
                            for #var in #indices {
                                #inner
                                #each
                            }
                            #end
                            ::core::result::Result::Ok(#lp)
                        };
                        #lp += ::ngvi::Plates::sum(#plates, #id, __ngvi_range, &#term)?;
                    }
                }
            }
            Stmt::If(i) => self.if_stmt(i),
            Stmt::Expr { expr, semi, info } => {
                let x = self.rw(expr, info, Ctx::Value);
                if *semi {
                    quote!(#x;)
                } else {
                    x
                }
            }
        }
    }

    /// Bind latent `k` from `z` and add its prior's log density.
    fn sample(&self, k: usize, latent: &Latent) -> TokenStream {
        let (lp, s, z, lens, offs) = (lp(), scalar_s(), zvec(), lens(), offs());
        let b = self.build(latent.info, &latent.prior, &s.to_token_stream());
        let (setup, var, name) = (&b.setup, &b.var, latent.name);
        let slice = quote!(let #name: &[#s] = &#z[#offs[#k]..#offs[#k] + #lens[#k]];);
        let prior = |add: TokenStream| {
            when_reached(
                &latent.reads,
                quote! {
                    {
                        #setup
                        #add
                    }
                },
            )
        };
        match latent.shape {
            Shape::Simplex => {
                let add = prior(quote!(#lp += #var.ln_density(#name);));
                quote!(#slice #add)
            }
            Shape::Vector(_) => {
                let add = prior(quote! {
                    for x in #name {
                        #lp += ::ngvi::dist::Univariate::<#s>::ln_density(&#var, x);
                    }
                });
                quote!(#slice #add)
            }
            Shape::Scalar => {
                let add = prior(quote! {
                    #lp += ::ngvi::dist::Univariate::<#s>::ln_density(&#var, &#name);
                });
                quote! {
                    let #name: #s = ::core::clone::Clone::clone(&#z[#offs[#k]]);
                    #add
                }
            }
        }
    }

    /// Check the observed value (finite, in the support) and add its log density. When
    /// the support depends on a latent parameter, a value outside it gives −∞.
    fn observe(&self, value: &Value, call: &Call, info: &Info) -> TokenStream {
        let (lp, s) = (lp(), scalar_s());
        let d = call.dist;
        let dv = self.data_value(value, info);
        let b = self.build(info, call, &s.to_token_stream());
        let v = &dv.value;
        let (nonfinite, outside_err) = data_errors(info, &dv, d.name);
        let latent_support = d
            .support_params
            .iter()
            .any(|i| call.args.get(*i).is_some_and(Value::is_scalar));
        if let Some(eta) = linear_argument(call, latent_support) {
            return self.observe_linear(value, call, info, eta);
        }
        let outside = if latent_support {
            neg_inf()
        } else {
            outside_err
        };
        let (dsetup, bsetup, var) = (&dv.setup, &b.setup, &b.var);
        quote! {
            {
                #dsetup
                if !#v.is_finite() {
                    #nonfinite;
                }
                #bsetup
                let __ngvi_support = ::ngvi::dist::Univariate::<#s>::support(&#var);
                if !__ngvi_support.contains(#v) {
                    #outside;
                }
                #lp += ::ngvi::dist::Univariate::<#s>::ln_density(
                    &#var,
                    &<#s as ::core::convert::From<f64>>::from(#v),
                );
            }
        }
    }

    /// An observe whose distribution reads the latents through one argument, η: its log
    /// density handed to `Plates::linear` as a function of η, at one value in a `Jet` and
    /// at many in place in `f64`, which gives it at η or, in the engine, its expectation
    /// when η is affine in Gaussian latents (4.5e), or its values at many draws (4.12c).
    fn observe_linear(&self, value: &Value, call: &Call, info: &Info, eta: &Value) -> TokenStream {
        let (lp, s, plates) = (lp(), scalar_s(), plates_arg());
        let dv = self.data_value(value, info);
        let v = &dv.value;
        let (nonfinite, outside) = data_errors(info, &dv, call.dist.name);
        let x = Ident::new("__ngvi_x", proc_macro2::Span::mixed_site());
        let eta_value = self.rw(eta, info, Ctx::Value);
        let dsetup = &dv.setup;
        // ln p(v | η = x) as a closure of x in scalar type `t`
        let along = |t: &TokenStream| {
            let b = build_along(&self.names, info, call, &x, t);
            let (bsetup, var) = (&b.setup, &b.var);
            quote! {
                |#x: #t| -> ::core::result::Result<#t, ::ngvi::ModelError> {
                    #bsetup
                    let __ngvi_support = ::ngvi::dist::Univariate::<#t>::support(&#var);
                    if !__ngvi_support.contains(#v) {
                        #outside;
                    }
                    ::core::result::Result::Ok(::ngvi::dist::Univariate::<#t>::ln_density(
                        &#var,
                        &<#t as ::core::convert::From<f64>>::from(#v),
                    ))
                }
            }
        };
        let (jet, values) = (along(&quote!(::ngvi::ad::Jet)), along(&quote!(f64)));
        let blame = blame(&self.names, eta, info);
        quote! {
            {
                #dsetup
                if !#v.is_finite() {
                    #nonfinite;
                }
                let __ngvi_eta: #s = #eta_value;
                if !::ngvi::Scalar::value(&__ngvi_eta).is_finite() {
                    #blame
                }
                #lp += ::ngvi::Plates::linear(#plates, __ngvi_eta, ::ngvi::plate::Density {
                    jet: &#jet,
                    values: &|__ngvi_xs: &mut [f64]| {
                        let __ngvi_one = #values;
                        for __ngvi_v in __ngvi_xs.iter_mut() {
                            *__ngvi_v = __ngvi_one(*__ngvi_v)?;
                        }
                        ::core::result::Result::Ok(())
                    },
                })?;
            }
        }
    }

    /// An observe summed from sufficient statistics over its loop: per datum, the same
    /// checks as [`Self::observe`] (the distribution built at the first datum, as there),
    /// then the datum added to the statistics in `f64`; [`batches`] declares them before
    /// the loop and adds their log density after it.
    fn observe_batched(&self, value: &Value, call: &Call, info: &Info, id: usize) -> TokenStream {
        let s = scalar_s();
        let dv = self.data_value(value, info);
        let b = self.build(info, call, &s.to_token_stream());
        let v = &dv.value;
        let (nonfinite, outside) = data_errors(info, &dv, call.dist.name);
        let (dsetup, bsetup, var) = (&dv.setup, &b.setup, &b.var);
        let (dist, sums, known) = batch_vars(id);
        quote! {
            {
                #dsetup
                if !#v.is_finite() {
                    #nonfinite;
                }
                if #dist.is_none() {
                    #bsetup
                    #dist = ::core::option::Option::Some(#var);
                }
                if let ::core::option::Option::Some(__ngvi_d) = &#dist {
                    let __ngvi_support = ::ngvi::dist::Univariate::<#s>::support(__ngvi_d);
                    if !__ngvi_support.contains(#v) {
                        #outside;
                    }
                    if !#known {
                        ::ngvi::dist::Statistics::<#s>::add(__ngvi_d, &mut #sums, #v);
                    }
                }
            }
        }
    }

    fn if_stmt(&self, i: &If) -> TokenStream {
        let kw = &i.kw;
        let cond = self.rw(&i.cond, i.info, Ctx::Value);
        let then = self.stmts(&i.then);
        let els = match &i.els {
            Some(Else::Block(b)) => {
                let inner = self.stmts(b);
                quote!(else { #inner })
            }
            Some(Else::If(e)) => {
                let inner = self.if_stmt(e);
                quote!(else #inner)
            }
            None => quote!(),
        };
        quote!(#kw #cond { #then } #els)
    }
}

/// The one argument through which an observe's distribution reads the latents, when there
/// is one: a real parameter (no value of it is outside its domain), in which the log
/// density is smooth, with a support that does not depend on the latents.
fn linear_argument<'c, 'm>(call: &'c Call<'m>, latent_support: bool) -> Option<&'c Value<'m>> {
    if latent_support || call.dist.kinked {
        return None;
    }
    let mut latent = call
        .args
        .iter()
        .zip(call.dist.params)
        .filter(|(a, _)| a.is_scalar());
    match (latent.next(), latent.next()) {
        (Some((a, (_, Domain::Real))), None) => Some(a),
        _ => None,
    }
}

/// An empty vector whose element type the later pushes decide: `Vec::new()`,
/// `Vec::with_capacity(n)`, `vec![]`.
fn is_empty_vec(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => {
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let n = segs.len();
                n >= 2
                    && segs[n - 2] == "Vec"
                    && (segs[n - 1] == "new" || segs[n - 1] == "with_capacity")
            }
            _ => false,
        },
        syn::Expr::Macro(m) => m.mac.path.is_ident("vec") && m.mac.tokens.is_empty(),
        _ => false,
    }
}

/// The errors of an observed value: not finite, and outside the support of `dist` (the
/// support in `__ngvi_support`).
fn data_errors(info: &Info, dv: &DataValue, dist: &str) -> (TokenStream, TokenStream) {
    let v = &dv.value;
    let nonfinite = model_err(
        info,
        dv.variable_tokens(),
        dv.index_tokens(),
        quote!(::ngvi::ModelErrorKind::NonFinite { value: #v }),
    );
    let outside = model_err(
        info,
        dv.variable_tokens(),
        dv.index_tokens(),
        quote!(::ngvi::ModelErrorKind::OutsideSupport {
            value: #v,
            dist: #dist,
            support: ::std::string::ToString::to_string(&__ngvi_support),
        }),
    );
    (nonfinite, outside)
}

/// Whether a statement is a loop whose statistics the model keeps: a plate, or a `for` of
/// the body's own (not in another loop or an `if`), so that it runs once per evaluation
/// over the same data, whose statements are all batched observes (`is_kept_body`).
fn keeps_statistics(s: &Stmt) -> bool {
    match s {
        Stmt::For { body, .. } | Stmt::Plate { body, .. } => is_kept_body(body),
        _ => false,
    }
}

/// Whether a loop's statements are all batched observes: once their statistics are known,
/// the loop's first iteration builds the distributions and nothing else is left to run.
fn is_kept_body(body: &[Stmt]) -> bool {
    !body.is_empty()
        && body
            .iter()
            .all(|b| matches!(b, Stmt::Observe { batch: Some(_), .. }))
}

/// The model's kept statistics, bound before a loop that keeps them (a plate's closure
/// borrows them alone, not the model).
fn kept() -> Ident {
    Ident::new("__ngvi_kept", proc_macro2::Span::mixed_site())
}

/// `let __ngvi_kept = &self.__ngvi_statistics;`
fn bind_kept() -> TokenStream {
    let (kept, field) = (kept(), super::items::statistics_field());
    quote!(let #kept = &self.#field;)
}

/// What a loop's batched observes add around it: before the loop, each one's distribution
/// (built at the first datum) and statistics; after each iteration, a stop once every
/// statistic was known before the loop; after the loop, their log density.
struct Batches {
    start: TokenStream,
    each: TokenStream,
    end: TokenStream,
}

/// The [`Batches`] of a loop's batched observes `ids`. With `part` (an expression giving
/// `Option<usize>`, the part of the loop's data under which its statistics are kept, or
/// `None` for data read once), their statistics are read from the model when it has them
/// (the loop then stops after its first iteration, which builds the distributions and
/// checks the first datum), and kept in it after a loop that summed them.
fn batches(ids: &[usize], part: Option<TokenStream>) -> Batches {
    let (lp, s, kept) = (lp(), scalar_s(), kept());
    let here = Ident::new("__ngvi_part", proc_macro2::Span::mixed_site());
    let mut start = TokenStream::new();
    let mut end = TokenStream::new();
    let mut knowns = Vec::new();
    if let Some(part) = &part {
        start.extend(quote!(let #here: ::core::option::Option<usize> = #part;));
    }
    for &id in ids {
        let (dist, sums, known) = batch_vars(id);
        if part.is_some() {
            start.extend(quote! {
                let mut #dist = ::core::option::Option::None;
                let (mut #sums, #known) = match #here.and_then(|__ngvi_p| #kept.get(#id, __ngvi_p)) {
                    ::core::option::Option::Some(__ngvi_sums) => (__ngvi_sums, true),
                    ::core::option::Option::None => (::core::default::Default::default(), false),
                };
            });
            end.extend(quote! {
                if let (false, ::core::option::Option::Some(_), ::core::option::Option::Some(__ngvi_p)) = (#known, &#dist, #here) {
                    #kept.keep(#id, __ngvi_p, &#sums);
                }
            });
        } else {
            start.extend(quote! {
                let mut #dist = ::core::option::Option::None;
                let mut #sums = ::core::default::Default::default();
                let #known = false;
            });
        }
        end.extend(quote! {
            if let ::core::option::Option::Some(__ngvi_d) = &#dist {
                #lp += ::ngvi::dist::Statistics::<#s>::ln_density_sum(__ngvi_d, &#sums);
            }
        });
        knowns.push(known);
    }
    let each = if part.is_some() {
        quote!(if #(#knowns)&&* { break; })
    } else {
        TokenStream::new()
    };
    Batches { start, each, end }
}

/// The distribution, the statistics and whether the statistics were known before the loop,
/// of batched observe number `id`.
fn batch_vars(id: usize) -> (Ident, Ident, Ident) {
    let name = |what: &str| {
        Ident::new(
            &format!("__ngvi_{what}{id}"),
            proc_macro2::Span::mixed_site(),
        )
    };
    (name("dist"), name("sums"), name("known"))
}

/// `tokens` (a statement's log-density term) when a latent it reads is reached
/// (`Model::log_joint_reaching`), always when the run is given no reach.
fn when_reached(reads: &[usize], tokens: TokenStream) -> TokenStream {
    let reach = reach();
    quote! {
        if ::ngvi::macro_support::reaches(#reach, &[#(#reads),*]) {
            #tokens
        }
    }
}

/// The inherent method that runs the body.
fn run_fn() -> syn::Ident {
    syn::Ident::new("__ngvi_run", proc_macro2::Span::mixed_site())
}

/// The argument of the body that sums the plates.
fn plates_arg() -> syn::Ident {
    syn::Ident::new("__ngvi_plates", proc_macro2::Span::mixed_site())
}
