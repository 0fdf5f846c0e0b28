//! Run-time model errors: every case returns a `ModelError` naming the statement, its
//! line, the variable and the index; none panics.

use nalgebra::DMatrix;
use ngvi::dist::{Domain, ParamError};
use ngvi::prelude::*;
use ngvi::ModelErrorKind;

/// The line of this file where `text` appears (statements are unique in this file).
fn line_of(text: &str) -> u32 {
    let src = include_str!("model_errors.rs");
    let idx = src
        .lines()
        .position(|l| l.trim() == text)
        .expect("statement in the source");
    u32::try_from(idx + 1).expect("small")
}

model! {
    fn bern(y: &[u32]) {
        sample p ~ Beta(1.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

#[test]
fn observed_value_outside_support() {
    let y = [0, 1, 1, 2];
    let err = bern(&y).log_joint(&[0.5]).expect_err("y = 2 is not binary");
    assert_eq!(err.statement, "observe y[i] ~ Bernoulli(p);");
    assert_eq!(err.line, line_of("observe y[i] ~ Bernoulli(p);"));
    assert_eq!(err.variable, "y");
    assert_eq!(err.index, vec![3]);
    assert_eq!(
        err.kind,
        ModelErrorKind::OutsideSupport {
            value: 2.0,
            dist: "Bernoulli",
            support: "{0, 1}".to_string()
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "line {}: `observe y[i] ~ Bernoulli(p);`: y[3] = 2 is outside the support {{0, 1}} of Bernoulli",
            err.line
        )
    );
}

model! {
    fn counts(k: &[i64], exposure: &[f64]) {
        sample rate ~ Gamma(1.0, 1.0);
        for i in 0..k.len() {
            observe k[i] ~ Poisson(rate * exposure[i]);
        }
    }
}

#[test]
fn negative_count() {
    let err = counts(&[3, -1], &[1.0, 1.0])
        .log_joint(&[2.0])
        .expect_err("a negative count");
    assert_eq!(err.variable, "k");
    assert_eq!(err.index, vec![1]);
    assert!(matches!(
        err.kind,
        ModelErrorKind::OutsideSupport { value, dist: "Poisson", .. } if value == -1.0
    ));
    assert_eq!(
        err.line,
        line_of("observe k[i] ~ Poisson(rate * exposure[i]);")
    );
}

#[test]
fn data_of_the_wrong_length() {
    let err = counts(&[3, 1, 4], &[1.0, 1.0])
        .log_joint(&[2.0])
        .expect_err("exposure too short");
    assert_eq!(err.statement, "observe k[i] ~ Poisson(rate * exposure[i]);");
    assert_eq!(err.variable, "exposure");
    assert_eq!(err.index, vec![2]);
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 2, len: 2 }
    );
    assert!(err.to_string().ends_with(
        "index 2 is out of range for `exposure` of length 2 (is the data the right length?)"
    ));
}

model! {
    fn heights(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(170.0, 20.0);
        sample spread ~ HalfNormal(5.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, sigma[i]);
        }
        observe y[0] ~ Normal(mu, spread - 100.0);
    }
}

#[test]
fn non_finite_data() {
    let err = heights(&[170.0, f64::NAN], &[1.0, 1.0])
        .log_joint(&[170.0, 5.0])
        .expect_err("NaN");
    assert_eq!(err.variable, "y");
    assert_eq!(err.index, vec![1]);
    assert!(matches!(err.kind, ModelErrorKind::NonFinite { value } if value.is_nan()));
    assert_eq!(err.line, line_of("observe y[i] ~ Normal(mu, sigma[i]);"));
    let err = heights(&[170.0, f64::INFINITY], &[1.0, 1.0])
        .log_joint(&[170.0, 5.0])
        .expect_err("inf");
    assert!(err.to_string().contains("y[1] = inf is not finite"));
}

#[test]
fn data_parameter_outside_its_domain() {
    let err = heights(&[170.0, 171.0, 172.0], &[1.0, 2.0, -1.0])
        .log_joint(&[170.0, 5.0])
        .expect_err("negative sd from data");
    assert_eq!(err.statement, "observe y[i] ~ Normal(mu, sigma[i]);");
    assert_eq!(err.variable, "sigma");
    assert_eq!(err.index, vec![2]);
    assert_eq!(
        err.kind,
        ModelErrorKind::Parameter(ParamError {
            dist: DistKind::Normal,
            param: "sd",
            value: -1.0,
            domain: Domain::Positive,
        })
    );
    assert!(err
        .to_string()
        .contains("Normal(mean, sd): sd = -1 must be > 0 (computed from data at sigma[2])"));
}

