//! Observes summed from sufficient statistics (docs/design.md §8): an `observe` inside a
//! loop (`for` or `plate`) whose distribution has statistics, whose support depends on no
//! latent, and whose arguments mention no name the innermost enclosing loop binds or
//! changes, has the same distribution at every iteration. Its log density over the loop
//! is then η(θ)·Σ s(yᵢ) − n A(θ) + Σ h(yᵢ): the expansion accumulates the statistics in
//! `f64` and evaluates the scalar once per loop (per chunk for a plate).

use syn::visit::Visit;
use syn::{Expr, Ident, Pat};

use super::Checker;
use crate::env::{is_assign_op, mentions, pat_idents, root_ident, FILLS};
use crate::parse::{Else, IfStmt, Stmt};
use crate::resolved::Call;

/// A loop being checked: the names its iterations may change, and its observes summed
/// from statistics.
pub(super) struct Loop {
    changing: Vec<String>,
    batched: Vec<usize>,
}

impl Checker<'_, '_> {
    /// Enter the loop `for PAT in … { BODY }`.
    pub(super) fn enter_loop(&mut self, pat: &Pat, body: &[Stmt]) {
        let mut changing = Names(pat_idents(pat).iter().map(Ident::to_string).collect());
        changing.stmts(body);
        self.loops.push(Loop {
            changing: changing.0,
            batched: Vec::new(),
        });
    }

    /// Leave the innermost loop: the numbers of its observes summed from statistics.
    pub(super) fn leave_loop(&mut self) -> Vec<usize> {
        self.loops.pop().map(|l| l.batched).unwrap_or_default()
    }

    /// The number of an observe of `call` summed from statistics over the innermost loop,
    /// or `None` for the per-datum path.
    pub(super) fn batch(&mut self, call: &Call) -> Option<usize> {
        let d = call.dist;
        let inner = self.loops.last()?;
        let latent_support = d
            .support_params
            .iter()
            .any(|i| call.args.get(*i).is_some_and(|a| a.is_scalar()));
        let changes = call.args.iter().any(|a| {
            mentions(a.expr)
                .iter()
                .any(|m| inner.changing.contains(&m.to_string()))
        });
        if !d.statistics || latent_support || changes {
            return None;
        }
        let id = self.batches;
        self.batches += 1;
        self.loops.last_mut()?.batched.push(id);
        Some(id)
    }
}

/// The names a loop body binds or changes: `let` and `for` patterns, targets of `=` and
/// `op=`, receivers of calls that fill a container (`v.push(x)`), places borrowed `&mut`,
/// and receivers of method calls made as statements (`state.step();`).
struct Names(Vec<String>);

impl Names {
    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            match s {
                Stmt::Sample { len, dist, .. } => {
                    len.iter()
                        .chain(&dist.args)
                        .for_each(|e| self.visit_expr(e));
                }
                Stmt::Observe { value, dist, .. } => {
                    std::iter::once(value)
                        .chain(&dist.args)
                        .for_each(|e| self.visit_expr(e));
                }
                Stmt::Factor { expr, .. } => self.visit_expr(expr),
                Stmt::Track { name, expr, .. } => {
                    self.0.push(name.to_string());
                    self.visit_expr(expr);
                }
                Stmt::Let { pat, init, .. } => {
                    self.bind(pat);
                    self.visit_expr(init);
                }
                Stmt::For {
                    pat, iter, body, ..
                } => {
                    self.bind(pat);
                    self.visit_expr(iter);
                    self.stmts(body);
                }
                Stmt::If(i) => self.if_stmt(i),
                Stmt::Expr { expr, .. } => {
                    if let Expr::MethodCall(m) = strip_parens(expr) {
                        self.root(receiver_root(&m.receiver));
                    }
                    self.visit_expr(expr);
                }
            }
        }
    }

    fn if_stmt(&mut self, i: &IfStmt) {
        self.visit_expr(&i.cond);
        self.stmts(&i.then);
        match &i.els {
            Some(Else::Block(b)) => self.stmts(b),
            Some(Else::If(e)) => self.if_stmt(e),
            None => {}
        }
    }

    fn bind(&mut self, pat: &Pat) {
        self.0.extend(pat_idents(pat).iter().map(Ident::to_string));
    }

    fn root(&mut self, e: &Expr) {
        if let Some(id) = root_ident(e) {
            self.0.push(id.to_string());
        }
    }
}

impl<'ast> Visit<'ast> for Names {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Assign(a) => self.root(&a.left),
            Expr::Binary(b) if is_assign_op(&b.op) => self.root(&b.left),
            Expr::MethodCall(m) if FILLS.iter().any(|f| m.method == f) => {
                self.root(receiver_root(&m.receiver));
            }
            Expr::Reference(r) if r.mutability.is_some() => self.root(&r.expr),
            _ => {}
        }
        syn::visit::visit_expr(self, e);
    }
}

fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        _ => e,
    }
}

/// The place at the start of a method chain (`a` in `a.b().c()`).
fn receiver_root(e: &Expr) -> &Expr {
    match strip_parens(e) {
        Expr::MethodCall(m) => receiver_root(&m.receiver),
        other => other,
    }
}
