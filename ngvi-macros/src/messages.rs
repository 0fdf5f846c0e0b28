//! Every compile-error text of `model!`, one named function each, so the wording lives in
//! one place (docs/language.md, "Compile-time errors", lists them). Each says what is wrong
//! and how to fix it; the caller chooses the span.

use syn::Ident;

use crate::dists::{self, Dist, Domain};
use crate::source::text_of;

/// Combine errors into one, so they are all reported (`None` for no error).
pub fn combine(errors: Vec<syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    })
}

// ---------------------------------------------------------------------------------------
// The model function.

pub fn expected_fn() -> String {
    "expected `fn`: write `model! { fn my_model(y: &[f64]) { sample mu ~ Normal(0.0, 1.0); ... } }`"
        .into()
}

pub fn generic_fn() -> String {
    "a model function cannot be generic: remove `<...>` and give the data arguments concrete types such as `&[f64]` or `&nalgebra::DMatrix<f64>`".into()
}

pub fn return_type() -> String {
    "a model function has no return type: `model!` generates it (a struct implementing `ngvi::Model`); remove `-> ...`".into()
}

pub fn trailing_tokens() -> String {
    "unexpected tokens after the model function: `model!` takes exactly one `fn`; write each model in its own `model! { ... }`".into()
}

pub fn mut_argument() -> String {
    "data arguments are read-only: remove `mut` (copy the value into a `let mut` inside the body if you need to)".into()
}

pub fn self_argument() -> String {
    "a model function takes data arguments `name: Type`, not `self`: remove `self`; the generated struct holds the data arguments and implements `ngvi::Model`".into()
}

pub fn argument_without_type(name: &Ident) -> String {
    format!("expected `{name}: Type`: every data argument needs a type, e.g. `{name}: &[f64]`")
}

pub fn argument_not_a_name() -> String {
    "expected the name of a data argument: every argument is `name: Type`, e.g. `y: &[f64]` (patterns are not supported; destructure with a `let` in the body)".into()
}

// ---------------------------------------------------------------------------------------
// Statement syntax.

pub fn observe_with_eq() -> String {
    "`observe` uses `~`, not `=`: write `observe y ~ Normal(mu, 1.0);`".into()
}

pub fn track_without_eq(name: &Ident) -> String {
    format!("expected `=` after `track {name}`: a derived quantity is `track {name} = EXPR;` (e.g. `track theta = mu + tau * eta[0];`)")
}

pub fn let_without_eq() -> String {
    "expected `=`: a `let` in a model binds a value, e.g. `let theta = mu + tau * eta[j];`".into()
}

pub fn let_else() -> String {
    "`let ... else` is not supported in a model (the body cannot return early): use a `let` whose pattern always matches, or branch on data with `if let PAT = EXPR { ... }` or `match`".into()
}

/// `what` is the statement so far (`sample mu`), `shown` the distribution to suggest.
pub fn missing_tilde(what: &str, shown: &str, found_eq: bool) -> String {
    if found_eq {
        format!("expected `~` after `{what}`, found `=`: a distribution statement uses `~`: `{what} ~ {shown};`")
    } else {
        format!("expected `~` after `{what}`: write `{what} ~ {shown};`")
    }
}

pub fn missing_distribution(what: &str) -> String {
    format!("expected a distribution after `~`, e.g. `{what} ~ Normal(0.0, 1.0);`")
}

pub fn distribution_without_parens(name: &Ident) -> String {
    format!("a distribution takes its arguments in parentheses: write `{name}(...)` (`Flat()` and `HalfFlat()` take none)")
}

/// `found` is what follows instead of the `;` (`` `observe` ``, `the end of the block`).
pub fn missing_semicolon(found: &str) -> String {
    format!("expected `;` after this, found {found}: every model statement ends with `;`")
}

// ---------------------------------------------------------------------------------------
// Distributions.

pub fn unknown_distribution(name: &str) -> String {
    let close = dists::did_you_mean(name);
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
    format!("unknown distribution `{name}`: {hint}")
}

