//! Stage 2: semantic checks (every error of DESIGN.md §2 that the source shows) and the
//! static facts for guide choice (which latent is used where, and whether conjugately).
//!
//! Dependence on latents is syntactic: an expression depends on a latent when it names
//! the latent or a `let` binding computed from it. The same [`Env`] is used by the
//! expansion to decide which values are generic scalars.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::visit::Visit;
use syn::{Expr, Ident, Lit, Pat};

use crate::dists::{self, Dist, Domain, SupportKind};
use crate::parse::{combine, text_of, DistCall, Else, IfStmt, Info, ModelFn, Stmt};

/// What a name refers to inside the body.
#[derive(Clone)]
pub enum Binding {
    /// A data argument or a loop variable.
    Data,
    /// A latent variable (a scalar, or a slice for vector and Dirichlet latents).
    Latent,
    /// A `let` binding: the latents it depends on, whether it is a generic scalar value,
    /// and its definition when the pattern is a single name.
    Let {
        deps: BTreeSet<String>,
        scalar: bool,
        def: Option<Box<Expr>>,
    },
}

/// Scoped bindings.
pub struct Env {
    scopes: Vec<HashMap<String, Binding>>,
}

impl Env {
    /// The environment at the top of the body: the data arguments.
    pub fn new(model: &ModelFn) -> Self {
        let top = model
            .args
            .iter()
            .map(|a| (a.name.to_string(), Binding::Data))
            .collect();
        Env { scopes: vec![top] }
    }

    pub fn push(&mut self) {
        self.scopes.push(HashMap::new());
    }

    pub fn pop(&mut self) {
        self.scopes.pop();
    }

    pub fn bind(&mut self, name: String, b: Binding) {
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name, b);
        }
    }

    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// The latents a binding depends on.
    fn binding_deps(&self, name: &str) -> BTreeSet<String> {
        match self.get(name) {
            Some(Binding::Latent) => BTreeSet::from([name.to_string()]),
            Some(Binding::Let { deps, .. }) => deps.clone(),
            _ => BTreeSet::new(),
        }
    }

    /// The latents an expression depends on.
    pub fn deps(&self, e: &Expr) -> BTreeSet<String> {
        mentions(e)
            .iter()
            .flat_map(|id| self.binding_deps(&id.to_string()))
            .collect()
    }

    /// Whether a name is a generic-scalar value (a latent, or a `let` computed from one or
    /// from `S`).
    pub fn is_scalar_name(&self, name: &str) -> bool {
        match self.get(name) {
            Some(Binding::Latent) => true,
            Some(Binding::Let { deps, scalar, .. }) => *scalar || !deps.is_empty(),
            _ => false,
        }
    }

    /// Whether an expression computes a generic-scalar value (it names one, or `S`).
    pub fn is_scalar(&self, e: &Expr) -> bool {
        mentions(e)
            .iter()
            .any(|id| id == "S" || self.is_scalar_name(&id.to_string()))
    }

    /// The first name in `e` that depends on a latent, with the latent.
    pub fn first_dependent(&self, e: &Expr) -> Option<(Ident, String)> {
        mentions(e).into_iter().find_map(|id| {
            let deps = self.binding_deps(&id.to_string());
            deps.into_iter().next().map(|l| (id, l))
        })
    }

    /// Bind every name of a `let` pattern.
    pub fn bind_let(&mut self, pat: &Pat, ty: Option<&syn::Type>, init: &Expr) {
        let deps = self.deps(init);
        let scalar = self.is_scalar(init) || ty.is_some_and(type_mentions_s);
        let def = match pat {
            Pat::Ident(p) if p.subpat.is_none() => Some(Box::new(init.clone())),
            _ => None,
        };
        for id in pat_idents(pat) {
            self.bind(
                id.to_string(),
                Binding::Let {
                    deps: deps.clone(),
                    scalar,
                    def: def.clone(),
                },
            );
        }
    }

    /// Bind every name of a loop pattern as data.
    pub fn bind_data(&mut self, pat: &Pat) {
        for id in pat_idents(pat) {
            self.bind(id.to_string(), Binding::Data);
        }
    }

    /// After an assignment `x += e` or `x = e`, `x` depends on what `e` depends on.
    pub fn assign(&mut self, e: &Expr) {
        let (target, value) = match e {
            Expr::Assign(a) => (&*a.left, &*a.right),
            Expr::Binary(b) if is_assign_op(&b.op) => (&*b.left, &*b.right),
            _ => return,
        };
        let Some(name) = root_ident(target) else {
            return;
        };
        let deps = self.deps(value);
        let scalar = self.is_scalar(value);
        if deps.is_empty() && !scalar {
            return;
        }
        for s in self.scopes.iter_mut().rev() {
            if let Some(Binding::Let {
                deps: d,
                scalar: sc,
                ..
            }) = s.get_mut(&name.to_string())
            {
                d.extend(deps);
                *sc |= scalar;
                return;
            }
        }
    }
}

