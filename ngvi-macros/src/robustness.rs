//! Macro robustness: generated model sources — statements, names, distributions, arities,
//! nesting, and token-level damage (tokens dropped, repeated or swapped) — go through parse,
//! check and expand without a panic or a hang. Every error is a `syn::Error` with a message
//! and a span inside the source, and every expansion (the model or the fallback) is
//! syntactically valid Rust.

use std::str::FromStr;
use std::sync::mpsc;
use std::time::Duration;

use proc_macro2::TokenStream;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// What happened to one source.
#[derive(Debug)]
struct Outcome {
    /// Whether the source lexed at all (unbalanced delimiters do not).
    lexed: bool,
    /// Each error's message and the byte range of its span.
    errors: Vec<(String, std::ops::Range<usize>)>,
    /// Whether the expansion parsed as Rust items, and the parse error if not.
    expansion: Result<(), String>,
    /// Whether check resolved the model (no error at all).
    resolved: bool,
}

/// Parse, check and expand `src`, in this thread.
fn run(src: &str) -> Outcome {
    let Ok(tokens) = TokenStream::from_str(src) else {
        return Outcome {
            lexed: false,
            errors: Vec::new(),
            expansion: Ok(()),
            resolved: false,
        };
    };
    let mut errors = Vec::new();
    let mut resolved = false;
    let expanded = match crate::parse::parse(tokens, &mut errors) {
        Some(syntax) => match crate::check::check(&syntax, &mut errors) {
            Some(model) => {
                resolved = true;
                Some(crate::expand::expand(&model))
            }
            None => Some(crate::expand::fallback(&syntax, errors.clone())),
        },
        None => None,
    };
    let expansion = match expanded {
        Some(ts) => syn::parse2::<syn::File>(ts)
            .map(drop)
            .map_err(|e| e.to_string()),
        None => Ok(()),
    };
    let errors = errors
        .into_iter()
        .flat_map(|e| e.into_iter())
        .map(|e| (e.to_string(), e.span().byte_range()))
        .collect();
    Outcome {
        lexed: true,
        errors,
        expansion,
        resolved,
    }
}

/// `run` in another thread with a time limit: a panic or a hang is an `Err` naming it.
fn run_guarded(src: &str) -> Result<Outcome, String> {
    let (tx, rx) = mpsc::channel();
    let owned = src.to_string();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(run(&owned));
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(outcome) => {
            let _ = handle.join();
            Ok(outcome)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err("hang: no result within 20 s".into()),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(match handle.join() {
            Err(p) => format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ),
            Ok(()) => "the worker ended without a result".into(),
        }),
    }
}

// ---------------------------------------------------------------------------------------
// The generator: sources as lists of tokens (joined by spaces), so that damage is easy.

const NAMES: &[&str] = &[
    "mu", "sigma", "w", "y", "x", "n", "i", "j", "theta", "alpha", "eta", "acc", "S", "s",
    "sample", "observe", "factor", "z", "_", "tau", "p",
];
const ODD_NAMES: &[&str] = &["fn", "self", "r#try", "Self", "crate", "mut", "let", "in"];

fn dist_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = ngvi_spec::DISTS.iter().map(|d| d.name).collect();
    v.extend([
        "Normall",
        "normal",
        "Foo",
        "HalfNormal2",
        "Dirichlet",
        "Flat",
    ]);
    v
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => proptest::sample::select(NAMES).prop_map(str::to_string),
        1 => proptest::sample::select(ODD_NAMES).prop_map(str::to_string),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => name(),
        2 => prop_oneof![
            Just("0.0".to_string()),
            Just("1.0".to_string()),
            Just("-1.0".to_string()),
            Just("1e308".to_string()),
            Just("5".to_string()),
            Just("f64::NAN".to_string()),
            Just("f64::INFINITY".to_string()),
            Just("true".to_string()),
            Just("\"text\"".to_string()),
        ],
        2 => (name(), name()).prop_map(|(a, b)| format!("{a} [ {b} ]")),
        1 => (name(), name()).prop_map(|(a, b)| format!("{a} [ ( {b} , 0 ) ]")),
        1 => (name(), name(), name()).prop_map(|(a, b, c)| format!("{a} [ {b} ] [ {c} ]")),
        1 => name().prop_map(|a| format!("{a} . len ( )")),
        1 => name().prop_map(|a| format!("{a} as f64")),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                proptest::sample::select(&["+", "-", "*", "/", "<", "==", "+=", "&&", ".."][..]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("- {a}")),
            inner.clone().prop_map(|a| format!("( {a} )")),
            (
                inner.clone(),
                proptest::sample::select(
                    &["exp", "ln", "sqrt", "abs", "sigmoid", "powi", "clone", "len", "max"][..]
                ),
                proptest::collection::vec(inner.clone(), 0..2)
            )
                .prop_map(|(a, m, args)| format!("{a} . {m} ( {} )", args.join(" , "))),
            (
                proptest::sample::select(
                    &[
                        "dot",
                        "sigmoid",
                        "softplus",
                        "log_sum_exp",
                        "ln_beta",
                        "helper"
                    ][..]
                ),
                proptest::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(f, args)| format!("{f} ( {} )", args.join(" , "))),
            (name(), inner.clone()).prop_map(|(a, b)| format!("| {a} | {b}")),
            inner.clone().prop_map(|a| format!("{{ {a} }}")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("if {c} {{ {a} }} else {{ {b} }}")),
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|v| format!("[ {} ]", v.join(" , "))),
            (inner.clone(), inner).prop_map(|(a, b)| format!("( {a} , {b} )")),
        ]
    })
}

