//! `Model::uses()`: the static facts for guide choice that the checker recorded, one
//! `LatentUse` per statement argument that uses a latent.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use super::Expander;

impl Expander<'_, '_> {
    pub fn uses_fn(&self) -> TokenStream {
        let items = self.model.uses.iter().map(|u| {
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
}
