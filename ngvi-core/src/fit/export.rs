//! Draws and summaries out of a [`Fit`] (feature `export`): CmdStan's CSV for Stan's tools
//! and a serde record ([`FitRecord`], JSON by [`Fit::to_json`]) that ArviZ's `from_dict`
//! reads. The layouts are in docs/design.md §6.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::result::Fit;
use super::Setting;
use crate::engine::StopReason;
use crate::error::Error;
use crate::model::Shape;

/// One variable of the export: a latent or a derived quantity.
struct Variable {
    name: &'static str,
    /// Components per draw.
    len: usize,
    /// Written as one column `name` (a scalar latent, a one-component derived quantity)
    /// rather than `name.1`, `name.2`, ….
    scalar: bool,
}

/// A fit as plain data: the draws with named dimensions, the summary, the settings and the
/// run's facts. [`Fit::to_json`] writes it; docs/design.md §6 gives the layout and the
/// Python lines that load it into ArviZ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitRecord {
    /// Draws by variable name, chain first: `[chain][draw]` for a scalar,
    /// `[chain][draw][component]` for a vector (one chain).
    pub posterior: BTreeMap<String, DrawArray>,
    /// The name of each vector variable's component dimension (`"<name>_dim_0"`).
    pub dims: BTreeMap<String, Vec<String>>,
    /// The coordinates of each dimension: 0-based component indices.
    pub coords: BTreeMap<String, Vec<usize>>,
    /// One row per component, latents first, then derived quantities.
    pub summary: Vec<SummaryRow>,
    /// The model's type name.
    pub model: String,
    /// "ngvi" or "advi".
    pub method: String,
    /// The options of the fit by builder-method name.
    pub settings: BTreeMap<String, Setting>,
    /// Why the iterations stopped.
    pub stop_reason: StopRecord,
    /// Sweeps (NGVI) or gradient steps (ADVI) made.
    pub iterations: usize,
    /// The ELBO on fresh draws at the fitted guide.
    pub elbo: f64,
    /// Its Monte Carlo standard error.
    pub elbo_se: f64,
    /// The ELBO after each iteration (the first entry at the initial guide).
    pub elbo_trace: Vec<f64>,
    /// Pareto k̂ of the importance ratios (`None` for an exact fit; `null` in JSON also
    /// when it is not finite).
    pub pareto_k: Option<f64>,
    /// What the fixed draws leave ([`Fit::draw_error`]).
    pub draw_error: Option<f64>,
    /// Step-size adjustments the fit made ([`Fit::notes`]).
    pub notes: Vec<String>,
}

/// The draws of one variable, `[chain][draw]` or `[chain][draw][component]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DrawArray {
    /// A scalar variable.
    Scalar(Vec<Vec<f64>>),
    /// A vector variable.
    Vector(Vec<Vec<Vec<f64>>>),
}

/// One component's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// The variable.
    pub name: String,
    /// The component, 0-based (`None` for a scalar).
    pub index: Option<usize>,
    /// Posterior mean ([`Fit::mean`]: closed form where the guide gives one).
    pub mean: f64,
    /// Posterior standard deviation ([`Fit::sd`]).
    pub sd: f64,
    /// 5 % quantile ([`Fit::quantile`]: exact for a Gaussian guide, else from the draws).
    pub q5: f64,
    /// Median ([`Fit::quantile`]).
    pub q50: f64,
    /// 95 % quantile ([`Fit::quantile`]).
    pub q95: f64,
}

/// A [`StopReason`] as data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopRecord {
    /// "converged", "max_iters", "stalled", "unidentified", "diverged" or "collapsed".
    pub kind: String,
    /// Whether the fit converged: only then is it a fit to use as it is.
    pub converged: bool,
    /// The relative change at the stop (converged, max_iters).
    pub change: Option<f64>,
    /// The offending sd on the unconstrained scale (diverged, collapsed).
    pub sd: Option<f64>,
}

impl From<StopReason> for StopRecord {
    fn from(stop: StopReason) -> Self {
        let (kind, change, sd) = match stop {
            StopReason::Converged { change } => ("converged", Some(change), None),
            StopReason::MaxIters { change } => ("max_iters", Some(change), None),
            StopReason::Stalled => ("stalled", None, None),
            StopReason::Unidentified => ("unidentified", None, None),
            StopReason::Diverged { sd } => ("diverged", None, Some(sd)),
            StopReason::Collapsed { sd } => ("collapsed", None, Some(sd)),
        };
        StopRecord {
            kind: kind.to_string(),
            converged: stop.is_converged(),
            change,
            sd,
        }
    }
}

