//! Plates: `for i in plate(a..b) { … }`, a loop over conditionally independent data whose
//! iterations the engine may sum in parallel or subsample (docs/language.md, "Plates").

use syn::visit::Visit;
use syn::{Expr, Ident, Pat};

use super::Checker;
use crate::env::{mentions, pat_idents, root_ident};
use crate::messages::{self as msg, Nesting};
use crate::parse::Stmt;
use crate::resolved;
use crate::source::Info;

/// The range of `plate(RANGE)`, when `iter` is a call of `plate`.
pub(super) fn plate_range(iter: &Expr) -> Option<&syn::ExprCall> {
    match iter {
        Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("plate")) => Some(c),
        _ => None,
    }
}

impl<'m> Checker<'m, '_> {
    /// `for VAR in plate(RANGE) { BODY }`: at the top level, with a single name, over a
    /// data range; the body may not change what was declared before the plate.
    pub(super) fn plate(
        &mut self,
        pat: &'m Pat,
        iter: &'m Expr,
        body: &'m [Stmt],
        info: &'m Info,
    ) -> Option<resolved::Stmt<'m>> {
        let call = plate_range(iter)?;
        if let Some(place) = self.nesting.last() {
            self.errors.push(syn::Error::new_spanned(
                &call.func,
                msg::plate_nested(*place),
            ));
        }
        let var = match pat {
            Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => Some(&p.ident),
            _ => {
                self.errors
                    .push(syn::Error::new_spanned(pat, msg::plate_pattern()));
                None
            }
        };
        let range = match call.args.first().filter(|_| call.args.len() == 1) {
            Some(r) => self.data_only(r, msg::loop_over_latent),
            None => {
                self.errors
                    .push(syn::Error::new_spanned(call, msg::plate_argument()));
                return None;
            }
        };
        let id = self.plates.len();
        let local_latents = self.local_latents(pat, body);
        self.plates.push(resolved::Plate {
            info,
            local_latents,
        });
        // the plate's own scope is the one pushed next: its index is the current depth
        let outer = self.plate_scope.replace(self.env.depth());
        self.env.push();
        self.env.bind_data(pat);
        self.nesting.push(Nesting::Plate);
        self.enter_loop(pat, body);
        let body = self.stmts(body);
        let batched = self.leave_loop();
        self.nesting.pop();
        self.env.pop();
        self.plate_scope = outer;
        Some(resolved::Stmt::Plate {
            id,
            var: var?,
            range,
            body,
            batched,
            info,
        })
    }

    /// Inside a plate, an assignment (`x = …`, `x += …`, `x[i] = …`, `x.push(…)`) to a name
    /// declared before it is an error: the iterations must not depend on each other.
    pub(super) fn outer_assignment(&mut self, e: &Expr) {
        let Some(depth) = self.plate_scope else {
            return;
        };
        let target = match e {
            Expr::Assign(a) => &*a.left,
            Expr::Binary(b) if crate::env::is_assign_op(&b.op) => &*b.left,
            Expr::MethodCall(m) if crate::env::FILLS.iter().any(|f| m.method == f) => &*m.receiver,
            _ => return,
        };
        let Some(id) = root_ident(target) else {
            return;
        };
        if self
            .env
            .scope_of(&id.to_string())
            .is_some_and(|s| s < depth)
        {
            self.err(id.span(), msg::plate_assigns_outer(&id));
        }
    }

    /// The vector latents indexed in `body` by an expression that mentions the plate's
    /// index or a name bound inside the plate (`theta[g[i]]`): local to an iteration.
    fn local_latents(&self, pat: &Pat, body: &[Stmt]) -> Vec<String> {
        let mut inner: Vec<String> = pat_idents(pat).iter().map(Ident::to_string).collect();
        let mut exprs = Vec::new();
        collect(body, &mut inner, &mut exprs);
        let mut v = Indexed {
            latents: self.all_latents,
            inner: &inner,
            found: Vec::new(),
        };
        for e in exprs {
            v.visit_expr(e);
        }
        v.found
    }
}

/// Every expression of `stmts` (nested ones included), and every name they bind.
fn collect<'s>(stmts: &'s [Stmt], bound: &mut Vec<String>, out: &mut Vec<&'s Expr>) {
    for s in stmts {
        match s {
            Stmt::Sample { len, dist, .. } => {
                out.extend(len.iter());
                out.extend(dist.args.iter());
            }
            Stmt::Observe { value, dist, .. } => {
                out.push(value);
                out.extend(dist.args.iter());
            }
            Stmt::Factor { expr, .. } | Stmt::Expr { expr, .. } => out.push(expr),
            Stmt::Track { name, expr, .. } => {
                bound.push(name.to_string());
                out.push(expr);
            }
            Stmt::Let { pat, init, .. } => {
                bound.extend(pat_idents(pat).iter().map(Ident::to_string));
                out.push(init);
            }
            Stmt::For {
                pat, iter, body, ..
            } => {
                bound.extend(pat_idents(pat).iter().map(Ident::to_string));
                out.push(iter);
                collect(body, bound, out);
            }
            Stmt::If(i) => collect_if(i, bound, out),
        }
    }
}

fn collect_if<'s>(i: &'s crate::parse::IfStmt, bound: &mut Vec<String>, out: &mut Vec<&'s Expr>) {
    out.push(&i.cond);
    collect(&i.then, bound, out);
    match &i.els {
        Some(crate::parse::Else::Block(b)) => collect(b, bound, out),
        Some(crate::parse::Else::If(e)) => collect_if(e, bound, out),
        None => {}
    }
}

/// Finds `latent[index]` with an index that mentions a name bound inside the plate.
struct Indexed<'a> {
    latents: &'a std::collections::HashMap<String, u32>,
    inner: &'a [String],
    found: Vec<String>,
}

impl<'ast> Visit<'ast> for Indexed<'_> {
    fn visit_expr_index(&mut self, e: &'ast syn::ExprIndex) {
        if let Some(id) = root_ident(&e.expr).map(|i| i.to_string()) {
            let local = mentions(&e.index)
                .iter()
                .any(|m| self.inner.contains(&m.to_string()));
            if local && self.latents.contains_key(&id) && !self.found.contains(&id) {
                self.found.push(id);
            }
        }
        syn::visit::visit_expr_index(self, e);
    }
}
