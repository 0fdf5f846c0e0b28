//! Fits over MPI ranks (feature `mpi`) give the single-process fit.
//!
//! This binary is its own driver and worker (`harness = false`). Run plainly (by `cargo
//! test`), it fits each case in one process, then starts itself under `mpirun -n 1`, `-n 2`
//! and `-n 3` as a worker, where every rank fits its shard with `Ngvi::mpi` and rank 0
//! prints the posterior; the driver compares:
//!
//! - the Beta–Bernoulli coin (conjugate, exact in one step) with the closed form and with
//!   the single-process fit to 1e-12;
//! - logistic regression (non-conjugate) with the single-process fit to 1e-9 posterior sd
//!   (bit for bit with one rank): the ranks add their partial sums in a different grouping
//!   from one process's chunk-after-chunk sum, a relative change of order 1e-16 · (number of
//!   chunks) in each target, which the engine's fixed-point iteration carries through
//!   without amplifying it by more than its contraction allows;
//! - two flips on three ranks, one rank with an empty shard, exact;
//! - bad data on the last rank: every rank stops with an error, rank 0 with
//!   `OnAnotherRank` (no rank waits forever);
//! - a fit over the ranks started on another thread than the one that joined them: an
//!   error (`RanksOffThread`) on every rank, no MPI call from that thread.

use std::collections::BTreeMap;
use std::process::Command;

use ngvi::mpi::{self, Communicator};
use ngvi::prelude::*;
use ngvi::ModelErrorKind;

