//! The language's compile-pass suite: models that use arithmetic on data, accumulators,
//! vectors built in loops and recursions, helper functions, the missing pieces
//! (HalfStudentT, latent-dependent bounds rewritten, log densities of latent-dependent
//! values, derived quantities) and the patterns of docs/language.md — each compiled and
//! fitted.

use ngvi::prelude::*;

model! {
    /// Eight schools, non-centred, with the school effects as a derived quantity.
    fn eight_schools(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        let mut theta = Vec::new();
        for j in 0..y.len() {
            theta.push(mu + tau * eta[j]);
            observe y[j] ~ Normal(theta[j], sigma[j]);
        }
        track theta = theta;
        track tau_sq = tau * tau;
    }
}

#[test]
fn hierarchical_with_derived_quantities() {
    let y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
    let sigma = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];
    let model = eight_schools(&y, &sigma);
    let z: Vec<f64> = (0..10).map(|i| 0.1 * i as f64 + 0.5).collect();
    let tracked = model.tracked(&z).expect("tracked");
    assert_eq!(tracked[0].0, "theta");
    assert_eq!(tracked[0].1.len(), 8);
    assert!((tracked[0].1[2] - (z[0] + z[1] * z[4])).abs() < 1e-12);
    assert_eq!(tracked[1], ("tau_sq", vec![z[1] * z[1]]));
    let fit = Ngvi::new().seed(3).fit(&model).expect("fit");
    println!("{}", fit.summary());
    assert_eq!(fit.tracked_names(), vec!["theta", "tau_sq"]);
    let theta = fit.draws("theta").expect("draws");
    let (mu, tau, eta) = (
        fit.draws("mu").unwrap(),
        fit.draws("tau").unwrap(),
        fit.draws("eta").unwrap(),
    );
    for d in 0..theta.len() {
        assert!((theta[d][3] - (mu[d][0] + tau[d][0] * eta[d][3])).abs() < 1e-9);
    }
    let m = fit.mean("theta").unwrap();
    let mean3: f64 = theta.iter().map(|t| t[3]).sum::<f64>() / theta.len() as f64;
    assert!((m[3] - mean3).abs() < 1e-9);
    assert_eq!(fit.sd("tau_sq").unwrap().len(), 1);
    assert!(fit.quantile("theta", 0.95).unwrap()[0] > fit.quantile("theta", 0.05).unwrap()[0]);
    assert!(fit.summary().contains("theta[7]"));
    assert!(fit.summary().contains("tau_sq"));
}

/// The exponentiated-quadratic covariance α² exp(−(xᵢ − xⱼ)² / (2ρ²)) (Stan's
/// `gp_exp_quad_cov`), a helper generic over the scalar: `S: Scalar` is its only bound.
fn exp_quad_cov<S: Scalar>(x: &[f64], alpha: &S, rho: &S) -> Vec<Vec<S>> {
    let a2 = alpha.clone() * alpha.clone();
    let inv_2rho2 = (rho.clone() * rho.clone() * 2.0).recip();
    x.iter()
        .map(|xi| {
            x.iter()
                .map(|xj| a2.clone() * (-inv_2rho2.clone() * (xi - xj).powi(2)).exp())
                .collect()
        })
        .collect()
}

/// The lower Cholesky factor L of a small symmetric positive-definite matrix (A = L Lᵀ),
/// on any scalar.
fn cholesky<S: Scalar>(a: &[Vec<S>]) -> Vec<Vec<S>> {
    let n = a.len();
    let mut l = vec![vec![S::constant(0.0); n]; n];
    for j in 0..n {
        let minus_squares = |acc: S, x: &S| acc - x.clone() * x.clone();
        let djj = l[j][..j].iter().fold(a[j][j].clone(), minus_squares).sqrt();
        for i in j + 1..n {
            let (li, lj) = (&l[i][..j], &l[j][..j]);
            let s = li
                .iter()
                .zip(lj)
                .fold(a[i][j].clone(), |acc, (x, y)| acc - x.clone() * y.clone());
            l[i][j] = s / djj.clone();
        }
        l[j][j] = djj;
    }
    l
}

