//! Adam (Kingma & Ba 2015), for ascent.

/// Adam's state for a parameter vector.
#[derive(Debug, Clone)]
pub(super) struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

/// β₁, β₂ and ε as in the paper.
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPS: f64 = 1e-8;

impl Adam {
    pub(super) fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    /// θ ← θ + η m̂ / (√v̂ + ε), with m̂, v̂ the bias-corrected moment estimates of the
    /// gradient and η this step's size.
    pub(super) fn ascend(&mut self, theta: &mut [f64], grad: &[f64], step: f64) {
        self.t += 1;
        let (c1, c2) = (1.0 - BETA1.powi(self.t), 1.0 - BETA2.powi(self.t));
        for i in 0..theta.len() {
            self.m[i] = BETA1 * self.m[i] + (1.0 - BETA1) * grad[i];
            self.v[i] = BETA2 * self.v[i] + (1.0 - BETA2) * grad[i] * grad[i];
            theta[i] += step * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + EPS);
        }
    }
}
