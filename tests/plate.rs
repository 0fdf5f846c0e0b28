//! Plates (`for i in plate(0..n)`): the same log joint as a plain loop, summed in fixed
//! chunks whatever the number of threads, behind the `Plates` seam; errors inside a plate
//! name their statement and index.

use std::ops::Range;
use std::sync::Mutex;

use ngvi::gradient;
use ngvi::plate::{InOrder, Plates, Term};
use ngvi::prelude::*;
#[path = "support/logistic.rs"]
mod support;

use support::{logistic_loop, logistic_plate};

model! {
    fn hierarchical(y: &[f64], group: &[usize], groups: usize) {
        sample mu ~ Normal(0.0, 10.0);
        sample theta[groups] ~ Normal(mu, 1.0);
        for i in plate(0..y.len()) {
            let g = group[i];
            observe y[i] ~ Normal(theta[g], 1.0);
        }
    }
}

model! {
    /// The logistic regression with its linear predictor summed in an accumulator declared
    /// inside the plate, which the plate's body may change.
    fn logistic_accumulator(x: &DMatrix<f64>, y: &[f64]) {
        sample b ~ Normal(0.0, 5.0);
        sample w[x.ncols()] ~ Normal(0.0, 2.0);
        for i in plate(0..y.len()) {
            let mut eta = b;
            for j in 0..x.ncols() {
                eta += w[j] * x[(i, j)];
            }
            observe y[i] ~ Bernoulli(sigmoid(eta));
        }
    }
}

/// Simulated logistic data: `n` rows, 3 predictors, a fixed stream.
fn logistic_data(n: usize) -> (DMatrix<f64>, Vec<f64>) {
    support::logistic_data(n, 11)
}

#[test]
fn a_plate_has_the_log_joint_and_gradient_of_the_plain_loop() {
    let (x, y) = logistic_data(1500);
    let (plain, plate) = (logistic_loop(&x, &y), logistic_plate(&x, &y));
    for z in [[0.0; 4], [0.3, 1.0, -2.0, 0.5], [-1.0, 3.0, 0.2, -0.7]] {
        let (a, b) = (plain.log_joint(&z).unwrap(), plate.log_joint(&z).unwrap());
        assert!((a - b).abs() <= 1e-12 * a.abs(), "{a} vs {b}");
        let (ga, gb) = (
            gradient(|v| plain.log_joint(v).unwrap(), &z).1,
            gradient(|v| plate.log_joint(v).unwrap(), &z).1,
        );
        for (p, q) in ga.iter().zip(&gb) {
            assert!((p - q).abs() <= 1e-10 * p.abs().max(1.0), "{p} vs {q}");
        }
    }
}

#[test]
fn a_plate_may_change_what_it_declares() {
    let (x, y) = logistic_data(300);
    let (plain, acc) = (logistic_loop(&x, &y), logistic_accumulator(&x, &y));
    let z = [0.3, 1.0, -2.0, 0.5];
    let (a, b) = (plain.log_joint(&z).unwrap(), acc.log_joint(&z).unwrap());
    assert!((a - b).abs() <= 1e-12 * a.abs(), "{a} vs {b}");
}

/// A reducer that records what it is asked to sum.
struct Recording(Mutex<Vec<(usize, Range<usize>)>>);

impl Plates<f64> for Recording {
    fn sum(
        &self,
        plate: usize,
        range: Range<usize>,
        term: &Term<'_, f64>,
    ) -> Result<f64, ModelError> {
        if let Ok(mut r) = self.0.lock() {
            r.push((plate, range.clone()));
        }
        InOrder.sum(plate, range, term)
    }
}

