//! Stage 3: expand the resolved model into a struct implementing `::ngvi::Model`, or, when
//! the model has errors, into the [`fallback`] that keeps the user's call sites free of
//! secondary errors.
//!
//! One file per generated item: [`items`] (the struct and its constructor function),
//! [`latents`], [`uses`] and [`log_joint`] (the three methods of `Model`); expressions are
//! rewritten by [`rewrite`] (clones of generic scalars) and [`index`] (checked indexing),
//! and distributions constructed by [`dist_call`].

mod blame;
mod dist_call;
mod fallback;
mod index;
mod items;
mod latents;
mod log_joint;
mod rewrite;
mod uses;

use std::cell::Cell;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use crate::resolved::{Model, Value};
use crate::source::Info;

pub use fallback::fallback;
use rewrite::{Ctx, Rewriter};

/// Generate the struct, its constructor function and the `Model` impl.
pub fn expand(model: &Model) -> TokenStream {
    let ex = Expander {
        model,
        names: Names::default(),
    };
    let items = items::Items::new(model.syntax).keeping_statistics(ex.keeps_statistics());
    let latents = ex.latents_fn();
    let uses = ex.uses_fn();
    let (log_joint, run) = ex.log_joint_fn();
    items.with_impls(
        quote! {
            #latents
            #uses
            #log_joint
        },
        run,
    )
}

struct Expander<'a, 'm> {
    model: &'a Model<'m>,
    names: Names,
}

impl Expander<'_, '_> {
    /// The expression rewritten for generated code (see [`rewrite`]).
    fn rw(&self, v: &Value, info: &Info, ctx: Ctx) -> TokenStream {
        Rewriter::new(&self.names, v, info).rewrite(v.expr, ctx)
    }
}

/// Fresh hygienic names for generated variables.
#[derive(Default)]
struct Names(Cell<usize>);

impl Names {
    fn fresh(&self, prefix: &str) -> Ident {
        let n = self.0.get();
        self.0.set(n + 1);
        Ident::new(&format!("__ngvi_{prefix}{n}"), Span::mixed_site())
    }
}

/// The log density accumulated by `log_joint`.
fn lp() -> Ident {
    Ident::new("__ngvi_lp", Span::mixed_site())
}

/// The latent vector argument of `log_joint`.
fn zvec() -> Ident {
    Ident::new("__ngvi_z", Span::mixed_site())
}

/// The latents whose statements a run of the body evaluates (`None`: every statement;
/// `Model::log_joint_reaching`).
fn reach() -> Ident {
    Ident::new("__ngvi_reach", Span::mixed_site())
}

/// The derived quantities collected by a run of the body (`None` in `log_joint`).
fn track_out() -> Ident {
    Ident::new("__ngvi_track", Span::mixed_site())
}

/// The latents' lengths, in `sample` order.
fn lens() -> Ident {
    Ident::new("__ngvi_lens", Span::mixed_site())
}

/// The latents' offsets in `z`, in `sample` order.
fn offs() -> Ident {
    Ident::new("__ngvi_offs", Span::mixed_site())
}

/// The scalar type parameter of `log_joint`, nameable by the user.
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

/// `return Ok(-∞)`: a latent-dependent parameter outside its domain.
fn neg_inf() -> TokenStream {
    neg_inf_as(&quote::ToTokens::to_token_stream(&scalar_s()))
}

/// `return Ok(-∞)` as a scalar of type `s`.
fn neg_inf_as(s: &TokenStream) -> TokenStream {
    quote!(return ::core::result::Result::Ok(<#s as ::ngvi::Scalar>::constant(f64::NEG_INFINITY)))
}
