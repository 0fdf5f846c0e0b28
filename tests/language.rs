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
    let t = std::time::Instant::now();
    let fit = Ngvi::new().seed(3).fit(&model).expect("fit");
    eprintln!("fit {:?}", t.elapsed());
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
