//! Fit time against the number of groups of a centred hierarchical normal model (10
//! observations per group), each fit compared with the exact posterior of (mu, tau) by
//! quadrature: the curve of BENCHMARKS.md's "Scale" section. One fit per size, default
//! settings; the sizes are the arguments.
//!
//! `cargo run --release --example scale_hierarchical [-- 10 100 1000 10000]`
//!
//! `-- --write GROUPS` instead writes the data of GROUPS groups to
//! `examples/data/hierarchical.csv` and its exact posterior (mu, tau and every theta, by
//! quadrature) to `examples/data/hierarchical.json`: the `hierarchical` case of `validate`
//! and of `bench/compare/compare.py`.

#[path = "../tests/support/hierarchical.rs"]
mod support;

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ngvi::prelude::*;
use support::{centred, data, exact, exact_effects};

const PER_GROUP: usize = 10;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--write") {
        let groups = args
            .get(1)
            .ok_or("--write GROUPS")?
            .parse()
            .map_err(|e| format!("--write GROUPS: {e}"))?;
        return write_case(groups);
    }
    let parsed: Result<Vec<usize>, _> = args.iter().map(|a| a.parse()).collect();
    let sizes = match parsed {
        Ok(v) if !v.is_empty() => v,
        Ok(_) => vec![10, 100, 1000, 10000],
        Err(e) => return Err(format!("the arguments are numbers of groups: {e}").into()),
    };
    println!(
        "| groups | D | wall | of which iterations | iterations | stop reason | evaluations (value / gradient / Hessian) \
         | mu \\|Δmean\\|/sd | tau \\|Δmean\\|/sd | worst theta \\|Δmean\\|/sd | sd ratio mu, tau | k̂ |"
    );
    println!("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for groups in sizes {
        let (y, group) = data(groups, PER_GROUP);
        let reference = exact(&y, &group, groups);
        let effects = exact_effects(&y, &group, groups);
        // The time of the last sweep: what the iterations took, before the diagnostics.
        let last_sweep = Arc::new(Mutex::new(Duration::ZERO));
        let record = Arc::clone(&last_sweep);
        let start = Instant::now();
        let fit = Ngvi::new()
            .on_iteration(move |info| {
                if let Ok(mut t) = record.lock() {
                    *t = info.elapsed;
                }
            })
            .fit(&centred(&y, &group, groups))?;
        let wall = start.elapsed();
        let sweeps = *last_sweep.lock().map_err(|_| "timer")?;
        let mut cells = Vec::new();
        let mut ratios = Vec::new();
        for (name, (m, s)) in ["mu", "tau"].iter().zip(reference) {
            let mean = fit.mean(name).ok_or("mean")?[0];
            let sd = fit.sd(name).ok_or("sd")?[0];
            cells.push(format!("{:.3}", (mean - m).abs() / s));
            ratios.push(format!("{:.3}", sd / s));
        }
        let theta = fit.mean("theta").ok_or("theta")?;
        let worst = theta
            .iter()
            .zip(&effects)
            .map(|(fm, (m, s))| (fm - m).abs() / s)
            .fold(0.0, f64::max);
        let e = fit.evaluations();
        println!(
            "| {groups} | {} | {:.2} s | {:.2} s | {} | {:?} | {} / {} / {} | {} | {} | {worst:.3} | {} | {} |",
            groups + 2,
            wall.as_secs_f64(),
            sweeps.as_secs_f64(),
            fit.iterations(),
            fit.stop_reason(),
            e.values,
            e.gradients,
            e.hessians,
            cells[0],
            cells[1],
            ratios.join(", "),
            fit.pareto_k().map_or("exact".into(), |k| format!("{k:.2}"))
        );
    }
    Ok(())
}

/// The data and the exact posterior of `groups` groups, written to `examples/data/`.
fn write_case(groups: usize) -> Result<(), Box<dyn Error>> {
    let (y, group) = data(groups, PER_GROUP);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");
    let mut csv = String::from("group,y\n");
    for (g, v) in group.iter().zip(&y) {
        csv.push_str(&format!("{g},{v:?}\n"));
    }
    std::fs::write(format!("{dir}/hierarchical.csv"), csv)?;
    let [mu, tau] = exact(&y, &group, groups);
    let mut labels = vec!["mu".to_string(), "tau".to_string()];
    let mut moments = vec![mu, tau];
    for (g, m) in exact_effects(&y, &group, groups).into_iter().enumerate() {
        labels.push(format!("theta[{g}]"));
        moments.push(m);
    }
    let json = serde_json::json!({
        "model": "hierarchical",
        "model_note": "centred: mu ~ Normal(0, 10), tau ~ HalfNormal(5), theta[g] ~ Normal(mu, tau), y ~ Normal(theta[group], 1)",
        "data": "examples/data/hierarchical.csv",
        "reference": "exact, by quadrature over (mu, tau) on an 801 x 801 grid (examples/scale_hierarchical.rs --write)",
        "labels": labels,
        "flat": {
            "mean": moments.iter().map(|m| m.0).collect::<Vec<_>>(),
            "sd": moments.iter().map(|m| m.1).collect::<Vec<_>>(),
        },
    });
    std::fs::write(
        format!("{dir}/hierarchical.json"),
        serde_json::to_string_pretty(&json)?,
    )?;
    println!("wrote {dir}/hierarchical.csv and hierarchical.json ({groups} groups)");
    Ok(())
}