fn dist_call() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(dist_names()),
        proptest::collection::vec(expr(), 0..4),
    )
        .prop_map(|(d, args)| format!("{d} ( {} )", args.join(" , ")))
}

fn stmt() -> impl Strategy<Value = String> {
    let simple = prop_oneof![
        4 => (name(), dist_call()).prop_map(|(n, d)| format!("sample {n} ~ {d} ;")),
        2 => (name(), expr(), dist_call()).prop_map(|(n, l, d)| format!("sample {n} [ {l} ] ~ {d} ;")),
        4 => (expr(), dist_call()).prop_map(|(e, d)| format!("observe {e} ~ {d} ;")),
        2 => expr().prop_map(|e| format!("factor {e} ;")),
        2 => (name(), expr()).prop_map(|(n, e)| format!("let {n} = {e} ;")),
        1 => (name(), expr()).prop_map(|(n, e)| format!("let mut {n} = {e} ;")),
        1 => (name(), expr()).prop_map(|(n, e)| format!("let {n} : S = {e} ;")),
        1 => (name(), expr()).prop_map(|(n, e)| format!("{n} += {e} ;")),
        1 => expr().prop_map(|e| format!("{e} ;")),
        // malformed on purpose
        1 => (name(), dist_call()).prop_map(|(n, d)| format!("sample {n} {d} ;")),
        1 => (expr(), dist_call()).prop_map(|(e, d)| format!("observe {e} = {d} ;")),
        1 => dist_call().prop_map(|d| format!("sample ~ {d} ;")),
        1 => (name(), dist_call()).prop_map(|(n, d)| format!("sample {n} ~ {d}")),
        1 => expr().prop_map(|e| format!("let {e} ;")),
    ];
    simple.prop_recursive(3, 16, 4, |inner| {
        let block = proptest::collection::vec(inner, 0..4).prop_map(|v| v.join(" "));
        prop_oneof![
            (name(), expr(), block.clone())
                .prop_map(|(n, e, b)| format!("for {n} in {e} {{ {b} }}")),
            (expr(), block.clone(), block.clone())
                .prop_map(|(c, a, b)| format!("if {c} {{ {a} }} else {{ {b} }}")),
            (expr(), block.clone()).prop_map(|(c, a)| format!("if {c} {{ {a} }}")),
            (expr(), expr(), block.clone(), block)
                .prop_map(|(c, d, a, b)| format!("if {c} {{ {a} }} else if {d} {{ {b} }}")),
        ]
    })
}

fn arg() -> impl Strategy<Value = String> {
    (
        name(),
        proptest::sample::select(
            &[
                "&[f64]",
                "f64",
                "usize",
                "&DMatrix<f64>",
                "&[u32]",
                "&[bool]",
                "Vec<f64>",
                "&[usize]",
                "i64",
                "T",
            ][..],
        ),
        prop_oneof![8 => Just(""), 1 => Just("mut "), 1 => Just("&")],
    )
        .prop_map(|(n, t, m)| format!("{m}{n} : {t}"))
}

