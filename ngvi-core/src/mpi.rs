//! Data-parallel fits over MPI ranks (feature `mpi`, on the `mpi` crate, rsmpi).
//!
//! Every rank builds the model from its own shard of the plate's data ([`shard`] gives each
//! rank its contiguous rows), and fits it with the same builder, seed and options plus
//! [`Ngvi::mpi`](crate::Ngvi::mpi). Each plate's sum — its value, gradient and Hessian — is
//! added across the ranks once per evaluation, so every rank runs the same engine on the
//! whole data set and returns the same [`Fit`](crate::Fit); rank 0 should print it.
//! Everything outside the plates (priors, global latents, data outside a plate) is computed
//! on every rank alike, and must not differ between ranks.
//!
//! The facade's `ngvi::mpi` documentation has a complete program, to run with
//! `mpirun -n 2 PROGRAM`. A rank may hold no rows. With
//! one rank the fit equals the plain one to the bit; with more, the plate's sum is added in
//! a different grouping (each rank's chunks, then the ranks in order), which moves a fit
//! by rounding only. `Ngvi::minibatch` and `Ngvi::mpi` do not combine.

use std::ops::Range;

/// The `mpi` crate (rsmpi) this feature is built on, for what this module does not
/// re-export.
pub use ::mpi as rsmpi;
pub use ::mpi::environment::Universe;
pub use ::mpi::topology::SimpleCommunicator;
pub use ::mpi::traits::Communicator;

/// MPI could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MpiError {
    /// `MPI_Init` had already been called in this process (rsmpi starts MPI once).
    #[error(
        "MPI is already initialized in this process: initialize it once and keep the Universe"
    )]
    AlreadyInitialized,
}

/// Start MPI (once per process); MPI stops when the returned [`Universe`] is dropped, so
/// keep it until the end of `main`.
pub fn initialize() -> Result<Universe, MpiError> {
    ::mpi::initialize().ok_or(MpiError::AlreadyInitialized)
}

/// This rank's rows of a data set of `len` rows: [`rows`] for the communicator's rank and
/// size.
pub fn shard<C: Communicator>(len: usize, comm: &C) -> Range<usize> {
    let index = |r: i32| usize::try_from(r).unwrap_or(0);
    rows(len, index(comm.rank()), index(comm.size()))
}

/// Rank `rank`'s contiguous rows when `len` rows are split across `size` ranks: the first
/// `len % size` ranks get one row more than the others; a rank gets no rows when `len <
/// size` and it is past the last row. An empty range for `size = 0` or `rank ≥ size`.
pub fn rows(len: usize, rank: usize, size: usize) -> Range<usize> {
    if rank >= size {
        return len..len;
    }
    let (base, extra) = (len / size, len % size);
    let start = rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}

#[cfg(test)]
mod tests {
    use super::rows;

    #[test]
    fn the_rows_of_the_ranks_cover_the_data_once_in_order() {
        for (len, size) in [(10, 3), (2, 3), (0, 2), (1_000_000, 2), (7, 1)] {
            let parts: Vec<_> = (0..size).map(|r| rows(len, r, size)).collect();
            assert_eq!(parts[0].start, 0);
            assert_eq!(parts[size - 1].end, len);
            for w in parts.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert!(w[0].len() >= w[1].len() && w[0].len() <= w[1].len() + 1);
            }
        }
        assert_eq!(rows(2, 2, 3), 2..2);
        assert_eq!(rows(5, 3, 2), 5..5);
    }
}
