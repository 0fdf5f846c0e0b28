//! Stage 1: parse `model! { fn NAME(ARGS) { STATEMENTS } }` into a small model AST.
//!
//! `sample`, `observe`, `factor` and `track` are contextual keywords: an identifier
//! followed by the rest of a statement. Statements that fail to parse are reported and skipped up to the
//! next `;`, so every malformed statement is reported in one build.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::buffer::Cursor;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{braced, bracketed, parenthesized, Attribute, Expr, Ident, Pat, Token, Type, Visibility};

use crate::messages as msg;
use crate::source::{info_between, Info};

/// The model function.
pub struct ModelFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub args: Vec<Arg>,
    pub body: Vec<Stmt>,
    pub info: Info,
}

/// A data argument.
pub struct Arg {
    pub name: Ident,
    pub ty: Type,
}

/// `Normal(mean, sd)` as written.
pub struct DistCall {
    pub name: Ident,
    pub args: Vec<Expr>,
    /// The span of the parentheses and everything in them.
    pub paren: Span,
}

/// A statement of the model body.
// The variants differ in size more once proc-macro2's `span-locations` (enabled for the
// unit tests, which check error spans) makes every span larger; boxing would not pay.
#[allow(clippy::large_enum_variant)]
pub enum Stmt {
    Sample {
        kw: Ident,
        name: Ident,
        len: Option<Expr>,
        dist: DistCall,
        info: Info,
    },
    Observe {
        kw: Ident,
        value: Expr,
        dist: DistCall,
        info: Info,
    },
    Factor {
        expr: Expr,
        info: Info,
    },
    /// `track NAME = EXPR;`: a derived quantity, bound like a `let` and reported per draw.
    Track {
        kw: Ident,
        name: Ident,
        expr: Expr,
        info: Info,
    },
    Let {
        pat: Pat,
        ty: Option<Type>,
        init: Expr,
        info: Info,
    },
    For {
        kw: Token![for],
        pat: Pat,
        iter: Expr,
        body: Vec<Stmt>,
        info: Info,
    },
    If(IfStmt),
    Expr {
        expr: Expr,
        semi: bool,
        info: Info,
    },
}

/// `if COND { … } else …`
pub struct IfStmt {
    pub kw: Token![if],
    pub cond: Expr,
    pub then: Vec<Stmt>,
    pub els: Option<Else>,
    pub info: Info,
}

/// The `else` part of an `if`.
pub enum Else {
    Block(Vec<Stmt>),
    If(Box<IfStmt>),
}

