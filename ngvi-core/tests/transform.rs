//! The transforms to the unconstrained scale: round trips, and the log-Jacobians against
//! finite-difference determinants.

use nalgebra::DMatrix;
use ngvi_core::transform::Transform;

#[test]
fn stick_breaking_round_trips_and_its_jacobian_matches_finite_differences() {
    for u in [vec![0.3], vec![-1.2, 0.4, 2.0], vec![0.0, 0.0, 0.0, 0.0]] {
        let (z, ln_det) = Transform::simplex(&u);
        assert_eq!(z.len(), u.len() + 1);
        assert!((z.iter().sum::<f64>() - 1.0).abs() < 1e-14, "{z:?}");
        assert!(z.iter().all(|&x| x > 0.0));
        let back = Transform::simplex_inverse(&z);
        for (a, b) in back.iter().zip(&u) {
            assert!((a - b).abs() < 1e-12, "{back:?} vs {u:?}");
        }
        // |det ∂(z₁..z_{K−1})/∂u| by central differences
        let k = u.len();
        let h = 1e-6;
        let jac = DMatrix::from_fn(k, k, |i, j| {
            let (mut up, mut dn) = (u.clone(), u.clone());
            up[j] += h;
            dn[j] -= h;
            (Transform::simplex(&up).0[i] - Transform::simplex(&dn).0[i]) / (2.0 * h)
        });
        let fd = jac.determinant().abs().ln();
        assert!((fd - ln_det).abs() < 1e-6, "{fd} vs {ln_det}");
    }
    // u = 0 is the centre of the simplex
    let (z, _) = Transform::simplex(&[0.0, 0.0, 0.0]);
    for x in z {
        assert!((x - 0.25).abs() < 1e-14);
    }
}

#[test]
fn elementwise_transforms_round_trip_with_their_log_jacobians() {
    for t in [
        Transform::Identity,
        Transform::Log,
        Transform::Logit(-2.0, 5.0),
    ] {
        for u in [-3.0, -0.2, 0.0, 1.7] {
            let (z, lj) = t.forward(u);
            assert!((t.inverse(z) - u).abs() < 1e-12, "{t:?} at {u}");
            let h = 1e-6;
            let fd = ((t.forward(u + h).0 - t.forward(u - h).0) / (2.0 * h))
                .abs()
                .ln();
            assert!((fd - lj).abs() < 1e-6, "{t:?} at {u}: {fd} vs {lj}");
        }
    }
}
