//! A parameter that reads latents and came out non-finite, or that its distribution
//! rejected, blamed on a non-finite datum it reads: `Normal(w * x[i], 1.0)` with
//! `x[1] = NaN` is a `ModelError` `NonFinite` at `x[1]`, not a log density of −∞ at every
//! value of `w` (which left the fit without a finite start). Only on that error path: each
//! indexed data read of the expression (`x[i]`, `x[(i, j)]`, `x[i][j]`) is read again and
//! checked; a read whose element is not a number (`f64` or `f32`) is not checked, and an
//! expression with no non-finite datum falls through to the −∞ it had.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::Visit;
use syn::{Expr, ExprIndex};

use super::index::{is_place, split_chain};
use super::rewrite::{Ctx, Rewriter};
use super::{model_err, Names};
use crate::resolved::Value;
use crate::source::{text_of, Info};

/// `return Err(NonFinite)` at the first indexed data read of `value` that is not finite;
/// nothing when there is none.
pub fn blame(names: &Names, value: &Value, info: &Info) -> TokenStream {
    let mut reads = Reads(Vec::new());
    reads.visit_expr(value.expr);
    let mut r = Rewriter::new(names, value, info);
    let mut checks = TokenStream::new();
    for read in reads.0 {
        let (root, parts) = split_chain(read);
        if !is_place(root) || r.is_scalar_root(root) {
            continue;
        }
        let name = text_of(root);
        let base = r.rewrite(root, Ctx::Ref);
        let c = r.chain(base, &name, &parts);
        let (setup, last, ix) = (c.setup, c.last, c.indices);
        let err = model_err(
            info,
            quote!(::std::string::String::from(#name)),
            quote!(::std::vec![#(#ix),*]),
            quote!(::ngvi::ModelErrorKind::NonFinite { value: __ngvi_bad }),
        );
        checks.extend(quote! {{
            #setup
            #[allow(unused_imports)]
            use ::ngvi::macro_support::{NonFiniteNumber as _, NotANumber as _};
            if let ::core::option::Option::Some(__ngvi_bad) =
                (&::ngvi::macro_support::Blame(#last)).non_finite()
            {
                #err
            }
        }});
    }
    checks
}

/// The outermost indexing expressions of an expression, outside closures.
struct Reads<'e>(Vec<&'e Expr>);

impl<'e> Visit<'e> for Reads<'e> {
    fn visit_expr(&mut self, e: &'e Expr) {
        match e {
            Expr::Index(ExprIndex { index, .. }) => {
                self.0.push(e);
                // an index may itself read data (`theta[group[i]]`)
                self.visit_expr(index);
            }
            Expr::Closure(_) => {}
            _ => syn::visit::visit_expr(self, e),
        }
    }
}