#[test]
fn latent_parameter_outside_its_domain_is_minus_infinity() {
    let lp = heights(&[170.0], &[1.0])
        .log_joint(&[170.0, 5.0])
        .expect("a latent-dependent sd gives -inf, not an error");
    assert_eq!(lp, f64::NEG_INFINITY);
    let lp = heights(&[170.0], &[1.0])
        .log_joint(&[170.0, 105.0])
        .expect("valid");
    assert!(lp.is_finite());
}

#[test]
fn latent_vector_of_the_wrong_length() {
    let err = heights(&[170.0], &[1.0])
        .log_joint(&[170.0])
        .expect_err("z too short");
    assert_eq!(
        err.kind,
        ModelErrorKind::LatentLength {
            expected: 2,
            got: 1
        }
    );
    assert!(err
        .to_string()
        .contains("the latent vector has length 1, the model expects 2"));
}

model! {
    fn grid(x: &DMatrix<f64>, y: &[f64], groups: &[usize]) {
        sample beta[groups[0]] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(x[(i, 0)] * beta[0] + beta[i], 1.0);
        }
    }
}

#[test]
fn matrix_and_latent_indices_are_checked() {
    let x = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
    // y has more rows than x
    let err = grid(&x, &[0.1, 0.2, 0.3], &[3])
        .log_joint(&[0.0, 0.0, 0.0])
        .expect_err("row 2 of a 2-row matrix");
    assert_eq!(err.variable, "x");
    assert_eq!(err.index, vec![2, 0]);
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 2, len: 2 }
    );
    // beta has 2 elements, indexed with i = 2
    let x = DMatrix::from_row_slice(3, 1, &[1.0, 2.0, 3.0]);
    let err = grid(&x, &[0.1, 0.2, 0.3], &[2])
        .log_joint(&[0.0, 0.0])
        .expect_err("beta[2] of 2");
    assert_eq!(err.variable, "beta");
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 2, len: 2 }
    );
    // the vector length itself reads data
    let err = grid(&x, &[0.1], &[])
        .latents()
        .expect_err("groups is empty");
    assert_eq!(err.statement, "sample beta[groups[0]] ~ Normal(0.0, 1.0);");
    assert_eq!(err.variable, "groups");
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 0, len: 0 }
    );
    assert!(grid(&x, &[0.1], &[]).log_joint(&[0.0]).is_err());
}

model! {
    fn prior_from_data(scale: f64, y: f64) {
        sample mu ~ Normal(0.0, scale);
        observe y ~ Normal(mu, 1.0);
    }
}

#[test]
fn prior_hyperparameter_from_data() {
    let err = prior_from_data(-2.0, 0.0)
        .latents()
        .expect_err("negative scale");
    assert_eq!(err.variable, "scale");
    assert!(matches!(
        err.kind,
        ModelErrorKind::Parameter(ParamError { param: "sd", .. })
    ));
    let err = prior_from_data(-2.0, 0.0)
        .log_joint(&[0.0])
        .expect_err("negative scale");
    assert_eq!(err.statement, "sample mu ~ Normal(0.0, scale);");
    let ok = prior_from_data(2.0, 0.0).latents().expect("valid");
    assert_eq!(ok[0].prior_params, Some(vec![0.0, 2.0]));
}

model! {
    /// The regression pattern: a row of the design matrix per observation.
    fn rows_regression(x: &DMatrix<f64>, y: &[f64]) {
        sample w[x.ncols()] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(dot(x.row(i).iter(), w), 1.0);
        }
    }
}

model! {
    /// Columns and blocks of rows, outside `observe`.
    fn columns_and_blocks(x: &DMatrix<f64>, k: usize, y: &[f64]) {
        sample w ~ Normal(0.0, 1.0);
        let first = x.column(k).sum();
        let block = x.rows(1, y.len()).sum();
        factor w * (first + block);
    }
}