model! {
    fn coin(y: &[f64]) {
        sample p ~ Beta(1.0, 1.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

model! {
    fn logistic(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 5.0);
        sample w[x.ncols()] ~ Normal(0.0, 2.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(sigmoid(b + dot(x.row(i).iter(), w)));
        }
    }
}

/// Set in the environment of the workers `mpirun` starts.
const WORKER: &str = "NGVI_MPI_TEST_WORKER";
const SEED: u64 = 17;
const FLIPS: usize = 1000;
const ROWS: usize = 3000;
/// The largest difference, in posterior sd, between a logistic fit over ranks and the
/// single-process fit.
const LOGISTIC_TOL: f64 = 1e-9;

/// Coin flips: 1 for every third.
fn flips(n: usize) -> Vec<f64> {
    (0..n).map(|i| f64::from(i % 3 == 0)).collect()
}

/// Row `i` of the logistic data (3 predictors and the outcome), from `i` alone, so that a
/// rank makes its own rows.
fn logistic_row(i: usize) -> ([f64; 3], f64) {
    // a small integer hash → uniform numbers in (−1, 1)
    let u = |k: u64| {
        let mut h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ k.wrapping_mul(0xBF58_476D);
        h ^= h >> 31;
        h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 29;
        (h >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let x = [u(1), u(2), u(3)];
    let eta = 0.3 + x[0] - 2.0 * x[1] + 0.5 * x[2];
    let p = 1.0 / (1.0 + (-eta).exp());
    (x, f64::from((u(4) + 1.0) / 2.0 < p))
}

/// Rows `rows` of the logistic data.
fn logistic_data(rows: std::ops::Range<usize>) -> (DMatrix<f64>, Vec<f64>) {
    let data: Vec<_> = rows.map(logistic_row).collect();
    let x = DMatrix::from_fn(data.len(), 3, |i, j| data[i].0[j]);
    (x, data.iter().map(|r| r.1).collect())
}

/// Means and sds of the latents `names`, one line each.
type Posterior = BTreeMap<String, Vec<f64>>;

fn posterior(fit: &Fit, names: &[&str]) -> Posterior {
    let mut out = Posterior::new();
    for name in names {
        out.insert(format!("{name}.mean"), fit.mean(name).unwrap_or_default());
        out.insert(format!("{name}.sd"), fit.sd(name).unwrap_or_default());
    }
    out
}

/// The cases, on the rows `rows(len)` of each data set; `fit` fits a model.
fn cases(
    rows: impl Fn(usize) -> std::ops::Range<usize>,
    fit: impl Fn(&dyn Fn(Ngvi) -> Result<Fit, Error>) -> Result<Fit, Error>,
) -> Vec<(String, Result<Posterior, ModelErrorKind>)> {
    let mut out = Vec::new();
    let mut report = |name: &str, r: Result<Fit, Error>, names: &[&str]| {
        out.push((
            name.to_string(),
            match r {
                Ok(f) => Ok(posterior(&f, names)),
                Err(Error::Model(e)) => Err(e.kind),
                Err(e) => panic!("{name}: {e}"),
            },
        ));
    };
    let y = flips(FLIPS);
    let mine = &y[rows(FLIPS)];
    report("coin", fit(&|n| n.fit(&coin(mine))), &["p"]);
    let two = flips(2);
    let mine = &two[rows(2)];
    report("coin_2", fit(&|n| n.fit(&coin(mine))), &["p"]);
    let (x, y) = logistic_data(rows(ROWS));
    report("logistic", fit(&|n| n.fit(&logistic(&x, &y))), &["b", "w"]);
    let mut bad = flips(10);
    bad[9] = 2.0;
    let mine = &bad[rows(10)];
    report("bad_data", fit(&|n| n.fit(&coin(mine))), &["p"]);
    out
}

fn builder() -> Ngvi {
    Ngvi::new().seed(SEED).threads(1)
}

/// A worker: every rank fits its shards and prints `rank case key value…` lines.
fn worker() -> Result<(), Box<dyn std::error::Error>> {
    let universe = mpi::initialize()?;
    let world = universe.world();
    let results = cases(|len| mpi::shard(len, &world), |f| f(builder().mpi(&world)));
    let rank = world.rank();
    for (case, r) in results {
        match r {
            Ok(post) => {
                for (key, values) in post {
                    let v: Vec<String> = values.iter().map(|x| format!("{x:?}")).collect();
                    println!("{rank} {case} {key} {}", v.join(" "));
                }
            }
            Err(kind) => println!("{rank} {case} error {kind:?}"),
        }
    }
    let ngvi = builder().mpi(&world);
    let y = flips(FLIPS);
    let mine = &y[mpi::shard(FLIPS, &world)];
    let elsewhere = std::thread::scope(|s| s.spawn(|| ngvi.fit(&coin(mine))).join());
    match elsewhere {
        Ok(Err(Error::Model(e))) => println!("{rank} off_thread error {:?}", e.kind),
        Ok(Err(e)) => println!("{rank} off_thread error {e}"),
        Ok(Ok(_)) => println!("{rank} off_thread fitted"),
        Err(_) => println!("{rank} off_thread panicked"),
    }
    Ok(())
}

/// What each rank of `mpirun -n ranks` printed, case by case.
fn run_ranks(ranks: usize) -> Result<Vec<BTreeMap<String, String>>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let version = Command::new("mpirun")
        .arg("--version")
        .output()
        .map_err(|e| format!("mpirun could not start ({e}): install Open MPI or MPICH"))?;
    let mut cmd = Command::new("mpirun");
    if String::from_utf8_lossy(&version.stdout).contains("Open MPI") {
        cmd.args(["--allow-run-as-root", "--oversubscribe"]);
    }
    let out = cmd
        .args(["-n", &ranks.to_string()])
        .arg(exe)
        .env(WORKER, "1")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "mpirun -n {ranks} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut by_rank = vec![BTreeMap::new(); ranks];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut words = line.splitn(4, ' ');
        if let (Some(r), Some(case), Some(key), Some(values)) =
            (words.next(), words.next(), words.next(), words.next())
        {
            if let Some(m) = r.parse().ok().and_then(|r: usize| by_rank.get_mut(r)) {
                m.insert(format!("{case} {key}"), values.to_string());
            }
        }
    }
    Ok(by_rank)
}

/// The single-process results, in the workers' format.
fn single_process() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (case, r) in cases(|len| 0..len, |f| f(builder())) {
        match r {
            Ok(post) => {
                for (key, values) in post {
                    let v: Vec<String> = values.iter().map(|x| format!("{x:?}")).collect();
                    out.insert(format!("{case} {key}"), v.join(" "));
                }
            }
            Err(kind) => {
                out.insert(format!("{case} error"), format!("{kind:?}"));
            }
        }
    }
    out
}

fn parse(values: &str) -> Vec<f64> {
    values
        .split(' ')
        .map(|v| v.parse().unwrap_or(f64::NAN))
        .collect()
}

/// The largest |a − b| / scale over the components of `key`.
fn worst(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>, key: &str, scale: f64) -> f64 {
    let (Some(x), Some(y)) = (a.get(key), b.get(key)) else {
        return f64::INFINITY;
    };
    let (x, y) = (parse(x), parse(y));
    if x.len() != y.len() {
        return f64::INFINITY;
    }
    x.iter()
        .zip(&y)
        .map(|(p, q)| (p - q).abs() / scale)
        .fold(0.0, f64::max)
}

/// The checks of one `mpirun -n ranks` run against the single-process fit.
fn check(ranks: usize, single: &BTreeMap<String, String>) -> Vec<(String, Result<String, String>)> {
    let name = |what: &str| format!("{ranks} rank(s): {what}");
    let all = match run_ranks(ranks) {
        Ok(g) => g,
        Err(e) => return vec![(name("mpirun"), Err(e))],
    };
    let got = &all[0];
    let mut out = Vec::new();
    let mut expect = |what: &str, ok: bool, detail: String| {
        out.push((name(what), if ok { Ok(detail) } else { Err(detail) }));
    };
    // (the bad-data case ends in a different error on the rank that holds the bad row)
    let fits = |m: &BTreeMap<String, String>| {
        m.iter()
            .filter(|(k, _)| !k.starts_with("bad_data"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    let same = all.iter().all(|m| fits(m) == fits(got));
    // (the case of a fit on another thread has no single-process line)
    let fitted = got.keys().filter(|k| !k.starts_with("off_thread")).count();
    expect(
        "every rank has the same fits, bit for bit",
        same && fitted == single.len(),
        format!("{fitted} fit lines on rank 0"),
    );
    // Beta(1 + 334, 1 + 666) for 1000 flips with every third a head
    let (a, b) = (1.0 + 334.0, 1.0 + 666.0);
    let exact_mean = a / (a + b);
    let exact_sd = (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt();
    for (key, value) in [("coin p.mean", exact_mean), ("coin p.sd", exact_sd)] {
        let v = got.get(key).map(|s| parse(s));
        let ok = v.as_deref().is_some_and(|v| (v[0] - value).abs() <= 1e-12);
        expect(key, ok, format!("{v:?} vs the exact {value}"));
        let d = worst(got, single, key, 1.0);
        expect(
            &format!("{key} as one process"),
            d <= 1e-12,
            format!("off by {d:e}"),
        );
    }
    let (a2, b2) = (2.0, 2.0);
    let v = got.get("coin_2 p.mean").map(|s| parse(s));
    let ok = v
        .as_deref()
        .is_some_and(|v| (v[0] - a2 / (a2 + b2)).abs() <= 1e-12);
    expect(
        "two flips (an empty shard on 3 ranks)",
        ok,
        format!("{v:?}"),
    );
    let sd = got
        .get("logistic w.sd")
        .map(|s| parse(s).into_iter().fold(f64::INFINITY, f64::min))
        .unwrap_or(f64::NAN);
    for key in [
        "logistic b.mean",
        "logistic w.mean",
        "logistic b.sd",
        "logistic w.sd",
    ] {
        let d = worst(got, single, key, sd);
        let tol = if ranks == 1 { 0.0 } else { LOGISTIC_TOL };
        expect(
            &format!("{key} within {tol:e} sd of one process"),
            d <= tol,
            format!(
                "off by {d:e} sd: {:?} vs {:?}",
                got.get(key),
                single.get(key)
            ),
        );
    }
    let err = got.get("bad_data error").cloned().unwrap_or_default();
    let want = if ranks == 1 {
        "OutsideSupport"
    } else {
        // the bad flip is row 9 of 10, on the last rank
        &format!("OnAnotherRank {{ plate: 0, rank: {} }}", ranks - 1)
    };
    expect(
        "bad data on the last rank: an error on rank 0",
        err.starts_with(want),
        format!("rank 0 printed {err:?}, expected {want}"),
    );
    let off = got.get("off_thread error").cloned().unwrap_or_default();
    expect(
        "a fit on another thread than the ranks': an error, no MPI call",
        off.starts_with("RanksOffThread { plate: 0 }"),
        format!("rank 0 printed {off:?}"),
    );
    out
}

fn main() {
    if std::env::var_os(WORKER).is_some() {
        if let Err(e) = worker() {
            eprintln!("worker: {e}");
            std::process::exit(1);
        }
        return;
    }
    let single = single_process();
    let (mut passed, mut failed) = (0, 0);
    for ranks in [1, 2, 3] {
        for (what, r) in check(ranks, &single) {
            match r {
                Ok(detail) => {
                    passed += 1;
                    println!("ok   {what} ({detail})");
                }
                Err(e) => {
                    failed += 1;
                    println!("FAIL {what}: {e}");
                }
            }
        }
    }
    println!("mpi: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
