//! ADVI on a Gaussian posterior, where its answer is known: the full-rank guide recovers the
//! exact posterior and the mean-field one the mean-field optimum (exact means, precisions
//! diag(P)), both within the noise its stochastic steps leave.

use nalgebra::{DMatrix, DVector};
use ngvi::prelude::*;
use ngvi::AdviCheck;

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
    problem_scaled(1.0)
}

/// The regression with its second predictor multiplied by `scale` (the outcomes as at 1).
fn problem_scaled(scale: f64) -> Problem {
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
    let x2: Vec<f64> = x2.iter().map(|v| scale * v).collect();
    let xs = [&x1, &x2];
    let p = DMatrix::from_fn(2, 2, |a, b| {
        (0..n).map(|i| xs[a][i] * xs[b][i]).sum::<f64>() + if a == b { 1.0 / 9.0 } else { 0.0 }
    });
    let xty = DVector::from_fn(2, |a, _| (0..n).map(|i| xs[a][i] * y[i]).sum::<f64>());
    let mean = p.clone().cholesky().unwrap().solve(&xty);
    Problem { x1, x2, y, mean, p }
}

/// Each weight of `fit` (at `seed`) against the exact posterior N(mean, cov): its mean within
/// `mean_tol` sd, and `sd_ok` of its sd ratio.
fn assert_near(
    (fit, seed): (&Fit, u64),
    (mean, cov): (&DVector<f64>, &DMatrix<f64>),
    mean_tol: f64,
    sd_ok: impl Fn(f64) -> bool,
) {
    let (m, s) = (fit.mean("w").unwrap(), fit.sd("w").unwrap());
    for k in 0..2 {
        let sd = cov[(k, k)].sqrt();
        assert!(
            (m[k] - mean[k]).abs() < mean_tol * sd,
            "seed {seed}: {m:?} vs {mean}\n{}",
            fit.summary()
        );
        assert!(
            sd_ok(s[k] / sd),
            "seed {seed}: {s:?} vs {sd}\n{}",
            fit.summary()
        );
    }
}

/// At a constant step the answer carries the noise of the last steps (about 0.1 sd here, on
/// independent seeds), so the means are held to 0.15 sd.
#[test]
fn full_rank_advi_recovers_a_gaussian_posterior() {
    let Problem { x1, x2, y, mean, p } = problem();
    let cov = p.try_inverse().unwrap();
    for seed in [0, 1000, 2000] {
        let fit = Advi::new()
            .full_rank(true)
            .step_size(0.02)
            .seed(seed)
            .fit(&regression(&x1, &x2, &y))
            .unwrap();
        assert_near((&fit, seed), (&mean, &cov), 0.15, |r| {
            (r - 1.0).abs() < 0.15
        });
        assert!(fit.evaluations().gradients > 0 && fit.evaluations().hessians == 0);
    }
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
        Advi::new().init_scale(0.0),
        Advi::new().init_scale(f64::NAN),
    ] {
        assert!(
            matches!(advi.fit(&model), Err(ngvi::Error::InvalidOption { .. })),
            "{advi:?}"
        );
    }
}

/// The regression with its second predictor on 100× the first's scale, as the logistic
/// benchmark's last predictor is: that weight's posterior sd is about 100× smaller. A
/// full-rank guide whose Cholesky entries were its parameters let Adam move that row's
/// off-diagonal entries by about η a step, far more than the sd they must resolve (on the
/// logistic benchmark, sds up to 20× too wide after 10 000 steps). With each row scaled by
/// its coordinate's sd (L = diag(e^λ) U) and a start at sd 0.1, the decaying step comes
/// close: the means within 0.1 sd, the sds still 10–20 % narrow after 10 000 steps, as the
/// strong correlation slows Adam.
#[test]
fn full_rank_advi_comes_close_on_a_badly_scaled_gaussian_posterior() {
    let Problem { x1, x2, y, mean, p } = problem_scaled(100.0);
    let cov = p.try_inverse().unwrap();
    assert!(cov[(1, 1)].sqrt() < cov[(0, 0)].sqrt() / 50.0);
    for seed in [0, 1000, 2000] {
        let fit = Advi::new()
            .full_rank(true)
            .step_size(0.05)
            .step_size_decay(0.0005)
            .max_iters(10_000)
            .tol(0.0)
            .seed(seed)
            .fit(&regression(&x1, &x2, &y))
            .unwrap();
        assert_near((&fit, seed), (&mean, &cov), 0.1, |r| {
            (0.75..1.1).contains(&r)
        });
    }
}

/// A watched fit is the same fit, draw for draw; the watcher sees every `every`-th step with
/// the evaluations so far, and at a step where the fit stops it sees the fit's answer.
#[test]
fn a_watched_fit_is_the_same_fit_and_its_last_check_is_the_answer() {
    let Problem { x1, x2, y, .. } = problem();
    let model = regression(&x1, &x2, &y);
    let advi = Advi::new().full_rank(true).seed(7).max_iters(2000).tol(0.0);
    let plain = advi.fit(&model).unwrap();
    let mut checks = Vec::new();
    let watched = advi
        .fit_watched(&model, 50, |c: &AdviCheck| checks.push(c.clone()))
        .unwrap();
    assert_eq!(plain.mean("w"), watched.mean("w"));
    assert_eq!(plain.sd("w"), watched.sd("w"));
    assert_eq!(plain.evaluations(), watched.evaluations());
    let steps: Vec<usize> = checks.iter().map(|c| c.step).collect();
    assert_eq!(steps, (1..=40).map(|k| 50 * k).collect::<Vec<_>>());
    for pair in checks.windows(2) {
        assert_eq!(
            pair[1].evaluations.gradients,
            pair[0].evaluations.gradients + 50
        );
        assert!(pair[1].elapsed >= pair[0].elapsed);
    }
    let last = checks.last().unwrap();
    assert_eq!(last.mean("w"), watched.mean("w"));
    assert_eq!(last.sd("w"), watched.sd("w"));
    assert_eq!(last.means(), watched.mean("w").unwrap());
    assert_eq!(last.mean("sigma"), None);
    assert!(matches!(
        advi.fit_watched(&model, 0, |_: &AdviCheck| {}),
        Err(ngvi::Error::InvalidOption {
            option: "every",
            ..
        })
    ));
}

/// `fit_evaluations` is what the fit took before its diagnostics: ADVI's gradient steps and
/// ELBO estimates, without the k̂ draws.
#[test]
fn fit_evaluations_leave_out_the_diagnostics() {
    let Problem { x1, x2, y, .. } = problem();
    let fit = Advi::new()
        .seed(1)
        .max_iters(1000)
        .tol(0.0)
        .fit(&regression(&x1, &x2, &y))
        .unwrap();
    let (all, own) = (fit.evaluations(), fit.fit_evaluations());
    assert_eq!(own.gradients, 1000);
    assert_eq!(all.gradients, own.gradients);
    // an ELBO estimate of 100 draws at the start and after every 100 steps
    assert_eq!(own.values, 11 * 100);
    assert!(all.values >= own.values + 1000, "{all:?} against {own:?}");
}
