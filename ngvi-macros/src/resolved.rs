//! The resolved model: what [`check`](crate::check) produces and
//! [`expand`](crate::expand) reads. Every distribution is looked up once, every latent has
//! its index, and every expression carries the names in it that are generic scalars, so
//! the expansion never re-derives scopes or looks a name up again.

use std::collections::BTreeSet;

use syn::{Expr, Ident, Pat, Token, Type};

use crate::dists::Dist;
use crate::parse::ModelFn;
use crate::source::Info;

/// A checked model.
pub struct Model<'m> {
    /// The model function as written (name, attributes, data arguments).
    pub syntax: &'m ModelFn,
    /// The latents in `sample` order.
    pub latents: Vec<Latent<'m>>,
    pub body: Vec<Stmt<'m>>,
    /// The static facts for guide choice, in statement order.
    pub uses: Vec<UseFact>,
    /// The names of the derived quantities (`track`), in statement order.
    pub tracked: Vec<String>,
    /// The plates (`for i in plate(a..b)`), in source order.
    pub plates: Vec<Plate<'m>>,
}

/// A plate: a `for` loop over conditionally independent data.
pub struct Plate<'m> {
    pub info: &'m Info,
    /// Latents indexed inside the plate by an expression of its index.
    pub local_latents: Vec<String>,
}

/// An expression, with the names in it that are generic scalars (`S` included when named,
/// and when the expression has a log density `D(..).ln_density(x)`), and the distributions
/// of its log densities.
pub struct Value<'m> {
    pub expr: &'m Expr,
    pub scalars: BTreeSet<String>,
    pub densities: Vec<&'static Dist>,
}

impl Value<'_> {
    /// Whether the expression computes a generic scalar.
    pub fn is_scalar(&self) -> bool {
        !self.scalars.is_empty()
    }
}

/// A distribution and its arguments, as written in a `sample` or `observe`.
pub struct Call<'m> {
    pub dist: &'static Dist,
    /// The name as written, for spans.
    pub name: &'m Ident,
    pub args: Vec<Value<'m>>,
}

impl Call<'_> {
    /// Whether every argument is data (no generic scalar).
    pub fn all_data(&self) -> bool {
        self.args.iter().all(|a| !a.is_scalar())
    }
}

/// How many scalars a latent occupies.
pub enum Shape<'m> {
    /// `sample x ~ D(..)`
    Scalar,
    /// `sample x[len] ~ D(..)`
    Vector(Value<'m>),
    /// `sample x ~ Dirichlet(alpha)`: the length of alpha.
    Simplex,
}

/// One latent variable (one `sample` statement).
pub struct Latent<'m> {
    pub name: &'m Ident,
    pub shape: Shape<'m>,
    pub prior: Call<'m>,
    /// The latents its prior reads: itself and those in the prior's arguments.
    pub reads: Vec<usize>,
    pub info: &'m Info,
}

/// One use of a latent (docs/language.md, "Static facts for guide choice").
pub struct UseFact {
    pub latent: String,
    pub dist: Option<&'static Dist>,
    pub arg: Option<usize>,
    pub conjugate: bool,
    pub text: String,
    pub line: u32,
}

/// A statement of the body.
pub enum Stmt<'m> {
    /// The latent with this index is bound and its prior added.
    Sample(usize),
    Observe {
        value: Value<'m>,
        call: Call<'m>,
        /// The latents (by index) the statement reads, directly or through `let`s.
        reads: Vec<usize>,
        /// Its number among the observes summed from sufficient statistics over the
        /// innermost loop (docs/design.md §8), or `None` for the per-datum path.
        batch: Option<usize>,
        info: &'m Info,
    },
    Factor {
        expr: Value<'m>,
        /// As for `Observe`.
        reads: Vec<usize>,
        info: &'m Info,
    },
    /// `track NAME = EXPR;`
    Track {
        name: &'m Ident,
        expr: Value<'m>,
        info: &'m Info,
    },
    Let {
        pat: &'m Pat,
        ty: Option<&'m Type>,
        init: Value<'m>,
        /// Whether the initial value, data, is converted because the binding later receives
        /// generic scalars.
        convert: Convert,
        info: &'m Info,
    },
    For {
        kw: &'m Token![for],
        pat: &'m Pat,
        iter: Value<'m>,
        body: Vec<Stmt<'m>>,
        /// The observes of the body summed from sufficient statistics over this loop.
        batched: Vec<usize>,
        info: &'m Info,
    },
    /// `for VAR in plate(RANGE) { … }`: plate number `id`.
    Plate {
        id: usize,
        var: &'m Ident,
        range: Value<'m>,
        body: Vec<Stmt<'m>>,
        /// As for `For`, per chunk of the plate.
        batched: Vec<usize>,
        info: &'m Info,
    },
    If(If<'m>),
    Expr {
        expr: Value<'m>,
        semi: bool,
        info: &'m Info,
    },
}

/// How the data initial value of a `let` is converted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Convert {
    /// Not converted: the binding holds what its initial value is.
    No,
    /// An accumulator (`let mut eta = 0.0;` that later receives `x[j] * beta[j]`): the
    /// value becomes a generic scalar.
    Scalar,
    /// A container (`let mut err = Vec::new();` that later receives `err.push(y[t] - nu)`
    /// or `err[t] = …`): a `Vec` of generic scalars, its data elements converted.
    Container,
}

/// `if COND { … } else …`
pub struct If<'m> {
    pub kw: &'m Token![if],
    pub cond: Value<'m>,
    pub then: Vec<Stmt<'m>>,
    pub els: Option<Else<'m>>,
    pub info: &'m Info,
}

/// The `else` part of an `if`.
pub enum Else<'m> {
    Block(Vec<Stmt<'m>>),
    If(Box<If<'m>>),
}