/// Whether a binary operator is a compound assignment (`+=`, …).
pub fn is_assign_op(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The variable at the root of a place expression (`x`, `x[i]`, `x.0`, `*x`).
pub fn root_ident(e: &Expr) -> Option<Ident> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        Expr::Index(i) => root_ident(&i.expr),
        Expr::Field(f) => root_ident(&f.base),
        Expr::Paren(p) => root_ident(&p.expr),
        Expr::Unary(u) => root_ident(&u.expr),
        _ => None,
    }
}

fn type_mentions_s(ty: &syn::Type) -> bool {
    let mut v = Mentions::default();
    v.visit_type(ty);
    v.ids.iter().any(|id| id == "S")
}

/// Every name an expression mentions: the first segment of every path, and every
/// identifier inside macro calls.
pub fn mentions(e: &Expr) -> Vec<Ident> {
    let mut v = Mentions::default();
    v.visit_expr(e);
    v.ids
}

#[derive(Default)]
struct Mentions {
    ids: Vec<Ident>,
}

impl<'ast> Visit<'ast> for Mentions {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if let Some(first) = p.segments.first() {
            if p.leading_colon.is_none() {
                self.ids.push(first.ident.clone());
            }
        }
        syn::visit::visit_path(self, p);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        token_idents(m.tokens.clone(), &mut self.ids);
    }
}

