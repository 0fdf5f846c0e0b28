//! Per-iteration cost against the dimension D: one NGVI sweep of a logistic regression
//! (N = 1000 simulated rows, D − 1 predictors and an intercept) for D = 5, 10, 20, 50, 100,
//! 200, with the full-rank Gaussian guide (the default) and with `Ngvi::diagonal(true)`.
//!
//! `cargo bench --bench dimension -- --warm-up-time 1 --measurement-time 3` — figures in
//! BENCHMARKS.md.
//!
//! What is timed is a sweep, not a fit: a fit also plans the guide, searches for the mode
//! (Newton steps with Hessians), measures k̂ on 4000 fresh draws — again on 16 000 and
//! 64 000 when k̂ is near 0.5–0.7, which at D = 100 or 200 costs more than ten sweeps — and
//! makes its posterior draws; and how many sweeps it makes depends on D and the guide. So
//! each fit is run with `tol = 0` (never converged) and `max_iters = 1 + k`, and the times
//! `Ngvi::on_iteration` reports at the end of each sweep are differenced: sweeps 2 ..= 1 + k
//! of the first phase, each one a natural-gradient target over the phase's fixed draws
//! (Stein: one gradient per draw), the step (a D × D factorisation for a full-rank block),
//! the ELBO of its line search on the same draws (one value per draw, more if the step is
//! shortened) and the convergence checks. The first sweep is left out: its interval holds
//! the planning and the mode search. The sweeps are measured a long fit at a time, inside
//! criterion's timed calls (`iter_custom`, so that its warm-up sees the fits' wall time), and
//! handed to its samples in order: the fixed cost of a fit is paid a few times per case,
//! not once per sample.
//!
//! Beside each case the evaluations of the log joint per timed sweep are printed (value,
//! gradient, Hessian), counted by a wrapper around the model and read at the end of each
//! sweep by the same callback.
//!
//! One thread (`Ngvi::threads(1)`), so that the curve is the algorithm's and not the
//! machine's load.

#[path = "../examples/common/mod.rs"]
mod common;

use std::any::type_name;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::nonconjugate::logistic_regression;
use common::synthetic::logistic_data;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use ngvi::prelude::*;
use ngvi::{Latent, LatentUse, PlateInfo, Plates};

/// Rows of the simulated data.
const ROWS: usize = 1000;
/// The dimensions D of the latent vector (intercept and D − 1 weights).
const DIMS: [usize; 6] = [5, 10, 20, 50, 100, 200];
/// Timed sweeps of the first fit of a case: at D = 200 (a second a sweep), enough for
/// criterion's warm-up and ten samples.
const FIRST_FIT_SWEEPS: usize = 15;
/// Sweep time a later fit of a case is sized for.
const REFILL_TIME: Duration = Duration::from_secs(3);
/// Most timed sweeps of one fit.
const MAX_FIT_SWEEPS: usize = 2000;

/// Evaluations of the log joint so far: values (`f64`), gradients (`Dual`), Hessians
/// (`Dual2`).
type Counts = Arc<[AtomicU64; 3]>;

/// A model whose evaluations are counted by kind.
struct Counted<'m, M> {
    model: &'m M,
    counts: Counts,
}

impl<M> Counted<'_, M> {
    fn count<S>(&self) {
        let kind = match type_name::<S>() {
            t if t == type_name::<f64>() => 0,
            t if t == type_name::<Dual>() => 1,
            _ => 2,
        };
        self.counts[kind].fetch_add(1, Ordering::Relaxed);
    }
}

impl<M: Model> Model for Counted<'_, M> {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        self.model.latents()
    }
    fn uses(&self) -> Vec<LatentUse> {
        self.model.uses()
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        self.count::<S>();
        self.model.log_joint(z)
    }
    fn log_joint_in<S: Scalar>(&self, z: &[S], plates: &dyn Plates<S>) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        self.count::<S>();
        self.model.log_joint_in(z, plates)
    }
    fn plates(&self) -> Vec<PlateInfo> {
        self.model.plates()
    }
    fn dim(&self) -> Result<usize, ModelError> {
        self.model.dim()
    }
    fn tracked(&self, z: &[f64]) -> Result<Vec<(&'static str, Vec<f64>)>, ModelError> {
        self.model.tracked(z)
    }
}