model! {
    /// posteriordb gp_pois_regr: Poisson counts with a latent Gaussian process, through a
    /// kernel helper and a Cholesky helper (non-centred: f = L f̃).
    fn gp_pois_regr(x: &[f64], k: &[u32]) {
        sample rho ~ Gamma(25.0, 4.0);
        sample alpha ~ HalfNormal(2.0);
        sample f_tilde[x.len()] ~ Normal(0.0, 1.0);
        let mut cov = exp_quad_cov(x, &alpha, &rho);
        for i in 0..x.len() {
            cov[i][i] += 1e-10;
        }
        let l = cholesky(&cov);
        let mut f = Vec::with_capacity(x.len());
        for i in 0..x.len() {
            let mut fi = 0.0;
            for j in 0..=i {
                fi += l[i][j] * f_tilde[j];
            }
            f.push(fi);
            observe k[i] ~ PoissonLog(f[i]);
        }
        track f = f;
    }
}

#[test]
fn gaussian_process_with_helper_functions() {
    let x = [-10.0, -6.0, -2.0, 2.0, 6.0, 10.0];
    // six of posteriordb's eleven points
    let k = [40, 29, 4, 9, 77, 33];
    let model = gp_pois_regr(&x, &k);
    // the helpers' Cholesky factor reproduces the covariance
    let (alpha, rho) = (1.3, 5.0);
    let cov = exp_quad_cov(&x, &alpha, &rho);
    let l = cholesky(&cov);
    for i in 0..x.len() {
        for j in 0..x.len() {
            let llt: f64 = (0..x.len()).map(|m| l[i][m] * l[j][m]).sum();
            assert!((llt - cov[i][j]).abs() < 1e-12);
        }
    }
    let fit = Ngvi::new().seed(5).fit(&model).expect("fit");
    assert!(converged(&fit));
    println!("{}", fit.summary());
    // f follows the counts: larger at the ends than in the middle
    let f = fit.mean("f").expect("tracked f");
    assert!(f[4] > f[2] + 1.0 && f[0] > f[2] + 1.0, "{f:?}");
}

/// Whether a fit converged.
fn converged(fit: &Fit) -> bool {
    matches!(fit.stop_reason(), StopReason::Converged { .. })
}

model! {
    /// Arithmetic on data alone and mixed with latents: operators, the f64 methods, free
    /// functions, a constant from data (`S::constant(sigma1 * sigma1)`), data on the left
    /// of a latent.
    fn data_arithmetic(x: &[f64], y: &[f64], s: f64, sigma1: f64) {
        sample mu ~ Normal(0.0, 2.0);
        sample tau ~ Gamma(2.0, 1.0);
        let sd = s * 2.0;
        let prior_var = S::constant(sigma1 * sigma1);
        for i in 0..y.len() {
            let scale = (x[i].abs() + 1.0).ln().exp().sqrt() / sd;
            let noise = sd - 0.5 * s + f64::max(s, 0.0) / tau.sqrt();
            observe y[i] ~ Normal(mu * scale.max(0.1) + (x[i] - x[0]).powi(2) * (-0.5), noise);
        }
        factor -(mu * mu) / (prior_var * 2.0) + 1.0 - 0.1 * tau;
    }
}

#[test]
fn arithmetic_on_data_compiles_and_fits() {
    let x = [0.3, -1.2, 2.0, 0.7];
    let y = [0.5, 1.5, -2.2, 0.4];
    let fit = Ngvi::new()
        .seed(1)
        .fit(&data_arithmetic(&x, &y, 0.8, 3.0))
        .expect("fit");
    assert!(fit.mean("mu").unwrap()[0].is_finite() && fit.mean("tau").unwrap()[0] > 0.0);
}

model! {
    /// posteriordb kidiq_interaction: an interaction of two data columns.
    fn kidiq_interaction(kid_score: &[f64], mom_hs: &[f64], mom_iq: &[f64]) {
        sample beta[4] ~ Normal(0.0, 100.0);
        sample sigma ~ HalfCauchy(2.5);
        for i in 0..kid_score.len() {
            let mu = beta[0] + beta[1] * mom_hs[i] + beta[2] * mom_iq[i]
                + beta[3] * (mom_hs[i] * mom_iq[i]);
            observe kid_score[i] ~ Normal(mu, sigma);
        }
    }
}

