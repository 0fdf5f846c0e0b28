//! Structured blocks (docs/design.md §3, "Blocks"): a large latent whose log joint's
//! Hessian within itself is diagonal gets a diagonal Gaussian block of its own, exact from gradients when
//! the log joint is quadratic in it; a large latent coupled within itself stays in the
//! joint full-rank block. The summary says which, and why.

#[path = "support/hierarchical.rs"]
mod support;

use ngvi::prelude::*;
use ngvi::{GaussianBlock, Reason};
use support::{centred, data, exact, exact_effects, uniform_stream};

#[test]
fn group_effects_get_an_exact_diagonal_block_of_their_own() {
    let groups = 200;
    let (y, group) = data(groups, 10);
    let fit = Ngvi::new().fit(&centred(&y, &group, groups)).unwrap();
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    let Some(Reason::Gaussian {
        block,
        exact: one_step,
        ..
    }) = fit.reason("theta")
    else {
        panic!("theta: {:?}", fit.reason("theta"));
    };
    assert_eq!(
        block,
        &GaussianBlock::OwnDiagonal {
            latent: "theta".into(),
            coords: groups
        }
    );
    assert!(one_step, "{}", fit.summary());
    let summary = fit.summary();
    assert!(
        summary.contains(
            "diagonal Gaussian block of its own (200 coordinates; Hessian within theta \
             diagonal at the probes); log joint quadratic in the block: exact in one step"
        ),
        "{summary}"
    );
    // mu and tau stay in the joint full-rank block, which is not exact.
    for name in ["mu", "tau"] {
        let Some(Reason::Gaussian {
            block,
            exact: one_step,
            ..
        }) = fit.reason(name)
        else {
            panic!("{name}: {:?}", fit.reason(name));
        };
        assert_eq!(block, &GaussianBlock::Joint, "{name}");
        assert!(!one_step, "{name}");
    }
    for (name, (m, s)) in ["mu", "tau"].iter().zip(exact(&y, &group, groups)) {
        let fm = fit.mean(name).unwrap()[0];
        assert!((fm - m).abs() < 0.1 * s, "{name}: {fm} vs {m} (sd {s})");
    }
    let means = fit.mean("theta").unwrap();
    for (g, (m, s)) in exact_effects(&y, &group, groups).into_iter().enumerate() {
        assert!(
            (means[g] - m).abs() < 0.1 * s,
            "theta[{g}]: {} vs {m} (sd {s})",
            means[g]
        );
    }
}

#[test]
fn structured_false_keeps_one_full_rank_block() {
    let groups = 40;
    let (y, group) = data(groups, 10);
    let fit = Ngvi::new()
        .structured(false)
        .fit(&centred(&y, &group, groups))
        .unwrap();
    for name in ["mu", "tau", "theta"] {
        let Some(Reason::Gaussian { block, .. }) = fit.reason(name) else {
            panic!("{name}: {:?}", fit.reason(name));
        };
        assert_eq!(block, &GaussianBlock::Joint, "{name}");
    }
}

model! {
    /// A linear regression on 50 weights: every datum touches every weight, so the Hessian
    /// within `w` is dense.
    fn regression(x: &[Vec<f64>], y: &[f64]) {
        sample w[50] ~ Normal(0.0, 1.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Normal(dot(x[i].iter(), w), 1.0);
        }
    }
}

#[test]
fn a_latent_coupled_within_itself_stays_in_the_full_rank_block() {
    let mut uniform = uniform_stream(7);
    let x: Vec<Vec<f64>> = (0..80)
        .map(|_| (0..50).map(|_| uniform()).collect())
        .collect();
    let y: Vec<f64> = x
        .iter()
        .map(|r| r.iter().sum::<f64>() + uniform())
        .collect();
    let fit = Ngvi::new().fit(&regression(&x, &y)).unwrap();
    let Some(Reason::Gaussian { block, exact, .. }) = fit.reason("w") else {
        panic!("w: {:?}", fit.reason("w"));
    };
    assert!(
        matches!(block, GaussianBlock::Coupled { coords: 50, pair: (i, j), .. } if i < j),
        "{block:?}"
    );
    assert!(exact, "{}", fit.summary());
    assert!(
        fit.summary().contains("Hessian within w not diagonal"),
        "{}",
        fit.summary()
    );
}