/// The builder of the fits: one thread, never converged, few posterior draws (they are not
/// looked at).
fn builder(diagonal: bool) -> Ngvi {
    Ngvi::new()
        .threads(1)
        .tol(0.0)
        .draws(100)
        .diagonal(diagonal)
}

/// One timed sweep: its time and its evaluations (value, gradient, Hessian).
struct Sweep {
    time: Duration,
    evaluations: [u64; 3],
}

/// Sweeps 2 ..= 1 + `timed` of one fit (fewer if its first phase stops before).
fn sweeps<M: Model>(ngvi: &Ngvi, model: &M, timed: usize) -> Vec<Sweep> {
    let counts: Counts = Arc::default();
    let counted = Counted {
        model,
        counts: Arc::clone(&counts),
    };
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    ngvi.clone()
        .max_iters(1 + timed)
        .on_iteration(move |info| {
            let now = counts.each_ref().map(|c| c.load(Ordering::Relaxed));
            if let Ok(mut v) = sink.lock() {
                v.push((info.phase, info.elapsed, now));
            }
        })
        .fit(&counted)
        .expect("the logistic fit runs");
    let ends = log.lock().map(|v| v.clone()).unwrap_or_default();
    ends.windows(2)
        .filter(|w| w[0].0 == 1 && w[1].0 == 1)
        .map(|w| Sweep {
            time: w[1].1 - w[0].1,
            evaluations: [0, 1, 2].map(|k| w[1].2[k] - w[0].2[k]),
        })
        .collect()
}

/// The sweeps of one case, measured a fit at a time and handed out in order.
struct Pool<'m, M: Model> {
    case: String,
    ngvi: Ngvi,
    model: &'m M,
    ready: VecDeque<Duration>,
    /// Sweeps measured so far and their total time.
    measured: usize,
    total: Duration,
}

impl<M: Model> Pool<'_, M> {
    /// The total time of the next `n` sweeps, measuring more when too few are left.
    fn take(&mut self, n: usize) -> Duration {
        while self.ready.len() < n {
            let want = if self.measured == 0 {
                FIRST_FIT_SWEEPS
            } else {
                let mean = self.total.as_secs_f64() / self.measured as f64;
                (REFILL_TIME.as_secs_f64() / mean).ceil() as usize
            };
            let fit = sweeps(
                &self.ngvi,
                self.model,
                want.max(n - self.ready.len()).min(MAX_FIT_SWEEPS),
            );
            assert!(
                !fit.is_empty(),
                "{}: the fit stopped at its first sweep",
                self.case
            );
            if self.measured == 0 {
                let k = fit.len() as f64;
                let [v, g, h] =
                    [0, 1, 2].map(|j| fit.iter().map(|s| s.evaluations[j]).sum::<u64>() as f64 / k);
                println!(
                    "{}: per sweep {v:.1} value, {g:.1} gradient, {h:.1} Hessian evaluations \
                     of the log joint ({ROWS} rows), mean of {} sweeps",
                    self.case,
                    fit.len()
                );
            }
            self.measured += fit.len();
            self.total += fit.iter().map(|s| s.time).sum::<Duration>();
            self.ready.extend(fit.iter().map(|s| s.time));
        }
        self.ready.drain(..n).sum()
    }
}

fn dimension(c: &mut Criterion) {
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    for d in DIMS {
        let (x, y) = logistic_data(ROWS, d - 1);
        let model = logistic_regression(&x, &y);
        for (diagonal, guide) in [(false, "full-rank"), (true, "diagonal")] {
            let mut pool = Pool {
                case: format!("D = {d}, {guide}"),
                ngvi: builder(diagonal),
                model: &model,
                ready: VecDeque::new(),
                measured: 0,
                total: Duration::ZERO,
            };
            g.bench_function(BenchmarkId::new(guide, d), |b| {
                b.iter_custom(|iters| pool.take(usize::try_from(iters).unwrap_or(usize::MAX)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, dimension);
criterion_main!(benches);
