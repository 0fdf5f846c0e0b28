//! Quadrature rules the families build their cubature from.

use nalgebra::{DMatrix, SymmetricEigen};

/// Number of Gauss–Laguerre nodes for Gamma and InverseGamma rules (exact to degree 9).
pub(crate) const LAGUERRE_NODES: usize = 5;

/// Generalised Gauss–Laguerre rule for the weight x^a e^{−x} on (0, ∞), n nodes, weights
/// normalised to 1 (Golub–Welsch: eigen-decomposition of the Jacobi matrix).
pub(crate) fn gauss_laguerre(n: usize, a: f64) -> Vec<(f64, f64)> {
    let mut j = DMatrix::zeros(n, n);
    for i in 0..n {
        j[(i, i)] = 2.0 * i as f64 + a + 1.0;
        if i + 1 < n {
            let off = ((i as f64 + 1.0) * (i as f64 + 1.0 + a)).sqrt();
            j[(i, i + 1)] = off;
            j[(i + 1, i)] = off;
        }
    }
    let eig = SymmetricEigen::new(j);
    (0..n)
        .map(|k| {
            let v0 = eig.eigenvectors[(0, k)];
            (v0 * v0, eig.eigenvalues[k])
        })
        .collect()
}
