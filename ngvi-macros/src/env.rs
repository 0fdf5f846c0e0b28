//! Scoping and syntax helpers: what a name refers to ([`Env`]), the names an expression
//! mentions, the names a pattern binds, and literal values.
//!
//! Dependence on latents is syntactic: an expression depends on a latent when it names the
//! latent or a `let` binding computed from it. A binding has one kind for its whole life,
//! as a Rust variable has one type: a `let` binding is a generic scalar when its initial
//! value or any value later assigned to it is one (an accumulator `let mut eta = 0.0;`
//! that receives `x[i] * beta[i]` in a loop). A binding that receives generic scalars as
//! elements — `err.push(y[t] - nu)`, `nu[t] = mu + phi * y[t - 1]` — is a container of
//! them (a `Vec<S>`). Assignments can come after uses, so the checker walks the body until
//! the kinds stop changing, passing each walk's bindings ([`Env::into_bindings`]) to the
//! next ([`Env::new`]).
//!
//! The length of a value does not depend on the values in it: the receiver of `.len()`,
//! `.is_empty()`, `.nrows()` and `.ncols()` is not a use ([`value_mentions`]), so
//! `for t in 1..err.len()` loops over data.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;
use syn::{Expr, Ident, Lit, Pat, Type};

use crate::dists::{self, Dist};
use crate::parse::ModelFn;

/// What a name refers to inside the body.
#[derive(Clone, PartialEq)]
pub enum Binding {
    /// A data argument or a loop variable.
    Data,
    /// A latent variable (a scalar, or a slice for vector and Dirichlet latents).
    Latent,
    /// A `let` binding: the latents it depends on, whether it holds generic scalars,
    /// whether it holds them as elements (a container, `Vec<S>`), and its definition when
    /// the pattern is a single name never assigned to.
    Let {
        deps: BTreeSet<String>,
        scalar: bool,
        container: bool,
        def: Option<Box<Expr>>,
    },
}

/// Scoped bindings, each an index into the bindings of the walk.
pub struct Env {
    scopes: Vec<HashMap<String, usize>>,
    bindings: Vec<Binding>,
    /// The bindings of the previous walk, in the same order.
    previous: Vec<Binding>,
}

impl Env {
    /// The environment at the top of the body (the data arguments), knowing the bindings
    /// of the previous walk of the same body (empty for the first walk).
    pub fn new(model: &ModelFn, previous: Vec<Binding>) -> Self {
        let mut env = Env {
            scopes: vec![HashMap::new()],
            bindings: Vec::new(),
            previous,
        };
        for a in &model.args {
            env.bind(a.name.to_string(), Binding::Data);
        }
        env
    }

    /// The bindings made by this walk, for the next one.
    pub fn into_bindings(self) -> Vec<Binding> {
        self.bindings
    }

    /// Whether this walk found the same binding kinds as the previous one.
    pub fn is_settled(&self) -> bool {
        self.bindings == self.previous
    }

    pub fn push(&mut self) {
        self.scopes.push(HashMap::new());
    }

    pub fn pop(&mut self) {
        self.scopes.pop();
    }

    /// Bind a name; a `let` binding keeps what the previous walk learnt about it.
    pub fn bind(&mut self, name: String, b: Binding) {
        let id = self.bindings.len();
        let merged = match (b, self.previous.get(id)) {
            (
                Binding::Let {
                    deps,
                    scalar,
                    container,
                    def,
                },
                Some(Binding::Let {
                    deps: d,
                    scalar: s,
                    container: c,
                    def: prev_def,
                }),
            ) => Binding::Let {
                deps: deps.union(d).cloned().collect(),
                scalar: scalar || *s,
                container: container || *c,
                def: prev_def.as_ref().and(def),
            },
            (b, _) => b,
        };
        self.bindings.push(merged);
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name, id);
        }
    }

    /// Number of open scopes.
    pub fn depth(&self) -> usize {
        self.scopes.len()
    }

    /// The scope (0 the outermost) where `name` is bound, if it is.
    pub fn scope_of(&self, name: &str) -> Option<usize> {
        self.scopes.iter().rposition(|s| s.contains_key(name))
    }

    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.get(name))
            .and_then(|id| self.bindings.get(*id))
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
        value_mentions(e)
            .iter()
            .flat_map(|id| self.binding_deps(&id.to_string()))
            .collect()
    }

    /// Whether a name is a generic-scalar value (a latent, or a `let` computed from one or
    /// from `S`). The type parameter `S` itself counts as one.
    pub fn is_scalar_name(&self, name: &str) -> bool {
        match self.get(name) {
            Some(Binding::Latent) => true,
            Some(Binding::Let { deps, scalar, .. }) => *scalar || !deps.is_empty(),
            _ => name == "S",
        }
    }

    /// Whether a name is a container of generic scalars (`Vec<S>`) that started as data.
    pub fn is_container(&self, name: &str) -> bool {
        matches!(
            self.get(name),
            Some(Binding::Let {
                container: true,
                ..
            })
        )
    }

    /// Whether an expression computes a generic-scalar value (it names one, or `S`).
    pub fn is_scalar(&self, e: &Expr) -> bool {
        value_mentions(e)
            .iter()
            .any(|id| self.is_scalar_name(&id.to_string()))
    }

    /// The first name in `e` that depends on a latent, with the latent.
    pub fn first_dependent(&self, e: &Expr) -> Option<(Ident, String)> {
        value_mentions(e).into_iter().find_map(|id| {
            let deps = self.binding_deps(&id.to_string());
            deps.into_iter().next().map(|l| (id, l))
        })
    }

    /// As [`Env::first_dependent`], counting the receivers of `.len()` and the other size
    /// methods too (for what must be known before the body runs).
    pub fn first_dependent_anywhere(&self, e: &Expr) -> Option<(Ident, String)> {
        mentions(e).into_iter().find_map(|id| {
            let deps = self.binding_deps(&id.to_string());
            deps.into_iter().next().map(|l| (id, l))
        })
    }

    /// Bind every name of a `let` pattern.
    pub fn bind_let(&mut self, pat: &Pat, ty: Option<&Type>, init: &Expr) {
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
                    container: false,
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

    /// After an assignment `x += e` or `x = e`, `x` depends on what `e` depends on, and
    /// its definition no longer tells its value. An element assignment `x[i] = e` or a
    /// call that fills a container, `x.push(e)` ([`FILLS`]), makes `x` a container when
    /// `e` is a generic scalar.
    pub fn assign(&mut self, e: &Expr) {
        let (target, values, element): (&Expr, Vec<&Expr>, bool) = match e {
            Expr::Assign(a) => (&a.left, vec![&*a.right], is_element(&a.left)),
            Expr::Binary(b) if is_assign_op(&b.op) => {
                (&b.left, vec![&*b.right], is_element(&b.left))
            }
            Expr::MethodCall(m) if FILLS.iter().any(|f| m.method == f) => {
                (&m.receiver, m.args.iter().collect(), true)
            }
            _ => return,
        };
        let Some(name) = root_ident(target) else {
            return;
        };
        let deps: BTreeSet<String> = values.iter().flat_map(|v| self.deps(v)).collect();
        let scalar = values.iter().any(|v| self.is_scalar(v));
        let id = self
            .scopes
            .iter()
            .rev()
            .find_map(|s| s.get(&name.to_string()));
        if let Some(Binding::Let {
            deps: d,
            scalar: s,
            container: c,
            def,
        }) = id.and_then(|id| self.bindings.get_mut(*id))
        {
            *c |= element && (scalar || !deps.is_empty());
            d.extend(deps);
            *s |= scalar;
            *def = None;
        }
    }
}