#[test]
fn a_matrix_with_fewer_rows_than_the_data_is_an_error_not_a_panic() {
    let x = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 1.0, -0.3]);
    let y = [0.1, 0.2, 0.3];
    let err = rows_regression(&x, &y)
        .log_joint(&[0.0, 0.0])
        .expect_err("row 2 of a 2-row matrix");
    let statement = "observe y[i] ~ Normal(dot(x.row(i).iter(), w), 1.0);";
    assert_eq!(err.statement, statement);
    assert_eq!(err.line, line_of(statement));
    assert_eq!(err.variable, "x");
    assert_eq!(err.index, vec![2]);
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 2, len: 2 }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "line {}: `{statement}`: index 2 is out of range for `x` of length 2 (is the data the right length?)",
            err.line
        )
    );
    // and through a fit
    let fit = Ngvi::new().fit(&rows_regression(&x, &y));
    assert!(matches!(fit, Err(ngvi::Error::Model(e)) if e.variable == "x"));
    // the right shape works
    let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.5, 1.0, -0.3, 1.0, 2.0]);
    assert!(rows_regression(&x, &y)
        .log_joint(&[0.1, 0.2])
        .expect("right shape")
        .is_finite());
}

#[test]
fn columns_and_row_blocks_are_checked() {
    let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.5, 1.0, -0.3, 1.0, 2.0]);
    assert!(columns_and_blocks(&x, 1, &[0.0, 0.0])
        .log_joint(&[0.5])
        .is_ok());
    let err = columns_and_blocks(&x, 2, &[0.0, 0.0])
        .log_joint(&[0.5])
        .expect_err("column 2 of a 2-column matrix");
    assert_eq!(err.statement, "let first = x.column(k).sum();");
    assert_eq!(err.variable, "x");
    assert_eq!(err.index, vec![2]);
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 2, len: 2 }
    );
    // rows 1..4 of a 3-row matrix: row 3 is missing
    let err = columns_and_blocks(&x, 0, &[0.0, 0.0, 0.0])
        .log_joint(&[0.5])
        .expect_err("rows 1..4 of 3");
    assert_eq!(err.statement, "let block = x.rows(1, y.len()).sum();");
    assert_eq!(err.index, vec![3]);
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 3, len: 3 }
    );
}

model! {
    /// Element assignments are checked too.
    fn states(y: &[f64], n: usize) {
        sample mu ~ Normal(0.0, 1.0);
        let mut level = vec![0.0; n];
        for t in 0..y.len() {
            level[t] = mu * 0.5;
        }
        factor -level[0] * level[0];
    }
}

#[test]
fn an_element_assignment_past_the_end_is_an_error() {
    assert!(states(&[1.0, 2.0], 2).log_joint(&[0.3]).is_ok());
    let err = states(&[1.0, 2.0, 3.0], 2)
        .log_joint(&[0.3])
        .expect_err("level has 2 elements");
    assert_eq!(err.statement, "level[t] = mu * 0.5;");
    assert_eq!(err.variable, "level");
    assert_eq!(err.index, vec![2]);
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 2, len: 2 }
    );
}

model! {
    /// Log densities in expressions: parameters from data are checked like those of
    /// `observe`; from latents, outside their domain, the log density is −∞.
    fn densities(scale: &[f64], y: f64) {
        sample mu ~ Normal(0.0, 1.0);
        let d = mu - y;
        factor Normal(0.0, scale[0]).ln_density(d);
        factor Normal(0.0, mu).ln_density(d);
    }
}

#[test]
fn log_density_parameters() {
    assert!(densities(&[1.0], 0.5)
        .log_joint(&[0.7])
        .expect("valid")
        .is_finite());
    let err = densities(&[-1.0], 0.5)
        .log_joint(&[0.7])
        .expect_err("a negative sd from data");
    assert_eq!(err.statement, "factor Normal(0.0, scale[0]).ln_density(d);");
    assert_eq!(err.variable, "scale");
    assert_eq!(err.index, vec![0]);
    assert!(matches!(
        err.kind,
        ModelErrorKind::Parameter(ParamError { param: "sd", .. })
    ));
    let err = densities(&[], 0.5)
        .log_joint(&[0.7])
        .expect_err("scale is empty");
    assert_eq!(
        err.kind,
        ModelErrorKind::IndexOutOfRange { index: 0, len: 0 }
    );
    assert_eq!(
        densities(&[1.0], 0.5).log_joint(&[-0.7]).expect("−∞"),
        f64::NEG_INFINITY
    );
}