/// Parse the macro input. Every independent error is pushed to `errors`; the model is
/// `None` only when not even its header could be read (then there is nothing to expand).
pub fn parse(input: TokenStream, errors: &mut Vec<syn::Error>) -> Option<ModelFn> {
    let parser = |input: ParseStream| parse_model(input, errors);
    match syn::parse::Parser::parse2(parser, input) {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn parse_model(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<ModelFn> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let start = input.cursor();
    if !input.peek(Token![fn]) {
        return Err(input.error(msg::expected_fn()));
    }
    input.parse::<Token![fn]>()?;
    let name: Ident = input.parse()?;
    if input.peek(Token![<]) {
        let generics: syn::Generics = input.parse()?;
        errors.push(syn::Error::new_spanned(generics, msg::generic_fn()));
    }
    let args = parse_args(input, errors)?;
    if input.peek(Token![->]) {
        let arrow: Token![->] = input.parse()?;
        let ty: Type = input.parse()?;
        errors.push(syn::Error::new_spanned(
            quote::quote!(#arrow #ty),
            msg::return_type(),
        ));
    }
    let info = info_between(start, input.cursor());
    let body;
    braced!(body in input);
    let stmts = parse_stmts(&body, errors);
    if !input.is_empty() {
        errors.push(input.error(msg::trailing_tokens()));
        input.parse::<TokenStream>()?;
    }
    Ok(ModelFn {
        attrs,
        vis,
        name,
        args,
        body: stmts,
        info,
    })
}

/// `(name: Type, …)`; a malformed argument is reported and skipped.
fn parse_args(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<Vec<Arg>> {
    let content;
    parenthesized!(content in input);
    let mut args = Vec::new();
    while !content.is_empty() {
        match parse_arg(&content, errors) {
            Ok(a) => args.push(a),
            Err(e) => {
                errors.push(e);
                skip_to(&content, |s| s.peek(Token![,]));
            }
        }
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(args)
}

/// `name: Type`. A `mut` before the name is reported but the argument is kept, so the
/// fallback expansion still has the function's signature.
fn parse_arg(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<Arg> {
    if input.fork().parse::<syn::Receiver>().is_ok() {
        let receiver: syn::Receiver = input.parse()?;
        return Err(syn::Error::new_spanned(receiver, msg::self_argument()));
    }
    if let Some(m) = input.parse::<Option<Token![mut]>>()? {
        errors.push(syn::Error::new(m.span, msg::mut_argument()));
    }
    if !input.peek(Ident) {
        return Err(input.error(msg::argument_not_a_name()));
    }
    let name: Ident = input.parse()?;
    if !input.peek(Token![:]) {
        return Err(syn::Error::new(
            name.span(),
            msg::argument_without_type(&name),
        ));
    }
    input.parse::<Token![:]>()?;
    let ty: Type = input.parse()?;
    Ok(Arg { name, ty })
}

/// Skip token trees until `stop` says so (the stop token is not consumed) or the end.
fn skip_to(input: ParseStream, stop: impl Fn(ParseStream) -> bool) {
    while !input.is_empty() && !stop(input) {
        if input.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

/// Parse statements until the end of `input`, recovering after each malformed one.
fn parse_stmts(input: ParseStream, errors: &mut Vec<syn::Error>) -> Vec<Stmt> {
    let mut stmts = Vec::new();
    while !input.is_empty() {
        if input.peek(Token![;]) {
            let _ = input.parse::<Token![;]>();
            continue;
        }
        let fork = input.fork();
        match parse_stmt(&fork, errors) {
            Ok(s) => {
                input.advance_to(&fork);
                stmts.push(s);
            }
            Err(e) => {
                errors.push(e);
                skip_to(input, |s| s.peek(Token![;]));
                let _ = input.parse::<Token![;]>();
            }
        }
    }
    stmts
}

/// Whether the input starts with the contextual keyword `kw` followed by the rest of a
/// statement (so `sample`, `observe`, `factor` and `track` stay usable as ordinary names).
fn keyword(input: ParseStream, kw: &str) -> bool {
    let fork = input.fork();
    match fork.parse::<Ident>() {
        Ok(id) if id == kw => {}
        _ => return false,
    }
    if kw == "sample" || kw == "track" {
        return fork.peek(Ident);
    }
    fork.peek(Ident)
        || fork.peek(syn::Lit)
        || fork.peek(syn::token::Paren)
        || fork.peek(Token![*])
        || fork.peek(Token![&])
        || fork.peek(Token![-])
}

/// One statement, by its first tokens.
fn parse_stmt(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<Stmt> {
    let start = input.cursor();
    if keyword(input, "sample") {
        parse_sample(input, start)
    } else if keyword(input, "observe") {
        parse_observe(input, start)
    } else if keyword(input, "factor") {
        parse_factor(input, start)
    } else if keyword(input, "track") {
        parse_track(input, start)
    } else if input.peek(Token![let]) {
        parse_let(input, start)
    } else if input.peek(Token![for]) {
        parse_for(input, start, errors)
    } else if input.peek(Token![if]) {
        Ok(Stmt::If(parse_if(input, errors)?))
    } else {
        parse_expr_stmt(input, start)
    }
}

/// `sample NAME ~ D(ARGS);` or `sample NAME[LEN] ~ D(ARGS);`
fn parse_sample(input: ParseStream, start: Cursor) -> syn::Result<Stmt> {
    let kw: Ident = input.parse()?;
    let name: Ident = input.parse()?;
    let len = if input.peek(syn::token::Bracket) {
        let content;
        bracketed!(content in input);
        Some(content.parse::<Expr>()?)
    } else {
        None
    };
    let dist = parse_tilde_dist(input, &format!("sample {name}"))?;
    expect_semi(input, dist.paren)?;
    let info = info_between(start, input.cursor());
    Ok(Stmt::Sample {
        kw,
        name,
        len,
        dist,
        info,
    })
}

/// `observe EXPR ~ D(ARGS);`
fn parse_observe(input: ParseStream, start: Cursor) -> syn::Result<Stmt> {
    let kw: Ident = input.parse()?;
    let value: Expr = input.parse()?;
    if let Expr::Assign(a) = &value {
        return Err(syn::Error::new(a.eq_token.span, msg::observe_with_eq()));
    }
    let shown = quote::ToTokens::to_token_stream(&value).to_string();
    let dist = parse_tilde_dist(input, &format!("observe {shown}"))?;
    expect_semi(input, dist.paren)?;
    let info = info_between(start, input.cursor());
    Ok(Stmt::Observe {
        kw,
        value,
        dist,
        info,
    })
}

/// `factor EXPR;`
fn parse_factor(input: ParseStream, start: Cursor) -> syn::Result<Stmt> {
    input.parse::<Ident>()?;
    let expr: Expr = input.parse()?;
    expect_semi(input, expr.span())?;
    let info = info_between(start, input.cursor());
    Ok(Stmt::Factor { expr, info })
}

/// `track NAME = EXPR;`
fn parse_track(input: ParseStream, start: Cursor) -> syn::Result<Stmt> {
    let kw: Ident = input.parse()?;
    let name: Ident = input.parse()?;
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(name.span(), msg::track_without_eq(&name)));
    }
    input.parse::<Token![=]>()?;
    let expr: Expr = input.parse()?;
    expect_semi(input, expr.span())?;
    let info = info_between(start, input.cursor());
    Ok(Stmt::Track {
        kw,
        name,
        expr,
        info,
    })
}

/// `let PAT [: TYPE] = EXPR;`
fn parse_let(input: ParseStream, start: Cursor) -> syn::Result<Stmt> {
    input.parse::<Token![let]>()?;
    let pat = Pat::parse_single(input)?;
    let ty = if input.peek(Token![:]) {
        input.parse::<Token![:]>()?;
        Some(input.parse::<Type>()?)
    } else {
        None
    };
    if !input.peek(Token![=]) {
        return Err(input.error(msg::let_without_eq()));
    }
    input.parse::<Token![=]>()?;
    let init: Expr = input.parse()?;
    if input.peek(Token![else]) {
        return Err(input.error(msg::let_else()));
    }
    expect_semi(input, init.span())?;
    let info = info_between(start, input.cursor());
    Ok(Stmt::Let {
        pat,
        ty,
        init,
        info,
    })
}

/// `for PAT in EXPR { … }`
fn parse_for(input: ParseStream, start: Cursor, errors: &mut Vec<syn::Error>) -> syn::Result<Stmt> {
    let kw: Token![for] = input.parse()?;
    let pat = Pat::parse_multi_with_leading_vert(input)?;
    input.parse::<Token![in]>()?;
    let iter = Expr::parse_without_eager_brace(input)?;
    let info = info_between(start, input.cursor());
    let content;
    braced!(content in input);
    let body = parse_stmts(&content, errors);
    Ok(Stmt::For {
        kw,
        pat,
        iter,
        body,
        info,
    })
}

/// Any other Rust expression statement; block-like ones need no `;`.
fn parse_expr_stmt(input: ParseStream, start: Cursor) -> syn::Result<Stmt> {
    let expr: Expr = input.parse()?;
    let block_like = matches!(
        expr,
        Expr::Block(_)
            | Expr::While(_)
            | Expr::Loop(_)
            | Expr::Match(_)
            | Expr::ForLoop(_)
            | Expr::If(_)
            | Expr::Unsafe(_)
    );
    let semi = if block_like {
        input.parse::<Option<Token![;]>>()?.is_some()
    } else {
        expect_semi(input, expr.span())?;
        true
    };
    let info = info_between(start, input.cursor());
    Ok(Stmt::Expr { expr, semi, info })
}

/// `if COND { … } [else if … | else { … }]`
fn parse_if(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<IfStmt> {
    let start = input.cursor();
    let kw: Token![if] = input.parse()?;
    let cond = Expr::parse_without_eager_brace(input)?;
    let info = info_between(start, input.cursor());
    let content;
    braced!(content in input);
    let then = parse_stmts(&content, errors);
    let els = if input.peek(Token![else]) {
        input.parse::<Token![else]>()?;
        if input.peek(Token![if]) {
            Some(Else::If(Box::new(parse_if(input, errors)?)))
        } else {
            let content;
            braced!(content in input);
            Some(Else::Block(parse_stmts(&content, errors)))
        }
    } else {
        None
    };
    Ok(IfStmt {
        kw,
        cond,
        then,
        els,
        info,
    })
}

/// `~ Dist(args)`, with the messages for a missing `~` or a malformed distribution.
fn parse_tilde_dist(input: ParseStream, what: &str) -> syn::Result<DistCall> {
    if !input.peek(Token![~]) {
        let shown = if input.peek(Ident) {
            let fork = input.fork();
            let id: Ident = fork.parse()?;
            format!("{id}(...)")
        } else {
            "Normal(0.0, 1.0)".to_string()
        };
        let message = msg::missing_tilde(what, &shown, input.peek(Token![=]));
        return Err(if input.is_empty() {
            input.error(message)
        } else {
            syn::Error::new(input.span(), message)
        });
    }
    input.parse::<Token![~]>()?;
    if !input.peek(Ident) {
        return Err(input.error(msg::missing_distribution(what)));
    }
    let name: Ident = input.parse()?;
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            name.span(),
            msg::distribution_without_parens(&name),
        ));
    }
    let content;
    let paren = parenthesized!(content in input);
    let args = content.parse_terminated(Expr::parse, Token![,])?;
    Ok(DistCall {
        name,
        args: args.into_iter().collect(),
        paren: paren.span.join(),
    })
}

/// Expect the `;` that ends a statement whose last tokens are at `after`.
fn expect_semi(input: ParseStream, after: Span) -> syn::Result<()> {
    if input.peek(Token![;]) {
        input.parse::<Token![;]>()?;
        return Ok(());
    }
    let found = if input.is_empty() {
        "the end of the block".to_string()
    } else {
        let fork = input.fork();
        let tt: TokenTree = fork.parse()?;
        format!("`{tt}`")
    };
    Err(syn::Error::new(after, msg::missing_semicolon(&found)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_statements() {
        let mut errors = Vec::new();
        let input = quote! {
            /// docs
            pub fn eight_schools(y: &[f64], sigma: &[f64]) {
                sample mu ~ Normal(0.0, 5.0);
                sample eta[y.len()] ~ Normal(0.0, 1.0);
                for j in 0..y.len() {
                    let theta = mu + eta[j];
                    observe y[j] ~ Normal(theta, sigma[j]);
                }
                if y.len() > 2 { factor -mu; } else { factor mu; }
            }
        };
        let m = parse(input, &mut errors).expect("parses");
        assert!(errors.is_empty());
        assert_eq!(m.args.len(), 2);
        assert_eq!(m.body.len(), 4);
        assert!(matches!(&m.body[1], Stmt::Sample { len: Some(_), .. }));
    }

    #[test]
    fn reports_every_malformed_statement_and_keeps_the_signature() {
        let mut errors = Vec::new();
        let input = quote! {
            fn m(mut y: f64) {
                sample mu Normal(0.0, 1.0);
                observe y ~ Normal(mu, 1.0)
            }
        };
        let m = parse(input, &mut errors).expect("the header parses");
        assert_eq!(errors.len(), 3);
        assert_eq!(m.args.len(), 1);
    }
}
