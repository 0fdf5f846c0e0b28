//! The `plot` feature: the SVG files are written, hold the names they plot, and bad input
//! or an unwritable path is a typed error.

use std::path::PathBuf;

use ngvi::plot::{self, Marginals, PlotError};
use ngvi::prelude::*;

model! {
    fn schools(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        for j in 0..y.len() {
            observe y[j] ~ Normal(mu + tau * eta[j], sigma[j]);
        }
    }
}

model! {
    fn coin(y: &[f64]) {
        sample p ~ Beta(1.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

const Y: [f64; 4] = [28.0, 8.0, -3.0, 7.0];
const SIGMA: [f64; 4] = [15.0, 10.0, 16.0, 11.0];

fn schools_fit() -> Fit {
    match Ngvi::new().seed(1).draws(500).fit(&schools(&Y, &SIGMA)) {
        Ok(fit) => fit,
        Err(e) => panic!("the fit failed: {e}"),
    }
}

/// A fresh directory for one test's files.
fn dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ngvi-plot-{}-{test}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&d) {
        panic!("{}: {e}", d.display());
    }
    d
}

/// The text of every `<text>` element of an SVG, trimmed.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (_, rest) = t.split_once('>')?;
            let (inner, _) = rest.split_once("</text>")?;
            Some(inner.trim())
        })
        .collect()
}

fn read(path: &std::path::Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

#[test]
fn marginals_are_an_svg_naming_each_component() {
    let fit = schools_fit();
    let path = dir("marginals").join("m.svg");
    let reference: Vec<f64> = (0..400).map(|i| 4.0 + f64::from(i % 20) * 0.5).collect();
    let written = Marginals::new(&fit, &["mu", "tau", "eta"])
        .reference("mu", &reference)
        .reference_name("NUTS")
        .write(&path);
    assert!(written.is_ok(), "{written:?}");
    let svg = read(&path);
    assert!(
        svg.trim_start().starts_with("<svg"),
        "{}",
        &svg[..svg.len().min(80)]
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    let texts = texts(&svg);
    for label in [
        "mu",
        "tau",
        "eta[0]",
        "eta[3]",
        "NUTS (400 draws)",
        "guide, KDE of 500 draws",
    ] {
        assert!(texts.contains(&label), "no text `{label}` in {texts:?}");
    }
    // The histogram: reference bars are filled rectangles in the reference colour.
    assert!(svg.contains("<rect"), "no histogram bars");
}

#[test]
fn a_conjugate_guide_is_drawn_from_its_exact_density() {
    let y = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
    let fit = match Ngvi::new().fit(&coin(&y)) {
        Ok(fit) => fit,
        Err(e) => panic!("{e}"),
    };
    let path = dir("coin").join("p.svg");
    assert!(plot::marginals(&fit, &["p"], &path).is_ok());
    let svg = read(&path);
    assert!(
        texts(&svg).contains(&"Beta guide (exact)"),
        "no exact-density legend"
    );
}

#[test]
fn elbo_trace_is_an_svg() {
    let fit = schools_fit();
    let path = dir("elbo").join("e.svg");
    let written = plot::elbo_trace(&fit, &path);
    assert!(written.is_ok(), "{written:?}");
    let svg = read(&path);
    assert!(svg.trim_start().starts_with("<svg"));
    let caption = format!("ELBO, all {} sweeps", fit.elbo().len());
    assert!(
        texts(&svg).contains(&caption.as_str()),
        "no caption `{caption}`"
    );
}

#[test]
fn an_unwritable_path_is_an_error_naming_it() {
    let fit = schools_fit();
    let path = dir("unwritable").join("no such dir").join("m.svg");
    match plot::marginals(&fit, &["mu"], &path) {
        Err(PlotError::Write { path: p, .. }) => assert_eq!(p, path),
        other => panic!("expected a write error, got {other:?}"),
    }
    let e = plot::elbo_trace(&fit, &path).err().map(|e| e.to_string());
    assert!(
        e.as_deref().is_some_and(|m| m.contains("no such dir")),
        "{e:?}"
    );
    assert!(!path.exists());
}

#[test]
fn bad_selections_are_typed_errors() {
    let fit = schools_fit();
    let path = dir("bad").join("m.svg");
    assert!(matches!(
        plot::marginals(&fit, &["sigma"], &path),
        Err(PlotError::UnknownName { name }) if name == "sigma"
    ));
    assert!(matches!(
        plot::marginals(&fit, &["eta[4]"], &path),
        Err(PlotError::IndexOutOfRange {
            index: 4,
            len: 4,
            ..
        })
    ));
    assert!(matches!(
        plot::marginals(&fit, &["eta[x]"], &path),
        Err(PlotError::BadSelector { .. })
    ));
    assert!(matches!(
        plot::marginals(&fit, &[], &path),
        Err(PlotError::Nothing { .. })
    ));
    let draws = [1.0, 2.0];
    match Marginals::new(&fit, &["mu", "eta[1]"])
        .reference("tau", &draws)
        .write(&path)
    {
        Err(PlotError::UnmatchedReference { label, plotted }) => {
            assert_eq!(label, "tau");
            assert_eq!(plotted, ["mu", "eta[1]"]);
        }
        other => panic!("expected an unmatched reference, got {other:?}"),
    }
    let nan = [f64::NAN; 3];
    assert!(matches!(
        Marginals::new(&fit, &["mu"])
            .reference("mu", &nan)
            .write(&path),
        Ok(())
    ));
    assert!(!read(&path).is_empty());
}
