//! Every conjugate example reaches its exact posterior in one iteration with ρ = 1,
//! whatever the seed; the two mean-field examples reach the coordinate-ascent (CAVI) fixed
//! point. The exact posteriors are computed here, independently of the examples.

#[path = "../examples/common/mod.rs"]
mod common;

use common::models::*;
use common::Table;
use nalgebra::{DMatrix, DVector};
use ngvi::dist::{Categorical, Sampling};
use ngvi::prelude::*;
use rand::SeedableRng;

const SEEDS: [u64; 4] = [0, 1, 7, 12345];

/// Each entry of `got` within `tol` relative of `want`.
fn assert_rel(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1e-12),
            "{what}: got {got:?}, want {want:?}"
        );
    }
}

/// Fit with one iteration and ρ = 1.
fn one_step<M: Model>(model: &M, seed: u64) -> Fit {
    Ngvi::new()
        .seed(seed)
        .max_iters(1)
        .step_size(1.0)
        .fit(model)
        .expect("fit")
}

fn column(file: &str) -> Vec<f64> {
    Table::read(file).and_then(|t| t.column("y")).expect("data")
}

fn design() -> (DMatrix<f64>, Vec<f64>) {
    common::linreg().expect("linreg.csv")
}

#[test]
fn beta_bernoulli_exact_in_one_step() {
    let y = column("coin.csv");
    let heads: f64 = y.iter().sum();
    // Beta(1 + 25, 1 + 75): λ = (a − 1, b − 1)
    let want = [heads, y.len() as f64 - heads];
    assert_eq!(want, [25.0, 75.0]);
    for seed in SEEDS {
        let fit = one_step(&coin(&y), seed);
        assert_rel(&fit.guide("p").expect("p").natural(), &want, 1e-9, "Beta");
        assert_eq!(fit.guide("p").expect("p").name(), "Beta");
    }
}

#[test]
fn gamma_poisson_exact_in_one_step() {
    let y = column("counts.csv");
    // Gamma(2 + Σy, 1 + n) = Gamma(227, 51): λ = (shape − 1, −rate)
    let want = [1.0 + y.iter().sum::<f64>(), -(1.0 + y.len() as f64)];
    assert_eq!(want, [226.0, -51.0]);
    for seed in SEEDS {
        let fit = one_step(&counts(&y), seed);
        assert_rel(
            &fit.guide("lam").expect("lam").natural(),
            &want,
            1e-9,
            "Gamma",
        );
    }
}

#[test]
fn normal_known_sd_exact_in_one_step() {
    let y = column("normal.csv");
    let prec = 1.0 / 100.0 + y.len() as f64 / 4.0;
    let mean = y.iter().sum::<f64>() / 4.0 / prec;
    // λ = (P m, −½ P)
    let want = [prec * mean, -0.5 * prec];
    for seed in SEEDS {
        let fit = one_step(&normal_known_sd(&y, 2.0), seed);
        assert_rel(
            &fit.guide("mu").expect("mu").natural(),
            &want,
            1e-9,
            "Normal",
        );
    }
    // The exact posterior (closed form), as published with the data set.
    let fit = one_step(&normal_known_sd(&y, 2.0), 0);
    assert_rel(
        &fit.mean("mu").expect("mu"),
        &[1.5796072361583187],
        1e-9,
        "mean",
    );
    assert_rel(
        &fit.sd("mu").expect("mu"),
        &[0.14140721622265262],
        1e-9,
        "sd",
    );
}

#[test]
fn dirichlet_categorical_exact_in_one_step() {
    let die = Categorical::new(vec![0.1, 0.1, 0.15, 0.15, 0.2, 0.3]).expect("die");
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let rolls: Vec<usize> = (0..600).map(|_| die.sample(&mut rng) as usize).collect();
    let alpha = [0.5, 1.0, 1.0, 2.0, 1.0, 1.0];
    // Dirichlet(α + counts): λ = α + counts − 1
    let mut want: Vec<f64> = alpha.iter().map(|a| a - 1.0).collect();
    for &r in &rolls {
        want[r] += 1.0;
    }
    for seed in SEEDS {
        let fit = one_step(&dice(&rolls, &alpha), seed);
        assert_rel(
            &fit.guide("theta").expect("theta").natural(),
            &want,
            1e-9,
            "Dirichlet",
        );
    }
}

#[test]
fn linear_regression_exact_in_one_step() {
    let (x, y) = design();
    let prec = DMatrix::identity(10, 10) + x.transpose() * &x / 0.25;
    let lambda1 = x.transpose() * DVector::from_vec(y.clone()) / 0.25; // P m = Xᵀy / σ²
    let want: Vec<f64> = lambda1
        .iter()
        .chain((&prec * -0.5).iter())
        .copied()
        .collect();
    for seed in SEEDS {
        let fit = one_step(&linear_regression(&x, &y, 0.5), seed);
        assert_rel(
            &fit.guide("w").expect("w").natural(),
            &want,
            1e-9,
            "Gaussian",
        );
    }
    // The exact posterior (closed form) published with the data set (first and last weight).
    let fit = one_step(&linear_regression(&x, &y, 0.5), 0);
    let (m, s) = (fit.mean("w").expect("w"), fit.sd("w").expect("w"));
    assert_rel(
        &[m[0], m[9]],
        &[0.19791366511104208, 0.6438529382822353],
        1e-8,
        "mean",
    );
    assert_rel(
        &[s[0], s[9]],
        &[0.015797024241560893, 0.016234598217096347],
        1e-8,
        "sd",
    );
}

