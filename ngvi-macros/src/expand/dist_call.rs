//! A distribution constructed in generated code: `Normal::<S>::new(mean, sd)` from the
//! resolved call, with each parameter's domain error mapped to a `ModelError` naming the
//! data it came from, or to a log density of −∞ when the parameter depends on latents (the
//! optimiser can step back from it).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use super::blame::blame;
use super::index::data_value;
use super::rewrite::{Ctx, Rewriter};
use super::{model_err, neg_inf, neg_inf_as, Expander, Names};
use crate::dists::Domain;
use crate::resolved::{Call, Value};
use crate::source::{text_of, Info};

/// A distribution constructed in generated code.
pub struct Built {
    pub setup: TokenStream,
    /// The variable holding the distribution.
    pub var: Ident,
}

/// One argument: its setup, and the match arm that reports its domain error (none for a
/// latent-dependent argument).
struct Arg {
    setup: TokenStream,
    var: Ident,
    arm: TokenStream,
}

impl Expander<'_, '_> {
    /// Construct the distribution of `call` with scalar type `s` (`S` in the log joint;
    /// `f64` in `latents()`, where every argument is data).
    pub fn build(&self, info: &Info, call: &Call, s: &TokenStream) -> Built {
        build(&self.names, info, call, s)
    }
}

/// Construct the distribution of `call` with scalar type `s` (see [`Expander::build`]; the
/// rewriter builds the distributions of log densities `D(..).ln_density(x)` with it).
pub fn build(names: &Names, info: &Info, call: &Call, s: &TokenStream) -> Built {
    build_with(names, info, call, s, None)
}

/// Construct the distribution of `call` as a function of its one latent-dependent
/// argument, which is `along`, of scalar type `s` (a `Jet` or `f64`: `Plates::linear`),
/// the other arguments data.
pub fn build_along(
    names: &Names,
    info: &Info,
    call: &Call,
    along: &Ident,
    s: &TokenStream,
) -> Built {
    build_with(names, info, call, s, Some(along))
}

/// [`build`], with the latent-dependent argument `along` when given.
fn build_with(
    names: &Names,
    info: &Info,
    call: &Call,
    s: &TokenStream,
    along: Option<&Ident>,
) -> Built {
    let d = call.dist;
    let e = Ident::new("__ngvi_e", Span::mixed_site());
    let args: Vec<Arg> = call
        .args
        .iter()
        .zip(d.params)
        .map(|(a, (pname, domain))| arg(names, info, (a, along), pname, *domain, s, &e))
        .collect();
    let any_latent = !call.all_data();
    // A parameter that must exceed the one before it fails with the later one's name.
    let arms: Vec<&TokenStream> =
        if any_latent && d.params.iter().any(|p| p.1 == Domain::AbovePrevious) {
            Vec::new()
        } else {
            args.iter().map(|a| &a.arm).collect()
        };
    let fallback = if along.is_some() {
        neg_inf_as(s)
    } else if any_latent {
        // a latent-dependent argument that reads a non-finite datum is that datum's error
        let blamed = call
            .args
            .iter()
            .filter(|a| a.is_scalar())
            .map(|a| blame(names, a, info));
        let neg_inf = neg_inf();
        quote!(#(#blamed)* #neg_inf)
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
    let var = names.fresh("d");
    let setups = args.iter().map(|a| &a.setup);
    let vars = args.iter().map(|a| &a.var);
    let setup = quote! {
        #(#setups)*
        let #var = match #path::new(#(#vars),*) {
            ::core::result::Result::Ok(d) => d,
            ::core::result::Result::Err(#e) => match #e.param {
                #(#arms)*
                _ => { #fallback }
            },
        };
    };
    Built { setup, var }
}

/// One argument as a value of type `s` (a vector parameter as a `Vec` of them).
fn arg(
    names: &Names,
    info: &Info,
    (a, along): (&Value, Option<&Ident>),
    pname: &str,
    domain: Domain,
    s: &TokenStream,
    e: &Ident,
) -> Arg {
    let var = names.fresh("a");
    let param_err = |variable: TokenStream, index: TokenStream| {
        let err = model_err(
            info,
            variable,
            index,
            quote!(::ngvi::ModelErrorKind::Parameter(#e)),
        );
        quote!(#pname => { #err })
    };
    if let (true, Some(x)) = (a.is_scalar(), along) {
        let setup = quote!(let #var: #s = #x;);
        let arm = TokenStream::new();
        return Arg { setup, var, arm };
    }
    if a.is_scalar() {
        let ctx = if domain == Domain::Vector {
            Ctx::Ref
        } else {
            Ctx::Value
        };
        let v = Rewriter::new(names, a, info).rewrite(a.expr, ctx);
        let setup = if domain == Domain::Vector {
            quote!(let #var: ::std::vec::Vec<#s> = (#v).iter().cloned().collect();)
        } else {
            quote!(let #var: #s = #v;)
        };
        let arm = TokenStream::new();
        return Arg { setup, var, arm };
    }
    if domain == Domain::Vector {
        let v = Rewriter::new(names, a, info).rewrite(a.expr, Ctx::Ref);
        let setup = quote! {
            let #var: ::std::vec::Vec<#s> = (#v)
                .iter()
                .map(|v| <#s as ::core::convert::From<f64>>::from(::ngvi::dist::Observation::to_f64(v)))
                .collect();
        };
        let text = text_of(a.expr);
        let arm = param_err(
            quote!(::std::string::String::from(#text)),
            quote!(::std::vec::Vec::new()),
        );
        return Arg { setup, var, arm };
    }
    let dv = data_value(names, a, info);
    let (dsetup, value) = (&dv.setup, &dv.value);
    let setup = quote! {
        #dsetup
        let #var: #s = <#s as ::core::convert::From<f64>>::from(#value);
    };
    let arm = param_err(dv.variable_tokens(), dv.index_tokens());
    Arg { setup, var, arm }
}
