//! Marginal posteriors: one panel per chosen component, the guide's density as a line and
//! reference draws as a histogram.

use std::path::Path;

use plotters::prelude::*;

use super::density::{grid, histogram, kde, range, sorted_finite};
use super::{draw_error, write_svg, PlotError, GUIDE, REFERENCE};
use crate::Fit;

/// Families whose one-dimensional guide lives on the latent's own scale (the conjugate
/// families: docs/design.md §3), so that `GuideView::log_density` is the marginal density.
const EXACT_FAMILIES: [&str; 3] = ["Beta", "Gamma", "InverseGamma"];
/// Panels per row (at most), points on a density curve, histogram bins, and one panel's size.
const COLUMNS: usize = 3;
const CURVE_POINTS: usize = 200;
const BINS: usize = 40;
const PANEL: (u32, u32) = (320, 230);

/// Draw the marginal posteriors of `selectors` (each a latent or tracked name — every
/// component of it — or `name[index]`, 0-based) into the SVG file `path`.
///
/// Shorthand for `Marginals::new(fit, selectors).write(path)`; use [`Marginals`] to
/// overlay reference draws.
pub fn marginals(fit: &Fit, selectors: &[&str], path: impl AsRef<Path>) -> Result<(), PlotError> {
    Marginals::new(fit, selectors).write(path)
}

/// Marginal posteriors of chosen components, optionally against reference draws.
///
/// Each panel shows the guide's marginal density: exact for a one-dimensional conjugate
/// block (Beta, Gamma, InverseGamma), otherwise a Gaussian kernel density estimate of the
/// fit's draws on the latent's own scale (a Gaussian-block component on the log or logit
/// scale is not Gaussian there). Reference draws given with [`Marginals::reference`] are
/// drawn as a histogram normalised to a density.
#[derive(Debug, Clone)]
pub struct Marginals<'a> {
    fit: &'a Fit,
    selectors: Vec<&'a str>,
    references: Vec<(&'a str, &'a [f64])>,
    reference_name: String,
}

/// One panel: its label, the fit's draws of the component, the guide when its density is
/// exact, and the reference draws when given.
struct Panel<'a> {
    label: String,
    draws: Vec<f64>,
    exact: Option<crate::GuideView<'a>>,
    reference: Option<&'a [f64]>,
}

