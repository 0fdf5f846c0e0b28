//! The engine's reducer: every term of every plate, or a minibatch of each plate scaled up
//! to its size (stochastic NGVI); the chunks over threads with the `rayon` feature.

use std::ops::Range;
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::linear::Expectations;
use super::{at_point, chunks, sum_in_order, Chunk, Density, Plates, Term, CHUNK};
use crate::ad::Scalar;
use crate::engine::stream_seed;
use crate::error::{Error, ModelError};

/// How the engine sums a model's plates.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reducer {
    /// Where the chunks are summed.
    pub(crate) threads: Threads,
    /// A minibatch of every plate larger than the batch, or every term.
    pub(crate) subsample: Option<Subsample>,
    /// The MPI ranks each plate's sum is added across, each rank holding a shard of the data.
    #[cfg(feature = "mpi")]
    pub(crate) ranks: Option<super::Ranks>,
    /// What an observe read through one parameter (`Plates::linear`) contributes.
    pub(crate) linear: Linear,
}

/// What `Plates::linear` gives for an observe that reads the latents through one parameter.
#[derive(Debug, Clone, Default)]
pub(crate) enum Linear {
    /// Its log density at the point.
    #[default]
    AtPoint,
    /// Its expectation under a Gaussian of the variables (4.5e).
    Expected(Arc<Expectations>),
    /// Nothing: the log joint without these observes, "the rest".
    Left,
}

/// A minibatch: `batch` indices of each plate, drawn without replacement from a stream
/// that depends on (seed, plate, step) only, so that every evaluation of one step sees the
/// same batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Subsample {
    pub(crate) batch: usize,
    pub(crate) seed: u64,
    pub(crate) step: u64,
}

impl Subsample {
    /// The batch's indices in `range`, ascending.
    fn indices(&self, plate: usize, range: &Range<usize>) -> Vec<usize> {
        let stream = stream_seed(stream_seed(self.seed, plate as u64), self.step);
        let mut rng = StdRng::seed_from_u64(stream);
        let mut picked = rand::seq::index::sample(&mut rng, range.len(), self.batch).into_vec();
        picked.sort_unstable();
        picked.into_iter().map(|i| range.start + i).collect()
    }
}

impl<S: Scalar> Plates<S> for Reducer {
    fn sum(&self, plate: usize, range: Range<usize>, term: &Term<'_, S>) -> Result<S, ModelError> {
        let local = self.local_sum(plate, range, term);
        #[cfg(feature = "mpi")]
        if let Some(ranks) = &self.ranks {
            return ranks.sum(plate, local);
        }
        local
    }

    fn linear(&self, eta: S, density: Density<'_>) -> Result<S, ModelError> {
        match &self.linear {
            Linear::AtPoint => at_point(eta, density),
            Linear::Expected(q) => q.expect(eta, density),
            Linear::Left => Ok(S::constant(0.0)),
        }
    }
}

impl Reducer {
    /// `f` of each item, in order: over the threads, each item on one of them (a log joint
    /// evaluated whole at each of many points); in turn on this thread in a fit over MPI
    /// ranks, whose every evaluation is a collective call.
    pub(crate) fn map<T: Sync, R: Send>(&self, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
        #[cfg(feature = "mpi")]
        if self.ranks.is_some() {
            return items.iter().map(f).collect();
        }
        self.threads.map(items, f)
    }

    /// Whether the plates are summed in this process alone (not across MPI ranks).
    pub(crate) fn is_local(&self) -> bool {
        #[cfg(feature = "mpi")]
        if self.ranks.is_some() {
            return false;
        }
        true
    }

    /// The same reducer, with `linear` for the observes read through one parameter.
    pub(crate) fn with_linear(&self, linear: Linear) -> Reducer {
        Reducer {
            linear,
            ..self.clone()
        }
    }