/// An I/O or serialisation failure as an [`Error`].
fn export_error(format: &'static str, e: impl std::fmt::Display) -> Error {
    Error::Export {
        format,
        message: e.to_string(),
    }
}

impl Fit {
    /// The latents, then the derived quantities, in the model's order.
    fn variables(&self) -> Vec<Variable> {
        let latents = self.latents.iter().map(|l| Variable {
            name: l.name,
            len: l.shape.len(),
            scalar: l.shape == Shape::Scalar,
        });
        let tracked = self.tracked_lengths().iter().map(|&(name, len)| Variable {
            name,
            len,
            scalar: len == 1,
        });
        latents.chain(tracked).collect()
    }

    /// Write the fit's draws ([`Fit::draws`], on the latents' own scales, then the derived
    /// quantities) as CmdStan writes the output of `variational`: `#` comment lines with
    /// the settings, a header `lp__,mu,tau,eta.1,eta.2,…` (Stan's 1-based names; a scalar
    /// is plain `name`), a first row with the posterior means ([`Fit::mean`]), then one
    /// row per draw. `lp__` is 0 on every row, as in CmdStan's variational output;
    /// CmdStan's `log_p__` and `log_g__` are not written (the fit does not keep the
    /// densities per draw). Values are written to full precision. cmdstanpy's `from_csv`,
    /// cmdstanr's `read_cmdstan_csv` and ArviZ's `from_cmdstan` read the file; the layout
    /// is in docs/design.md §6.
    pub fn write_cmdstan_csv<W: Write>(&self, out: W) -> Result<(), Error> {
        self.write_csv(io::BufWriter::new(out))
            .map_err(|e| export_error("CmdStan CSV", e))
    }

    fn write_csv<W: Write>(&self, mut out: io::BufWriter<W>) -> io::Result<()> {
        let variables = self.variables();
        self.write_csv_comments(&mut out)?;
        let mut header = vec!["lp__".to_string()];
        for v in &variables {
            if v.scalar {
                header.push(v.name.to_string());
            } else {
                header.extend((1..=v.len).map(|k| format!("{}.{k}", v.name)));
            }
        }
        writeln!(out, "{}", header.join(","))?;
        // cmdstanpy reads the step size from the line after this one, as CmdStan writes it
        writeln!(out, "# Stepsize adaptation complete.")?;
        writeln!(out, "# eta = {}", self.setting_text("step_size", "1"))?;
        let columns: Vec<Vec<Vec<f64>>> = variables
            .iter()
            .map(|v| self.draws(v.name).unwrap_or_default())
            .collect();
        let means: Vec<f64> = variables
            .iter()
            .flat_map(|v| self.mean(v.name).unwrap_or_default())
            .collect();
        write_row(&mut out, &means)?;
        for d in 0..self.draws.n {
            let row: Vec<f64> = columns
                .iter()
                .flat_map(|c| c.get(d).cloned().unwrap_or_default())
                .collect();
            write_row(&mut out, &row)?;
        }
        out.flush()
    }

    /// CmdStan's configuration block, with ngvi's own settings and facts first (cmdstanpy
    /// keeps the last value of a repeated key, so CmdStan's keys come last).
    fn write_csv_comments<W: Write>(&self, out: &mut W) -> io::Result<()> {
        writeln!(out, "# engine = {}", self.record.method)?;
        writeln!(out, "#   {}", self.record.method)?;
        for (name, value) in &self.record.settings {
            writeln!(out, "#     {name} = {value}")?;
        }
        writeln!(out, "# stop_reason = {}", StopRecord::from(self.stop).kind)?;
        writeln!(out, "# iterations = {}", self.iterations)?;
        let (elbo, se) = self.elbo_estimate();
        writeln!(out, "# elbo = {elbo:?}")?;
        writeln!(out, "# elbo_se = {se:?}")?;
        if let Some(k) = self.pareto_k() {
            writeln!(out, "# pareto_k = {k:?}")?;
        }
        writeln!(out, "# model = {}", self.record.model)?;
        writeln!(out, "# method = variational")?;
        writeln!(out, "#   variational")?;
        for (name, value) in self.cmdstan_arguments() {
            writeln!(out, "#     {name} = {value}")?;
        }
        writeln!(out, "# random")?;
        writeln!(out, "#   seed = {}", self.setting_text("seed", "0"))
    }

