//! The `model!` macro of ngvi: parse (`parse`) → check (`check`, producing the
//! `resolved` model) → expand (`expand`); on any error, the errors and the fallback
//! expansion (`expand::fallback`).
//!
//! Use it through the facade crate: `use ngvi::prelude::*;`. The language reference is
//! `docs/language.md`; the runnable example is on `ngvi::model`.

mod check;
mod conjugacy;
mod dists;
mod env;
mod expand;
mod messages;
mod parse;
mod resolved;
#[cfg(test)]
mod robustness;
mod source;

use proc_macro::TokenStream;

/// Write a probabilistic model; see the documentation of `ngvi::model` (the re-export in
/// the facade crate, with a runnable example) and `docs/language.md` for the language.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let Some(syntax) = parse::parse(input.into(), &mut errors) else {
        return messages::combine(errors)
            .map(|e| e.to_compile_error())
            .unwrap_or_default()
            .into();
    };
    match check::check(&syntax, &mut errors) {
        Some(model) => expand::expand(&model),
        None => expand::fallback(&syntax, errors),
    }
    .into()
}
