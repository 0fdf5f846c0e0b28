//! Draws and summaries out (feature `export`): the CmdStan CSV read back with the `csv`
//! crate gives the fit's own values, and the JSON has the layout docs/design.md §6 gives.
#![cfg(feature = "export")]

use std::io;

use ngvi::prelude::*;
use serde_json::Value;

model! {
    /// Eight schools, non-centred, with a derived vector and a derived scalar.
    fn schools(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        let mut theta = Vec::new();
        for j in 0..y.len() {
            theta.push(mu + tau * eta[j]);
            observe y[j] ~ Normal(mu + tau * eta[j], sigma[j]);
        }
        track theta = theta;
        track tau_sq = tau * tau;
    }
}

const Y: [f64; 4] = [2.0, -1.0, 5.0, 1.0];
const SIGMA: [f64; 4] = [5.0, 4.0, 6.0, 5.0];
const DRAWS: usize = 300;

fn fit() -> Fit {
    Ngvi::new()
        .seed(11)
        .draws(DRAWS)
        .fit(&schools(&Y, &SIGMA))
        .expect("the fit runs")
}

/// Every column the CSV should have, in order, with the fit's value at each draw.
fn expected_columns(fit: &Fit) -> Vec<(String, Vec<f64>)> {
    let mut out = Vec::new();
    for (name, scalar) in [
        ("mu", true),
        ("tau", true),
        ("eta", false),
        ("theta", false),
        ("tau_sq", true),
    ] {
        let draws = fit.draws(name).expect("a variable of the model");
        let len = draws[0].len();
        for k in 0..len {
            let label = if scalar {
                name.to_string()
            } else {
                format!("{name}.{}", k + 1)
            };
            out.push((label, draws.iter().map(|d| d[k]).collect()));
        }
    }
    out
}

#[test]
fn cmdstan_csv_reads_back_with_the_same_values() {
    let fit = fit();
    let mut bytes = Vec::new();
    fit.write_cmdstan_csv(&mut bytes).expect("written");
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    for line in [
        "# model = Schools",
        "# method = variational",
        "#     algorithm = fullrank",
        "#     output_samples = 300",
        "#   seed = 11",
        "# engine = ngvi",
        "# Stepsize adaptation complete.",
        "# eta = 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line `{line}` in\n{text}"
        );
    }

    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    let expected = expected_columns(&fit);
    let mut names = vec!["lp__".to_string()];
    names.extend(expected.iter().map(|(n, _)| n.clone()));
    assert_eq!(header, names);

    let rows: Vec<Vec<f64>> = reader
        .records()
        .map(|r| {
            r.expect("a record")
                .iter()
                .map(|v| v.parse::<f64>().expect("a number"))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), DRAWS + 1, "the mean row, then one row per draw");
    assert!(rows.iter().all(|r| r[0] == 0.0), "lp__ is 0 as in CmdStan");
    let means: Vec<f64> = ["mu", "tau", "eta", "theta", "tau_sq"]
        .iter()
        .flat_map(|n| fit.mean(n).expect("a variable"))
        .collect();
    assert_eq!(rows[0][1..], means[..]);
    for (c, (name, values)) in expected.iter().enumerate() {
        let read: Vec<f64> = rows[1..].iter().map(|r| r[c + 1]).collect();
        assert_eq!(&read, values, "column {name}");
    }
}

