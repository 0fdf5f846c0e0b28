//! Fit time against the number of groups of a centred hierarchical normal model (10
//! observations per group), each fit compared with the exact posterior of (mu, tau) by
//! quadrature: the curve of BENCHMARKS.md's "Scale" section. One fit per size, default
//! settings; the sizes are the arguments.
//!
//! `cargo run --release --example scale_hierarchical [-- 10 30 100 300]`

#[path = "../tests/support/hierarchical.rs"]
mod support;

use std::error::Error;
use std::time::Instant;

use ngvi::prelude::*;
use support::{centred, data, exact};

const PER_GROUP: usize = 10;

fn main() -> Result<(), Box<dyn Error>> {
    let parsed: Result<Vec<usize>, _> = std::env::args().skip(1).map(|a| a.parse()).collect();
    let sizes = match parsed {
        Ok(v) if !v.is_empty() => v,
        Ok(_) => vec![10, 30, 100, 300],
        Err(e) => return Err(format!("the arguments are numbers of groups: {e}").into()),
    };
    println!(
        "| groups | D | wall | iterations | stop reason | evaluations (value / gradient / Hessian) \
         | mu \\|Δmean\\|/sd | tau \\|Δmean\\|/sd | sd ratio mu, tau |"
    );
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---:|");
    for groups in sizes {
        let (y, group) = data(groups, PER_GROUP);
        let reference = exact(&y, &group, groups);
        let start = Instant::now();
        let fit = Ngvi::new().fit(&centred(&y, &group, groups))?;
        let wall = start.elapsed();
        let mut cells = Vec::new();
        let mut ratios = Vec::new();
        for (name, (m, s)) in ["mu", "tau"].iter().zip(reference) {
            let mean = fit.mean(name).ok_or("mean")?[0];
            let sd = fit.sd(name).ok_or("sd")?[0];
            cells.push(format!("{:.3}", (mean - m).abs() / s));
            ratios.push(format!("{:.3}", sd / s));
        }
        let e = fit.evaluations();
        println!(
            "| {groups} | {} | {:.2} s | {} | {:?} | {} / {} / {} | {} | {} | {} |",
            groups + 2,
            wall.as_secs_f64(),
            fit.iterations(),
            fit.stop_reason(),
            e.values,
            e.gradients,
            e.hessians,
            cells[0],
            cells[1],
            ratios.join(", ")
        );
    }
    Ok(())
}
