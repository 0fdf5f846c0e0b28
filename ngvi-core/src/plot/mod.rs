//! Plots of a [`Fit`](crate::Fit) as SVG files (feature `plot`): the marginal posteriors of
//! chosen latents, with reference draws (NUTS, MCMC) overlaid as histograms, and the ELBO
//! trace.
//!
//! Drawn with `plotters`' SVG backend alone: the text is left to the SVG viewer, so no
//! system font is needed. Every function renders into memory first and writes the file
//! once, so a path that cannot be written gives [`PlotError::Write`] and no partial file.
//!
//! ```no_run
//! # fn demo(fit: &ngvi_core::Fit, nuts_mu: &[f64]) -> Result<(), ngvi_core::plot::PlotError> {
//! use ngvi_core::plot;
//! plot::marginals(fit, &["mu", "tau"], "marginals.svg")?;
//! plot::Marginals::new(fit, &["mu", "eta[0]"])
//!     .reference("mu", nuts_mu)
//!     .write("against_nuts.svg")?;
//! plot::elbo_trace(fit, "elbo.svg")?;
//! # Ok(()) }
//! ```

mod density;
mod elbo;
mod marginals;

use std::path::{Path, PathBuf};

use plotters::prelude::*;

pub use elbo::elbo_trace;
pub use marginals::{marginals, Marginals};

/// Why a plot could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A name that is neither a latent nor a tracked quantity of the fit.
    #[error("plot: `{name}` is not a latent or tracked quantity of the fit")]
    UnknownName {
        /// The name given.
        name: String,
    },
    /// `name[index]` past the end of the latent.
    #[error("plot: `{name}` has {len} components; index {index} is out of range")]
    IndexOutOfRange {
        /// The latent.
        name: String,
        /// The index given.
        index: usize,
        /// Its number of components.
        len: usize,
    },
    /// A selector that is neither `name` nor `name[index]`.
    #[error("plot: `{selector}` is not a name or `name[index]`")]
    BadSelector {
        /// The selector given.
        selector: String,
    },
    /// Reference draws whose label is none of the plotted components.
    #[error("plot: reference draws for `{label}` match no plotted component (plotted: {})", plotted.join(", "))]
    UnmatchedReference {
        /// The label given with the draws.
        label: String,
        /// The labels of the plotted components.
        plotted: Vec<String>,
    },
    /// Nothing finite to draw (no names, an empty ELBO trace, draws that are all NaN).
    #[error("plot: nothing to draw: {what}")]
    Nothing {
        /// What was empty.
        what: String,
    },
    /// `plotters` failed while drawing into memory.
    #[error("plot: drawing failed: {0}")]
    Draw(String),
    /// The SVG could not be written.
    #[error("plot: cannot write `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A plotters error, in words.
fn draw_error<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// The main line colour (the guide) and the reference's.
const GUIDE: RGBColor = RGBColor(31, 119, 180);
const REFERENCE: RGBColor = RGBColor(255, 127, 14);

/// Render `draw` on an SVG canvas of `size` pixels in memory, then write it to `path`.
fn write_svg(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), PlotError>,
) -> Result<(), PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        draw(&root)?;
        root.present().map_err(draw_error)?;
    }
    std::fs::write(path, svg).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}
