//! Stage 2: check the model (every mistake the source shows, docs/language.md
//! "Compile-time errors") and resolve it: each statement with its distribution, each
//! latent with its index, each expression with the names in it that are generic scalars,
//! and the static facts for guide choice ([`resolved`](crate::resolved)).
//!
//! A binding's kind can be settled by an assignment later in the body (see
//! [`env`](crate::env)), so the body is walked until the kinds stop changing; the last
//! walk's errors and resolution are kept.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::Span;
use syn::{Expr, Ident, Pat, Type};

use crate::conjugacy::conjugate;
use crate::dists::{self, Dist, Domain, SupportKind};
use crate::env::{
    density_call, density_calls, literal_value, mentions, pat_idents, type_mentions_s,
    value_mentions, Binding, Env,
};
use crate::messages::{self as msg, Nesting};
use crate::parse::{DistCall, Else, IfStmt, ModelFn, Stmt};
use crate::resolved::{self, Call, Convert, Latent, Model, Shape, UseFact, Value};
use crate::source::{text_of, Info};
use plate::plate_range;
use samples::collect_samples;

/// Check and resolve the model. Errors are pushed to `errors`, which may already hold the
/// parser's (then statements may be missing, and a model without latents is not reported);
/// the resolved model is returned only when there is no error at all.
pub fn check<'m>(syntax: &'m ModelFn, errors: &mut Vec<syn::Error>) -> Option<Model<'m>> {
    let mut all_latents = HashMap::new();
    collect_samples(&syntax.body, &mut all_latents);
    let mut previous = Vec::new();
    let (mut c, body) = loop {
        let mut c = Checker::new(syntax, &all_latents, previous);
        let body = c.stmts(&syntax.body);
        if c.env.is_settled() {
            break (c, body);
        }
        previous = c.env.into_bindings();
    };
    if all_latents.is_empty() && errors.is_empty() {
        c.err(syntax.name.span(), msg::no_latent(&syntax.name));
    }
    errors.append(&mut c.errors);
    errors.is_empty().then_some(Model {
        syntax,
        latents: c.latents,
        body,
        uses: c.uses,
        tracked: c.tracked.into_iter().map(|(n, _)| n).collect(),
        plates: c.plates,
    })
}

/// One walk of the body.
struct Checker<'m, 'a> {
    model: &'m ModelFn,
    env: Env,
    errors: Vec<syn::Error>,
    all_latents: &'a HashMap<String, u32>,
    /// Latents sampled so far, with their line.
    sampled: HashMap<String, u32>,
    /// Enclosing `for` / `if` (innermost last), for messages.
    nesting: Vec<Nesting>,
    latents: Vec<Latent<'m>>,
    /// Each latent's prior, and whether it is `Uniform(0, 1)`.
    priors: HashMap<String, (&'static Dist, bool)>,
    uses: Vec<UseFact>,
    /// Derived quantities so far, with their line.
    tracked: Vec<(String, u32)>,
    /// Plates so far.
    plates: Vec<resolved::Plate<'m>>,
    /// The scope depth at the start of the enclosing plate's body.
    plate_scope: Option<usize>,
    /// The enclosing loops, innermost last.
    loops: Vec<batch::Loop>,
    /// Observes summed from sufficient statistics so far.
    batches: usize,
}

impl<'m, 'a> Checker<'m, 'a> {
    fn new(
        model: &'m ModelFn,
        all_latents: &'a HashMap<String, u32>,
        previous: Vec<Binding>,
    ) -> Self {
        Checker {
            model,
            env: Env::new(model, previous),
            errors: Vec::new(),
            all_latents,
            sampled: HashMap::new(),
            nesting: Vec::new(),
            latents: Vec::new(),
            priors: HashMap::new(),
            uses: Vec::new(),
            tracked: Vec::new(),
            plates: Vec::new(),
            plate_scope: None,
            loops: Vec::new(),
            batches: 0,
        }
    }

    fn err(&mut self, span: Span, msg: String) {
        self.errors.push(syn::Error::new(span, msg));
    }