    /// Runs `op` where the plates' chunks are summed: on a thread of the pool, so that
    /// each sum's chunks are shared out by work stealing rather than handed over from
    /// outside the pool and waited for (which cost about 80 µs a sum). A fit over MPI
    /// ranks stays on the calling thread, the one its collective calls are made from.
    pub(crate) fn install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        #[cfg(feature = "mpi")]
        if self.ranks.is_some() {
            return op();
        }
        self.threads.install(op)
    }

    /// This process's sum of the plate: every term, or the minibatch scaled up.
    fn local_sum<S: Scalar>(
        &self,
        plate: usize,
        range: Range<usize>,
        term: &Term<'_, S>,
    ) -> Result<S, ModelError> {
        match self.subsample {
            Some(s) if range.len() > s.batch => {
                let picked = s.indices(plate, &range);
                let groups: Vec<&[usize]> = picked.chunks(CHUNK).collect();
                let sums = self
                    .threads
                    .sums(plate, &groups, |g| term(Chunk::Picked(g)))?;
                // Σ over the batch × n / b: the plate's sum in expectation
                Ok(sum_in_order(sums) * (range.len() as f64 / s.batch as f64))
            }
            _ => {
                let sums = self
                    .threads
                    .sums(plate, &chunks(range), |c| term(Chunk::Run(c.clone())))?;
                Ok(sum_in_order(sums))
            }
        }
    }
}

/// The time a plate's chunks must take on one thread for them to be shared out.
#[cfg(feature = "rayon")]
const SHARED_WORK: std::time::Duration = std::time::Duration::from_micros(200);

/// Whether `n` chunks of time `chunk` each are worth sharing out.
#[cfg(feature = "rayon")]
fn is_shared(chunk: std::time::Duration, n: usize) -> bool {
    chunk.saturating_mul(u32::try_from(n).unwrap_or(u32::MAX)) >= SHARED_WORK
}

/// The threads that sum a plate's chunks: rayon's global pool, or a pool of a set size;
/// with how long one chunk of each plate took, per scalar type, when last timed.
#[cfg(feature = "rayon")]
#[derive(Debug, Clone, Default)]
pub(crate) struct Threads {
    pool: Option<Arc<rayon::ThreadPool>>,
    chunk_times: Arc<std::sync::Mutex<ChunkTimes>>,
}

/// The time of one chunk by plate and scalar type.
#[cfg(feature = "rayon")]
type ChunkTimes = std::collections::HashMap<(usize, std::any::TypeId), std::time::Duration>;

#[cfg(feature = "rayon")]
impl Threads {
    /// `n` threads, or rayon's global pool (one per core) for `None`.
    pub(crate) fn new(n: Option<usize>) -> Result<Threads, Error> {
        let Some(n) = n else {
            return Ok(Threads::default());
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(|pool| Threads {
                pool: Some(Arc::new(pool)),
                ..Threads::default()
            })
            .map_err(|e| Error::InvalidOption {
                option: "threads",
                value: format!("{n} ({e})"),
                expected: "a number of threads the system can start",
            })
    }

    /// `f` of each item, in order, the items shared out over the threads.
    fn map<T: Sync, R: Send>(&self, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
        use rayon::prelude::*;
        self.run(|| items.par_iter().map(&f).collect())
    }

    /// Runs `op` on a thread of the pool (on this one when it is already the pool's).
    fn install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(op),
            None => rayon::scope(|_| op()),
        }
    }

    /// Runs `op` in the pool of a set size, or where it is called for the global pool.
    fn run<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(op),
            None => op(),
        }
    }

    /// The chunk times, whatever a thread that panicked holding them left.
    fn chunk_times(&self) -> std::sync::MutexGuard<'_, ChunkTimes> {
        self.chunk_times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long one chunk of a plate took, in one scalar type, when last timed.
    fn chunk_time(&self, key: (usize, std::any::TypeId)) -> Option<std::time::Duration> {
        self.chunk_times().get(&key).copied()
    }

    /// Each of plate `plate`'s chunk sums, in chunk order (the order, not the threads, fixes
    /// the bits). Waking a second thread on a loaded machine can cost more than a small
    /// sum, so the chunks are shared out only when they would take more than
    /// [`SHARED_WORK`] on one thread: by the time a chunk took when last timed, or else by
    /// the first chunk, summed and timed on this thread.
    fn sums<C: Sync, S: Scalar>(
        &self,
        plate: usize,
        chunks: &[C],
        sum: impl Fn(&C) -> Result<S, ModelError> + Sync,
    ) -> Result<Vec<S>, ModelError> {
        use rayon::prelude::*;
        let key = (plate, std::any::TypeId::of::<S>());
        if self
            .chunk_time(key)
            .is_some_and(|t| is_shared(t, chunks.len()))
        {
            return self.run(|| chunks.par_iter().map(&sum).collect());
        }
        let Some((first, rest)) = chunks.split_first() else {
            return Ok(Vec::new());
        };
        let started = std::time::Instant::now();
        let head = sum(first)?;
        let took = started.elapsed();
        self.chunk_times().insert(key, took);
        let tail: Vec<S> = if is_shared(took, rest.len()) {
            self.run(|| rest.par_iter().map(&sum).collect::<Result<_, _>>())?
        } else {
            rest.iter().map(&sum).collect::<Result<_, _>>()?
        };
        Ok(std::iter::once(head).chain(tail).collect())
    }
}