fn token_idents(ts: TokenStream, out: &mut Vec<Ident>) {
    for tt in ts {
        match tt {
            TokenTree::Ident(id) => out.push(id),
            TokenTree::Group(g) => token_idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Every identifier a pattern binds.
pub fn pat_idents(p: &Pat) -> Vec<Ident> {
    struct V(Vec<Ident>);
    impl<'ast> Visit<'ast> for V {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.clone());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut v = V(Vec::new());
    v.visit_pat(p);
    v.0
}

/// The value of a numeric literal, possibly negated or parenthesised.
pub fn literal_value(e: &Expr) -> Option<f64> {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Float(f) => f.base10_parse::<f64>().ok(),
            Lit::Int(i) => i.base10_parse::<f64>().ok(),
            _ => None,
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => literal_value(&u.expr).map(|v| -v),
        Expr::Paren(p) => literal_value(&p.expr),
        _ => None,
    }
}

/// A latent, as the expansion needs it.
pub struct LatentInfo {
    pub name: Ident,
    pub dist: &'static Dist,
}

/// One use of a latent (DESIGN.md §3).
pub struct UseFact {
    pub latent: String,
    pub dist: Option<&'static Dist>,
    pub arg: Option<usize>,
    pub conjugate: bool,
    pub text: String,
    pub line: u32,
}

/// What the checks found.
pub struct Analysis {
    pub latents: Vec<LatentInfo>,
    pub uses: Vec<UseFact>,
}

struct Checker<'m> {
    model: &'m ModelFn,
    env: Env,
    errors: Vec<syn::Error>,
    /// Every latent sampled anywhere in the body, with the line of its first `sample`.
    all_latents: HashMap<String, u32>,
    /// Latents sampled so far, with their line.
    sampled: HashMap<String, u32>,
    /// Enclosing `for` / `if` (innermost last), for messages.
    nesting: Vec<&'static str>,
    latents: Vec<LatentInfo>,
    priors: HashMap<String, (&'static Dist, bool)>,
    uses: Vec<UseFact>,
}

/// Check the model; all independent errors are combined.
pub fn check(model: &ModelFn) -> syn::Result<Analysis> {
    let mut all_latents = HashMap::new();
    collect_samples(&model.body, &mut all_latents);
    let mut c = Checker {
        model,
        env: Env::new(model),
        errors: Vec::new(),
        all_latents,
        sampled: HashMap::new(),
        nesting: Vec::new(),
        latents: Vec::new(),
        priors: HashMap::new(),
        uses: Vec::new(),
    };
    c.stmts(&model.body);
    if c.all_latents.is_empty() {
        c.errors.push(syn::Error::new(
            model.name.span(),
            format!(
                "model `{}` has no latent variable: add a prior for each unknown, e.g. `sample mu ~ Normal(0.0, 1.0);` (a model with only `observe` statements has nothing to infer)",
                model.name
            ),
        ));
    }
    match combine(c.errors) {
        Some(e) => Err(e),
        None => Ok(Analysis {
            latents: c.latents,
            uses: c.uses,
        }),
    }
}

fn collect_samples(stmts: &[Stmt], out: &mut HashMap<String, u32>) {
    for s in stmts {
        match s {
            Stmt::Sample { name, info, .. } => {
                out.entry(name.to_string()).or_insert(info.line);
            }
            Stmt::For { body, .. } => collect_samples(body, out),
            Stmt::If(i) => collect_if(i, out),
            _ => {}
        }
    }
}

fn collect_if(i: &IfStmt, out: &mut HashMap<String, u32>) {
    collect_samples(&i.then, out);
    match &i.els {
        Some(Else::Block(b)) => collect_samples(b, out),
        Some(Else::If(i)) => collect_if(i, out),
        None => {}
    }
}

impl Checker<'_> {
    fn err(&mut self, span: Span, msg: impl Into<String>) {
        self.errors.push(syn::Error::new(span, msg.into()));
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
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
            } => {
                self.used_before(value);
                if let Some(d) = self.dist(dist) {
                    if d.improper {
                        self.err(
                            dist.name.span(),
                            format!("`{}` is an improper prior with no density to observe: use it only in `sample` (e.g. `sample x ~ {}();`); to observe a real value use a proper distribution such as `Normal(mean, sd)`", d.name, d.name),
                        );
                    } else if d.multivariate {
                        self.err(
                            dist.name.span(),
                            "`Dirichlet` can only be a latent's prior (`sample w ~ Dirichlet(alpha);`); observing a simplex is not supported: observe category indices with `Categorical(w)` instead",
                        );
                    }
                    self.facts(d, dist, info);
                }
                if let Some((id, latent)) = self.env.first_dependent(value) {
                    let what = if id == latent {
                        format!("`{id}` is a latent variable")
                    } else {
                        format!("`{id}` depends on the latent `{latent}`")
                    };
                    self.err(
                        id.span(),
                        format!("`observe` conditions on data, but {what}: observe a data value (e.g. `{} y[i] ~ Normal({id}, sigma);`); to give a latent a prior use `sample`, to add a term that depends on latents use `factor`", kw),
                    );
                }
            }
            Stmt::Factor { expr, info } => {
                self.used_before(expr);
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
            }
            Stmt::Let { pat, ty, init, .. } => {
                self.used_before(init);
                self.env.bind_let(pat, ty.as_ref(), init);
            }
            Stmt::For {
                pat, iter, body, ..
            } => {
                self.used_before(iter);
                if let Some((id, latent)) = self.env.first_dependent(iter) {
                    self.err(
                        id.span(),
                        format!("the range of a `for` loop must come from data, but {}: the number of iterations cannot depend on a latent value; loop over the data (e.g. `for i in 0..y.len()`) and use the latent inside the loop", dep_phrase(&id, &latent)),
                    );
                }
                self.env.push();
                self.env.bind_data(pat);
                self.nesting.push("a `for` loop");
                self.stmts(body);
                self.nesting.pop();
                self.env.pop();
            }
            Stmt::If(i) => self.if_stmt(i),
            Stmt::Expr { expr, .. } => {
                self.used_before(expr);
                self.env.assign(expr);
            }
        }
    }

    fn if_stmt(&mut self, i: &IfStmt) {
        self.used_before(&i.cond);
        if let Some((id, latent)) = self.env.first_dependent(&i.cond) {
            self.err(
                id.span(),
                format!("an `if` condition must depend on data only, but {}: a branch on a latent value makes the density discontinuous; write the condition on data, or a smooth expression such as `sigmoid(...)` in a `factor`", dep_phrase(&id, &latent)),
            );
        }
        self.nesting.push("an `if` branch");
        self.env.push();
        self.stmts(&i.then);
        self.env.pop();
        match &i.els {
            Some(Else::Block(b)) => {
                self.env.push();
                self.stmts(b);
                self.env.pop();
            }
            Some(Else::If(e)) => self.if_stmt(e),
            None => {}
        }
        self.nesting.pop();
    }

    fn sample(
        &mut self,
        kw: &Ident,
        name: &Ident,
        len: Option<&Expr>,
        dist: &DistCall,
        info: &Info,
    ) {
        let key = name.to_string();
        if let Some(place) = self.nesting.last() {
            let fix = if place.contains("for") {
                format!("declare a vector latent before the loop, `sample {name}[n] ~ {}(...);`, and use `{name}[i]` inside it", dist.name)
            } else {
                format!("sample it unconditionally before the `if` (`sample {name} ~ {}(...);`) and use it only in the branch that needs it", dist.name)
            };
            self.errors.push(syn::Error::new_spanned(
                quote::quote!(#kw #name),
                format!("`sample` cannot appear inside {place}: the latents must be known from the data before the body runs; {fix}"),
            ));
        }
        if self.model.args.iter().any(|a| a.name == *name) {
            self.err(
                name.span(),
                format!("`{name}` is a data argument of `{}`, so it cannot be sampled: to condition on it write `observe {name} ~ ...;`, or give the latent another name", self.model.name),
            );
        }
        if let Some(line) = self.sampled.get(&key) {
            self.err(
                name.span(),
                format!("`{name}` is already sampled on line {line}: each latent has one `sample` statement; give this one another name (for several values use a vector latent `sample {name}[n] ~ ...;`)"),
            );
        }
        if let Some(len) = len {
            self.used_before(len);
            if let Some((id, latent)) = self.env.first_dependent(len) {
                self.err(
                    id.span(),
                    format!("the length of the vector latent `{name}` must come from data, but {}: write a data expression such as `y.len()`", dep_phrase(&id, &latent)),
                );
            }
        }
        for a in &dist.args {
            self.used_before(a);
        }
        let d = self.dist(dist);
        if let Some(d) = d {
            if d.discrete {
                self.err(
                    dist.name.span(),
                    format!("`{}` is a discrete distribution and cannot be the prior of a latent (NGVI fits continuous latents): use it with `observe`, or marginalise the discrete variable out with `log_sum_exp` in a `factor`", d.name),
                );
            }
            if d.multivariate {
                if len.is_some() {
                    self.err(
                        name.span(),
                        format!("a Dirichlet latent is already a vector (its length is the length of alpha): write `sample {name} ~ Dirichlet(alpha);` without `[..]`"),
                    );
                }
                if let Some(alpha) = dist.args.first() {
                    if let Some((id, latent)) = self.env.first_dependent(alpha) {
                        self.err(
                            id.span(),
                            format!("the Dirichlet concentration must come from data (it sets the latent's length), but {}", dep_phrase(&id, &latent)),
                        );
                    }
                }
            }
            if d.support == SupportKind::Interval {
                for a in &dist.args {
                    if let Some((id, latent)) = self.env.first_dependent(a) {
                        self.err(
                            id.span(),
                            format!("the bounds of a `Uniform` prior must be data (they are the latent's support), but {}", dep_phrase(&id, &latent)),
                        );
                    }
                }
            }
            self.facts(d, dist, info);
            if !self.priors.contains_key(&key) {
                let unit = d.name == "Uniform"
                    && dist.args.len() == 2
                    && literal_value(&dist.args[0]) == Some(0.0)
                    && literal_value(&dist.args[1]) == Some(1.0);
                self.priors.insert(key.clone(), (d, unit));
                self.latents.push(LatentInfo {
                    name: name.clone(),
                    dist: d,
                });
            }
        }
        self.sampled.entry(key).or_insert(info.line);
        self.env.bind(name.to_string(), Binding::Latent);
    }

    /// Look the distribution up and check its arguments; `None` when unknown.
    fn dist(&mut self, call: &DistCall) -> Option<&'static Dist> {
        let name = call.name.to_string();
        let Some(d) = dists::lookup(&name) else {
            let close = dists::did_you_mean(&name);
            let hint = if close.is_empty() {
                let all: Vec<&str> = dists::DISTS.iter().map(|d| d.name).collect();
                format!("the known distributions are {}", all.join(", "))
            } else {
                let sigs: Vec<String> = close
                    .iter()
                    .filter_map(|n| dists::lookup(n))
                    .map(|d| format!("`{}`", d.signature()))
                    .collect();
                format!("did you mean {}?", sigs.join(" or "))
            };
            self.err(
                call.name.span(),
                format!("unknown distribution `{name}`: {hint}"),
            );
            return None;
        };
        if call.args.len() != d.params.len() {
            let n = d.params.len();
            self.err(
                call.paren,
                format!(
                    "`{}` takes {n} argument{}, `{}`, but {} {} given",
                    d.name,
                    if n == 1 { "" } else { "s" },
                    d.signature(),
                    call.args.len(),
                    if call.args.len() == 1 { "was" } else { "were" },
                ),
            );
            return Some(d);
        }
        let mut prev: Option<f64> = None;
        for (a, (pname, domain)) in call.args.iter().zip(d.params) {
            let v = literal_value(a);
            if let Some(v) = v {
                if *domain == Domain::AbovePrevious {
                    if let Some(lo) = prev.filter(|lo| v <= *lo) {
                        self.errors.push(syn::Error::new_spanned(
                            a,
                            format!("`{pname}` of `{}` must be greater than `{}` ({lo}), but is `{}`: swap the bounds or widen the interval", d.signature(), d.params[0].0, text_of(a)),
                        ));
                    }
                } else if !domain.admits(v) {
                    self.errors.push(syn::Error::new_spanned(
                        a,
                        format!(
                            "`{pname}` of `{}` must be {}, but is `{}`: use a value such as `{}`",
                            d.signature(),
                            domain.describe(),
                            text_of(a),
                            domain.example()
                        ),
                    ));
                }
            }
            prev = v;
        }
        Some(d)
    }

    /// Report names of latents used before their `sample`.
    fn used_before(&mut self, e: &Expr) {
        for id in mentions(e) {
            let key = id.to_string();
            if self.env.get(&key).is_none() {
                if let Some(line) = self.all_latents.get(&key) {
                    let line = *line;
                    self.err(
                        id.span(),
                        format!("the latent `{id}` is used before it is sampled (its `sample` is on line {line}): move `sample {id} ~ ...;` above its first use"),
                    );
                }
            }
        }
    }

    /// Record the uses of latents in the arguments of a distribution statement.
    fn facts(&mut self, d: &'static Dist, call: &DistCall, info: &Info) {
        if call.args.len() != d.params.len() {
            return;
        }
        for (i, a) in call.args.iter().enumerate() {
            for latent in self.env.deps(a) {
                let conjugate = match self.priors.get(&latent) {
                    Some((prior, unit)) => conjugate(&self.env, prior, *unit, d, i, a, &latent),
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

fn dep_phrase(id: &Ident, latent: &str) -> String {
    if id == latent {
        format!("`{id}` is a latent variable")
    } else {
        format!("`{id}` depends on the latent `{latent}`")
    }
}

/// Whether using `latent` (prior `prior`) as argument `i` of `d`, written `e`, is in a
/// conjugate position (DESIGN.md §3). Only plain spellings are recognised; the engine
/// confirms and completes these facts numerically, so a missed case is harmless.
fn conjugate(
    env: &Env,
    prior: &Dist,
    unit_uniform: bool,
    d: &Dist,
    i: usize,
    e: &Expr,
    latent: &str,
) -> bool {
    match dists::conjugate_form(prior.name, unit_uniform, d.name, i) {
        Some(dists::LatentForm::Direct) => is_direct(env, e, latent, 0),
        Some(dists::LatentForm::InvSqrt) => is_inv_sqrt(env, e, latent, 0),
        Some(dists::LatentForm::Sqrt) => is_sqrt(env, e, latent, 0),
        Some(dists::LatentForm::Linear) => linear(env, e, latent, 0) == Some(true),
        None => false,
    }
}

const MAX_DEPTH: usize = 16;

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        _ => e,
    }
}

/// The definition of a `let` name, to look through.
fn let_def<'e>(env: &'e Env, e: &Expr) -> Option<&'e Expr> {
    let Expr::Path(p) = e else { return None };
    let id = p.path.get_ident()?;
    match env.get(&id.to_string()) {
        Some(Binding::Let { def: Some(d), .. }) => Some(d),
        _ => None,
    }
}

