//! A plate's sum across MPI ranks (feature `mpi`): every rank sums its own shard's terms in
//! the fixed chunks, then the ranks' sums are added in rank order on rank 0 and sent back,
//! so that every rank holds the same bits (docs/design.md §8).

use std::fmt;
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::thread::{self, ThreadId};

use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

use crate::ad::{Parts, Scalar, SecondKind};
use crate::error::{ModelError, ModelErrorKind};

/// The ranks a fit's plates are summed across: a duplicate of the user's communicator, so
/// that the fit's messages never meet the user's.
#[derive(Clone)]
pub(crate) struct Ranks(Arc<Comm>);

/// The duplicated communicator, used only on the thread that made it (MPI is initialised
/// for one thread): a fit over ranks runs there (`Reducer::install`), and a `Ranks` reached
/// from another thread gives an error instead of calling MPI. It is freed when the last
/// `Ranks` is dropped on that thread; elsewhere, or once MPI is finalized, it is left to MPI.
struct Comm {
    comm: ManuallyDrop<SimpleCommunicator>,
    owner: ThreadId,
    rank: usize,
    size: usize,
}

// SAFETY: the communicator is touched only through `Comm::on_owner`, which gives it out on
// the thread that made it and nowhere else, and by `drop` on that thread only.
unsafe impl Send for Comm {}
unsafe impl Sync for Comm {}

impl Comm {
    fn on_owner(&self) -> Option<&SimpleCommunicator> {
        (thread::current().id() == self.owner).then_some(&*self.comm)
    }
}

impl Drop for Comm {
    fn drop(&mut self) {
        if self.on_owner().is_some() && !mpi::environment::is_finalized() {
            // SAFETY: dropped once, here, on the thread that made it.
            unsafe { ManuallyDrop::drop(&mut self.comm) }
        }
    }
}

impl fmt::Debug for Ranks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ranks({} of {})", self.rank(), self.size())
    }
}

impl Ranks {
    /// The ranks of `comm` (a collective call: every rank of `comm` makes it).
    pub(crate) fn new<C: Communicator>(comm: &C) -> Ranks {
        Ranks(Arc::new(Comm {
            comm: ManuallyDrop::new(comm.duplicate()),
            owner: thread::current().id(),
            rank: rank_index(comm.rank()),
            size: rank_index(comm.size()),
        }))
    }

    /// The number of ranks.
    pub(crate) fn size(&self) -> usize {
        self.0.size
    }

    /// This process's rank.
    pub(crate) fn rank(&self) -> usize {
        self.0.rank
    }

    /// Σ over ranks of each rank's `local` sum of plate number `plate`, the same on every
    /// rank; or, when a rank's terms failed, its error there and `OnAnotherRank` elsewhere.
    ///
    /// Three collective calls: the ranks agree on the layout (the number of variables, which
    /// second derivatives: a rank without terms holds a constant) and on failure (a max); rank 0
    /// gathers the dense parts and adds them in rank order; it broadcasts the sum.
    pub(crate) fn sum<S: Scalar>(
        &self,
        plate: usize,
        local: Result<S, ModelError>,
    ) -> Result<S, ModelError> {
        let Some(comm) = self.0.on_owner() else {
            return Err(off_thread(plate));
        };
        let (rank, size) = (self.rank(), self.size());
        let parts = local.map(|s| s.to_parts());
        // [n, second derivatives held, size − (lowest failed rank)] so that a max finds each
        let header: [u64; 3] = match &parts {
            Ok(p) => [p.n as u64, p.second.kind() as u64, 0],
            Err(_) => [0, 0, (size - rank) as u64],
        };
        let mut agreed = [0_u64; 3];
        comm.all_reduce_into(&header[..], &mut agreed[..], SystemOperation::max());
        if agreed[2] > 0 {
            let failed = size - agreed[2] as usize;
            return Err(parts
                .err()
                .unwrap_or_else(|| on_another_rank(plate, failed)));
        }
        let (n, kind) = (agreed[0] as usize, SecondKind::from_code(agreed[1]));
        // no rank failed, this one included
        let mine = parts?.widened(n, kind).to_buffer();
        let len = Parts::buffer_len(n, kind);
        let root = comm.process_at_rank(0);
        let mut total = vec![0.0; len];
        if rank == 0 {
            let mut all = vec![0.0; len * size];
            root.gather_into_root(&mine[..], &mut all[..]);
            for part in all.chunks_exact(len) {
                total.iter_mut().zip(part).for_each(|(t, x)| *t += x);
            }
        } else {
            root.gather_into(&mine[..]);
        }
        root.broadcast_into(&mut total[..]);
        Ok(S::from_parts(Parts::from_buffer(n, kind, &total)))
    }
}

/// An MPI rank or size (an `i32`, never negative) as an index.
fn rank_index(r: i32) -> usize {
    usize::try_from(r).unwrap_or(0)
}

/// The error of a sum asked for on a thread other than the one that joined the ranks.
fn off_thread(plate: usize) -> ModelError {
    ModelError {
        statement: "for ... in plate(..)",
        line: 0,
        variable: String::new(),
        index: Vec::new(),
        kind: ModelErrorKind::RanksOffThread { plate },
    }
}

/// The error of a rank whose own terms of `plate` were fine while rank `rank`'s failed.
fn on_another_rank(plate: usize, rank: usize) -> ModelError {
    ModelError {
        statement: "for ... in plate(..)",
        line: 0,
        variable: String::new(),
        index: Vec::new(),
        kind: ModelErrorKind::OnAnotherRank { plate, rank },
    }
}
