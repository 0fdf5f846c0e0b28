//! Stage 1: parse `model! { fn NAME(ARGS) { STATEMENTS } }` into a small model AST.
//!
//! `sample`, `observe` and `factor` are contextual keywords: an identifier followed by the
//! rest of a statement. Statements that fail to parse are reported and skipped up to the
//! next `;`, so every malformed statement is reported in one build.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{braced, bracketed, parenthesized, Attribute, Expr, Ident, Pat, Token, Type, Visibility};

/// Where a statement is, for error messages at compile time and at run time.
#[derive(Clone)]
pub struct Info {
    /// The statement's source text (for `for` and `if`: the header).
    pub text: String,
    /// Its line in the source file.
    pub line: u32,
}

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

/// Parse the macro input, collecting every independent error.
pub fn parse(input: TokenStream) -> syn::Result<ModelFn> {
    let mut errors = Vec::new();
    let parser = |input: ParseStream| parse_model(input, &mut errors);
    let parsed = syn::parse::Parser::parse2(parser, input);
    match (parsed, combine(errors)) {
        (Ok(m), None) => Ok(m),
        (Ok(_), Some(e)) => Err(e),
        (Err(mut e), rest) => {
            if let Some(rest) = rest {
                e.combine(rest);
            }
            Err(e)
        }
    }
}

/// Combine errors into one (`None` for no error).
pub fn combine(errors: Vec<syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    })
}