pub fn wrong_argument_count(d: &Dist, given: usize) -> String {
    let n = d.params.len();
    format!(
        "`{}` takes {n} argument{}, `{}`, but {given} {} given",
        d.name,
        if n == 1 { "" } else { "s" },
        d.signature(),
        if given == 1 { "was" } else { "were" },
    )
}

/// A literal bound not above the bound before it (`Uniform(2.0, 1.0)`).
pub fn not_above_previous(d: &Dist, param: &str, lo: f64, written: &str) -> String {
    format!(
        "`{param}` of `{}` must be greater than `{}` ({lo}), but is `{written}`: swap the bounds or widen the interval",
        d.signature(),
        d.params[0].0
    )
}

pub fn outside_domain(d: &Dist, param: &str, domain: Domain, written: &str) -> String {
    format!(
        "`{param}` of `{}` must be {}, but is `{written}`: use a value such as `{}`",
        d.signature(),
        domain.describe(),
        domain.example()
    )
}

// ---------------------------------------------------------------------------------------
// `sample`.

pub fn no_latent(model: &Ident) -> String {
    format!("model `{model}` has no latent variable: add a prior for each unknown, e.g. `sample mu ~ Normal(0.0, 1.0);` (a model with only `observe` statements has nothing to infer)")
}

/// `place` is the innermost enclosing construct: `a `for` loop` or `an `if` branch`.
pub fn sample_nested(place: Nesting, name: &Ident, dist: &Ident) -> String {
    let (place, fix) = match place {
        Nesting::For | Nesting::Plate => (
            "a `for` loop",
            format!("declare a vector latent before the loop, `sample {name}[n] ~ {dist}(...);`, and use `{name}[i]` inside it"),
        ),
        Nesting::If => (
            "an `if` branch",
            format!("sample it unconditionally before the `if` (`sample {name} ~ {dist}(...);`) and use it only in the branch that needs it"),
        ),
    };
    format!("`sample` cannot appear inside {place}: the latents must be known from the data before the body runs; {fix}")
}

/// Where a statement is nested, for [`sample_nested`].
#[derive(Clone, Copy)]
pub enum Nesting {
    For,
    If,
    Plate,
}

pub fn sample_data_argument(name: &Ident, model: &Ident) -> String {
    format!("`{name}` is a data argument of `{model}`, so it cannot be sampled: to condition on it write `observe {name} ~ ...;`, or give the latent another name")
}

pub fn sampled_twice(name: &Ident, line: u32) -> String {
    format!("`{name}` is already sampled on line {line}: each latent has one `sample` statement; give this one another name (for several values use a vector latent `sample {name}[n] ~ ...;`)")
}

pub fn used_before_sample(name: &Ident, line: u32) -> String {
    format!("the latent `{name}` is used before it is sampled (its `sample` is on line {line}): move `sample {name} ~ ...;` above its first use")
}

pub fn discrete_prior(d: &Dist) -> String {
    format!("`{}` is a discrete distribution and cannot be the prior of a latent (NGVI fits continuous latents): use it with `observe`, or marginalise the discrete variable out with `log_sum_exp` in a `factor`", d.name)
}

pub fn dirichlet_as_vector(name: &Ident) -> String {
    format!("a Dirichlet latent is already a vector (its length is the length of alpha): write `sample {name} ~ Dirichlet(alpha);` without `[..]`")
}

pub fn vector_length_latent(name: &Ident, id: &Ident, latent: &str) -> String {
    format!(
        "the length of the vector latent `{name}` must come from data, but {}: write a data expression such as `y.len()`",
        depends(id, latent)
    )
}

pub fn dirichlet_alpha_latent(id: &Ident, latent: &str) -> String {
    format!(
        "the Dirichlet concentration must come from data (it sets the latent's length), but {}: pass a data vector, such as a data argument `alpha: &[f64]` or `[1.0, 1.0, 1.0]`",
        depends(id, latent)
    )
}

/// The bounds of a `Uniform` prior as written, and the length of a vector latent.
pub struct Bounds<'e> {
    pub lo: &'e syn::Expr,
    pub hi: &'e syn::Expr,
    pub len: Option<String>,
}