fn model() -> impl Strategy<Value = String> {
    (
        prop_oneof![4 => Just(""), 1 => Just("/// docs\n"), 1 => Just("#[allow(unused)] ")],
        prop_oneof![3 => Just(""), 1 => Just("pub ")],
        name(),
        prop_oneof![8 => Just(""), 1 => Just("<T>"), 1 => Just("<'a>")],
        prop_oneof![4 => proptest::collection::vec(arg(), 0..4), 1 => Just(vec!["self".to_string()])],
        prop_oneof![8 => Just(""), 1 => Just("-> f64")],
        proptest::collection::vec(stmt(), 0..8),
        prop_oneof![8 => Just(""), 1 => Just("trailing")],
    )
        .prop_map(|(attr, vis, n, generics, args, ret, body, tail)| {
            format!(
                "{attr}{vis}fn {n}{generics} ( {} ) {ret} {{ {} }} {tail}",
                args.join(" , "),
                body.join(" ")
            )
        })
}

/// Damage: drop, repeat or swap a few of the tokens (split at spaces).
fn damaged() -> impl Strategy<Value = String> {
    (
        model(),
        proptest::collection::vec(
            (
                0..3u8,
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
            ),
            1..4,
        ),
    )
        .prop_map(|(src, edits)| {
            let mut t: Vec<&str> = src.split(' ').collect();
            for (kind, a, b) in edits {
                if t.is_empty() {
                    break;
                }
                let (i, j) = (a.index(t.len()), b.index(t.len()));
                match kind {
                    0 => {
                        t.remove(i);
                    }
                    1 => t.insert(i, t[j]),
                    _ => t.swap(i, j),
                }
            }
            t.join(" ")
        })
}

// ---------------------------------------------------------------------------------------
// Well-formed models: every latent sampled once at the top with a valid prior, every
// distribution with its arity and arguments of the right kind, so that check resolves most
// of them and expand runs.

const PRIORS: &[&str] = &[
    "Normal",
    "HalfNormal",
    "LogNormal",
    "StudentT",
    "Cauchy",
    "HalfCauchy",
    "Laplace",
    "Exponential",
    "Gamma",
    "InverseGamma",
    "Beta",
    "Uniform",
    "Flat",
    "HalfFlat",
];

/// A literal inside `domain` (above 0.5 for a parameter above the previous one).
fn literal(domain: ngvi_spec::Domain) -> &'static str {
    match domain {
        ngvi_spec::Domain::Real => "0.5",
        ngvi_spec::Domain::Positive => "2.0",
        ngvi_spec::Domain::Probability => "0.3",
        ngvi_spec::Domain::Count => "10.0",
        ngvi_spec::Domain::AbovePrevious => "3.0",
        ngvi_spec::Domain::Vector => "&[0.25, 0.75]",
    }
}

/// An argument of `domain` built from the latent expression `e`, or a literal.
fn argument(domain: ngvi_spec::Domain, e: &str, use_latent: bool) -> String {
    if !use_latent {
        return literal(domain).to_string();
    }
    match domain {
        ngvi_spec::Domain::Real => e.to_string(),
        ngvi_spec::Domain::Positive => format!("({e}).exp()"),
        ngvi_spec::Domain::Probability => format!("sigmoid({e})"),
        _ => literal(domain).to_string(),
    }
}

fn call(dist: &'static str, e: &str, latent_args: &[bool]) -> String {
    let row = ngvi_spec::DISTS
        .iter()
        .find(|d| d.name == dist)
        .expect("a row");
    let args: Vec<String> = row
        .params
        .iter()
        .zip(latent_args.iter().cycle())
        .map(|(&(_, domain), &l)| argument(domain, e, l))
        .collect();
    format!("{dist}({})", args.join(", "))
}

