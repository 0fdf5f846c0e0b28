//! `Ngvi::on_iteration`: the callback sees every sweep, numbered 1, 2, … up to
//! `Fit::iterations`, with the phase, the ELBO trace and the time.

use std::sync::{Arc, Mutex};

use ngvi::prelude::*;

model! {
    /// Eight schools, non-centred: several fixed-draw phases.
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
    /// Normal–Gamma, mean-field: exact rules, one phase, a few sweeps.
    fn normal_gamma(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        sample tau ~ Gamma(2.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0 / tau.sqrt());
        }
    }
}

/// Fit with a callback that records what it is told.
fn record<M: Model>(builder: Ngvi, model: &M) -> (Fit, Vec<IterationInfo>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let builder = builder.on_iteration(move |info| {
        if let Ok(mut v) = sink.lock() {
            v.push(*info);
        }
    });
    // the builder stays Clone and Debug with a callback in it
    assert!(format!("{builder:?}").contains("OnIteration"));
    let fit = builder.clone().fit(model).expect("the fit runs");
    let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
    (fit, seen)
}

fn check(fit: &Fit, seen: &[IterationInfo]) {
    assert!(!seen.is_empty());
    let numbers: Vec<usize> = seen.iter().map(|i| i.iteration).collect();
    let expected: Vec<usize> = (1..=fit.iterations()).collect();
    assert_eq!(numbers, expected, "one call per sweep, numbered from 1");
    assert_eq!(seen[0].phase, 1);
    assert!(seen.windows(2).all(|w| w[1].phase >= w[0].phase));
    assert!(seen.windows(2).all(|w| w[1].elapsed >= w[0].elapsed));
    // the ELBO the callback sees is the fit's trace without each phase's starting entry
    let told: Vec<f64> = seen.iter().map(|i| i.elbo).collect();
    assert!(told.iter().all(|e| fit.elbo().contains(e)));
    let last = seen[seen.len() - 1];
    if let StopReason::Converged { change } = fit.stop_reason() {
        assert_eq!(last.change, change);
    }
}

#[test]
fn a_non_conjugate_fit_reports_every_sweep_of_every_phase() {
    let y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
    let sigma = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];
    let (fit, seen) = record(Ngvi::new().seed(3), &schools(&y, &sigma));
    check(&fit, &seen);
    assert!(
        seen[seen.len() - 1].phase >= 2,
        "fresh draws make a second phase"
    );
    assert!(seen.iter().all(|i| i.step_size == 1.0));
}

#[test]
fn an_exact_mean_field_fit_reports_one_phase() {
    let y = [0.3, -1.2, 0.8, 2.1, 0.4, 1.0];
    let (fit, seen) = record(Ngvi::new().step_size(0.5), &normal_gamma(&y));
    check(&fit, &seen);
    assert!(fit.iterations() > 1);
    assert!(seen.iter().all(|i| i.phase == 1 && i.step_size == 0.5));
}