#[test]
fn json_has_the_documented_layout() {
    let fit = fit();
    let json: Value = serde_json::from_str(&fit.to_json().expect("serialised")).expect("JSON");

    let posterior = &json["posterior"];
    let mu = posterior["mu"].as_array().expect("[chain][draw]");
    assert_eq!(mu.len(), 1, "one chain");
    let mu: Vec<f64> = mu[0]
        .as_array()
        .expect("draws")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let expected: Vec<f64> = fit.draws("mu").expect("mu").iter().map(|d| d[0]).collect();
    assert_eq!(mu, expected);
    let eta = &posterior["eta"][0];
    assert_eq!(eta.as_array().expect("draws").len(), DRAWS);
    let eta_7: Vec<f64> = eta[7]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(eta_7, fit.draws("eta").expect("eta")[7]);
    assert_eq!(posterior["theta"][0][0].as_array().map(Vec::len), Some(4));
    assert!(
        posterior["tau_sq"][0][0].is_f64(),
        "a one-component derived scalar"
    );

    assert_eq!(json["dims"]["eta"], serde_json::json!(["eta_dim_0"]));
    assert_eq!(json["coords"]["eta_dim_0"], serde_json::json!([0, 1, 2, 3]));
    assert!(
        json["dims"].get("mu").is_none(),
        "a scalar has no dimension"
    );

    let summary = json["summary"].as_array().expect("rows");
    assert_eq!(summary.len(), 1 + 1 + 4 + 4 + 1);
    assert_eq!(summary[0]["name"], "mu");
    assert!(summary[0]["index"].is_null());
    assert_eq!(
        summary[0]["mean"].as_f64(),
        Some(fit.mean("mu").expect("mu")[0])
    );
    assert_eq!(summary[3]["name"], "eta");
    assert_eq!(summary[3]["index"], 1);
    assert_eq!(
        summary[3]["q50"].as_f64(),
        Some(fit.quantile("eta", 0.5).expect("eta")[1])
    );

    assert_eq!(json["model"], "Schools");
    assert_eq!(json["method"], "ngvi");
    assert_eq!(json["settings"]["seed"], 11);
    assert_eq!(json["settings"]["draws"], DRAWS);
    assert_eq!(json["settings"]["diagonal"], false);
    assert_eq!(json["settings"]["expectation"], "auto");
    let converged = fit.stop_reason().is_converged();
    assert_eq!(json["stop_reason"]["converged"], converged);
    assert_eq!(
        json["stop_reason"]["kind"],
        if converged { "converged" } else { "max_iters" }
    );
    assert_eq!(json["iterations"], fit.iterations());
    assert_eq!(json["elbo"].as_f64(), Some(fit.elbo_estimate().0));
    assert_eq!(
        json["elbo_trace"].as_array().map(Vec::len),
        Some(fit.elbo().len())
    );
    assert_eq!(json["pareto_k"].as_f64(), fit.pareto_k());
}

#[test]
fn an_exact_fit_has_no_k_hat_and_advi_names_itself() {
    model! {
        fn coin(y: &[f64]) {
            sample p ~ Beta(1.0, 1.0);
            for i in 0..y.len() {
                observe y[i] ~ Bernoulli(p);
            }
        }
    }
    let y = [1.0, 0.0, 1.0, 1.0];
    let exact = Ngvi::new().draws(10).fit(&coin(&y)).expect("fit");
    let json: Value = serde_json::from_str(&exact.to_json().expect("JSON")).expect("JSON");
    assert!(json["pareto_k"].is_null());
    assert!(json["draw_error"].is_null());

    let advi = Advi::new()
        .full_rank(true)
        .draws(10)
        .fit(&coin(&y))
        .expect("fit");
    let mut bytes = Vec::new();
    advi.write_cmdstan_csv(&mut bytes).expect("written");
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.contains("# engine = advi\n"));
    assert!(text.contains("#     algorithm = fullrank\n"));
    assert!(text.contains("#     grad_samples = 1\n"));
    assert_eq!(
        text.lines().find(|l| !l.starts_with('#')),
        Some("lp__,p"),
        "a scalar latent is one plain column"
    );
}

/// A writer that fails.
struct Broken;

impl io::Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("disk full"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::other("disk full"))
    }
}

#[test]
fn a_failing_writer_is_a_typed_error() {
    let err = fit()
        .write_cmdstan_csv(Broken)
        .expect_err("the writer fails");
    match &err {
        Error::Export { format, message } => {
            assert_eq!(*format, "CmdStan CSV");
            assert!(message.contains("disk full"), "{message}");
        }
        other => panic!("expected Error::Export, got {other:?}"),
    }
}
