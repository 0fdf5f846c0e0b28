//! NUTS (feature `nuts`) on posteriors known in closed form: a Normal mean, a Gamma rate
//! (the log transform), a truncated Normal (−∞ beyond a bound); seeds; option and model
//! errors; the comparison with a fit.
#![cfg(feature = "nuts")]

use ngvi::dist::{DistKind, Support};
use ngvi::prelude::*;
use ngvi::{Latent, LatentUse, NutsFit, Shape};

model! {
    fn normal_mean(y: &[f64]) {
        sample mu ~ Normal(0.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0);
        }
    }
}

model! {
    fn poisson_rate(y: &[f64]) {
        sample lam ~ Gamma(3.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Poisson(lam);
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

const Y: [f64; 10] = [1.2, 0.4, 2.1, 1.7, 0.9, 1.4, 2.6, 0.3, 1.1, 1.8];
const COUNTS: [f64; 8] = [2.0, 4.0, 3.0, 5.0, 1.0, 3.0, 4.0, 2.0];

/// A small run: 4 chains × 500 draws after 300 warmup.
fn small() -> Nuts {
    Nuts::new().chains(4).draws(500).warmup(300).seed(5)
}

/// The mean within 4 Monte Carlo standard errors and the sd within 10 % of the truth, R̂
/// below 1.01, no divergence.
fn check(nuts: &NutsFit, name: &str, mean: f64, sd: f64) {
    let (m, s) = (nuts.mean(name).unwrap()[0], nuts.sd(name).unwrap()[0]);
    let mcse = nuts.mcse_mean(name).unwrap()[0];
    assert!(
        (m - mean).abs() < 4.0 * mcse,
        "{name}: mean {m} vs {mean} (mcse {mcse})"
    );
    assert!((s / sd - 1.0).abs() < 0.1, "{name}: sd {s} vs {sd}");
    assert!(nuts.rhat(name).unwrap()[0] < 1.01, "{}", nuts.summary());
    assert_eq!(nuts.divergences(), 0);
}

#[test]
fn normal_mean_matches_the_conjugate_posterior() -> Result<(), Error> {
    // Posterior precision 1/4 + n, mean Σy / (1/4 + n).
    let precision = 0.25 + Y.len() as f64;
    let nuts = small().sample(&normal_mean(&Y))?;
    check(
        &nuts,
        "mu",
        Y.iter().sum::<f64>() / precision,
        precision.powf(-0.5),
    );
    assert_eq!(nuts.draws("mu").unwrap().len(), 2000);
    let ess = nuts.ess_bulk("mu").unwrap()[0];
    assert!(ess > 500.0, "ESS {ess}");
    Ok(())
}

#[test]
fn gamma_rate_is_sampled_on_the_log_scale() -> Result<(), Error> {
    // Posterior Gamma(3 + Σy, 1 + n): mean a/b, sd √a/b.
    let (a, b) = (3.0 + COUNTS.iter().sum::<f64>(), 1.0 + COUNTS.len() as f64);
    let nuts = small().sample(&poisson_rate(&COUNTS))?;
    check(&nuts, "lam", a / b, a.sqrt() / b);
    let draws = nuts.draws("lam").unwrap();
    assert!(draws.iter().all(|d| d[0] > 0.0));
    // The median of Gamma(a, b) lies between its mode (a − 1)/b and its mean.
    let median = nuts.quantile("lam", 0.5).unwrap()[0];
    assert!(
        median > (a - 1.0) / b && median < a / b + 0.05,
        "median {median}"
    );
    Ok(())
}

/// z ~ N(0, 1) truncated to z < 1 by a log joint of −∞ above: the sampler must reject
/// those points (as divergences) without failing.
struct Truncated;

impl Model for Truncated {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        Ok(vec![Latent {
            name: "z",
            shape: Shape::Scalar,
            prior: DistKind::Normal,
            prior_params: Some(vec![0.0, 1.0]),
            support: Support::Real,
        }])
    }
    fn uses(&self) -> Vec<LatentUse> {
        Vec::new()
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        if z[0] < 1.0 {
            Ok(-(z[0].clone() * z[0].clone()) * 0.5)
        } else {
            Ok(S::from(f64::NEG_INFINITY))
        }
    }
}

#[test]
fn minus_infinity_is_rejected_not_fatal() -> Result<(), Error> {
    // Mean −φ(1)/Φ(1), variance 1 − φ(1)/Φ(1) − (φ(1)/Φ(1))².
    let ratio = 0.241_970_724_519_143_37 / 0.841_344_746_068_542_9;
    let nuts = small().sample(&Truncated)?;
    let (m, s) = (nuts.mean("z").unwrap()[0], nuts.sd("z").unwrap()[0]);
    let mcse = nuts.mcse_mean("z").unwrap()[0];
    assert!((m + ratio).abs() < 5.0 * mcse, "mean {m}, mcse {mcse}");
    assert!(
        (s / (1.0 - ratio - ratio * ratio).sqrt() - 1.0).abs() < 0.1,
        "sd {s}"
    );
    assert!(nuts.draws("z").unwrap().iter().all(|d| d[0] < 1.0));
    Ok(())
}

#[test]
fn the_same_seed_gives_the_same_draws() -> Result<(), Error> {
    let model = normal_mean(&Y);
    let run = |seed| {
        Nuts::new()
            .chains(2)
            .draws(50)
            .warmup(50)
            .seed(seed)
            .sample(&model)
    };
    let (a, b, c) = (run(3)?, run(3)?, run(4)?);
    assert_eq!(a.draws("mu"), b.draws("mu"));
    assert_ne!(a.draws("mu"), c.draws("mu"));
    // The chains are different streams.
    assert_ne!(a.chain_draws("mu", 0), a.chain_draws("mu", 1));
    assert_eq!(a.chain_draws("mu", 2), None);
    Ok(())
}

#[test]
fn invalid_options_are_typed_errors() {
    let model = normal_mean(&Y);
    let option = |nuts: Nuts| match nuts.sample(&model) {
        Err(Error::InvalidOption { option, .. }) => option,
        other => panic!("expected an option error, got {other:?}"),
    };
    assert_eq!(option(Nuts::new().chains(0)), "chains");
    assert_eq!(option(Nuts::new().draws(0)), "draws");
    assert_eq!(option(Nuts::new().target_accept(1.0)), "target_accept");
    assert_eq!(option(Nuts::new().target_accept(f64::NAN)), "target_accept");
    assert_eq!(option(Nuts::new().max_depth(0)), "max_depth");
}

#[test]
fn a_data_error_is_the_model_error() {
    let model = coin(&[1.0, 0.0, 2.0]);
    match Nuts::new().draws(10).warmup(10).sample(&model) {
        Err(Error::Model(e)) => assert_eq!(e.index, vec![2]),
        other => panic!("expected the model's error, got {other:?}"),
    }
}

/// A latent with a discrete support.
struct Discrete;

impl Model for Discrete {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        Ok(vec![Latent {
            name: "k",
            shape: Shape::Scalar,
            prior: DistKind::Poisson,
            prior_params: Some(vec![3.0]),
            support: Support::Counts,
        }])
    }
    fn uses(&self) -> Vec<LatentUse> {
        Vec::new()
    }
    fn log_joint<S: Scalar>(&self, _z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        Ok(S::from(0.0))
    }
}

#[test]
fn a_discrete_latent_is_refused() {
    match Nuts::new().sample(&Discrete) {
        Err(Error::NoTransform { name, .. }) => assert_eq!(name, "k"),
        other => panic!("expected NoTransform, got {other:?}"),
    }
}

#[test]
fn compare_sets_a_fit_beside_nuts() -> Result<(), Error> {
    let model = poisson_rate(&COUNTS);
    let nuts = small().sample(&model)?;
    let fit = Ngvi::new().seed(1).fit(&model)?;
    let cmp = fit.compare(&nuts);
    let row = &cmp.rows()[0];
    assert_eq!(row.label, "lam");
    assert_eq!(row.nuts_mean, nuts.mean("lam").unwrap()[0]);
    assert_eq!(row.fit_sd, fit.sd("lam").unwrap()[0]);
    // The fit is exact (conjugate): it agrees with NUTS within NUTS's error.
    assert!(row.mean_error() < 4.0 * row.nuts_mcse / row.nuts_sd);
    assert!((row.sd_ratio() - 1.0).abs() < 0.1);
    let table = cmp.to_string();
    assert!(
        table.contains("|Δmean|/sd") && table.contains("lam"),
        "{table}"
    );
    Ok(())
}

model! {
    fn normal_mean_tracked(y: &[f64]) {
        sample mu ~ Normal(0.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0);
        }
        track shifted = mu + 10.0;
    }
}

#[test]
fn derived_quantities_are_read_by_name() -> Result<(), Error> {
    let model = normal_mean_tracked(&Y);
    let nuts = Nuts::new()
        .chains(2)
        .draws(100)
        .warmup(100)
        .seed(9)
        .sample(&model)?;
    assert_eq!(nuts.tracked_names(), vec!["shifted"]);
    let (mu, shifted) = (nuts.draws("mu").unwrap(), nuts.draws("shifted").unwrap());
    assert!(mu
        .iter()
        .zip(&shifted)
        .all(|(m, s)| (s[0] - m[0] - 10.0).abs() < 1e-12));
    let fit = Ngvi::new().seed(1).fit(&model)?;
    let cmp = fit.compare(&nuts);
    let labels: Vec<(&str, bool)> = cmp
        .rows()
        .iter()
        .map(|r| (r.label.as_str(), r.derived))
        .collect();
    assert_eq!(labels, vec![("mu", false), ("shifted", true)]);
    Ok(())
}