fn parse_model(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<ModelFn> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let start = input.cursor();
    if !input.peek(Token![fn]) {
        return Err(input.error(
            "expected `fn`: write `model! { fn my_model(y: &[f64]) { sample mu ~ Normal(0.0, 1.0); ... } }`",
        ));
    }
    input.parse::<Token![fn]>()?;
    let name: Ident = input.parse()?;
    if input.peek(Token![<]) {
        let generics: syn::Generics = input.parse()?;
        errors.push(syn::Error::new(
            generics.span(),
            "a model function cannot be generic: give the data arguments concrete types such as `&[f64]` or `&nalgebra::DMatrix<f64>`",
        ));
    }
    let content;
    parenthesized!(content in input);
    let mut args = Vec::new();
    while !content.is_empty() {
        match parse_arg(&content) {
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
    if input.peek(Token![->]) {
        let arrow: Token![->] = input.parse()?;
        let ty: Type = input.parse()?;
        errors.push(syn::Error::new_spanned(
            quote::quote!(#arrow #ty),
            "a model function has no return type: `model!` generates it (a struct implementing `ngvi::Model`); remove `-> ...`",
        ));
    }
    let info = info_between(start, input.cursor());
    let body;
    braced!(body in input);
    let stmts = parse_stmts(&body, errors);
    if !input.is_empty() {
        return Err(input
            .error("unexpected tokens after the model function: `model!` takes exactly one `fn`"));
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

fn parse_arg(input: ParseStream) -> syn::Result<Arg> {
    if input.peek(Token![mut]) {
        let m: Token![mut] = input.parse()?;
        return Err(syn::Error::new(
            m.span,
            "data arguments are read-only: remove `mut` (copy the value into a `let mut` inside the body if you need to)",
        ));
    }
    if input.peek(Token![self]) || input.peek(Token![&]) {
        return Err(input.error("a model function takes data arguments `name: Type`, not `self`"));
    }
    let name: Ident = input.parse()?;
    if !input.peek(Token![:]) {
        return Err(syn::Error::new(
            name.span(),
            format!(
                "expected `{name}: Type`: every data argument needs a type, e.g. `{name}: &[f64]`"
            ),
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

fn keyword(input: ParseStream, kw: &str) -> bool {
    let fork = input.fork();
    match fork.parse::<Ident>() {
        Ok(id) if id == kw => {}
        _ => return false,
    }
    if kw == "sample" {
        return fork.peek(Ident);
    }
    fork.peek(Ident)
        || fork.peek(syn::Lit)
        || fork.peek(syn::token::Paren)
        || fork.peek(Token![*])
        || fork.peek(Token![&])
        || fork.peek(Token![-])
}

fn parse_stmt(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<Stmt> {
    let start = input.cursor();
    if keyword(input, "sample") {
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
        return Ok(Stmt::Sample {
            kw,
            name,
            len,
            dist,
            info,
        });
    }
    if keyword(input, "observe") {
        let kw: Ident = input.parse()?;
        let value: Expr = input.parse()?;
        if let Expr::Assign(a) = &value {
            return Err(syn::Error::new(
                a.eq_token.span,
                "`observe` uses `~`, not `=`: write `observe y ~ Normal(mu, 1.0);`",
            ));
        }
        let shown = quote::ToTokens::to_token_stream(&value).to_string();
        let dist = parse_tilde_dist(input, &format!("observe {shown}"))?;
        expect_semi(input, dist.paren)?;
        let info = info_between(start, input.cursor());
        return Ok(Stmt::Observe {
            kw,
            value,
            dist,
            info,
        });
    }
    if keyword(input, "factor") {
        input.parse::<Ident>()?;
        let expr: Expr = input.parse()?;
        expect_semi(input, expr.span())?;
        let info = info_between(start, input.cursor());
        return Ok(Stmt::Factor { expr, info });
    }
    if input.peek(Token![let]) {
        input.parse::<Token![let]>()?;
        let pat = Pat::parse_single(input)?;
        let ty = if input.peek(Token![:]) {
            input.parse::<Token![:]>()?;
            Some(input.parse::<Type>()?)
        } else {
            None
        };
        if !input.peek(Token![=]) {
            return Err(input.error(
                "expected `=`: a `let` in a model binds a value, e.g. `let theta = mu + tau * eta[j];`",
            ));
        }
        input.parse::<Token![=]>()?;
        let init: Expr = input.parse()?;
        if input.peek(Token![else]) {
            return Err(
                input.error("`let ... else` is not supported in a model: use `if let` or `match`")
            );
        }
        expect_semi(input, init.span())?;
        let info = info_between(start, input.cursor());
        return Ok(Stmt::Let {
            pat,
            ty,
            init,
            info,
        });
    }
    if input.peek(Token![for]) {
        let kw: Token![for] = input.parse()?;
        let pat = Pat::parse_multi_with_leading_vert(input)?;
        input.parse::<Token![in]>()?;
        let iter = Expr::parse_without_eager_brace(input)?;
        let info = info_between(start, input.cursor());
        let content;
        braced!(content in input);
        let body = parse_stmts(&content, errors);
        return Ok(Stmt::For {
            kw,
            pat,
            iter,
            body,
            info,
        });
    }
    if input.peek(Token![if]) {
        return Ok(Stmt::If(parse_if(input, errors)?));
    }
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
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            true
        } else {
            false
        }
    } else {
        expect_semi(input, expr.span())?;
        true
    };
    let info = info_between(start, input.cursor());
    Ok(Stmt::Expr { expr, semi, info })
}

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
        let msg = if input.peek(Token![=]) {
            format!("expected `~` after `{what}`, found `=`: a distribution statement uses `~`: `{what} ~ {shown};`")
        } else {
            format!("expected `~` after `{what}`: write `{what} ~ {shown};`")
        };
        return Err(if input.is_empty() {
            input.error(msg)
        } else {
            syn::Error::new(input.span(), msg)
        });
    }
    input.parse::<Token![~]>()?;
    if !input.peek(Ident) {
        return Err(input.error(format!(
            "expected a distribution after `~`, e.g. `{what} ~ Normal(0.0, 1.0);`"
        )));
    }
    let name: Ident = input.parse()?;
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            name.span(),
            format!("a distribution takes its arguments in parentheses: write `{name}(...)` (`Flat()` and `HalfFlat()` take none)"),
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
    Err(syn::Error::new(
        after,
        format!("expected `;` after this, found {found}: every model statement ends with `;`"),
    ))
}

/// The statement made of the token trees from `start` up to `end`.
fn info_between(start: syn::buffer::Cursor, end: syn::buffer::Cursor) -> Info {
    let mut tts = Vec::new();
    let mut c = start;
    while c != end {
        match c.token_tree() {
            Some((tt, next)) => {
                tts.push(tt);
                c = next;
            }
            None => break,
        }
    }
    let span = tts.first().map_or_else(Span::call_site, TokenTree::span);
    Info {
        text: source_text(&tts),
        line: line_of(span),
    }
}

/// The line of a span (0 outside a procedural macro, as in unit tests).
pub fn line_of(span: Span) -> u32 {
    if proc_macro::is_available() {
        u32::try_from(span.unwrap().line()).unwrap_or(u32::MAX)
    } else {
        0
    }
}

/// The source text of an expression (or any tokens), as written.
pub fn text_of(e: &impl quote::ToTokens) -> String {
    let tts: Vec<TokenTree> = e.to_token_stream().into_iter().collect();
    source_text(&tts)
}

/// The source text of token trees, with the original spacing on a line and a line break
/// replaced by one space.
fn source_text(tts: &[TokenTree]) -> String {
    if !proc_macro::is_available() {
        let ts: TokenStream = tts.iter().cloned().collect();
        return ts.to_string();
    }
    let mut out = String::new();
    let mut prev_end: Option<(usize, usize)> = None;
    for tt in tts {
        let span = tt.span().unwrap();
        let (start, end) = (span.start(), span.end());
        if let Some((line, col)) = prev_end {
            if start.line() != line {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n(' ', start.column().saturating_sub(col)));
            }
        }
        let text = span.source_text().unwrap_or_else(|| tt.to_string());
        out.push_str(&collapse_lines(&text));
        prev_end = Some((end.line(), end.column()));
    }
    out
}

/// Replace every run of whitespace containing a line break by one space.
fn collapse_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for ch in s.chars() {
        if ch.is_whitespace() {
            run.push(ch);
        } else {
            if run.contains('\n') {
                out.push(' ');
            } else {
                out.push_str(&run);
            }
            run.clear();
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_statements() {
        let m = parse(quote! {
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
        })
        .map_err(|e| e.to_string())
        .expect("parses");
        assert_eq!(m.args.len(), 2);
        assert_eq!(m.body.len(), 4);
        assert!(matches!(&m.body[1], Stmt::Sample { len: Some(_), .. }));
    }

    #[test]
    fn reports_every_malformed_statement() {
        let err = parse(quote! {
            fn m(y: f64) {
                sample mu Normal(0.0, 1.0);
                observe y ~ Normal(mu, 1.0)
            }
        })
        .err()
        .map(|e| e.into_iter().count());
        assert_eq!(err, Some(2));
    }

    #[test]
    fn collapses_line_breaks() {
        assert_eq!(collapse_lines("a,\n    b  c"), "a, b  c");
    }
}
