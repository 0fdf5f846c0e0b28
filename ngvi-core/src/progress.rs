//! Progress of a fit: what each NGVI sweep reports ([`IterationInfo`]) to the callback given
//! with `Ngvi::on_iteration`, and, with the `progress` feature, a spinner on the terminal
//! for fits that last longer than a moment.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one sweep over the blocks did, as reported to `Ngvi::on_iteration`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct IterationInfo {
    /// Sweeps so far in the whole fit, from 1; [`Fit::iterations`](crate::Fit::iterations)
    /// at the end. A phase that fails at the mode and is restarted from the prior-centred
    /// guide is counted here but not in the fit.
    pub iteration: usize,
    /// The fixed-draw phase (from 1; an exact fit has one): each phase draws a fresh set of
    /// points and iterates on it (docs/design.md §4).
    pub phase: usize,
    /// The ELBO on the phase's fixed draws after the sweep.
    pub elbo: f64,
    /// ‖λ_new − λ_old‖ / max(1, ‖λ_old‖) / ρ, the largest over the blocks: the fit stops
    /// when it falls below `tol`.
    pub change: f64,
    /// The full step ρ₀ (`step_size`, default 1). A block's line search starts at twice the
    /// step it last took, at most ρ₀, and may shorten it; those steps are in `Fit::notes`.
    pub step_size: f64,
    /// Time since `Ngvi::fit` was called.
    pub elapsed: Duration,
}

/// The callback of `Ngvi::on_iteration`.
#[derive(Clone)]
pub(crate) struct OnIteration(pub(crate) Arc<dyn Fn(&IterationInfo) + Send + Sync>);

impl fmt::Debug for OnIteration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnIteration(..)")
    }
}

/// The engine's side: counts sweeps and phases, calls the callback, draws the spinner.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    callback: Option<OnIteration>,
    start: Instant,
    iteration: Cell<usize>,
    phase: Cell<usize>,
    #[cfg(feature = "progress")]
    bar: Option<bar::Bar>,
}

impl Progress {
    /// A fit's progress from now on: `callback` called at every sweep, a spinner drawn when
    /// `show` (with the `progress` feature).
    pub(crate) fn new(callback: Option<OnIteration>, show: bool) -> Progress {
        #[cfg(not(feature = "progress"))]
        let _ = show;
        Progress {
            callback,
            start: Instant::now(),
            iteration: Cell::new(0),
            phase: Cell::new(0),
            #[cfg(feature = "progress")]
            bar: show.then(bar::Bar::default),
        }
    }

    /// Nothing reported (ADVI's fits).
    pub(crate) fn silent() -> Progress {
        Progress::new(None, false)
    }

    /// Sweep `phase_iteration` (from 1 in each phase) is done.
    pub(crate) fn iteration(&self, phase_iteration: usize, elbo: f64, change: f64, step_size: f64) {
        if phase_iteration == 1 {
            self.phase.set(self.phase.get() + 1);
        }
        self.iteration.set(self.iteration.get() + 1);
        let info = IterationInfo {
            iteration: self.iteration.get(),
            phase: self.phase.get(),
            elbo,
            change,
            step_size,
            elapsed: self.start.elapsed(),
        };
        if let Some(OnIteration(f)) = &self.callback {
            f(&info);
        }
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.show(&info);
        }
    }

    /// The fit is over: clear the spinner.
    pub(crate) fn finish(&self) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.clear();
        }
    }
}

/// The terminal spinner (feature `progress`).
#[cfg(feature = "progress")]
mod bar {
    use std::cell::OnceCell;
    use std::time::Duration;

    use indicatif::{ProgressBar, ProgressStyle};

    use super::IterationInfo;

    /// How long a fit runs before the spinner appears: shorter fits print nothing.
    const QUIET_FOR: Duration = Duration::from_millis(500);

    /// A spinner made at the first sweep after `QUIET_FOR`.
    #[derive(Debug, Clone, Default)]
    pub(super) struct Bar(OnceCell<ProgressBar>);

    impl Bar {
        pub(super) fn show(&self, info: &IterationInfo) {
            if info.elapsed < QUIET_FOR && self.0.get().is_none() {
                return;
            }
            let bar = self.0.get_or_init(|| {
                let bar = ProgressBar::new_spinner();
                if let Ok(style) =
                    ProgressStyle::with_template("{spinner} ngvi [{elapsed_precise}] {msg}")
                {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            });
            bar.set_message(format!(
                "iteration {} (phase {}), ELBO {:.6}, change {:.2e}",
                info.iteration, info.phase, info.elbo, info.change
            ));
        }

        pub(super) fn clear(&self) {
            if let Some(bar) = self.0.get() {
                bar.finish_and_clear();
            }
        }
    }
}
