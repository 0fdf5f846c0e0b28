//! Reference posteriors and the comparison of a fit against one: for each latent component,
//! the fitted mean and sd beside the reference's, |Δmean| / ref sd and fitted sd / ref sd.

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use ngvi::prelude::*;
use ngvi::Shape;
use serde::Deserialize;

/// The bar a fit must clear against its reference: every mean within `MEAN_TOL` reference
/// sds, every sd within `SD_TOL` (relative) of the reference sd.
pub const MEAN_TOL: f64 = 0.1;
/// See [`MEAN_TOL`].
pub const SD_TOL: f64 = 0.15;

/// Reference means and sds by label (`mu`, `w[3]`, `beta[1]`, …), with where they came from.
#[derive(Debug, Clone)]
pub struct Reference {
    /// How the reference was made ("long-run NUTS", "exact closed form", …).
    pub method: String,
    entries: HashMap<String, (f64, f64)>,
}

/// `examples/data/<name>.json` as written for the shared data sets (and by
/// `examples/mcmc_reference.rs`, which adds a `method` field read by people, not here):
/// `labels` and `flat.mean`, `flat.sd` in the same order.
#[derive(Deserialize)]
struct SharedFile {
    reference: String,
    labels: Vec<String>,
    flat: Flat,
}

#[derive(Deserialize)]
struct Flat {
    mean: Vec<f64>,
    sd: Vec<f64>,
}

/// A posteriordb `reference.json`: `parameters[name]` and `derived[name]`, each with
/// `mean` and `sd`.
#[derive(Deserialize)]
struct PosteriordbFile {
    reference_method: serde_json::Value,
    parameters: HashMap<String, Moments>,
    #[serde(default)]
    derived: HashMap<String, Moments>,
}

#[derive(Deserialize)]
struct Moments {
    mean: f64,
    sd: f64,
}

/// `examples/data/NAME`.
pub fn data_path(name: &str) -> String {
    format!("{}/examples/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Read and parse a JSON file, naming the file in the error.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Box<dyn Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

impl Reference {
    /// `examples/data/NAME.json` in the shared-data layout.
    pub fn shared(name: &str) -> Result<Reference, Box<dyn Error>> {
        let path = data_path(&format!("{name}.json"));
        let file: SharedFile = read_json(Path::new(&path))?;
        if file.labels.len() != file.flat.mean.len() || file.labels.len() != file.flat.sd.len() {
            return Err(format!("{path}: labels, flat.mean and flat.sd differ in length").into());
        }
        let entries = file
            .labels
            .into_iter()
            .zip(file.flat.mean.into_iter().zip(file.flat.sd))
            .collect();
        Ok(Reference {
            method: file.reference,
            entries,
        })
    }

    /// A reference given in full: (label, (mean, sd)) pairs, made by `method`.
    pub fn from_entries(
        method: &str,
        entries: impl IntoIterator<Item = (String, (f64, f64))>,
    ) -> Reference {
        Reference {
            method: method.to_string(),
            entries: entries.into_iter().collect(),
        }
    }

    /// A posteriordb `reference.json`: its parameters and derived quantities.
    pub fn posteriordb(path: &Path) -> Result<Reference, Box<dyn Error>> {
        let file: PosteriordbFile = read_json(path)?;
        let method = match &file.reference_method {
            serde_json::Value::String(s) => s.clone(),
            _ => "posteriordb reference draws (Stan NUTS, 10 chains, 10000 draws)".to_string(),
        };
        let entries = file
            .parameters
            .into_iter()
            .chain(file.derived)
            .map(|(k, m)| (k, (m.mean, m.sd)))
            .collect();
        Ok(Reference { method, entries })
    }

    /// (mean, sd) of one label.
    pub fn get(&self, label: &str) -> Option<(f64, f64)> {
        self.entries.get(label).copied()
    }
}

/// One compared component.
#[derive(Debug, Clone)]
pub struct Row {
    /// The component as the model names it (`w[3]`).
    pub label: String,
    /// Fitted mean and sd.
    pub mean: f64,
    pub sd: f64,
    /// Reference mean and sd.
    pub ref_mean: f64,
    pub ref_sd: f64,
    /// A quantity derived from the latents (shown, but not part of pass/fail).
    pub derived: bool,
}

impl Row {
    /// |Δmean| / ref sd.
    pub fn z(&self) -> f64 {
        (self.mean - self.ref_mean).abs() / self.ref_sd
    }
    /// fitted sd / ref sd.
    pub fn ratio(&self) -> f64 {
        self.sd / self.ref_sd
    }
    /// Within the bar.
    pub fn passes(&self) -> bool {
        self.z() <= MEAN_TOL && (self.ratio() - 1.0).abs() <= SD_TOL
    }
}

/// How our latent names map to the reference's labels.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    /// (our latent name, the reference's name) where they differ.
    pub rename: &'a [(&'a str, &'a str)],
    /// The reference's first index of a vector (0, or 1 for Stan and posteriordb).
    pub base: usize,
}

impl Labels<'static> {
    /// The same names, 0-based.
    pub const SAME: Labels<'static> = Labels {
        rename: &[],
        base: 0,
    };
    /// The same names, 1-based (Stan, posteriordb).
    pub const STAN: Labels<'static> = Labels {
        rename: &[],
        base: 1,
    };
}