fn well_formed() -> impl Strategy<Value = String> {
    let all: Vec<&'static str> = ngvi_spec::DISTS
        .iter()
        .filter(|d| !d.improper && d.name != "Dirichlet")
        .map(|d| d.name)
        .collect();
    (
        proptest::collection::vec((proptest::sample::select(PRIORS), any::<bool>()), 1..4),
        proptest::collection::vec(
            (
                0..6u8,
                proptest::sample::select(all),
                proptest::collection::vec(any::<bool>(), 1..4),
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
            ),
            0..6,
        ),
    )
        .prop_map(|(priors, stmts)| {
            let names = ["mu", "tau", "w", "beta"];
            let mut src = String::from("fn m(y: &[f64], x: &DMatrix<f64>, n: usize, k: &[u32]) {\n");
            let mut exprs = Vec::new();
            for (i, (prior, vector)) in priors.iter().enumerate() {
                let name = names[i];
                let args = call(prior, "", &[false]);
                if *vector {
                    src += &format!("    sample {name}[n] ~ {args};\n");
                    exprs.push(format!("{name}[0]"));
                } else {
                    src += &format!("    sample {name} ~ {args};\n");
                    exprs.push(name.to_string());
                }
            }
            for (kind, dist, latent_args, a, b) in stmts {
                let e = format!("{} * 0.5 + {}", exprs[a.index(exprs.len())], exprs[b.index(exprs.len())]);
                let call = call(dist, &e, &latent_args);
                src += &match kind {
                    0 => format!("    for i in 0..y.len() {{ observe y[i] ~ {call}; }}\n"),
                    1 => format!("    for i in 0..k.len() {{ observe k[i] ~ {call}; }}\n"),
                    2 => format!("    factor -({e}) * ({e});\n"),
                    3 => format!("    let t = {e};\n    factor t.sin();\n"),
                    4 => format!("    if n > 2 {{ factor {e}; }} else {{ observe 1.0 ~ {call}; }}\n"),
                    _ => format!(
                        "    let mut acc = 0.0;\n    for i in 0..y.len() {{ acc += x[(i, 0)] * {e}; }}\n    factor -acc * acc;\n"
                    ),
                };
            }
            src + "}"
        })
}

fn check_source(src: &str) -> Result<Outcome, TestCaseError> {
    let outcome =
        run_guarded(src).map_err(|e| TestCaseError::fail(format!("{e}\nsource: {src}")))?;
    for (message, span) in &outcome.errors {
        prop_assert!(
            !message.trim().is_empty(),
            "an empty message\nsource: {src}"
        );
        prop_assert!(
            span.end <= src.len(),
            "span {span:?} past the source ({message})\nsource: {src}"
        );
    }
    if let Err(e) = &outcome.expansion {
        prop_assert!(false, "the expansion is not valid Rust: {e}\nsource: {src}");
    }
    if outcome.lexed && !outcome.resolved {
        prop_assert!(
            !outcome.errors.is_empty(),
            "not resolved, yet no error\nsource: {src}"
        );
    }
    Ok(outcome)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn generated_models_never_panic(src in model()) {
        check_source(&src)?;
    }

    #[test]
    fn damaged_models_never_panic(src in damaged()) {
        check_source(&src)?;
    }

    #[test]
    fn well_formed_models_never_panic(src in well_formed()) {
        check_source(&src)?;
    }
}

#[test]
fn most_well_formed_models_resolve() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = well_formed();
    let resolved = (0..100)
        .filter(|_| run(&strategy.new_tree(&mut runner).unwrap().current()).resolved)
        .count();
    assert!(resolved >= 50, "{resolved} of 100 resolved");
}

#[test]
fn a_valid_model_resolves_and_expands() {
    let src = "fn m(y: &[f64]) { sample mu ~ Normal(0.0, 1.0); for i in 0..y.len() { observe y[i] ~ Normal(mu, 1.0); } }";
    let outcome = check_source(src).unwrap();
    assert!(outcome.resolved && outcome.errors.is_empty(), "{outcome:?}");
}

#[test]
fn a_broken_model_has_errors_with_spans_in_the_source() {
    let src = "fn m(y: &[f64]) { sample mu ~ Normall(0.0, 1.0); observe mu ~ Normal(y, 1.0); }";
    let outcome = check_source(src).unwrap();
    assert_eq!(outcome.errors.len(), 2, "{outcome:?}");
    for (_, span) in &outcome.errors {
        assert!(span.start > 0 && span.end <= src.len(), "{span:?}");
    }
    assert_eq!(&src[outcome.errors[0].1.clone()], "Normall");
}

#[test]
fn raw_and_awkward_model_names_expand() {
    for name in ["r#try", "r#match", "self_", "_1", "__x"] {
        let src = format!(
            "fn {name}(y: f64) {{ sample mu ~ Normal(0.0, 1.0); observe y ~ Normal(mu, 1.0); }}"
        );
        let outcome = check_source(&src).unwrap();
        assert!(
            outcome.resolved && outcome.errors.is_empty(),
            "{name}: {outcome:?}"
        );
    }
}
