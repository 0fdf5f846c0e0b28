//! Logistic regression on N simulated rows (default 10⁶) with D predictors (default 20)
//! spread across MPI ranks: each rank simulates its own shard of the rows (row i depends on
//! i alone, so the shards together are the one data set), and the fit sums the plate across
//! the ranks (feature `mpi`). Rank 0 prints the posterior and the time.
//!
//! ```text
//! cargo build --release --features mpi --example distributed_logistic
//! mpirun -n 2 target/release/examples/distributed_logistic [--rows N] [--predictors D] [--threads T] [--compare]
//! ```
//!
//! `--compare` also fits the whole data set in one process on rank 0 (after the distributed
//! fit) and prints the largest difference in posterior sd. `--threads T` sums each rank's
//! shard on T threads (default: one per core, on every rank). As root, Open MPI's `mpirun`
//! needs `--allow-run-as-root`; with more ranks than cores, `--oversubscribe`.

use std::time::Instant;

use ngvi::mpi::{self, Communicator};
use ngvi::prelude::*;

model! {
    fn logistic(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 5.0);
        sample w[x.ncols()] ~ Normal(0.0, 2.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(sigmoid(b + dot(x.row(i).iter(), w)));
        }
    }
}

/// A uniform number in [0, 1) from (row, column): a SplitMix64 step of a counter.
fn uniform(row: usize, column: usize) -> f64 {
    let mut z = (row as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((column as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The true weights: j/D − 0.5 for predictor j, intercept 0.3.
fn true_weight(j: usize, d: usize) -> f64 {
    j as f64 / d as f64 - 0.5
}

/// Rows `rows` of the data set: predictors uniform in [−1, 1], y ~ Bernoulli(σ(0.3 + x·w)).
fn simulate(rows: std::ops::Range<usize>, d: usize) -> (DMatrix<f64>, Vec<f64>) {
    let n = rows.len();
    let x = DMatrix::from_fn(n, d, |i, j| 2.0 * uniform(rows.start + i, j) - 1.0);
    let y = (0..n)
        .map(|i| {
            let eta = 0.3 + (0..d).map(|j| x[(i, j)] * true_weight(j, d)).sum::<f64>();
            f64::from(uniform(rows.start + i, d) < 1.0 / (1.0 + (-eta).exp()))
        })
        .collect();
    (x, y)
}

/// Command-line options.
struct Options {
    rows: usize,
    predictors: usize,
    threads: Option<usize>,
    compare: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        rows: 1_000_000,
        predictors: 20,
        threads: None,
        compare: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let v = args.next().ok_or(format!("{name} needs a number"))?;
            v.parse()
                .map_err(|_| format!("{name}: `{v}` is not a whole number"))
        };
        match a.as_str() {
            "--rows" => o.rows = number("--rows")?,
            "--predictors" => o.predictors = number("--predictors")?,
            "--threads" => o.threads = Some(number("--threads")?),
            "--compare" => o.compare = true,
            other => {
                return Err(format!(
                    "unknown option `{other}` (expected --rows N, --predictors D, --threads T, --compare)"
                ))
            }
        }
    }
    Ok(o)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = options()?;
    let universe = mpi::initialize()?;
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    let builder = match o.threads {
        Some(t) => Ngvi::new().seed(1).threads(t),
        None => Ngvi::new().seed(1),
    };

    let start = Instant::now();
    let (x, y) = simulate(mpi::shard(o.rows, &world), o.predictors);
    let simulated = start.elapsed();
    let fit = builder.clone().mpi(&world).fit(&logistic(&x, &y))?;
    let fitted = start.elapsed();
    if rank != 0 {
        return Ok(());
    }
    println!("{}", fit.summary());
    println!(
        "N = {}, D = {} (+ intercept), {size} rank(s): simulated the shard in {:.2} s, fit in {:.2} s ({} iterations)",
        o.rows,
        o.predictors,
        simulated.as_secs_f64(),
        (fitted - simulated).as_secs_f64(),
        fit.iterations()
    );
    let (b, w) = (
        fit.mean("b").ok_or("no b")?[0],
        fit.mean("w").ok_or("no w")?,
    );
    let worst = w
        .iter()
        .enumerate()
        .map(|(j, m)| (m - true_weight(j, o.predictors)).abs())
        .fold((b - 0.3).abs(), f64::max);
    println!("largest |posterior mean − true weight|: {worst:.4}");
    // One collective round per evaluation (one plate): 1 + n numbers for a value and
    // gradient, 1 + 2n with the Hessian's diagonal, 1 + n + n² with the Hessian, n = D + 1
    // latents in the Gaussian block.
    let (e, n) = (fit.evaluations(), o.predictors as u64 + 1);
    let bytes = 8
        * (e.values
            + e.gradients * (1 + n)
            + e.diagonals * (1 + 2 * n)
            + e.hessians * (1 + n + n * n));
    println!(
        "evaluations: {} values, {} gradients, {} Hessians; each rank sent {:.1} kB of plate sums ({} B per Hessian)",
        e.values,
        e.gradients,
        e.hessians,
        bytes as f64 / 1e3,
        8 * (1 + n + n * n)
    );

    if o.compare {
        let start = Instant::now();
        let (x, y) = simulate(0..o.rows, o.predictors);
        let single = builder.fit(&logistic(&x, &y))?;
        let mut diff: f64 = 0.0;
        for name in ["b", "w"] {
            let (m1, m2) = (fit.mean(name), single.mean(name));
            let (s1, s2) = (fit.sd(name), single.sd(name));
            if let (Some(m1), Some(m2), Some(s1), Some(s2)) = (m1, m2, s1, s2) {
                for k in 0..m1.len() {
                    diff = diff
                        .max((m1[k] - m2[k]).abs() / s2[k])
                        .max((s1[k] - s2[k]).abs() / s2[k]);
                }
            }
        }
        println!(
            "one process (rank 0, all rows): {:.2} s; largest difference in means and sds: {diff:.1e} posterior sd",
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