    /// The latents sampled so far (by index) that the expressions read, directly or
    /// through `let` bindings.
    fn reads<'e>(&self, exprs: impl Iterator<Item = &'e Expr>) -> Vec<usize> {
        let names: BTreeSet<String> = exprs.flat_map(|e| self.env.deps(e)).collect();
        (0..self.latents.len())
            .filter(|&k| names.contains(&self.latents[k].name.to_string()))
            .collect()
    }

    /// The expression with the names in it that are generic scalars here.
    fn value(&self, e: &'m Expr) -> Value<'m> {
        let scalars = value_mentions(e)
            .iter()
            .map(ToString::to_string)
            .filter(|id| self.env.is_scalar_name(id))
            .collect();
        let mut densities: Vec<&'static Dist> = Vec::new();
        for d in density_calls(e).into_iter().filter_map(density_call) {
            if !densities.iter().any(|x| std::ptr::eq(*x, d.0)) {
                densities.push(d.0);
            }
        }
        Value {
            expr: e,
            scalars,
            densities,
        }
    }

    fn stmts(&mut self, stmts: &'m [Stmt]) -> Vec<resolved::Stmt<'m>> {
        stmts.iter().filter_map(|s| self.stmt(s)).collect()
    }

    /// Check one statement; `None` when it cannot be resolved (an error was reported).
    fn stmt(&mut self, s: &'m Stmt) -> Option<resolved::Stmt<'m>> {
        match s {
            Stmt::Sample {
                kw,
                name,
                len,
                dist,
                info,
            } => self.sample(kw, name, len.as_ref(), dist, info),
            Stmt::Observe {
                kw,
                value,
                dist,
                info,
            } => self.observe(kw, value, dist, info),
            Stmt::Factor { expr, info } => Some(self.factor(expr, info)),
            Stmt::Track {
                kw,
                name,
                expr,
                info,
            } => Some(self.track(kw, name, expr, info)),
            Stmt::Let {
                pat,
                ty,
                init,
                info,
            } => Some(self.let_stmt(pat, ty.as_ref(), init, info)),
            Stmt::For {
                pat,
                iter,
                body,
                info,
                ..
            } if plate_range(iter).is_some() => self.plate(pat, iter, body, info),
            Stmt::For {
                kw,
                pat,
                iter,
                body,
                info,
            } => {
                let iter = self.data_only(iter, msg::loop_over_latent);
                self.env.push();
                self.env.bind_data(pat);
                self.nesting.push(Nesting::For);
                self.enter_loop(pat, body);
                let body = self.stmts(body);
                let batched = self.leave_loop();
                self.nesting.pop();
                self.env.pop();
                Some(resolved::Stmt::For {
                    kw,
                    pat,
                    iter,
                    body,
                    batched,
                    info,
                })
            }
            Stmt::If(i) => Some(resolved::Stmt::If(self.if_stmt(i))),
            Stmt::Expr { expr, semi, info } => {
                self.inspect(expr);
                let value = self.value(expr);
                self.outer_assignment(expr);
                self.env.assign(expr);
                Some(resolved::Stmt::Expr {
                    expr: value,
                    semi: *semi,
                    info,
                })
            }
        }
    }

    /// An expression that must not depend on latents (a loop range, a condition).
    fn data_only(&mut self, e: &'m Expr, message: impl Fn(&Ident, &str) -> String) -> Value<'m> {
        self.inspect(e);
        if let Some((id, latent)) = self.env.first_dependent(e) {
            self.err(id.span(), message(&id, &latent));
        }
        self.value(e)
    }

    fn if_stmt(&mut self, i: &'m IfStmt) -> resolved::If<'m> {
        let cond = self.data_only(&i.cond, msg::branch_on_latent);
        self.nesting.push(Nesting::If);
        self.env.push();
        let then = self.stmts(&i.then);
        self.env.pop();
        let els = match &i.els {
            Some(Else::Block(b)) => {
                self.env.push();
                let block = self.stmts(b);
                self.env.pop();
                Some(resolved::Else::Block(block))
            }
            Some(Else::If(e)) => Some(resolved::Else::If(Box::new(self.if_stmt(e)))),
            None => None,
        };
        self.nesting.pop();
        resolved::If {
            kw: &i.kw,
            cond,
            then,
            els,
            info: &i.info,
        }
    }

    fn sample(
        &mut self,
        kw: &Ident,
        name: &'m Ident,
        len: Option<&'m Expr>,
        dist: &'m DistCall,
        info: &'m Info,
    ) -> Option<resolved::Stmt<'m>> {
        let key = name.to_string();
        self.sample_placement(kw, name, dist);
        let len = len.map(|len| {
            let message = |id: &Ident, latent: &str| msg::vector_length_latent(name, id, latent);
            // `latents()` computes the lengths before any latent exists, so even the
            // length of another latent (`w.len()`, data inside the body) cannot be used
            if self.env.first_dependent(len).is_none() {
                if let Some((id, latent)) = self.env.first_dependent_anywhere(len) {
                    self.err(id.span(), message(&id, &latent));
                }
            }
            self.data_only(len, message)
        });
        for a in &dist.args {
            self.inspect(a);
        }
        let call = self.call(dist);
        if let Some(call) = &call {
            self.prior_checks(name, len.as_ref().map(|l| l.expr), dist, call.dist);
            self.facts(call, info);
        }
        let first = !self.sampled.contains_key(&key);
        self.sampled.entry(key.clone()).or_insert(info.line);
        self.env.bind(key.clone(), Binding::Latent);
        let prior = call.filter(|_| first)?;
        let d = prior.dist;
        let unit = d.name == "Uniform"
            && dist.args.len() == 2
            && literal_value(&dist.args[0]) == Some(0.0)
            && literal_value(&dist.args[1]) == Some(1.0);
        self.priors.insert(key, (d, unit));
        let shape = match len {
            Some(len) => Shape::Vector(len),
            None if d.multivariate => Shape::Simplex,
            None => Shape::Scalar,
        };
        let mut reads = self.reads(dist.args.iter());
        reads.push(self.latents.len());
        reads.sort_unstable();
        self.latents.push(Latent {
            name,
            shape,
            prior,
            reads,
            info,
        });
        Some(resolved::Stmt::Sample(self.latents.len() - 1))
    }

    /// A `sample` at the top level, of a name that is neither data nor sampled before.
    fn sample_placement(&mut self, kw: &Ident, name: &Ident, dist: &DistCall) {
        if let Some(place) = self.nesting.last() {
            self.errors.push(syn::Error::new_spanned(
                quote::quote!(#kw #name),
                msg::sample_nested(*place, name, &dist.name),
            ));
        }
        if self.model.args.iter().any(|a| a.name == *name) {
            self.err(
                name.span(),
                msg::sample_data_argument(name, &self.model.name),
            );
        }
        if let Some(line) = self.sampled.get(&name.to_string()) {
            let line = *line;
            self.err(name.span(), msg::sampled_twice(name, line));
        }
    }

    /// What a prior must be: continuous; a Dirichlet unindexed, with data concentration;
    /// `Uniform` bounds from data.
    fn prior_checks(&mut self, name: &Ident, len: Option<&Expr>, call: &DistCall, d: &Dist) {
        let vector = len.is_some();
        if d.discrete {
            self.err(call.name.span(), msg::discrete_prior(d));
        }
        if d.multivariate {
            if vector {
                self.err(name.span(), msg::dirichlet_as_vector(name));
            }
            if let Some((id, latent)) = call.args.first().and_then(|a| self.env.first_dependent(a))
            {
                self.err(id.span(), msg::dirichlet_alpha_latent(&id, &latent));
            }
        }
        if d.support == SupportKind::Interval && call.args.len() == 2 {
            let dependent = call.args.iter().find_map(|a| self.env.first_dependent(a));
            if let Some((id, latent)) = dependent {
                let bounds = msg::Bounds {
                    lo: &call.args[0],
                    hi: &call.args[1],
                    len: len.map(text_of),
                };
                let message = msg::uniform_bounds_latent(name, &id, &latent, &bounds);
                self.err(id.span(), message);
            }
        }
    }

    fn observe(
        &mut self,
        kw: &Ident,
        value: &'m Expr,
        dist: &'m DistCall,
        info: &'m Info,
    ) -> Option<resolved::Stmt<'m>> {
        self.inspect(value);
        for a in &dist.args {
            self.inspect(a);
        }
        let call = self.call(dist);
        if let Some(call) = &call {
            let d = call.dist;
            if d.improper {
                self.err(dist.name.span(), msg::improper_observed(d));
            } else if d.multivariate {
                self.err(dist.name.span(), msg::dirichlet_observed());
            }
            self.facts(call, info);
        }
        if let Some((id, latent)) = self.env.first_dependent(value) {
            let args: Vec<String> = dist.args.iter().map(text_of).collect();
            let written = format!("{}({})", dist.name, args.join(", "));
            let message = msg::observe_latent(kw, &id, &latent, &text_of(value), &written);
            self.err(id.span(), message);
        }
        let call = call?;
        Some(resolved::Stmt::Observe {
            value: self.value(value),
            reads: self.reads(std::iter::once(value).chain(&dist.args)),
            batch: self.batch(&call),
            call,
            info,
        })
    }

    fn factor(&mut self, expr: &'m Expr, info: &'m Info) -> resolved::Stmt<'m> {
        self.inspect(expr);
        for latent in self.env.deps(expr) {
            self.uses.push(UseFact {
                latent,
                dist: None,
                arg: None,
                conjugate: false,
                text: info.text.clone(),
                line: info.line,
            });
        }
        resolved::Stmt::Factor {
            expr: self.value(expr),
            reads: self.reads(std::iter::once(expr)),
            info,
        }
    }

    /// `track NAME = EXPR;`: at the top level, under a name that is not a latent, a data
    /// argument or tracked before; `NAME` is bound as by `let NAME = EXPR;`.
    fn track(
        &mut self,
        kw: &Ident,
        name: &'m Ident,
        expr: &'m Expr,
        info: &'m Info,
    ) -> resolved::Stmt<'m> {
        if let Some(place) = self.nesting.last() {
            self.errors.push(syn::Error::new_spanned(
                quote::quote!(#kw #name),
                msg::track_nested(*place, name),
            ));
        }
        let key = name.to_string();
        let taken = if self.all_latents.contains_key(&key) {
            Some(msg::track_name_taken(name, "a latent"))
        } else if self.model.args.iter().any(|a| a.name == *name) {
            Some(msg::track_names_data(name, &self.model.name))
        } else {
            self.tracked
                .iter()
                .find(|(n, _)| *n == key)
                .map(|(_, line)| {
                    msg::track_name_taken(name, &format!("already tracked on line {line}"))
                })
        };
        if let Some(message) = taken {
            self.err(name.span(), message);
        }
        self.inspect(expr);
        let value = self.value(expr);
        self.env.bind(
            key.clone(),
            Binding::Let {
                deps: self.env.deps(expr),
                scalar: self.env.is_scalar(expr),
                container: false,
                def: Some(Box::new(expr.clone())),
            },
        );
        if !self.tracked.iter().any(|(n, _)| *n == key) {
            self.tracked.push((key, info.line));
        }
        resolved::Stmt::Track {
            name,
            expr: value,
            info,
        }
    }

    /// A `let`. A binding that starts as data and later receives a generic scalar (an
    /// accumulator) or generic scalars as elements (a container) has its initial value
    /// converted, which needs a single name without a type annotation.
    fn let_stmt(
        &mut self,
        pat: &'m Pat,
        ty: Option<&'m Type>,
        init: &'m Expr,
        info: &'m Info,
    ) -> resolved::Stmt<'m> {
        self.inspect(init);
        let value = self.value(init);
        self.env.bind_let(pat, ty, init);
        let later_scalar = pat_idents(pat)
            .into_iter()
            .find(|id| self.env.is_scalar_name(&id.to_string()));
        let convert = match later_scalar {
            Some(id) if !value.is_scalar() && !ty.is_some_and(type_mentions_s) => {
                let single = matches!(pat, Pat::Ident(p) if p.subpat.is_none());
                let container = self.env.is_container(&id.to_string());
                if ty.is_some() || !single {
                    let message = if container {
                        msg::container_not_plain(&id)
                    } else {
                        msg::accumulator_not_plain(&id)
                    };
                    self.errors.push(syn::Error::new_spanned(pat, message));
                }
                if container {
                    Convert::Container
                } else {
                    Convert::Scalar
                }
            }
            _ => Convert::No,
        };
        resolved::Stmt::Let {
            pat,
            ty,
            init: value,
            convert,
            info,
        }
    }

    /// Look the distribution up and check its arguments; `None` when unknown.
    fn call(&mut self, call: &'m DistCall) -> Option<Call<'m>> {
        let name = call.name.to_string();
        let Some(d) = dists::lookup(&name) else {
            self.err(call.name.span(), msg::unknown_distribution(&name));
            return None;
        };
        if call.args.len() == d.params.len() {
            self.check_literals(d, &call.args);
        } else {
            self.err(call.paren, msg::wrong_argument_count(d, call.args.len()));
        }
        Some(Call {
            dist: d,
            name: &call.name,
            args: call.args.iter().map(|a| self.value(a)).collect(),
        })
    }

    /// Literal arguments must lie in their parameters' domains.
    fn check_literals(&mut self, d: &Dist, args: &[Expr]) {
        let mut prev: Option<f64> = None;
        for (a, (pname, domain)) in args.iter().zip(d.params) {
            let v = literal_value(a);
            if let Some(v) = v {
                let message = if *domain == Domain::AbovePrevious {
                    prev.filter(|lo| v <= *lo)
                        .map(|lo| msg::not_above_previous(d, pname, lo, &text_of(a)))
                } else {
                    (!domain.admits(v)).then(|| msg::outside_domain(d, pname, *domain, &text_of(a)))
                };
                if let Some(message) = message {
                    self.errors.push(syn::Error::new_spanned(a, message));
                }
            }
            prev = v;
        }
    }

    /// What every expression of a statement is checked for: latents used before their
    /// `sample`, and the arguments of its log densities `D(..).ln_density(x)`.
    fn inspect(&mut self, e: &Expr) {
        self.used_before(e);
        for call in density_calls(e) {
            if let Some((d, c, _)) = density_call(call) {
                let args: Vec<Expr> = c.args.iter().cloned().collect();
                let paren = c.paren_token.span.join();
                if args.len() == d.params.len() {
                    self.check_literals(d, &args);
                } else {
                    self.err(paren, msg::wrong_argument_count(d, args.len()));
                }
            }
        }
    }

    /// Report names of latents used before their `sample`.
    fn used_before(&mut self, e: &Expr) {
        for id in mentions(e) {
            let key = id.to_string();
            if self.env.get(&key).is_none() {
                if let Some(line) = self.all_latents.get(&key) {
                    let line = *line;
                    self.err(id.span(), msg::used_before_sample(&id, line));
                }
            }
        }
    }

    /// Record the uses of latents in the arguments of a distribution statement.
    fn facts(&mut self, call: &Call, info: &Info) {
        let d = call.dist;
        if call.args.len() != d.params.len() {
            return;
        }
        for (i, a) in call.args.iter().enumerate() {
            for latent in self.env.deps(a.expr) {
                let conjugate = match self.priors.get(&latent) {
                    Some((prior, unit)) => {
                        conjugate(&self.env, prior, *unit, d, i, a.expr, &latent)
                    }
                    None => false,
                };
                self.uses.push(UseFact {
                    latent,
                    dist: Some(d),
                    arg: Some(i),
                    conjugate,
                    text: info.text.clone(),
                    line: info.line,
                });
            }
        }
    }
}

mod batch;
mod plate;
mod samples;
#[cfg(test)]
mod tests;