#[test]
fn interactions() {
    let kid_score = [65.0, 98.0, 85.0, 83.0, 115.0, 98.0, 69.0, 106.0];
    let mom_hs = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    // mom_iq centred and scaled, as a user would for a well-conditioned fit
    let mom_iq = [0.21, -0.6, 1.1, -0.08, -0.3, 0.36, -1.3, 0.14];
    let fit = Ngvi::new()
        .seed(2)
        .fit(&kidiq_interaction(&kid_score, &mom_hs, &mom_iq))
        .expect("fit");
    assert!(converged(&fit));
    assert_eq!(fit.mean("beta").unwrap().len(), 4);
}

model! {
    /// Matrix regression: a row of the design matrix per observation.
    fn matrix_regression(x: &DMatrix<f64>, y: &[f64]) {
        sample alpha ~ Normal(0.0, 10.0);
        sample beta[x.ncols()] ~ Normal(0.0, 1.0);
        sample sigma ~ HalfNormal(1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(alpha + dot(x.row(i).iter(), beta), sigma);
        }
    }
}

model! {
    /// Logistic regression with an accumulator over the columns.
    fn logistic_accumulator(x: &DMatrix<f64>, y: &[bool]) {
        sample alpha ~ Normal(0.0, 2.5);
        sample beta[x.ncols()] ~ Normal(0.0, 1.0);
        for i in 0..x.nrows() {
            let mut eta = 0.0;
            eta += alpha;
            for j in 0..x.ncols() {
                eta += x[(i, j)] * beta[j];
            }
            observe y[i] ~ BernoulliLogit(eta);
        }
    }
}

#[test]
fn matrices_and_accumulators() {
    let x = DMatrix::from_row_slice(
        6,
        2,
        &[
            0.5, 1.0, -1.2, 0.3, 0.8, -0.7, 1.5, 0.2, -0.4, -1.1, 0.1, 0.9,
        ],
    );
    let y = [1.1, -0.9, 0.2, 1.7, -1.0, 0.6];
    let fit = Ngvi::new()
        .seed(3)
        .fit(&matrix_regression(&x, &y))
        .expect("fit");
    assert!(converged(&fit));
    assert!(fit.mean("beta").unwrap()[0] > 0.0);
    let b = [true, false, true, true, false, true];
    let fit = Ngvi::new()
        .seed(4)
        .fit(&logistic_accumulator(&x, &b))
        .expect("fit");
    assert!(converged(&fit));
    assert!(fit.mean("beta").unwrap()[0] > 0.0);
}

model! {
    /// posteriordb arma11: a time-series recursion over a vector of errors built in a loop,
    /// and `err ~ normal(0, sigma)` on it as log densities of latent-dependent values.
    fn arma11(y: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        sample phi ~ Normal(0.0, 2.0);
        sample theta ~ Normal(0.0, 2.0);
        sample sigma ~ HalfCauchy(2.5);
        let mut err = Vec::with_capacity(y.len());
        let mut nu = mu + phi * mu;
        err.push(y[0] - nu);
        for t in 1..y.len() {
            nu = mu + phi * y[t - 1] + theta * err[t - 1];
            err.push(y[t] - nu);
        }
        for t in 0..err.len() {
            factor Normal(0.0, sigma).ln_density(err[t]);
        }
    }
}

model! {
    /// A local level written element by element into a vector that starts as data.
    fn local_level(y: &[f64]) {
        sample mu ~ Normal(0.0, 1.0);
        sample phi ~ Beta(2.0, 2.0);
        sample sigma ~ HalfStudentT(3.0, 1.0);
        let mut level = vec![0.0; y.len()];
        level[0] = mu;
        for t in 1..y.len() {
            level[t] = phi * level[t - 1] + mu * (1.0 - phi);
        }
        for t in 0..y.len() {
            observe y[t] ~ Normal(level[t], sigma);
        }
        track last = level[y.len() - 1];
    }
}

