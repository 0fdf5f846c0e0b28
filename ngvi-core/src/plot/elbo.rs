//! The ELBO trace of a fit.

use std::path::Path;

use plotters::prelude::*;

use super::{draw_error, write_svg, PlotError, GUIDE};
use crate::Fit;

/// One panel's size.
const PANEL: (u32, u32) = (480, 300);

/// Draw the ELBO after each sweep (`Fit::elbo`) into the SVG file `path`: the whole trace
/// and, for a trace of four or more sweeps, its second half on its own scale (the first
/// sweeps, from the initial guide, often dwarf the rest). The trace is concatenated over
/// the engine's phases, each with its own draws, so it may jump where a phase starts.
/// Non-finite entries are left out.
pub fn elbo_trace(fit: &Fit, path: impl AsRef<Path>) -> Result<(), PlotError> {
    let trace: Vec<(f64, f64)> = fit
        .elbo()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, &v)| (i as f64, v))
        .collect();
    if trace.is_empty() {
        return Err(PlotError::Nothing {
            what: "the fit's ELBO trace has no finite entry".to_string(),
        });
    }
    let n = fit.elbo().len();
    let mut parts = vec![(format!("ELBO, all {n} sweeps"), &trace[..])];
    if trace.len() >= 4 {
        let half = trace.len() / 2;
        parts.push((
            format!("sweeps {} to {}", trace[half].0, n - 1),
            &trace[half..],
        ));
    }
    let size = (PANEL.0 * parts.len() as u32, PANEL.1);
    write_svg(path.as_ref(), size, |root| {
        for (area, (caption, points)) in root.split_evenly((1, parts.len())).iter().zip(&parts) {
            let (x0, x1) = (
                points[0].0,
                points[points.len() - 1].0.max(points[0].0 + 1.0),
            );
            let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
            let pad = if hi > lo {
                0.05 * (hi - lo)
            } else {
                0.5 * hi.abs().max(1.0)
            };
            let mut chart = ChartBuilder::on(area)
                .caption(caption, ("sans-serif", 16))
                .margin(10)
                .x_label_area_size(30)
                .y_label_area_size(64)
                .build_cartesian_2d(x0..x1, (lo - pad)..(hi + pad))
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .x_desc("sweep")
                .y_desc("ELBO")
                .x_labels(6)
                .y_labels(5)
                .label_style(("sans-serif", 11))
                .draw()
                .map_err(draw_error)?;
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    GUIDE.stroke_width(2),
                ))
                .map_err(draw_error)?;
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 2, GUIDE.filled())))
                .map_err(draw_error)?;
        }
        Ok(())
    })
}
