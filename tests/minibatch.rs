//! Stochastic NGVI on minibatches of a plate: the full-data posterior within the bar, and a
//! clear error where a minibatch cannot work.

use ngvi::prelude::*;
use ngvi::Error;
#[path = "support/logistic.rs"]
mod support;

use support::{logistic_loop, logistic_plate as logistic};

model! {
    fn grouped(y: &[f64], group: &[usize], groups: usize) {
        sample mu ~ Normal(0.0, 10.0);
        sample theta[groups] ~ Normal(mu, 1.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Normal(theta[group[i]], 1.0);
        }
    }
}

/// Simulated logistic data: `n` rows, 3 predictors, a fixed stream.
fn data(n: usize) -> (DMatrix<f64>, Vec<f64>) {
    support::logistic_data(n, 23)
}

#[test]
fn a_minibatch_fit_reaches_the_full_data_posterior() {
    let (x, y) = data(2_000);
    let model = logistic(&x, &y);
    let full = Ngvi::new().seed(0).fit(&model).unwrap();
    for seed in [0, 1000] {
        let fit = Ngvi::new().seed(seed).minibatch(250).fit(&model).unwrap();
        assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
        for name in ["b", "w"] {
            let (m0, s0) = (full.mean(name).unwrap(), full.sd(name).unwrap());
            let (m1, s1) = (fit.mean(name).unwrap(), fit.sd(name).unwrap());
            for k in 0..m0.len() {
                let z = (m1[k] - m0[k]).abs() / s0[k];
                let ratio = s1[k] / s0[k];
                assert!(
                    z < 0.1,
                    "seed {seed} {name}[{k}]: {z} sd off\n{}",
                    fit.summary()
                );
                assert!(
                    (ratio - 1.0).abs() < 0.15,
                    "seed {seed} {name}[{k}]: sd ratio {ratio}"
                );
            }
        }
        assert!(fit.notes().iter().any(|n| n.contains("minibatches of 250")));
    }
}

model! {
    fn coin(y: &[f64]) {
        sample p ~ Beta(2.0, 3.0);
        for i in plate(0..y.len()) {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

#[test]
fn a_conjugate_minibatch_fit_is_exact() {
    // The control variate at the epoch's start is the full-data target, and a conjugate
    // block's target does not depend on its own guide: the minibatch terms cancel.
    let flips: Vec<f64> = (0..5000).map(|i| f64::from(u8::from(i % 7 < 2))).collect();
    let fit = Ngvi::new()
        .seed(3000)
        .minibatch(100)
        .fit(&coin(&flips))
        .unwrap();
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    let ones = flips.iter().sum::<f64>();
    let (a, b) = (2.0 + ones, 3.0 + 5000.0 - ones);
    let mean = a / (a + b);
    let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
    assert!((fit.mean("p").unwrap()[0] - mean).abs() < 1e-9 * sd);
    assert!((fit.sd("p").unwrap()[0] - sd).abs() < 1e-9 * sd);
}

#[test]
fn a_plate_with_local_latents_cannot_be_subsampled() {
    let model = grouped(&[1.0, 2.0, 3.0], &[0, 1, 1], 2);
    let err = Ngvi::new().minibatch(2).fit(&model).unwrap_err();
    let Error::CannotSubsample { batch: 2, why } = &err else {
        panic!("{err:?}");
    };
    assert!(why.contains("theta") && why.contains("line"), "{err}");
}

#[test]
fn a_model_without_a_plate_cannot_be_subsampled() {
    let (x, y) = data(50);
    let err = Ngvi::new()
        .minibatch(10)
        .fit(&logistic_loop(&x, &y))
        .unwrap_err();
    assert!(
        matches!(&err, Error::CannotSubsample { why, .. } if why.contains("plate(0..n)")),
        "{err}"
    );
    let err = Ngvi::new().minibatch(0).fit(&logistic(&x, &y)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidOption {
                option: "minibatch",
                ..
            }
        ),
        "{err}"
    );
}

model! {
    fn separable(x: &[f64], y: &[f64]) {
        sample w ~ Flat();
        for i in plate(0..y.len()) {
            observe y[i] ~ BernoulliLogit(w * x[i]);
        }
    }
}

model! {
    fn collinear(x: &[f64], y: &[f64]) {
        sample a ~ Flat();
        sample b ~ Flat();
        for i in plate(0..y.len()) {
            observe y[i] ~ Normal(a * x[i] + b * x[i], 1.0);
        }
    }
}

/// Improper posteriors fitted on minibatches end as on all the data
/// (`tests/engine_honesty.rs`): separable data under a flat prior diverge, collinear
/// predictors leave a flat direction; neither is reported converged.
#[test]
fn an_improper_posterior_on_minibatches_never_ends_converged() {
    let x: Vec<f64> = (0..400)
        .map(|i| f64::from(i) / 100.0 - 2.0 + 0.005)
        .collect();
    let labels: Vec<f64> = x.iter().map(|&v| f64::from(u8::from(v > 0.0))).collect();
    let line: Vec<f64> = x.iter().map(|&v| 2.0 * v + 0.1 * (7.0 * v).sin()).collect();
    for seed in [0, 1000] {
        let fit = Ngvi::new()
            .seed(seed)
            .minibatch(50)
            .fit(&separable(&x, &labels))
            .unwrap();
        assert!(
            matches!(fit.stop_reason(), StopReason::Diverged { .. }),
            "{}",
            fit.summary()
        );
        assert!(fit.summary().contains("NOT converged"), "{}", fit.summary());
        let fit = Ngvi::new()
            .seed(seed)
            .minibatch(50)
            .fit(&collinear(&x, &line))
            .unwrap();
        assert_eq!(
            fit.stop_reason(),
            StopReason::Unidentified,
            "{}",
            fit.summary()
        );
        assert!(fit.summary().contains("NOT converged"), "{}", fit.summary());
    }
}