#[test]
fn time_series_recursions() {
    let y = [0.3, -0.1, 0.8, 1.1, 0.4, -0.2, 0.5, 0.9];
    let fit = Ngvi::new().seed(6).fit(&arma11(&y)).expect("fit");
    assert!(converged(&fit));
    assert!(fit.sd("sigma").unwrap()[0] > 0.0);
    let fit = Ngvi::new().seed(7).fit(&local_level(&y)).expect("fit");
    assert!(converged(&fit));
    assert_eq!(fit.tracked_names(), vec!["last"]);
}

model! {
    /// A scale with a half-StudentT prior (Stan's `student_t(3, 0, 10)` on a positive
    /// parameter).
    fn half_student_t_scale(y: &[f64]) {
        sample mu ~ StudentT(3.0, 0.0, 10.0);
        sample sigma ~ HalfStudentT(3.0, 10.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, sigma);
        }
    }
}

#[test]
fn half_student_t_prior() {
    let y = [4.1, 5.3, 3.8, 6.0, 4.9];
    let model = half_student_t_scale(&y);
    let latents = model.latents().expect("latents");
    assert_eq!(latents[1].prior, ngvi::dist::DistKind::HalfStudentT);
    assert_eq!(latents[1].prior_params, Some(vec![3.0, 10.0]));
    let fit = Ngvi::new().seed(8).fit(&model).expect("fit");
    assert!(converged(&fit));
    let sigma = fit.mean("sigma").unwrap()[0];
    assert!(sigma > 0.3 && sigma < 5.0, "{sigma}");
}

model! {
    /// posteriordb garch11 with its `real<lower=0, upper=1-alpha1> beta1;` written as the
    /// compile error for `Uniform(0.0, 1.0 - alpha1)` says: a standard uniform scaled, and
    /// the Jacobian factor that makes beta1 flat as in Stan (weakly informative priors in
    /// place of Stan's flat ones).
    fn garch11(r: &[f64], sigma1: f64) {
        sample mu ~ Normal(0.0, 1.0);
        sample alpha0 ~ HalfNormal(1.0);
        sample alpha1 ~ Uniform(0.0, 1.0);
        sample beta1_raw ~ Uniform(0.0, 1.0);
        let beta1 = beta1_raw * (1.0 - alpha1);
        factor (1.0 - alpha1).ln();
        let mut sigma = sigma1;
        observe r[0] ~ Normal(mu, sigma);
        for t in 1..r.len() {
            sigma = (alpha0 + alpha1 * (r[t - 1] - mu).powi(2) + beta1 * sigma * sigma).sqrt();
            observe r[t] ~ Normal(mu, sigma);
        }
        track beta1 = beta1;
    }
}

#[test]
fn latent_dependent_bounds_rewritten() {
    let r = [0.2, -0.5, 0.9, -1.3, 0.4, 0.1, -0.2, 0.7];
    let fit = Ngvi::new().seed(9).fit(&garch11(&r, 0.5)).expect("fit");
    let beta1 = fit.draws("beta1").unwrap();
    let alpha1 = fit.draws("alpha1").unwrap();
    // every draw respects beta1 < 1 - alpha1
    for (b, a) in beta1.iter().zip(&alpha1) {
        assert!(b[0] > 0.0 && b[0] < 1.0 - a[0]);
    }
}

model! {
    /// `sample b ~ Uniform(0.0, 1.0 - a)` written as the compile error says: exact as it
    /// stands.
    fn child_uniform(y: f64) {
        sample a ~ Uniform(0.0, 1.0);
        sample b_raw ~ Uniform(0.0, 1.0);
        let b = b_raw * (1.0 - a);
        observe y ~ Normal(b, 0.2);
        track b = b;
    }
}

model! {
    /// The same with the Jacobian factor: b flat on (0, 1 − a), as Stan's
    /// `real<lower=0, upper=1-a> b;` without a prior statement.
    fn child_flat(y: f64) {
        sample a ~ Uniform(0.0, 1.0);
        sample b_raw ~ Uniform(0.0, 1.0);
        let b = b_raw * (1.0 - a);
        factor (1.0 - a).ln();
        observe y ~ Normal(b, 0.2);
    }
}