#[test]
fn the_model_hands_each_plate_to_the_reducer_it_is_given() {
    let y = [1.0, 2.0, 0.5, 3.0];
    let model = hierarchical(&y, &[0, 1, 1, 0], 2);
    let rec = Recording(Mutex::new(Vec::new()));
    let z = [0.5, 1.0, 2.0];
    let with = model.log_joint_in(&z, &rec).unwrap();
    assert_eq!(rec.0.into_inner().ok(), Some(vec![(0, 0..4)]));
    assert_eq!(with, model.log_joint(&z).unwrap());
}

#[test]
fn plates_list_their_local_latents() {
    let model = hierarchical(&[1.0], &[0], 1);
    let plates = model.plates();
    assert_eq!(plates.len(), 1);
    assert_eq!(plates[0].local_latents, vec!["theta"]);
    assert!(plates[0].statement.contains("plate(0..y.len())"));
    let (x, y) = logistic_data(10);
    let plates = logistic_plate(&x, &y).plates();
    assert!(plates[0].local_latents.is_empty(), "{plates:?}");
}

#[test]
fn one_and_two_threads_give_the_same_bits() {
    let (x, y) = logistic_data(3000);
    let model = logistic_plate(&x, &y);
    let fits: Vec<Fit> = [1, 2]
        .iter()
        .map(|&t| Ngvi::new().seed(1000).threads(t).fit(&model).unwrap())
        .collect();
    for name in ["b", "w"] {
        let (m1, m2) = (fits[0].mean(name).unwrap(), fits[1].mean(name).unwrap());
        let (s1, s2) = (fits[0].sd(name).unwrap(), fits[1].sd(name).unwrap());
        assert_eq!(
            m1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            m2.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(
            s1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            s2.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
    assert_eq!(fits[0].iterations(), fits[1].iterations());
    // the diagnostic too: its draws go 256 to a pass (docs/design.md (4.12c)), each batch
    // on one thread
    let k = |f: &Fit| f.pareto_k().map(f64::to_bits);
    let elbo = |f: &Fit| f.elbo_estimate().0.to_bits();
    assert!(k(&fits[0]).is_some());
    assert_eq!(k(&fits[0]), k(&fits[1]));
    assert_eq!(elbo(&fits[0]), elbo(&fits[1]));
    assert!(
        fits[0].stop_reason().is_converged(),
        "{:?}",
        fits[0].stop_reason()
    );
}

#[test]
fn a_plate_fits_as_the_plain_loop_does() {
    let (x, y) = logistic_data(1500);
    let a = Ngvi::new().seed(2000).fit(&logistic_loop(&x, &y)).unwrap();
    let b = Ngvi::new().seed(2000).fit(&logistic_plate(&x, &y)).unwrap();
    for name in ["b", "w"] {
        let (ma, mb, sa) = (
            a.mean(name).unwrap(),
            b.mean(name).unwrap(),
            a.sd(name).unwrap(),
        );
        for ((p, q), s) in ma.iter().zip(&mb).zip(&sa) {
            assert!((p - q).abs() < 1e-6 * s, "{name}: {p} vs {q} (sd {s})");
        }
    }
}

#[test]
fn an_error_inside_a_plate_names_its_statement_and_index() {
    let (x, mut y) = logistic_data(2000);
    y[1500] = 2.0;
    let err = logistic_plate(&x, &y).log_joint(&[0.0; 4]).unwrap_err();
    assert_eq!(err.variable, "y");
    assert_eq!(err.index, vec![1500]);
    assert!(
        err.statement.contains("observe y[i] ~ Bernoulli"),
        "{}",
        err.statement
    );
    let fit = Ngvi::new().fit(&logistic_plate(&x, &y));
    assert!(matches!(fit, Err(ngvi::Error::Model(_))), "{fit:?}");
}

#[test]
fn zero_threads_is_an_error() {
    let (x, y) = logistic_data(10);
    let err = Ngvi::new()
        .threads(0)
        .fit(&logistic_plate(&x, &y))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ngvi::Error::InvalidOption {
                option: "threads",
                ..
            }
        ),
        "{err:?}"
    );
}
