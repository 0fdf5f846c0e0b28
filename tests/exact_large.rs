//! The exact conjugate case at D = 200 (issue 10): a Gaussian latent vector whose log joint
//! is quadratic, with a banded (cyclic) coupling between neighbours, fitted in one step and
//! equal to the closed-form posterior to 1e-9.

use nalgebra::{DMatrix, DVector};
use ngvi::prelude::*;
use ngvi::Reason;

model! {
    /// y[i] = w[i] + ½ w[i + 1 mod n] + noise, w ~ N(0, I).
    fn chain(y: &[f64]) {
        sample w[y.len()] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(w[i] + 0.5 * w[(i + 1) % y.len()], 1.0);
        }
    }
}

#[test]
fn a_200_dimensional_gaussian_is_exact_in_one_step() {
    let n = 200;
    let y: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let fit = Ngvi::new().fit(&chain(&y)).unwrap();
    assert!(fit.stop_reason().is_converged(), "{}", fit.summary());
    assert!(fit.pareto_k().is_none(), "an exact fit has no k̂");
    assert!(
        matches!(fit.reason("w"), Some(Reason::Gaussian { exact: true, .. })),
        "{:?}",
        fit.reason("w")
    );
    // Posterior precision P = I + AᵀA, mean P⁻¹ Aᵀ y, with A the design of the means.
    let a = DMatrix::from_fn(n, n, |i, j| {
        if j == i {
            1.0
        } else if j == (i + 1) % n {
            0.5
        } else {
            0.0
        }
    });
    let p = DMatrix::identity(n, n) + a.transpose() * &a;
    let chol = p.cholesky().unwrap();
    let mean = chol.solve(&(a.transpose() * DVector::from_vec(y)));
    let cov = chol.inverse();
    let (m, s) = (fit.mean("w").unwrap(), fit.sd("w").unwrap());
    for j in 0..n {
        let sd = cov[(j, j)].sqrt();
        assert!(
            (m[j] - mean[j]).abs() < 1e-9 * sd,
            "w[{j}]: {} vs {}",
            m[j],
            mean[j]
        );
        assert!(
            (s[j] / sd - 1.0).abs() < 1e-9,
            "w[{j}]: sd {} vs {sd}",
            s[j]
        );
    }
}
