//! A scalar's value and derivatives as dense parts (feature `mpi`): what a plate's sum is
//! sent across MPI ranks as, and rebuilt from (`plate/across.rs`).

/// The value, gradient and Hessian of a scalar, dense, through [`Scalar::to_parts`] and
/// [`Scalar::from_parts`]. A constant has `n = 0`; `f64` carries the value alone.
///
/// [`Scalar::to_parts`]: super::Scalar::to_parts
/// [`Scalar::from_parts`]: super::Scalar::from_parts
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub struct Parts {
    /// The value.
    pub value: f64,
    /// The number of variables the derivatives are taken in (0 for a constant).
    pub n: usize,
    /// The gradient, `n` entries.
    pub gradient: Vec<f64>,
    /// The Hessian, n × n row-major, when the scalar holds one.
    pub hessian: Option<Vec<f64>>,
}

impl Parts {
    /// A value without derivatives.
    pub fn constant(value: f64) -> Parts {
        Parts {
            value,
            n: 0,
            gradient: Vec::new(),
            hessian: None,
        }
    }

    /// The parts in `n ≥ self.n` variables, with a Hessian when `hessian` (zeros where these
    /// parts had none): the layout every rank agrees on before a sum.
    pub fn widened(&self, n: usize, hessian: bool) -> Parts {
        let mut gradient = self.gradient.clone();
        gradient.resize(n, 0.0);
        let hessian = hessian.then(|| {
            let mut h = vec![0.0; n * n];
            if let Some(own) = &self.hessian {
                for r in 0..self.n {
                    h[r * n..r * n + self.n].copy_from_slice(&own[r * self.n..(r + 1) * self.n]);
                }
            }
            h
        });
        Parts {
            value: self.value,
            n,
            gradient,
            hessian,
        }
    }

    /// value, gradient, Hessian (if any), in one buffer.
    pub fn to_buffer(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(1 + self.n + self.hessian.as_ref().map_or(0, Vec::len));
        out.push(self.value);
        out.extend_from_slice(&self.gradient);
        if let Some(h) = &self.hessian {
            out.extend_from_slice(h);
        }
        out
    }

    /// The parts in `n` variables, with a Hessian when `hessian`, read from a buffer of
    /// `Parts::buffer_len(n, hessian)` values laid out as [`Parts::to_buffer`] writes them.
    pub fn from_buffer(n: usize, hessian: bool, buffer: &[f64]) -> Parts {
        Parts {
            value: buffer[0],
            n,
            gradient: buffer[1..1 + n].to_vec(),
            hessian: hessian.then(|| buffer[1 + n..1 + n + n * n].to_vec()),
        }
    }

    /// The length of the buffer of parts in `n` variables, with a Hessian when `hessian`.
    pub fn buffer_len(n: usize, hessian: bool) -> usize {
        1 + n + if hessian { n * n } else { 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::Parts;
    use crate::ad::{Dual, Dual2, Scalar};

    #[test]
    fn every_scalar_comes_back_from_its_parts() {
        let x = Dual2::variables(&[0.5, -1.5]);
        let y = x[0].clone() * x[1].exp() + 3.0;
        let back = Dual2::from_parts(y.to_parts());
        assert_eq!(back.value(), y.value());
        assert_eq!(back.gradient(), y.gradient());
        assert_eq!(back.hessian(), y.hessian());
        let d = Dual::variables(&[2.0, 1.0]);
        let g = d[0].clone() * d[1].clone();
        assert_eq!(Dual::from_parts(g.to_parts()).gradient(), g.gradient());
        assert_eq!(f64::from_parts(2.5_f64.to_parts()), 2.5);
    }

    #[test]
    fn a_constant_widens_to_zeros_and_a_hessian_keeps_its_rows() {
        let w = Parts::constant(1.0).widened(2, true);
        assert_eq!(w.to_buffer(), vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let small = Parts {
            value: 0.0,
            n: 1,
            gradient: vec![2.0],
            hessian: Some(vec![3.0]),
        };
        let wide = small.widened(2, true);
        assert_eq!(wide.hessian, Some(vec![3.0, 0.0, 0.0, 0.0]));
        let round = Parts::from_buffer(2, true, &wide.to_buffer());
        assert_eq!(round, wide);
        assert_eq!(Parts::buffer_len(2, true), wide.to_buffer().len());
    }
}
