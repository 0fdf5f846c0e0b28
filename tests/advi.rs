//! ADVI on a Gaussian posterior, where its answer is known: the full-rank guide recovers the
//! exact posterior and the mean-field one the mean-field optimum (exact means, precisions
//! diag(P)), both within the noise its stochastic steps leave.

use nalgebra::{DMatrix, DVector};
use ngvi::prelude::*;

model! {
    fn regression(x1: &[f64], x2: &[f64], y: &[f64]) {
        sample w[2] ~ Normal(0.0, 3.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(w[0] * x1[i] + w[1] * x2[i], 1.0);
        }
    }
}

/// The regression's data (x1, x2, y) and its exact posterior N(mean, P⁻¹).
struct Problem {
    x1: Vec<f64>,
    x2: Vec<f64>,
    y: Vec<f64>,
    mean: DVector<f64>,
    p: DMatrix<f64>,
}

fn problem() -> Problem {
    let n = 40;
    let x1: Vec<f64> = (0..n)
        .map(|i| ((i * 37 % 41) as f64 - 20.0) / 10.0)
        .collect();
    let x2: Vec<f64> = (0..n)
        .map(|i| 0.6 * x1[i] + ((i * 11 % 13) as f64 - 6.0) / 8.0)
        .collect();
    let y: Vec<f64> = (0..n)
        .map(|i| 1.5 * x1[i] - x2[i] + ((i * 7 % 9) as f64 - 4.0) / 5.0)
        .collect();
    let xs = [&x1, &x2];
    let p = DMatrix::from_fn(2, 2, |a, b| {
        (0..n).map(|i| xs[a][i] * xs[b][i]).sum::<f64>() + if a == b { 1.0 / 9.0 } else { 0.0 }
    });
    let xty = DVector::from_fn(2, |a, _| (0..n).map(|i| xs[a][i] * y[i]).sum::<f64>());
    let mean = p.clone().cholesky().unwrap().solve(&xty);
    Problem { x1, x2, y, mean, p }
}

#[test]
fn full_rank_advi_recovers_a_gaussian_posterior() {
    let Problem { x1, x2, y, mean, p } = problem();
    let cov = p.try_inverse().unwrap();
    let fit = Advi::new()
        .full_rank(true)
        .step_size(0.02)
        .seed(3)
        .fit(&regression(&x1, &x2, &y))
        .unwrap();
    let (m, s) = (fit.mean("w").unwrap(), fit.sd("w").unwrap());
    for k in 0..2 {
        let sd = cov[(k, k)].sqrt();
        assert!(
            (m[k] - mean[k]).abs() < 0.1 * sd,
            "{m:?} vs {mean}\n{}",
            fit.summary()
        );
        assert!(
            (s[k] / sd - 1.0).abs() < 0.15,
            "{s:?} vs {sd}\n{}",
            fit.summary()
        );
    }
    assert!(fit.evaluations().gradients > 0 && fit.evaluations().hessians == 0);
}

#[test]
fn mean_field_advi_reaches_the_mean_field_optimum() {
    let Problem { x1, x2, y, mean, p } = problem();
    let fit = Advi::new()
        .step_size(0.02)
        .seed(5)
        .fit(&regression(&x1, &x2, &y))
        .unwrap();
    let (m, s) = (fit.mean("w").unwrap(), fit.sd("w").unwrap());
    for k in 0..2 {
        let sd = 1.0 / p[(k, k)].sqrt();
        assert!(
            (m[k] - mean[k]).abs() < 0.1 * sd,
            "{m:?} vs {mean}\n{}",
            fit.summary()
        );
        assert!(
            (s[k] / sd - 1.0).abs() < 0.15,
            "{s:?} vs {sd}\n{}",
            fit.summary()
        );
    }
}

/// A decaying step (0.05 → 0.0005, NumPyro's best schedule on the logistic benchmark)
/// settles on the Gaussian posterior: the small last steps leave little noise (means within
/// 0.05 sd, sds within 10 %).
#[test]
fn decaying_step_size_settles_on_the_gaussian_posterior() {
    let Problem { x1, x2, y, mean, p } = problem();
    let cov = p.try_inverse().unwrap();
    let worst = |fit: &Fit| {
        let m = fit.mean("w").unwrap();
        (0..2)
            .map(|k| (m[k] - mean[k]).abs() / cov[(k, k)].sqrt())
            .fold(0.0, f64::max)
    };
    let run = |advi: Advi| {
        advi.full_rank(true)
            .seed(11)
            .tol(0.0)
            .max_iters(4000)
            .fit(&regression(&x1, &x2, &y))
            .unwrap()
    };
    let decayed = run(Advi::new().step_size(0.05).step_size_decay(0.0005));
    assert!(worst(&decayed) < 0.05, "{}", decayed.summary());
    let s = decayed.sd("w").unwrap();
    for k in 0..2 {
        let sd = cov[(k, k)].sqrt();
        assert!((s[k] / sd - 1.0).abs() < 0.1, "{s:?} vs {sd}");
    }
    assert!(decayed
        .settings()
        .iter()
        .any(|(name, v)| *name == "step_size_decay" && v.to_string() == "0.0005"));
}

#[test]
fn advi_options_are_checked() {
    let Problem { x1, x2, y, .. } = problem();
    let model = regression(&x1, &x2, &y);
    for advi in [
        Advi::new().step_size(0.0),
        Advi::new().step_size(f64::NAN),
        Advi::new().grad_samples(0),
        Advi::new().max_iters(0),
        Advi::new().tol(-1.0),
        Advi::new().draws(1),
        Advi::new().step_size_decay(0.0),
        Advi::new().step_size_decay(f64::INFINITY),
    ] {
        assert!(
            matches!(advi.fit(&model), Err(ngvi::Error::InvalidOption { .. })),
            "{advi:?}"
        );
    }
}