/// `e` is the latent itself (or an element of a vector latent).
fn is_direct(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let e = strip(e);
    match e {
        Expr::Path(p) if p.path.is_ident(latent) => {
            matches!(env.get(latent), Some(Binding::Latent))
        }
        Expr::Index(ix) => {
            matches!(strip(&ix.expr), Expr::Path(p) if p.path.is_ident(latent))
                && !env.deps(&ix.index).contains(latent)
        }
        Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
            is_direct(env, &m.receiver, latent, depth + 1)
        }
        _ => let_def(env, e).is_some_and(|d| is_direct(env, d, latent, depth + 1)),
    }
}

fn method<'e>(e: &'e Expr, name: &str) -> Option<&'e syn::ExprMethodCall> {
    match strip(e) {
        Expr::MethodCall(m) if m.method == name => Some(m),
        _ => None,
    }
}

/// `e` is √latent.
fn is_sqrt(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if let Some(m) = method(e, "sqrt").filter(|m| m.args.is_empty()) {
        return is_direct(env, &m.receiver, latent, depth + 1);
    }
    if let Some(m) = method(e, "powf") {
        return m.args.len() == 1
            && literal_value(&m.args[0]) == Some(0.5)
            && is_direct(env, &m.receiver, latent, depth + 1);
    }
    let_def(env, strip(e)).is_some_and(|d| is_sqrt(env, d, latent, depth + 1))
}

