//! `Model::latents()`: one `Latent` per `sample` (name, shape with its length evaluated
//! from the data, prior and its hyperparameters when they are data, support); and the
//! layout `[len_0, len_1, …]` that `log_joint` shares.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use super::items::bindings;
use super::rewrite::Ctx;
use super::{lens, Expander};
use crate::dists::SupportKind;
use crate::env::{mentions, pat_idents};
use crate::resolved::{Convert, Latent, Shape, Stmt, Value};

impl Expander<'_, '_> {
    pub fn latents_fn(&self) -> TokenStream {
        let bindings = bindings(self.model.syntax);
        let layout = self.layout();
        let lens = lens();
        let n = self.model.latents.len();
        let pushes = self
            .model
            .latents
            .iter()
            .enumerate()
            .map(|(k, latent)| self.latent(k, latent));
        quote! {
            #[allow(unused_variables, clippy::redundant_clone)]
            fn latents(&self) -> ::core::result::Result<::std::vec::Vec<::ngvi::Latent>, ::ngvi::ModelError> {
                #bindings
                let #lens: [usize; #n] = #layout;
                let mut __ngvi_out = ::std::vec::Vec::with_capacity(#n);
                #(#pushes)*
                ::core::result::Result::Ok(__ngvi_out)
            }
        }
    }

    /// Push latent `k`: its prior's hyperparameters when they are data, else `None`.
    fn latent(&self, k: usize, latent: &Latent) -> TokenStream {
        let prior = &latent.prior;
        let d = prior.dist;
        let kind = Ident::new(d.name, proc_macro2::Span::call_site());
        let name = latent.name.to_string();
        let lens = lens();
        let shape = match latent.shape {
            Shape::Simplex => quote!(::ngvi::Shape::Simplex(#lens[#k])),
            Shape::Vector(_) => quote!(::ngvi::Shape::Vector(#lens[#k])),
            Shape::Scalar => quote!(::ngvi::Shape::Scalar),
        };
        let fixed = support_tokens(d.support);
        let (setup, params, support) = if prior.all_data() {
            let b = self.build(latent.info, prior, &quote!(f64));
            let var = &b.var;
            let params = quote!(::core::option::Option::Some(#var.param_values()));
            let support =
                fixed.unwrap_or_else(|| quote!(::ngvi::dist::Univariate::<f64>::support(&#var)));
            (b.setup, params, support)
        } else {
            (
                TokenStream::new(),
                quote!(::core::option::Option::None),
                fixed.unwrap_or_else(|| quote!(::ngvi::dist::Support::Real)),
            )
        };
        quote! {
            {
                #setup
                __ngvi_out.push(::ngvi::Latent {
                    name: #name,
                    shape: #shape,
                    prior: ::ngvi::dist::DistKind::#kind,
                    prior_params: #params,
                    support: #support,
                });
            }
        }
    }

    /// The top-level data-only `let`s that the lengths need, and the lengths
    /// `[len_0, len_1, …]` of the latents in `sample` order.
    pub fn layout(&self) -> TokenStream {
        let body = &self.model.body;
        let mut needed: HashSet<String> = HashSet::new();
        for latent in &self.model.latents {
            let exprs = latent.prior.args.iter().chain(match &latent.shape {
                Shape::Vector(len) => Some(len),
                _ => None,
            });
            for v in exprs {
                needed.extend(mentions(v.expr).iter().map(ToString::to_string));
            }
        }
        let mut keep = vec![false; body.len()];
        for (k, s) in body.iter().enumerate().rev() {
            if let Stmt::Let { pat, init, .. } = s {
                if pat_idents(pat)
                    .iter()
                    .any(|b| needed.contains(&b.to_string()))
                {
                    keep[k] = true;
                    needed.extend(mentions(init.expr).iter().map(ToString::to_string));
                }
            }
        }
        let mut setup = TokenStream::new();
        let mut lens = Vec::new();
        for (s, keep) in body.iter().zip(keep) {
            match s {
                Stmt::Let {
                    pat,
                    ty,
                    init,
                    convert: Convert::No,
                    info,
                } if keep && !init.is_scalar() => {
                    let x = self.rw(init, info, Ctx::Value);
                    let annotation = ty.map(|t| quote!(: #t));
                    setup.extend(quote!(let #pat #annotation = #x;));
                }
                Stmt::Sample(k) => {
                    let (len_setup, n) = self.length(&self.model.latents[*k]);
                    setup.extend(len_setup);
                    lens.push(n);
                }
                _ => {}
            }
        }
        quote!({ #setup [#(#lens),*] })
    }

    /// `let n: usize = LEN;` for one latent, and `n`.
    fn length(&self, latent: &Latent) -> (TokenStream, Ident) {
        let n = self.names.fresh("len");
        let info = latent.info;
        let setup = match &latent.shape {
            Shape::Vector(len) => {
                let x = self.rw(len, info, Ctx::Value);
                quote!(let #n: usize = #x;)
            }
            Shape::Simplex => {
                let alpha: &Value = &latent.prior.args[0];
                let x = self.rw(alpha, info, Ctx::Ref);
                quote!(let #n: usize = (#x).iter().count();)
            }
            Shape::Scalar => quote!(let #n: usize = 1;),
        };
        (setup, n)
    }
}

/// The support of a distribution whose support does not depend on its parameters.
fn support_tokens(k: SupportKind) -> Option<TokenStream> {
    Some(match k {
        SupportKind::Real => quote!(::ngvi::dist::Support::Real),
        SupportKind::Positive => quote!(::ngvi::dist::Support::Positive),
        SupportKind::UnitInterval => quote!(::ngvi::dist::Support::UnitInterval),
        SupportKind::Simplex => quote!(::ngvi::dist::Support::Simplex),
        _ => return None,
    })
}
