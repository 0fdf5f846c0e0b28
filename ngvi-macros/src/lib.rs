//! The `model!` macro of ngvi: parse ([`parse`]) → check ([`check`]) → expand ([`expand`]).
//!
//! Use it through the facade crate: `use ngvi::prelude::*;`. The language reference is
//! `docs/language.md`; the runnable example is on `ngvi::model`.

mod check;
mod dists;
mod expand;
mod parse;

use proc_macro::TokenStream;

/// Write a probabilistic model; see the documentation of `ngvi::model` (the re-export in
/// the facade crate, with a runnable example) and `docs/language.md` for the language.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    let model = match parse::parse(input.into()) {
        Ok(m) => m,
        Err(e) => return e.to_compile_error().into(),
    };
    match check::check(&model) {
        Ok(analysis) => expand::expand(&model, &analysis).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