/// The methods that put values into a container (`Vec`, `VecDeque`).
pub const FILLS: &[&str] = &[
    "push",
    "insert",
    "extend",
    "extend_from_slice",
    "push_back",
    "push_front",
    "resize",
    "fill",
];

/// Whether an assignment target is an element of a container (`x[i]`).
fn is_element(target: &Expr) -> bool {
    match target {
        Expr::Paren(p) => is_element(&p.expr),
        Expr::Index(_) => true,
        _ => false,
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

/// Whether a type names the scalar type parameter `S` (`S`, `Vec<S>`, …).
pub fn type_mentions_s(ty: &Type) -> bool {
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

/// A log density in an expression, `Normal(0.0, sigma).ln_density(err)` (Stan's
/// `normal_lpdf(err | 0, sigma)`): the distribution, its arguments as written, and the
/// value. `None` for any other expression.
pub fn density_call(e: &Expr) -> Option<(&'static Dist, &syn::ExprCall, &Expr)> {
    let Expr::MethodCall(m) = e else { return None };
    if m.method != "ln_density" || m.args.len() != 1 || m.turbofish.is_some() {
        return None;
    }
    let Expr::Call(call) = &*m.receiver else {
        return None;
    };
    let Expr::Path(p) = &*call.func else {
        return None;
    };
    let d = dists::lookup(&p.path.get_ident()?.to_string())?;
    Some((d, call, &m.args[0]))
}

/// Every log density `D(..).ln_density(x)` in an expression, outermost first.
pub fn density_calls(e: &Expr) -> Vec<&Expr> {
    struct V<'e>(Vec<&'e Expr>);
    impl<'ast> Visit<'ast> for V<'ast> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            if density_call(e).is_some() {
                self.0.push(e);
            }
            syn::visit::visit_expr(self, e);
        }
    }
    let mut v = V(Vec::new());
    v.visit_expr(e);
    v.0
}

/// The names whose values an expression uses: [`mentions`] without the receivers of
/// `.len()`, `.is_empty()`, `.nrows()` and `.ncols()` (a length does not depend on the
/// values), and with `S` for each log density `D(..).ln_density(x)` (a generic scalar
/// whatever its arguments).
pub fn value_mentions(e: &Expr) -> Vec<Ident> {
    let mut v = Mentions {
        ids: Vec::new(),
        skip_lengths: true,
    };
    v.visit_expr(e);
    v.ids
}

#[derive(Default)]
struct Mentions {
    ids: Vec<Ident>,
    skip_lengths: bool,
}

/// The methods that read a value's size, not its values.
const SIZES: &[&str] = &["len", "is_empty", "nrows", "ncols"];

impl<'ast> Visit<'ast> for Mentions {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.skip_lengths {
            if let Some((_, call, x)) = density_call(e) {
                self.ids.push(Ident::new("S", call.paren_token.span.join()));
                for a in &call.args {
                    self.visit_expr(a);
                }
                self.visit_expr(x);
                return;
            }
        }
        syn::visit::visit_expr(self, e);
    }
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if self.skip_lengths && m.args.is_empty() && SIZES.iter().any(|s| m.method == s) {
            return;
        }
        syn::visit::visit_expr_method_call(self, m);
    }
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
