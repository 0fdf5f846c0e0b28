//! Derived quantities (`track NAME = EXPR;` in `model!`, [`Model::tracked`]): evaluated at
//! every posterior draw and summarised like the latents, from the draws (mean, sd,
//! quantiles). [`Fit::mean`], [`Fit::sd`], [`Fit::quantile`] and [`Fit::draws`] read them
//! by name when no latent has it, and [`Fit::summary`] lists them after the latents.

use std::fmt::Write as _;
use std::ops::Range;

use super::result::{quantile, Fit};
use crate::error::Error;
use crate::model::Model;

/// The derived quantities of a fit.
#[derive(Debug, Default)]
pub(super) struct TrackedDraws {
    /// Each quantity's name and number of components, in the order the body reports them.
    names: Vec<(&'static str, usize)>,
    /// One row per posterior draw: every quantity's components, concatenated. NaN where the
    /// body did not reach the `track` at that draw (a statement before it made the log
    /// joint −∞).
    rows: Vec<Vec<f64>>,
}

impl Fit {
    /// Evaluate the model's derived quantities at every posterior draw.
    pub(super) fn track<M: Model>(&mut self, model: &M) -> Result<(), Error> {
        if model.tracked_names().is_empty() {
            return Ok(());
        }
        let mut names: Vec<(&'static str, usize)> = Vec::new();
        let mut reported = Vec::with_capacity(self.draws.n);
        for z in self.all_draws() {
            let values = model.tracked(z)?;
            if values.is_empty() && names.is_empty() {
                // no derived quantity (or none reached yet): nothing to keep per draw
                reported.push(values);
                continue;
            }
            for (name, v) in &values {
                match names.iter_mut().find(|(n, _)| n == name) {
                    Some((_, len)) => *len = (*len).max(v.len()),
                    None => names.push((name, v.len())),
                }
            }
            reported.push(values);
        }
        if names.is_empty() {
            return Ok(());
        }
        let width = names.iter().map(|(_, len)| len).sum();
        let rows = reported
            .into_iter()
            .map(|values| {
                let mut row = vec![f64::NAN; width];
                let mut offset = 0;
                for (name, len) in &names {
                    if let Some((_, v)) = values.iter().find(|(n, _)| n == name) {
                        row[offset..offset + v.len()].copy_from_slice(v);
                    }
                    offset += len;
                }
                row
            })
            .collect();
        self.tracked = TrackedDraws { names, rows };
        Ok(())
    }

    /// The names of the model's derived quantities (`track NAME = EXPR;`), in order.
    pub fn tracked_names(&self) -> Vec<&'static str> {
        self.tracked.names.iter().map(|(n, _)| *n).collect()
    }

    /// Each derived quantity's name and number of components, in order.
    #[cfg(feature = "export")]
    pub(super) fn tracked_lengths(&self) -> &[(&'static str, usize)] {
        &self.tracked.names
    }

    fn find_tracked(&self, name: &str) -> Option<Range<usize>> {
        let mut offset = 0;
        for (n, len) in &self.tracked.names {
            if *n == name {
                return Some(offset..offset + len);
            }
            offset += len;
        }
        None
    }

    /// Component `g` at every draw that reached it.
    fn tracked_column(&self, g: usize) -> Vec<f64> {
        self.tracked
            .rows
            .iter()
            .map(|row| row[g])
            .filter(|v| !v.is_nan())
            .collect()
    }

    pub(super) fn tracked_mean(&self, name: &str) -> Option<Vec<f64>> {
        let range = self.find_tracked(name)?;
        Some(range.map(|g| mean_sd(&self.tracked_column(g)).0).collect())
    }

    pub(super) fn tracked_sd(&self, name: &str) -> Option<Vec<f64>> {
        let range = self.find_tracked(name)?;
        Some(range.map(|g| mean_sd(&self.tracked_column(g)).1).collect())
    }

    pub(super) fn tracked_quantile(&self, name: &str, q: f64) -> Option<Vec<f64>> {
        let range = self.find_tracked(name)?;
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        Some(range.map(|g| quantile(self.tracked_column(g), q)).collect())
    }

    pub(super) fn tracked_draws(&self, name: &str) -> Option<Vec<Vec<f64>>> {
        let range = self.find_tracked(name)?;
        Some(
            self.tracked
                .rows
                .iter()
                .map(|row| row[range.clone()].to_vec())
                .collect(),
        )
    }

    /// The summary's rows for the derived quantities (as the latents' rows; the last
    /// column says where the values come from).
    pub(super) fn tracked_rows(&self, out: &mut String) {
        let mut offset = 0;
        for (name, len) in &self.tracked.names {
            for k in 0..*len {
                let label = if *len == 1 {
                    name.to_string()
                } else {
                    format!("{name}[{k}]")
                };
                let col = self.tracked_column(offset + k);
                let (m, s) = mean_sd(&col);
                let source = if k == 0 {
                    format!("tracked: computed at each of {} draws", col.len())
                } else {
                    "\"".to_string()
                };
                let _ = writeln!(
                    out,
                    "{label:<14} {m:>12.5} {s:>12.5} {:>12.5} {:>12.5} {:>12.5}  {source}",
                    quantile(col.clone(), 0.05),
                    quantile(col.clone(), 0.5),
                    quantile(col, 0.95),
                );
            }
            offset += len;
        }
    }
}

/// Sample mean and standard deviation (n − 1); NaN for no values, sd NaN for one.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments() {
        let (m, s) = mean_sd(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        assert!((s - (5.0_f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!(mean_sd(&[]).0.is_nan());
    }
}
