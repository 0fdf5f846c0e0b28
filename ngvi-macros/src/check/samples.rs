//! The latents a body samples, found before the walk (a latent may be used in a message
//! before its `sample` is reached).

use std::collections::HashMap;

use crate::parse::{Else, IfStmt, Stmt};

/// Every latent sampled anywhere in the body, with the line of its first `sample`.
pub(super) fn collect_samples(stmts: &[Stmt], out: &mut HashMap<String, u32>) {
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