/// `e` is 1/latent.
fn is_recip(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if let Some(m) = method(e, "recip").filter(|m| m.args.is_empty()) {
        return is_direct(env, &m.receiver, latent, depth + 1);
    }
    match strip(e) {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Div(_)) => {
            literal_value(&b.left) == Some(1.0) && is_direct(env, &b.right, latent, depth + 1)
        }
        _ => false,
    }
}

/// `e` is 1/√latent, written plainly.
fn is_inv_sqrt(env: &Env, e: &Expr, latent: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if let Some(m) = method(e, "powf") {
        return m.args.len() == 1
            && literal_value(&m.args[0]) == Some(-0.5)
            && is_direct(env, &m.receiver, latent, depth + 1);
    }
    if let Some(m) = method(e, "recip").filter(|m| m.args.is_empty()) {
        return is_sqrt(env, &m.receiver, latent, depth + 1);
    }
    if let Some(m) = method(e, "sqrt").filter(|m| m.args.is_empty()) {
        return is_recip(env, &m.receiver, latent, depth + 1);
    }
    match strip(e) {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Div(_)) => {
            literal_value(&b.left) == Some(1.0) && is_sqrt(env, &b.right, latent, depth + 1)
        }
        other => let_def(env, other).is_some_and(|d| is_inv_sqrt(env, d, latent, depth + 1)),
    }
}

