//! The summary table of a [`Fit`].

use std::fmt::Write as _;

use super::result::Fit;
use crate::diagnostics::{K_CAUTION, K_DO_NOT_TRUST};
use crate::engine::{StopReason, DRAW_TOL};
use crate::model::Shape;
use crate::plate::SUBSAMPLE_TERMS;

/// Notes printed in the summary; the rest are counted (all are in `Fit::notes`).
const NOTES_SHOWN: usize = 3;

impl Fit {
    /// A table a Stan user would recognise: mean, sd, 5% / 50% / 95% quantiles and the guide
    /// for every latent component, then the run's facts.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<14} {:>12} {:>12} {:>12} {:>12} {:>12}  guide",
            "latent", "mean", "sd", "5%", "50%", "95%"
        );
        let mut offset = 0;
        for (i, l) in self.latents.iter().enumerate() {
            let n = l.shape.len();
            for k in 0..n {
                let g = offset + k;
                let label = if l.shape == Shape::Scalar {
                    l.name.to_string()
                } else {
                    format!("{}[{k}]", l.name)
                };
                let (m, s) = self.moments[g];
                let guide = if k == 0 {
                    self.reasons[i].to_string()
                } else {
                    "\"".to_string()
                };
                let _ = writeln!(
                    out,
                    "{label:<14} {m:>12.5} {s:>12.5} {:>12.5} {:>12.5} {:>12.5}  {guide}",
                    self.coordinate_quantile(g, 0.05),
                    self.coordinate_quantile(g, 0.5),
                    self.coordinate_quantile(g, 0.95),
                );
            }
            offset += n;
        }
        self.tracked_rows(&mut out);
        let _ = writeln!(
            out,
            "\n{} iterations, {}; ELBO {:.6}; {} draws",
            self.iterations,
            describe_stop(self.stop),
            self.elbo.last().copied().unwrap_or(f64::NAN),
            self.draws.n
        );
        let e = self.evaluations;
        let _ = write!(
            out,
            "log joint evaluated {} times for its value, {} with its gradient, {} with gradient \
             and Hessian",
            e.values, e.gradients, e.hessians
        );
        let _ = match e.diagonals {
            0 => writeln!(out),
            d => writeln!(out, ", {d} with gradient and the Hessian's diagonal"),
        };
        let (elbo, se) = self.elbo_estimate();
        let _ = writeln!(
            out,
            "ELBO on {} fresh draws {elbo:.6} (Monte Carlo se {se:.2e})",
            self.diagnostics.draws
        );
        if let Some(k) = self.diagnostics.k_hat {
            let _ = writeln!(out, "{}", describe_k_hat(k));
        }
        if let Some(sd) = self.diagnostics.ratio_noise {
            let _ = writeln!(
                out,
                "(its log ratios from {SUBSAMPLE_TERMS} terms of each plate, a second-order \
                 expansion making up the rest: sd from the subsample at most {sd:.1e})"
            );
        }
        if let Some(c) = self.diagnostics.correction {
            let _ = writeln!(
                out,
                "means, sds, quantiles and draws corrected by Pareto-smoothed importance \
                 sampling on {} draws of the guide (effective sample size {:.0}); \
                 Fit::guide gives the guide itself",
                c.draws, c.ess
            );
        }
        if let Some(e) = self.draw_error {
            let _ = writeln!(
                out,
                "fixed draws: the Gaussian means moved {e:.3} sd between two independent draw sets{}",
                if e > DRAW_TOL { "; raise `samples` for a steadier fit" } else { "" }
            );
        }
        for note in self.notes.iter().take(NOTES_SHOWN) {
            let _ = writeln!(out, "note: {note}");
        }
        if self.notes.len() > NOTES_SHOWN {
            let _ = writeln!(
                out,
                "note: ... and {} more (Fit::notes)",
                self.notes.len() - NOTES_SHOWN
            );
        }
        out
    }
}

/// The stop reason in words, with what to do when the fit is not to be used.
fn describe_stop(stop: StopReason) -> String {
    match stop {
        StopReason::Converged { change } => format!("converged (relative change {change:.2e})"),
        StopReason::MaxIters { change } => format!(
            "NOT converged: stopped at max_iters (relative change {change:.2e}); raise \
             `max_iters` or reparameterise the model"
        ),
        StopReason::Stalled => "NOT converged: stalled, no step raised the ELBO although it is \
             not stationary; try `Ngvi::init`, more `samples`, or a reparameterised model"
            .to_string(),
        StopReason::Unidentified => "NOT converged: the posterior is improper or not identified \
             (a direction of the Gaussian block has no curvature); give every latent a proper \
             prior or remove the redundancy"
            .to_string(),
        StopReason::Diverged { sd } => format!(
            "NOT converged: the guide's variance grew without bound (sd {sd:.1e} on the \
             unconstrained scale); the posterior looks improper — give every latent a proper prior"
        ),
        StopReason::Collapsed { sd } => format!(
            "NOT converged: the guide collapsed (sd {sd:.1e} on the unconstrained scale, below \
             what f64 resolves at its mean); rescale the model or check it for a degenerate term"
        ),
    }
}

/// Pareto k̂ with Stan's reading of it.
fn describe_k_hat(k: f64) -> String {
    if k > K_DO_NOT_TRUST {
        format!(
            "WARNING: Pareto k̂ = {k:.2} > 0.7: the guide's tails are lighter than the \
             posterior's, so importance weights are unreliable and the fit may be off (a funnel, \
             heavy tails, a skewed scale); the means and sds can still be right where the bulk \
             is Gaussian — check the fit with MCMC before relying on it"
        )
    } else if k > K_CAUTION {
        format!("Pareto k̂ = {k:.2}, between 0.5 and 0.7: the fit is usable with care")
    } else {
        format!("Pareto k̂ = {k:.2} (≤ 0.5: the guide is close to the posterior)")
    }
}
