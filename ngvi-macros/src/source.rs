//! Where a statement is: its source text as written and its line, for compile-time
//! messages and for the run-time `ModelError`s of generated code.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::buffer::Cursor;

/// Where a statement is, for error messages at compile time and at run time.
#[derive(Clone)]
pub struct Info {
    /// The statement's source text (for `for` and `if`: the header).
    pub text: String,
    /// Its line in the source file.
    pub line: u32,
}

/// The statement made of the token trees from `start` up to `end`.
pub fn info_between(start: Cursor, end: Cursor) -> Info {
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
fn line_of(span: Span) -> u32 {
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

    #[test]
    fn collapses_line_breaks() {
        assert_eq!(collapse_lines("a,\n    b  c"), "a, b  c");
    }
}
