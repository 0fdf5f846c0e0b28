//! The importance-sampling correction (docs/design.md §6): a guide with 0.5 < k̂ ≤ 0.7 has
//! its summaries and draws corrected by Pareto-smoothed importance sampling, checked against
//! the NUTS reference of eight schools; a guide close to its posterior is reported as it is.

use ngvi::prelude::*;
use serde_json::Value;

model! {
    fn schools(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample theta_tilde[y.len()] ~ Normal(0.0, 1.0);
        for j in 0..y.len() {
            observe y[j] ~ Normal(mu + tau * theta_tilde[j], sigma[j]);
        }
    }
}

model! {
    /// The shared logistic regression (N = 2000, D = 21): a posterior a Gaussian fits well.
    fn logistic_regression(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 1.0);
        sample w[x.ncols()] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ BernoulliLogit(b + dot(x.row(i).iter(), w));
        }
    }
}

const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

/// (mean, sd) of `label` in the shared NUTS reference of eight schools.
fn reference(label: &str) -> (f64, f64) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/eight_schools.json"
    );
    let text = std::fs::read_to_string(path).expect("reference file");
    let json: Value = serde_json::from_str(&text).expect("reference JSON");
    let i = json["labels"]
        .as_array()
        .and_then(|l| l.iter().position(|x| x == label))
        .expect("label in the reference");
    let at = |what: &str| json["flat"][what][i].as_f64().expect("a number");
    (at("mean"), at("sd"))
}

#[test]
fn a_usable_guide_is_corrected_to_the_reference() {
    let mut means = Vec::new();
    for seed in [0, 1000] {
        let fit = Ngvi::new().seed(seed).fit(&schools(&Y, &SIGMA)).unwrap();
        let k = fit.pareto_k().expect("a fit that is not exact has k̂");
        assert!(k > 0.5 && k <= 0.7, "seed {seed}: k̂ {k}");
        let c = fit.correction().expect("corrected");
        assert_eq!(c.draws, 64_000);
        assert!(c.ess > 1000.0, "seed {seed}: ESS {}", c.ess);
        for name in ["mu", "tau"] {
            let (m, s) = (fit.mean(name).unwrap()[0], fit.sd(name).unwrap()[0]);
            let (rm, rs) = reference(name);
            assert!(
                (m - rm).abs() < 0.1 * rs,
                "seed {seed}: {name} mean {m} vs {rm}"
            );
            assert!(
                (s / rs - 1.0).abs() < 0.15,
                "seed {seed}: {name} sd {s} vs {rs}"
            );
            // The draws are resampled by weight: their mean agrees with the weighted one.
            let draws: Vec<f64> = fit.draws(name).unwrap().iter().map(|d| d[0]).collect();
            let dm = draws.iter().sum::<f64>() / draws.len() as f64;
            assert!(
                (dm - m).abs() < 0.15 * rs,
                "seed {seed}: {name} draws' mean {dm}"
            );
        }
        means.push(fit.mean("tau").unwrap()[0]);
        assert!(fit
            .summary()
            .contains("corrected by Pareto-smoothed importance sampling"));
    }
    let (_, rs) = reference("tau");
    assert!(
        (means[0] - means[1]).abs() < 0.05 * rs,
        "tau across seeds: {means:?}"
    );
}

#[test]
fn a_guide_close_to_its_posterior_is_reported_as_it_is() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/logistic.csv");
    let mut rows = Vec::new();
    for record in csv::Reader::from_path(path).expect("data file").records() {
        let record = record.expect("a row");
        rows.push(
            record
                .iter()
                .map(|v| v.parse::<f64>().expect("a number"))
                .collect::<Vec<_>>(),
        );
    }
    let d = rows[0].len() - 1;
    let x = DMatrix::from_fn(rows.len(), d, |i, j| rows[i][j]);
    let y: Vec<f64> = rows.iter().map(|r| r[d]).collect();
    let fit = Ngvi::new().fit(&logistic_regression(&x, &y)).unwrap();
    assert!(fit.pareto_k().unwrap() < 0.4, "k̂ {:?}", fit.pareto_k());
    // k̂ below 1.12 on the first 1000 diagnostic draws: all 4000 are taken
    assert!(
        fit.summary().contains("ELBO on 4000 fresh draws"),
        "{}",
        fit.summary()
    );
    assert_eq!(fit.correction(), None);
    assert!(!fit.summary().contains("importance sampling"));
}
