//! A centred hierarchical normal model with more groups than the default 64 draws: the
//! Gaussian block's curvature comes from gradients at the draws (Stein), so the draws
//! must outnumber its coordinates (one full-rank block with `structured(false)`; by
//! default the group effects get a diagonal block of their own). Checked against the exact posterior of (mu, tau) by
//! quadrature of the group effects' marginal likelihood.

#[path = "support/hierarchical.rs"]
mod support;

use ngvi::prelude::*;
use support::{centred, data, exact, exact_effects};

#[test]
fn a_centred_model_with_more_groups_than_draws_matches_quadrature() {
    let groups = 70;
    let (y, group) = data(groups, 5);
    let reference = exact(&y, &group, groups);
    let model = centred(&y, &group, groups);
    for (seed, structured) in [(0, true), (1000, true), (0, false)] {
        let fit = Ngvi::new()
            .seed(seed)
            .structured(structured)
            .fit(&model)
            .unwrap();
        assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
        for (name, (m, s)) in ["mu", "tau"].iter().zip(reference) {
            let (fm, fs) = (fit.mean(name).unwrap()[0], fit.sd(name).unwrap()[0]);
            assert!(
                (fm - m).abs() < 0.1 * s,
                "seed {seed} {name}: {fm} vs {m} (sd {s})"
            );
            assert!(
                (fs / s - 1.0).abs() < 0.15,
                "seed {seed} {name}: sd {fs} vs {s}"
            );
        }
    }
}

/// With 100 groups of 10 in one full-rank block (`structured(false)`: by default theta gets
/// a block of its own, which starts at the data), the search for the mode runs into the
/// funnel's neck (no mode: the log joint grows without bound as tau → 0 with every theta at
/// mu) and the first phase collapses; the fit starts again from the prior-centred guide and
/// still matches, every group effect included.
#[test]
fn a_start_in_the_funnels_neck_is_abandoned() {
    let groups = 100;
    let (y, group) = data(groups, 10);
    let reference = exact(&y, &group, groups);
    let fit = Ngvi::new()
        .structured(false)
        .fit(&centred(&y, &group, groups))
        .unwrap();
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    assert!(
        fit.notes()
            .iter()
            .any(|n| n.contains("restarted from the prior-centred guide")),
        "{:?}",
        fit.notes()
    );
    for (name, (m, s)) in ["mu", "tau"].iter().zip(reference) {
        let (fm, fs) = (fit.mean(name).unwrap()[0], fit.sd(name).unwrap()[0]);
        assert!((fm - m).abs() < 0.1 * s, "{name}: {fm} vs {m} (sd {s})");
        assert!((fs / s - 1.0).abs() < 0.15, "{name}: sd {fs} vs {s}");
    }
    let (means, sds) = (fit.mean("theta").unwrap(), fit.sd("theta").unwrap());
    for (g, (m, s)) in exact_effects(&y, &group, groups).into_iter().enumerate() {
        assert!(
            (means[g] - m).abs() < 0.1 * s,
            "theta[{g}]: {} vs {m} (sd {s})",
            means[g]
        );
        assert!(
            (sds[g] / s - 1.0).abs() < 0.15,
            "theta[{g}]: sd {} vs {s}",
            sds[g]
        );
    }
}
