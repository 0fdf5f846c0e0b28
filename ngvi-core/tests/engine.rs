//! The engine on hand-written models (no macro): conjugate models exact in one step, the
//! mean-field Normal–Gamma model on its coordinate-ascent fixed point.

use ngvi_core::dist::{Bernoulli, Beta, DistKind, Gamma, Normal, Support, Univariate};
use ngvi_core::model::{Latent, LatentUse, Model, Shape};
use ngvi_core::{F64Ops, ModelError, Ngvi, Scalar, StopReason};

fn latent(name: &'static str, prior: DistKind, params: &[f64], support: Support) -> Latent {
    Latent {
        name,
        shape: Shape::Scalar,
        prior,
        prior_params: Some(params.to_vec()),
        support,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

struct Coin {
    y: Vec<f64>,
}

impl Model for Coin {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        Ok(vec![latent(
            "p",
            DistKind::Beta,
            &[1.0, 1.0],
            Support::UnitInterval,
        )])
    }
    fn uses(&self) -> Vec<LatentUse> {
        vec![LatentUse {
            latent: "p",
            dist: Some(DistKind::Bernoulli),
            arg: Some(0),
            conjugate: true,
            statement: "observe y[i] ~ Bernoulli(p);",
            line: 1,
        }]
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        let p = z[0].clone();
        let prior = Beta::new(S::from(1.0), S::from(1.0)).expect("valid prior");
        let lik = Bernoulli::new(p.clone()).expect("p in (0, 1)");
        Ok(self.y.iter().fold(prior.ln_density(&p), |acc, &y| {
            acc + lik.ln_density(&S::from(y))
        }))
    }
}

#[test]
fn beta_bernoulli_is_exact_in_one_step() {
    let y: Vec<f64> = (0..100)
        .map(|i| if i % 4 == 0 { 1.0 } else { 0.0 })
        .collect();
    for seed in [0, 1, 99] {
        let fit = Ngvi::new()
            .seed(seed)
            .max_iters(1)
            .fit(&Coin { y: y.clone() })
            .unwrap();
        let lambda = fit.guide("p").unwrap().natural();
        // Beta(1 + 25, 1 + 75): natural parameters (a − 1, b − 1) = (25, 75).
        assert!(
            close(lambda[0], 25.0, 1e-9) && close(lambda[1], 75.0, 1e-9),
            "{lambda:?}"
        );
    }
    let fit = Ngvi::new().fit(&Coin { y }).unwrap();
    assert!(matches!(fit.stop_reason(), StopReason::Converged { .. }));
    assert!(
        fit.reason("p").unwrap().to_string().starts_with("Beta"),
        "{}",
        fit.reason("p").unwrap()
    );
    println!("{}", fit.summary());
}

/// y ~ Normal(mu, 1/sqrt(tau)), mu ~ Normal(0, 10), tau ~ Gamma(2, 1).
struct NormalGamma {
    y: Vec<f64>,
}

impl Model for NormalGamma {
    fn latents(&self) -> Result<Vec<Latent>, ModelError> {
        Ok(vec![
            latent("mu", DistKind::Normal, &[0.0, 10.0], Support::Real),
            latent("tau", DistKind::Gamma, &[2.0, 1.0], Support::Positive),
        ])
    }
    fn uses(&self) -> Vec<LatentUse> {
        Vec::new()
    }
    fn log_joint<S: Scalar>(&self, z: &[S]) -> Result<S, ModelError>
    where
        f64: F64Ops<S>,
    {
        let (mu, tau) = (z[0].clone(), z[1].clone());
        let mut lp = Normal::new(S::from(0.0), S::from(10.0))
            .expect("prior")
            .ln_density(&mu)
            + Gamma::new(S::from(2.0), S::from(1.0))
                .expect("prior")
                .ln_density(&tau);
        let lik = Normal::new(mu, 1.0 / tau.sqrt()).expect("sd > 0");
        for &y in &self.y {
            lp += lik.ln_density(&S::from(y));
        }
        Ok(lp)
    }
}

#[test]
fn normal_gamma_reaches_the_cavi_fixed_point() {
    let y: Vec<f64> = (0..50)
        .map(|i| 1.5 + ((i * 37 % 11) as f64 - 5.0) * 0.4)
        .collect();
    let n = y.len() as f64;
    let (sum, sum2): (f64, f64) = (y.iter().sum(), y.iter().map(|v| v * v).sum());
    // CAVI: q(mu) = N(m, 1/p), q(tau) = Gamma(a, b), iterated to its fixed point.
    let (a, mut b) = (2.0 + n / 2.0, 1.0);
    let (mut m, mut p) = (0.0, 1.0);
    for _ in 0..500 {
        let e_tau = a / b;
        p = 1.0 / 100.0 + n * e_tau;
        m = e_tau * sum / p;
        b = 1.0 + 0.5 * (sum2 - 2.0 * m * sum + n * (m * m + 1.0 / p));
    }
    let fit = Ngvi::new()
        .tol(1e-12)
        .max_iters(500)
        .fit(&NormalGamma { y })
        .unwrap();
    println!("{}", fit.summary());
    let mu = fit.guide("mu").unwrap().natural();
    let tau = fit.guide("tau").unwrap().natural();
    assert!(
        close(mu[0], p * m, 1e-6) && close(mu[1], -0.5 * p, 1e-6),
        "{mu:?} vs {} {}",
        p * m,
        -0.5 * p
    );
    assert!(
        close(tau[0], a - 1.0, 1e-6) && close(tau[1], -b, 1e-6),
        "{tau:?} vs {} {}",
        a - 1.0,
        -b
    );
}