impl<'a> Marginals<'a> {
    /// The panels of `selectors` (see [`marginals`]) for `fit`.
    pub fn new(fit: &'a Fit, selectors: &[&'a str]) -> Self {
        Marginals {
            fit,
            selectors: selectors.to_vec(),
            references: Vec::new(),
            reference_name: "reference".to_string(),
        }
    }

    /// Overlay reference draws (NUTS, MCMC) on the panel labelled `label` (`mu`, `eta[3]`).
    pub fn reference(mut self, label: &'a str, draws: &'a [f64]) -> Self {
        self.references.push((label, draws));
        self
    }

    /// The legend's name for the reference draws ("reference" by default; "NUTS", …).
    pub fn reference_name(mut self, name: impl Into<String>) -> Self {
        self.reference_name = name.into();
        self
    }

    /// Draw the panels into the SVG file `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let panels = self.panels()?;
        // Four panels read better as 2 × 2 than as 3 + 1.
        let cols = if panels.len() == 4 {
            2
        } else {
            panels.len().min(COLUMNS)
        };
        let rows = panels.len().div_ceil(cols);
        let size = (PANEL.0 * cols as u32, PANEL.1 * rows as u32 + 30);
        write_svg(path.as_ref(), size, |root| {
            let title = format!(
                "Marginal posteriors: ngvi guide (line){}",
                if self.references.is_empty() {
                    String::new()
                } else {
                    format!(", {} draws (bars)", self.reference_name)
                }
            );
            let body = root
                .titled(&title, ("sans-serif", 18))
                .map_err(draw_error)?;
            for (area, panel) in body.split_evenly((rows, cols)).iter().zip(&panels) {
                self.draw_panel(area, panel)?;
            }
            Ok(())
        })
    }

    /// Resolve the selectors into panels and attach the reference draws.
    fn panels(&self) -> Result<Vec<Panel<'a>>, PlotError> {
        if self.selectors.is_empty() {
            return Err(PlotError::Nothing {
                what: "no latent was chosen".to_string(),
            });
        }
        let mut panels = Vec::new();
        for selector in &self.selectors {
            let (name, index) = parse_selector(selector)?;
            let draws = self.fit.draws(name).ok_or_else(|| PlotError::UnknownName {
                name: name.to_string(),
            })?;
            let len = draws.first().map_or(0, Vec::len);
            let components: Vec<usize> = match index {
                Some(i) if i >= len => {
                    return Err(PlotError::IndexOutOfRange {
                        name: name.to_string(),
                        index: i,
                        len,
                    })
                }
                Some(i) => vec![i],
                None => (0..len).collect(),
            };
            let guide = self.fit.guide(name);
            let exact =
                guide.filter(|g| len == 1 && g.dim() == 1 && EXACT_FAMILIES.contains(&g.name()));
            for k in components {
                let label = if len == 1 && index.is_none() {
                    name.to_string()
                } else {
                    format!("{name}[{k}]")
                };
                panels.push(Panel {
                    label,
                    draws: draws.iter().filter_map(|d| d.get(k).copied()).collect(),
                    exact,
                    reference: None,
                });
            }
        }
        for &(label, draws) in &self.references {
            let panel = panels
                .iter_mut()
                .find(|p| p.label == label)
                .ok_or_else(|| PlotError::UnmatchedReference {
                    label: label.to_string(),
                    plotted: self.labels(),
                })?;
            panel.reference = Some(draws);
        }
        Ok(panels)
    }

    /// The labels of the panels, for an error message (empty when a selector is bad).
    fn labels(&self) -> Vec<String> {
        let mut out = Vec::new();
        for selector in &self.selectors {
            let Ok((name, index)) = parse_selector(selector) else {
                continue;
            };
            let len = self
                .fit
                .draws(name)
                .and_then(|d| d.first().map(Vec::len))
                .unwrap_or(0);
            match index {
                Some(i) => out.push(format!("{name}[{i}]")),
                None if len == 1 => out.push(name.to_string()),
                None => out.extend((0..len).map(|k| format!("{name}[{k}]"))),
            }
        }
        out
    }

    fn draw_panel(
        &self,
        area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        panel: &Panel<'_>,
    ) -> Result<(), PlotError> {
        let draws = sorted_finite(&panel.draws);
        let reference = panel.reference.map(sorted_finite);
        let mut samples: Vec<&[f64]> = vec![draws.as_slice()];
        samples.extend(reference.as_deref());
        let (lo, hi) = range(&samples).ok_or_else(|| PlotError::Nothing {
            what: format!("no finite draws of `{}`", panel.label),
        })?;
        let xs = grid(lo, hi, CURVE_POINTS);
        let (curve, curve_name) = match panel.exact {
            Some(g) => (
                xs.iter()
                    .map(|&x| g.log_density(&[x]).map_or(0.0, f64::exp))
                    .map(|d| if d.is_finite() { d } else { 0.0 })
                    .collect(),
                format!("{} guide (exact)", g.name()),
            ),
            None => (
                kde(&draws, &xs),
                format!("guide, KDE of {} draws", draws.len()),
            ),
        };
        let bars = reference
            .as_ref()
            .map(|r| histogram(r, lo, hi, BINS))
            .unwrap_or_default();
        let top = curve
            .iter()
            .copied()
            .chain(bars.iter().map(|b| b.2))
            .fold(0.0, f64::max);
        // Headroom above the highest point for the legend in the upper right.
        let top = if top > 0.0 { 1.4 * top } else { 1.0 };

        let mut chart = ChartBuilder::on(area)
            .caption(&panel.label, ("sans-serif", 16))
            .margin(6)
            .x_label_area_size(24)
            .y_label_area_size(40)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(5)
            .y_labels(4)
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(draw_error)?;
        if !bars.is_empty() {
            let name = format!(
                "{} ({} draws)",
                self.reference_name,
                panel.reference.map_or(0, <[f64]>::len)
            );
            chart
                .draw_series(bars.iter().map(|&(a, b, d)| {
                    Rectangle::new([(a, 0.0), (b, d)], REFERENCE.mix(0.45).filled())
                }))
                .map_err(draw_error)?
                .label(name)
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 4), (x + 12, y + 4)], REFERENCE.mix(0.45).filled())
                });
        }
        chart
            .draw_series(LineSeries::new(
                xs.iter().copied().zip(curve),
                GUIDE.stroke_width(2),
            ))
            .map_err(draw_error)?
            .label(curve_name)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], GUIDE.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 10))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(draw_error)
    }
}

/// `name` → (name, None); `name[3]` → (name, Some(3)).
fn parse_selector(selector: &str) -> Result<(&str, Option<usize>), PlotError> {
    let bad = || PlotError::BadSelector {
        selector: selector.to_string(),
    };
    match selector.split_once('[') {
        None if !selector.is_empty() => Ok((selector, None)),
        None => Err(bad()),
        Some((name, rest)) => {
            let index = rest.strip_suffix(']').ok_or_else(bad)?;
            let index = index.trim().parse().map_err(|_| bad())?;
            if name.is_empty() {
                return Err(bad());
            }
            Ok((name, Some(index)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        assert_eq!(parse_selector("mu").ok(), Some(("mu", None)));
        assert_eq!(parse_selector("eta[3]").ok(), Some(("eta", Some(3))));
        for bad in ["", "eta[", "eta[x]", "[2]", "eta[-1]"] {
            assert!(
                matches!(parse_selector(bad), Err(PlotError::BadSelector { .. })),
                "{bad}"
            );
        }
    }
}