/// `sample beta1 ~ Uniform(lo, hi)` with bounds from latents: the reparameterisation
/// through a standard uniform, with its Jacobian. With u ~ Uniform(0, 1) and
/// x = lo + (hi − lo) u, x given the latents is Uniform(lo, hi): the density 1/(hi − lo)
/// of x times the Jacobian hi − lo of u ↦ x is the density 1 of u, so the rewrite is exact
/// as written. Stan's `real<lower=lo, upper=hi> x;` with no prior statement is flat in x
/// (density 1, not 1/(hi − lo)): that one needs `factor (hi - lo).ln();` as well.
pub fn uniform_bounds_latent(name: &Ident, id: &Ident, latent: &str, b: &Bounds) -> String {
    let (lo, hi) = (text_of(b.lo), text_of(b.hi));
    let raw = format!("{name}_raw");
    let zero = crate::env::literal_value(b.lo) == Some(0.0);
    let width = if zero {
        grouped(b.hi)
    } else {
        format!("({hi} - {})", grouped(b.lo))
    };
    let scaled = |u: &str| {
        if zero {
            format!("{u} * {width}")
        } else {
            format!("{lo} + {u} * {width}")
        }
    };
    let (sample, let_or_use, stan) = match &b.len {
        None => (
            format!("sample {raw} ~ Uniform(0.0, 1.0);"),
            format!("then `let {name} = {};`", scaled(&raw)),
            format!("add `factor {width}.ln();`"),
        ),
        Some(n) => (
            format!("sample {raw}[{n}] ~ Uniform(0.0, 1.0);"),
            format!(
                "then use `{}` where you would use `{name}[i]`",
                scaled(&format!("{raw}[i]"))
            ),
            format!("add `factor {width}.ln();` once per element"),
        ),
    };
    format!(
        "the bounds of a `Uniform` prior must be data (they are the latent's support), but {}: sample a standard uniform and scale it, `{sample}` {let_or_use}. This is exact: `{name}` given the latents is `Uniform({lo}, {hi})` (the Jacobian {width} of the map from `{raw}` to `{name}` cancels the density's 1 / {width}). For Stan's `real<lower={lo}, upper={hi}>` with no prior statement (flat, not normalised), also {stan}",
        depends(id, latent)
    )
}

/// The source text of an expression, in parentheses unless it is a single term.
fn grouped(e: &syn::Expr) -> String {
    use syn::Expr::*;
    match e {
        Lit(_) | Path(_) | Paren(_) | Call(_) | MethodCall(_) | Index(_) | Field(_) => text_of(e),
        _ => format!("({})", text_of(e)),
    }
}

// ---------------------------------------------------------------------------------------
// `observe`, `for`, `if`, `let`.

/// `track` inside a loop or branch.
pub fn track_nested(place: Nesting, name: &Ident) -> String {
    let (place, fix) = match place {
        Nesting::For | Nesting::Plate => (
            "a `for` loop",
            format!("collect the values in the loop, `let mut {name}_values = Vec::new();` before it and `{name}_values.push(...);` inside, then after the loop `track {name} = {name}_values;`"),
        ),
        Nesting::If => (
            "an `if` branch",
            format!("compute it in both branches into a `let` before the `if` and track that: `track {name} = ...;` at the top level"),
        ),
    };
    format!("`track` cannot appear inside {place}: a derived quantity has one value per posterior draw; {fix}")
}

/// A `track` whose name is already a latent or tracked (`what` says which).
pub fn track_name_taken(name: &Ident, what: &str) -> String {
    format!("`track {name}` reports a derived quantity under the name `{name}`, but `{name}` is {what}: `Fit::mean(\"{name}\")` and the summary would be ambiguous; give it another name")
}

/// A `track` named after a data argument.
pub fn track_names_data(name: &Ident, model: &Ident) -> String {
    format!("`track {name}` would hide the data argument `{name}` of `{model}` in the rest of the body (a `track` binds its name like a `let`); give the derived quantity another name")
}