/// Without the `rayon` feature: the calling thread.
#[cfg(not(feature = "rayon"))]
#[derive(Debug, Clone, Default)]
pub(crate) struct Threads;

#[cfg(not(feature = "rayon"))]
impl Threads {
    /// One thread; more need the `rayon` feature.
    pub(crate) fn new(n: Option<usize>) -> Result<Threads, Error> {
        match n {
            None | Some(1) => Ok(Threads),
            Some(n) => Err(Error::InvalidOption {
                option: "threads",
                value: n.to_string(),
                expected: "1: more threads need the `rayon` feature",
            }),
        }
    }

    /// `f` of each item, in order.
    fn map<T: Sync, R: Send>(&self, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
        items.iter().map(f).collect()
    }

    /// Runs `op` on this thread.
    fn install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        op()
    }

    /// Each of a plate's chunk sums, in chunk order.
    fn sums<C: Sync, S: Scalar>(
        &self,
        _plate: usize,
        chunks: &[C],
        sum: impl Fn(&C) -> Result<S, ModelError> + Sync,
    ) -> Result<Vec<S>, ModelError> {
        chunks.iter().map(sum).collect()
    }
}

#[cfg(all(test, feature = "rayon"))]
mod tests {
    use std::collections::HashSet;
    use std::sync::Mutex;
    use std::thread::{self, ThreadId};
    use std::time::Duration;

    use super::Threads;
    use crate::error::ModelError;

    /// Eight chunk sums of plate 0 (each its index), each after `pause`, with the thread
    /// that summed each chunk.
    fn summed(threads: &Threads, pause: Duration) -> (Vec<f64>, Vec<ThreadId>) {
        let by = Mutex::new(vec![None; 8]);
        let chunks: Vec<usize> = (0..8).collect();
        let sums = threads
            .sums(0, &chunks, |&c| -> Result<f64, ModelError> {
                thread::sleep(pause);
                by.lock().expect("not poisoned")[c] = Some(thread::current().id());
                Ok(c as f64)
            })
            .expect("no chunk fails");
        let by = by.into_inner().expect("not poisoned");
        (sums, by.into_iter().flatten().collect())
    }

    fn in_order() -> Vec<f64> {
        (0..8).map(f64::from).collect()
    }

    #[test]
    fn quick_chunks_stay_on_the_calling_thread() {
        let threads = Threads::new(Some(2)).expect("two threads");
        for _ in 0..2 {
            let (sums, by) = summed(&threads, Duration::ZERO);
            assert_eq!(sums, in_order());
            assert!(by.iter().all(|&t| t == thread::current().id()), "{by:?}");
        }
    }

    #[test]
    fn slow_chunks_are_shared_out_and_kept_in_order() {
        let threads = Threads::new(Some(2)).expect("two threads");
        // 7 × 5 ms left after the first: far over SHARED_WORK, time enough for a steal.
        let (sums, by) = summed(&threads, Duration::from_millis(5));
        assert_eq!(sums, in_order());
        assert_eq!(by[0], thread::current().id());
        // The calling thread and both of the pool's.
        let threads_used: HashSet<_> = by.iter().collect();
        assert_eq!(threads_used.len(), 3, "{by:?}");
        // Known to be slow, the plate is shared out from its first chunk the next time.
        let (sums, by) = summed(&threads, Duration::from_millis(5));
        assert_eq!(sums, in_order());
        assert!(by.iter().all(|&t| t != thread::current().id()), "{by:?}");
    }
}