impl Labels<'_> {
    /// Our label and the reference's label of component `k` of a latent.
    fn of(&self, name: &str, shape: Shape, k: usize) -> (String, String) {
        let theirs = self
            .rename
            .iter()
            .find(|(ours, _)| *ours == name)
            .map_or(name, |(_, t)| t);
        match shape {
            Shape::Scalar => (name.to_string(), theirs.to_string()),
            _ => (
                format!("{name}[{k}]"),
                format!("{theirs}[{}]", k + self.base),
            ),
        }
    }
}

/// One row per component of every latent of `model`, the fit's mean and sd beside the
/// reference's. A component missing from the reference is an error.
pub fn latent_rows<M: Model>(
    model: &M,
    fit: &Fit,
    reference: &Reference,
    labels: Labels<'_>,
) -> Result<Vec<Row>, Box<dyn Error>> {
    let latents = model.latents()?;
    let (mut mean, mut sd) = (Vec::new(), Vec::new());
    for l in &latents {
        mean.extend(
            fit.mean(l.name)
                .ok_or_else(|| format!("no latent `{}`", l.name))?,
        );
        sd.extend(
            fit.sd(l.name)
                .ok_or_else(|| format!("no latent `{}`", l.name))?,
        );
    }
    rows_from(&latents, &mean, &sd, reference, labels)
}

/// One row per latent component from means and sds laid out as the latent vector.
pub fn rows_from(
    latents: &[ngvi::Latent],
    mean: &[f64],
    sd: &[f64],
    reference: &Reference,
    labels: Labels<'_>,
) -> Result<Vec<Row>, Box<dyn Error>> {
    let mut rows = Vec::new();
    let mut g = 0;
    for l in latents {
        for k in 0..l.shape.len() {
            let (label, theirs) = labels.of(l.name, l.shape, k);
            let (ref_mean, ref_sd) = reference
                .get(&theirs)
                .ok_or_else(|| format!("the reference has no `{theirs}` (for `{label}`)"))?;
            let (&m, &s) = mean
                .get(g)
                .zip(sd.get(g))
                .ok_or("fewer moments than latent components")?;
            rows.push(Row {
                label,
                mean: m,
                sd: s,
                ref_mean,
                ref_sd,
                derived: false,
            });
            g += 1;
        }
    }
    Ok(rows)
}

/// A derived quantity's row from its values over the fit's draws.
pub fn derived_row(label: String, values: &[f64], reference: (f64, f64)) -> Row {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    Row {
        label,
        mean,
        sd: var.sqrt(),
        ref_mean: reference.0,
        ref_sd: reference.1,
        derived: true,
    }
}

/// The worst of the latent rows: the largest |Δmean| / sd (and where), the range of the sd
/// ratios, and whether every row passes. NaN counts as a failure.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub worst_z: f64,
    pub worst_label: String,
    pub ratio_min: f64,
    pub ratio_max: f64,
    pub pass: bool,
}

impl Verdict {
    pub fn of(rows: &[Row]) -> Verdict {
        let mut v = Verdict {
            worst_z: 0.0,
            worst_label: String::new(),
            ratio_min: f64::INFINITY,
            ratio_max: f64::NEG_INFINITY,
            pass: true,
        };
        for r in rows.iter().filter(|r| !r.derived) {
            let (z, ratio) = (r.z(), r.ratio());
            if z > v.worst_z || z.is_nan() {
                v.worst_z = z;
                v.worst_label.clone_from(&r.label);
            }
            v.ratio_min = v.ratio_min.min(ratio);
            v.ratio_max = v.ratio_max.max(ratio);
            v.pass &= r.passes();
        }
        v
    }
}

/// Print the comparison table (Markdown) and the verdict.
pub fn print_rows(rows: &[Row], reference: &Reference) {
    println!("Against the reference ({}):\n", reference.method);
    println!("| component | mean | ref mean | \\|Δmean\\|/ref sd | sd | ref sd | sd / ref sd | |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let flag = if r.derived {
            "derived"
        } else if r.passes() {
            ""
        } else {
            "**off**"
        };
        println!(
            "| {} | {} | {} | {:.3} | {} | {} | {:.3} | {flag} |",
            r.label,
            num(r.mean),
            num(r.ref_mean),
            r.z(),
            num(r.sd),
            num(r.ref_sd),
            r.ratio()
        );
    }
    let v = Verdict::of(rows);
    println!(
        "\nworst |Δmean|/sd {:.3} ({}), sd ratio {:.3}–{:.3}: {} (bar: means within {MEAN_TOL} \
         ref sd, sds within {:.0} %)",
        v.worst_z,
        v.worst_label,
        v.ratio_min,
        v.ratio_max,
        if v.pass { "PASS" } else { "FAIL" },
        SD_TOL * 100.0
    );
}

/// A number in 6 significant digits, fixed or scientific by magnitude.
pub fn num(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) {
        format!("{x:.4e}")
    } else {
        format!("{x:.5}")
    }
}
