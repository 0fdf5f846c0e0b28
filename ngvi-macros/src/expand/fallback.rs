//! The expansion of a model with errors (as thiserror's `fallback.rs`): the errors, plus the
//! struct, the constructor function with the model function's signature, and a `Model`
//! impl whose bodies only type-check. The user then sees the model's errors and no
//! secondary "cannot find function" or "not a `Model`" errors at the call sites. The bodies
//! never run: the crate does not compile.

use proc_macro2::TokenStream;
use quote::quote;

use super::items::Items;
use crate::messages::combine;
use crate::parse::ModelFn;

/// The errors and the items with placeholder bodies.
pub fn fallback(model: &ModelFn, errors: Vec<syn::Error>) -> TokenStream {
    let errors = combine(errors).map(|e| e.to_compile_error());
    let items = Items::new(model).with_impl_allowing(
        quote!(#[allow(dead_code)]),
        quote! {
            fn latents(&self) -> ::core::result::Result<::std::vec::Vec<::ngvi::Latent>, ::ngvi::ModelError> {
                ::core::result::Result::Ok(::std::vec::Vec::new())
            }
            fn uses(&self) -> ::std::vec::Vec<::ngvi::LatentUse> {
                ::std::vec::Vec::new()
            }
            fn log_joint<S: ::ngvi::Scalar>(&self, _: &[S]) -> ::core::result::Result<S, ::ngvi::ModelError> {
                ::core::result::Result::Ok(<S as ::ngvi::Scalar>::constant(f64::NEG_INFINITY))
            }
        },
    );
    quote!(#errors #items)
}