/// Whether `e` is affine in `latent`: `Some(true)` when it contains the latent linearly,
/// `Some(false)` when it does not contain it, `None` otherwise.
fn linear(env: &Env, e: &Expr, latent: &str, depth: usize) -> Option<bool> {
    if depth > MAX_DEPTH {
        return None;
    }
    if !env.deps(e).contains(latent) {
        return Some(false);
    }
    if is_direct(env, e, latent, depth + 1) {
        return Some(true);
    }
    let e = strip(e);
    match e {
        Expr::Binary(b) => {
            let l = linear(env, &b.left, latent, depth + 1)?;
            let r = linear(env, &b.right, latent, depth + 1)?;
            match b.op {
                syn::BinOp::Add(_) | syn::BinOp::Sub(_) => Some(l || r),
                syn::BinOp::Mul(_) => (!(l && r)).then_some(l || r),
                syn::BinOp::Div(_) => (!r).then_some(l),
                _ => None,
            }
        }
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            linear(env, &u.expr, latent, depth + 1)
        }
        Expr::Reference(r) => linear(env, &r.expr, latent, depth + 1),
        Expr::Call(c) => {
            let is_dot = matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "dot"));
            if is_dot && c.args.len() == 2 {
                let x = &c.args[0];
                let w = strip(&c.args[1]);
                let w = match w {
                    Expr::Reference(r) => strip(&r.expr),
                    other => other,
                };
                let w_is_latent = matches!(w, Expr::Path(p) if p.path.is_ident(latent))
                    && matches!(env.get(latent), Some(Binding::Latent));
                return (!env.deps(x).contains(latent) && w_is_latent).then_some(true);
            }
            None
        }
        _ => let_def(env, e).and_then(|d| linear(env, d, latent, depth + 1)),
    }
}