#[test]
fn normal_gamma_reaches_the_cavi_fixed_point() {
    let y = column("normal.csv");
    let n = y.len() as f64;
    let (sum, sum2): (f64, f64) = (y.iter().sum(), y.iter().map(|v| v * v).sum());
    // CAVI for mu ~ N(0, 10²), tau ~ Gamma(1, 1), y ~ N(mu, 1/tau):
    // q(mu) = N(m, 1/p): p = 1/100 + n E[tau], m = E[tau] Σy / p
    // q(tau) = Gamma(1 + n/2, 1 + ½ Σ E[(y − mu)²])
    let a = 1.0 + n / 2.0;
    let (mut m, mut p, mut b) = (0.0, 1.0, 1.0);
    for _ in 0..2000 {
        p = 0.01 + n * a / b;
        m = a / b * sum / p;
        b = 1.0 + 0.5 * (sum2 - 2.0 * m * sum + n * (m * m + 1.0 / p));
    }
    for seed in SEEDS {
        let fit = Ngvi::new()
            .seed(seed)
            .tol(1e-13)
            .fit(&normal_gamma(&y))
            .expect("fit");
        assert!(matches!(fit.stop_reason(), StopReason::Converged { .. }));
        assert_rel(
            &fit.guide("mu").expect("mu").natural(),
            &[p * m, -0.5 * p],
            1e-6,
            "q(mu)",
        );
        assert_rel(
            &fit.guide("tau").expect("tau").natural(),
            &[a - 1.0, -b],
            1e-6,
            "q(tau)",
        );
    }
}

#[test]
fn linear_regression_unknown_noise_reaches_the_cavi_fixed_point() {
    let (x, y) = design();
    let (n, d) = (y.len() as f64, x.ncols());
    let yv = DVector::from_vec(y.clone());
    let (xtx, xty) = (x.transpose() * &x, x.transpose() * &yv);
    // CAVI: q(w) = N(m, P⁻¹), P = I + E[tau] XᵀX, m = E[tau] P⁻¹ Xᵀy;
    // q(tau) = Gamma(1 + n/2, 1 + ½ (‖y − Xm‖² + tr(XᵀX P⁻¹)))
    let a = 1.0 + n / 2.0;
    let mut b = 1.0;
    let mut prec = DMatrix::identity(d, d);
    let mut m = DVector::zeros(d);
    for _ in 0..2000 {
        prec = DMatrix::identity(d, d) + &xtx * (a / b);
        let chol = prec.clone().cholesky().expect("pd");
        m = chol.solve(&xty) * (a / b);
        let r = &yv - &x * &m;
        b = 1.0 + 0.5 * (r.dot(&r) + (&xtx * chol.inverse()).trace());
    }
    let lambda1 = &prec * &m;
    let want_w: Vec<f64> = lambda1
        .iter()
        .chain((&prec * -0.5).iter())
        .copied()
        .collect();
    let fit = Ngvi::new()
        .seed(3)
        .tol(1e-13)
        .fit(&linear_regression_unknown_noise(&x, &y))
        .expect("fit");
    assert_rel(&fit.guide("w").expect("w").natural(), &want_w, 1e-6, "q(w)");
    assert_rel(
        &fit.guide("tau").expect("tau").natural(),
        &[a - 1.0, -b],
        1e-6,
        "q(tau)",
    );
}

#[test]
fn summary_shows_every_latent_with_quantiles_and_guide() {
    let (x, y) = design();
    let fit = Ngvi::new()
        .fit(&linear_regression_unknown_noise(&x, &y))
        .expect("fit");
    let s = fit.summary();
    let header = s.lines().next().expect("header");
    for col in ["mean", "sd", "5%", "50%", "95%", "guide"] {
        assert!(header.contains(col), "header {header}");
    }
    for name in ["w[0]", "w[9]", "tau"] {
        assert!(
            s.lines().any(|l| l.starts_with(name)),
            "{name} missing:\n{s}"
        );
    }
    let tau_line = s.lines().find(|l| l.starts_with("tau")).expect("tau");
    assert!(tau_line.contains("Gamma: prior Gamma"), "{tau_line}");
    let w_line = s.lines().find(|l| l.starts_with("w[0]")).expect("w");
    assert!(w_line.contains("Gaussian"), "{w_line}");
    // Quantiles are ordered and bracket the mean.
    let q5 = fit.quantile("tau", 0.05).expect("q")[0];
    let q95 = fit.quantile("tau", 0.95).expect("q")[0];
    let mean = fit.mean("tau").expect("mean")[0];
    assert!(q5 < mean && mean < q95);
}
