//! [`Fit::compare`]: a fit beside NUTS, component by component.

use std::fmt;

use super::result::label;
use super::NutsFit;
use crate::fit::Fit;
use crate::model::Shape;

/// One component of a [`Comparison`].
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// `name` or `name[k]`.
    pub label: String,
    /// The fit's posterior mean and sd.
    pub fit_mean: f64,
    /// See `fit_mean`.
    pub fit_sd: f64,
    /// NUTS's posterior mean and sd.
    pub nuts_mean: f64,
    /// See `nuts_mean`.
    pub nuts_sd: f64,
    /// The Monte Carlo standard error of NUTS's mean.
    pub nuts_mcse: f64,
    /// NUTS's R̂ for the component.
    pub rhat: f64,
    /// Whether this is a derived quantity (`track`), not a latent.
    pub derived: bool,
}

impl ComparisonRow {
    /// |fit mean − NUTS mean| / NUTS sd.
    pub fn mean_error(&self) -> f64 {
        (self.fit_mean - self.nuts_mean).abs() / self.nuts_sd
    }

    /// fit sd / NUTS sd.
    pub fn sd_ratio(&self) -> f64 {
        self.fit_sd / self.nuts_sd
    }
}

/// A fit's means and sds beside NUTS's, for every latent component and every derived
/// quantity both have; printed as a table by `Display`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    rows: Vec<ComparisonRow>,
}

impl Comparison {
    /// The rows, latents first, in the model's order.
    pub fn rows(&self) -> &[ComparisonRow] {
        &self.rows
    }

    /// The latent row with the largest |Δmean| / sd (a NaN one first).
    pub fn worst_mean_error(&self) -> Option<&ComparisonRow> {
        self.latent_rows().max_by(|a, b| {
            let key = |r: &ComparisonRow| {
                let e = r.mean_error();
                if e.is_nan() {
                    f64::INFINITY
                } else {
                    e
                }
            };
            key(a).total_cmp(&key(b))
        })
    }

    /// The smallest and largest sd ratio over the latent rows.
    pub fn sd_ratio_range(&self) -> (f64, f64) {
        self.latent_rows()
            .map(ComparisonRow::sd_ratio)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
                (lo.min(r), hi.max(r))
            })
    }

    fn latent_rows(&self) -> impl Iterator<Item = &ComparisonRow> {
        self.rows.iter().filter(|r| !r.derived)
    }
}

impl Fit {
    /// This fit beside NUTS draws of the same model: per component the two means and sds,
    /// |Δmean| / NUTS sd and the sd ratio (see [`Comparison`]).
    pub fn compare(&self, nuts: &NutsFit) -> Comparison {
        let mut rows = Vec::new();
        let latents = nuts
            .latents()
            .iter()
            .map(|l| (l.name, Some(l.shape), false));
        let tracked = nuts.tracked_names().into_iter().map(|n| (n, None, true));
        for (name, shape, derived) in latents.chain(tracked) {
            let (Some(fm), Some(fs), Some(nm), Some(ns), Some(mcse), Some(rhat)) = (
                self.mean(name),
                self.sd(name),
                nuts.mean(name),
                nuts.sd(name),
                nuts.mcse_mean(name),
                nuts.rhat(name),
            ) else {
                continue;
            };
            if fm.len() != nm.len() {
                continue;
            }
            let scalar = shape.map_or(nm.len() == 1, |s| s == Shape::Scalar);
            for k in 0..nm.len() {
                rows.push(ComparisonRow {
                    label: label(name, scalar, k),
                    fit_mean: fm[k],
                    fit_sd: fs[k],
                    nuts_mean: nm[k],
                    nuts_sd: ns[k],
                    nuts_mcse: mcse[k],
                    rhat: rhat[k],
                    derived,
                });
            }
        }
        Comparison { rows }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>9} {:>12} {:>9} {:>7}",
            "",
            "fit mean",
            "NUTS mean",
            "fit sd",
            "NUTS sd",
            "NUTS mcse",
            "|Δmean|/sd",
            "sd ratio",
            "r_hat"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<16} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>9.4} {:>12.3} {:>9.3} {:>7.3}{}",
                r.label,
                r.fit_mean,
                r.nuts_mean,
                r.fit_sd,
                r.nuts_sd,
                r.nuts_mcse,
                r.mean_error(),
                r.sd_ratio(),
                r.rhat,
                if r.derived { "  (derived)" } else { "" }
            )?;
        }
        if let Some(w) = self.worst_mean_error() {
            let (lo, hi) = self.sd_ratio_range();
            write!(
                f,
                "worst |Δmean|/sd {:.3} ({}); sd ratio {lo:.3}–{hi:.3}",
                w.mean_error(),
                w.label
            )?;
        }
        Ok(())
    }
}