/// E[b | y] by the midpoint rule over (a, b_raw) ∈ (0, 1)² from a model's log joint.
fn mean_b<M: Model>(model: &M) -> f64 {
    let n = 300;
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let (a, u) = ((i as f64 + 0.5) / n as f64, (j as f64 + 0.5) / n as f64);
            let w = model.log_joint(&[a, u]).expect("log joint").exp();
            num += u * (1.0 - a) * w;
            den += w;
        }
    }
    num / den
}

/// E[b | y] over the triangle b < 1 − a on a grid in (a, b) itself, with the density of b
/// given a `1 / (1 − a)` (Uniform(0, 1 − a)) or `1` (flat).
fn mean_b_direct(y: f64, proper: bool) -> f64 {
    let n = 1500;
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..n {
        let a = (i as f64 + 0.5) / n as f64;
        let prior_b = if proper { 1.0 / (1.0 - a) } else { 1.0 };
        for j in 0..n {
            let b = (j as f64 + 0.5) / n as f64;
            if b < 1.0 - a {
                let w = prior_b * (-0.5 * ((y - b) / 0.2).powi(2)).exp();
                num += b * w;
                den += w;
            }
        }
    }
    num / den
}

#[test]
fn the_bounds_rewrite_and_its_jacobian() {
    let y = 0.6;
    let (scaled, direct) = (mean_b(&child_uniform(y)), mean_b_direct(y, true));
    assert!((scaled - direct).abs() < 2e-3, "{scaled} vs {direct}");
    let (scaled, direct) = (mean_b(&child_flat(y)), mean_b_direct(y, false));
    assert!((scaled - direct).abs() < 2e-3, "{scaled} vs {direct}");
    // the two differ: the factor matters
    assert!((mean_b(&child_uniform(y)) - scaled).abs() > 0.01);
    let fit = Ngvi::new().seed(10).fit(&child_uniform(y)).expect("fit");
    let b = fit.mean("b").unwrap()[0];
    assert!((b - mean_b(&child_uniform(y))).abs() < 0.05, "{b}");
    let fit = Ngvi::new().seed(10).fit(&child_flat(y)).expect("fit");
    assert!(fit.mean("a").unwrap()[0] < 0.5);
}

model! {
    /// Varying intercepts: a vector latent indexed by a data group index.
    fn varying_intercepts(y: &[f64], group: &[usize], n_groups: usize) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfNormal(1.0);
        sample sigma ~ HalfNormal(1.0);
        sample a_raw[n_groups] ~ Normal(0.0, 1.0);
        let mut a = vec![0.0; n_groups];
        for g in 0..n_groups {
            a[g] = mu + tau * a_raw[g];
        }
        for i in 0..y.len() {
            observe y[i] ~ Normal(a[group[i]], sigma);
        }
        track a = a;
    }
}

#[test]
fn hierarchical_with_group_indices() {
    let y = [1.2, 0.8, 1.1, 2.9, 3.2, 3.0, 2.1, 1.8];
    let group = [0, 0, 0, 1, 1, 1, 2, 2];
    let fit = Ngvi::new()
        .seed(11)
        .fit(&varying_intercepts(&y, &group, 3))
        .expect("fit");
    let a = fit.mean("a").unwrap();
    assert!(a[1] > a[2] && a[2] > a[0], "{a:?}");
    let err = varying_intercepts(&y, &[0, 0, 0, 1, 1, 1, 2, 3], 3)
        .log_joint(&[0.0, 1.0, 1.0, 0.0, 0.0, 0.0])
        .expect_err("group 3 of 3");
    assert_eq!(err.variable, "a");
    assert_eq!(err.index, vec![3]);
}

model! {
    /// The length of a vector latent or of a vector of latent values is data in the body.
    fn lengths_are_data(y: &[f64]) {
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        let mut shifted = Vec::new();
        for j in 0..eta.len() {
            shifted.push(eta[j] + 1.0);
        }
        let n = shifted.len() as f64;
        for j in 0..shifted.len() {
            observe y[j] ~ Normal(shifted[j], n.sqrt());
        }
    }
}

#[test]
fn lengths_of_latent_values_are_data() {
    let y = [0.5, 1.5, 2.5];
    let fit = Ngvi::new()
        .seed(12)
        .fit(&lengths_are_data(&y))
        .expect("fit");
    assert!(converged(&fit));
    assert_eq!(fit.mean("eta").unwrap().len(), 3);
}