    /// The nearest of CmdStan's `variational` arguments, as cmdstanpy requires them:
    /// `algorithm` is `fullrank` unless the Gaussian guide is diagonal; for NGVI, `iter` is
    /// `max_iters`, both sample counts are `samples` (Monte Carlo draws per expectation),
    /// `eta` the step ρ and `tol_rel_obj` the tolerance on the natural parameters.
    fn cmdstan_arguments(&self) -> Vec<(&'static str, String)> {
        let s = |name, default| self.setting_text(name, default);
        let advi = self.record.method == "advi";
        let diagonal = if advi {
            s("full_rank", "0") == "0"
        } else {
            s("diagonal", "0") == "1"
        };
        let samples = s("samples", "");
        vec![
            (
                "algorithm",
                if diagonal { "meanfield" } else { "fullrank" }.to_string(),
            ),
            ("iter", s("max_iters", "")),
            (
                "grad_samples",
                if advi {
                    s("grad_samples", "")
                } else {
                    samples.clone()
                },
            ),
            (
                "elbo_samples",
                if advi { s("elbo_samples", "") } else { samples },
            ),
            ("eta", s("step_size", "1")),
            ("tol_rel_obj", s("tol", "")),
            (
                "eval_elbo",
                if advi {
                    s("eval_every", "")
                } else {
                    "1".to_string()
                },
            ),
            ("output_samples", self.draws.n.to_string()),
        ]
    }

    /// The value of setting `name` as text, `default` when the method has no such setting.
    fn setting_text(&self, name: &str, default: &str) -> String {
        self.record
            .settings
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| default.to_string(), |(_, v)| v.to_string())
    }

    /// The fit as plain data, for serde: draws with named dimensions, the summary, the
    /// settings, the stop reason, k̂, the ELBO and the iterations.
    pub fn to_record(&self) -> FitRecord {
        let mut posterior = BTreeMap::new();
        let mut dims = BTreeMap::new();
        let mut coords = BTreeMap::new();
        let mut summary = Vec::new();
        for v in self.variables() {
            let draws = self.draws(v.name).unwrap_or_default();
            let array = if v.scalar {
                DrawArray::Scalar(vec![draws.iter().map(|d| component(d, 0)).collect()])
            } else {
                let dim = format!("{}_dim_0", v.name);
                dims.insert(v.name.to_string(), vec![dim.clone()]);
                coords.insert(dim, (0..v.len).collect());
                DrawArray::Vector(vec![draws])
            };
            posterior.insert(v.name.to_string(), array);
            let column = |q| self.quantile(v.name, q).unwrap_or_default();
            let (mean, sd) = (
                self.mean(v.name).unwrap_or_default(),
                self.sd(v.name).unwrap_or_default(),
            );
            let (q5, q50, q95) = (column(0.05), column(0.5), column(0.95));
            summary.extend((0..v.len).map(|k| SummaryRow {
                name: v.name.to_string(),
                index: (!v.scalar).then_some(k),
                mean: component(&mean, k),
                sd: component(&sd, k),
                q5: component(&q5, k),
                q50: component(&q50, k),
                q95: component(&q95, k),
            }));
        }
        let (elbo, elbo_se) = self.elbo_estimate();
        FitRecord {
            posterior,
            dims,
            coords,
            summary,
            model: self.record.model.to_string(),
            method: self.record.method.to_string(),
            settings: self
                .record
                .settings
                .iter()
                .map(|(n, v)| (n.to_string(), *v))
                .collect(),
            stop_reason: self.stop.into(),
            iterations: self.iterations,
            elbo,
            elbo_se,
            elbo_trace: self.elbo.clone(),
            pareto_k: self.pareto_k(),
            draw_error: self.draw_error,
            notes: self.notes.clone(),
        }
    }

    /// [`Fit::to_record`] as JSON. Non-finite numbers (a derived quantity not reached at a
    /// draw, an infinite k̂) are written as `null`.
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(&self.to_record()).map_err(|e| export_error("JSON", e))
    }
}

/// Component `k` of `values`, NaN when there is none.
fn component(values: &[f64], k: usize) -> f64 {
    values.get(k).copied().unwrap_or(f64::NAN)
}

/// One CSV row: `lp__` (0), then the values to full precision.
fn write_row<W: Write>(out: &mut W, values: &[f64]) -> io::Result<()> {
    write!(out, "0")?;
    for v in values {
        write!(out, ",{v:?}")?;
    }
    writeln!(out)
}