pub fn improper_observed(d: &Dist) -> String {
    format!("`{}` is an improper prior with no density to observe: use it only in `sample` (e.g. `sample x ~ {}();`); to observe a real value use a proper distribution such as `Normal(mean, sd)`", d.name, d.name)
}

pub fn dirichlet_observed() -> String {
    "`Dirichlet` can only be a latent's prior (`sample w ~ Dirichlet(alpha);`); observing a simplex is not supported: observe category indices with `Categorical(w)` instead".into()
}

/// `value` and `dist` are the observed value and the distribution as written
/// (`Normal(0.0, sigma)`), for the `factor` that adds their log density.
pub fn observe_latent(kw: &Ident, id: &Ident, latent: &str, value: &str, dist: &str) -> String {
    let rewrite = format!("`factor {dist}.ln_density({value});`");
    if id == latent && *id == value {
        format!("`{kw}` conditions on data, but `{id}` is a latent variable: its prior is its `sample` statement; to add another density term for it, write {rewrite}")
    } else {
        format!("`{kw}` conditions on data, but {}: to add the log density of a value computed from latents (Stan's `~` on a transformed parameter), write {rewrite} (like Stan, this adds no Jacobian: it is the density of the value, not of the latents); to condition on data, observe the data itself", depends(id, latent))
    }
}

pub fn loop_over_latent(id: &Ident, latent: &str) -> String {
    format!("the range of a `for` loop must come from data, but {}: the number of iterations cannot depend on a latent value; loop over the data (e.g. `for i in 0..y.len()`) and use the latent inside the loop", depends(id, latent))
}

pub fn plate_nested(place: Nesting) -> String {
    let place = match place {
        Nesting::For => "a `for` loop",
        Nesting::If => "an `if` branch",
        Nesting::Plate => "another plate",
    };
    format!("a `plate` cannot be inside {place}: a plate is the outermost loop over conditionally independent data; write it at the top level of the model, `for i in plate(0..n) {{ ... }}`, with any inner loops inside it")
}

pub fn plate_pattern() -> String {
    "a plate's index must be a single name, as in `for i in plate(0..n) { ... }`; bind other values with `let` inside the plate".into()
}

pub fn plate_argument() -> String {
    "`plate` takes one range of data indices: write `for i in plate(0..n) { ... }`".into()
}

pub fn plate_assigns_outer(id: &Ident) -> String {
    format!("`{id}` is declared before the plate and changed inside it, but a plate's iterations are independent and may run in parallel or on a minibatch: declare `{id}` inside the plate, or use a plain `for` loop if the iterations depend on each other")
}

pub fn branch_on_latent(id: &Ident, latent: &str) -> String {
    format!("an `if` condition must depend on data only, but {}: a branch on a latent value makes the density discontinuous; write the condition on data, or a smooth expression such as `sigmoid(...)` in a `factor`", depends(id, latent))
}

/// A `let` that starts as data and later receives a latent-dependent value, written so
/// that the macro cannot turn it into a generic scalar.
pub fn accumulator_not_plain(name: &Ident) -> String {
    format!("`{name}` starts as data but is later assigned a value computed from latents, so it must hold a generic scalar: bind it alone and without a type, `let mut {name} = 0.0;`, and the macro converts the initial value (or write `let mut {name}: S = S::constant(0.0);`)")
}

/// A `let` that starts as data and later receives latent-dependent elements, written so
/// that the macro cannot turn it into a vector of generic scalars.
pub fn container_not_plain(name: &Ident) -> String {
    format!("`{name}` starts as data but later receives elements computed from latents, so it must be a vector of generic scalars: bind it alone and without a type, `let mut {name} = Vec::new();` (or `vec![0.0; n]`), and the macro converts the initial elements (or write `let mut {name}: Vec<S> = Vec::new();`)")
}

/// "`mu` is a latent variable" or "`theta` depends on the latent `mu`".
fn depends(id: &Ident, latent: &str) -> String {
    if id == latent {
        format!("`{id}` is a latent variable")
    } else {
        format!("`{id}` depends on the latent `{latent}`")
    }
}
