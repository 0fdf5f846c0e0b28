//! A scalar's value and derivatives as dense parts (feature `mpi`): what a plate's sum is
//! sent across MPI ranks as, and rebuilt from (`plate/across.rs`).

/// The value, gradient and second derivatives of a scalar, dense, through
/// [`Scalar::to_parts`] and [`Scalar::from_parts`]. A constant has `n = 0`; `f64` carries
/// the value alone.
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
    /// The second derivatives the scalar holds.
    pub second: Second,
}

/// The second derivatives in [`Parts`].
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Second {
    /// None held.
    None,
    /// The Hessian's diagonal, n entries.
    Diagonal(Vec<f64>),
    /// The Hessian, n × n row-major.
    Hessian(Vec<f64>),
}

/// Which second derivatives a layout carries, ordered so that the largest of the ranks'
/// kinds holds every rank's parts.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecondKind {
    None = 0,
    Diagonal = 1,
    Hessian = 2,
}

impl SecondKind {
    /// The kind numbered `k` as `as u64` numbers it (`None` for any other number).
    pub fn from_code(k: u64) -> SecondKind {
        match k {
            1 => SecondKind::Diagonal,
            2 => SecondKind::Hessian,
            _ => SecondKind::None,
        }
    }

    /// The values the second derivatives take in n variables.
    fn len(self, n: usize) -> usize {
        match self {
            SecondKind::None => 0,
            SecondKind::Diagonal => n,
            SecondKind::Hessian => n * n,
        }
    }
}

impl Second {
    /// Its kind.
    pub fn kind(&self) -> SecondKind {
        match self {
            Second::None => SecondKind::None,
            Second::Diagonal(_) => SecondKind::Diagonal,
            Second::Hessian(_) => SecondKind::Hessian,
        }
    }

    fn values(&self) -> &[f64] {
        match self {
            Second::None => &[],
            Second::Diagonal(v) | Second::Hessian(v) => v,
        }
    }
}

impl Parts {
    /// A value without derivatives.
    pub fn constant(value: f64) -> Parts {
        Parts {
            value,
            n: 0,
            gradient: Vec::new(),
            second: Second::None,
        }
    }

    /// The parts in `n ≥ self.n` variables with second derivatives of kind `kind ≥ its
    /// own` (zeros where these parts had none): the layout every rank agrees on before a
    /// sum.
    pub fn widened(&self, n: usize, kind: SecondKind) -> Parts {
        let mut gradient = self.gradient.clone();
        gradient.resize(n, 0.0);
        let own = self.second.values();
        let second = match kind {
            SecondKind::None => Second::None,
            SecondKind::Diagonal => {
                let mut d = own.to_vec();
                d.resize(n, 0.0);
                Second::Diagonal(d)
            }
            SecondKind::Hessian => {
                let mut h = vec![0.0; n * n];
                if !own.is_empty() {
                    for r in 0..self.n {
                        h[r * n..r * n + self.n]
                            .copy_from_slice(&own[r * self.n..(r + 1) * self.n]);
                    }
                }
                Second::Hessian(h)
            }
        };
        Parts {
            value: self.value,
            n,
            gradient,
            second,
        }
    }

    /// value, gradient, second derivatives (if any), in one buffer.
    pub fn to_buffer(&self) -> Vec<f64> {
        let second = self.second.values();
        let mut out = Vec::with_capacity(1 + self.n + second.len());
        out.push(self.value);
        out.extend_from_slice(&self.gradient);
        out.extend_from_slice(second);
        out
    }

    /// The parts in `n` variables with second derivatives of kind `kind`, read from a
    /// buffer of `Parts::buffer_len(n, kind)` values laid out as [`Parts::to_buffer`]
    /// writes them.
    pub fn from_buffer(n: usize, kind: SecondKind, buffer: &[f64]) -> Parts {
        let second = buffer[1 + n..1 + n + kind.len(n)].to_vec();
        Parts {
            value: buffer[0],
            n,
            gradient: buffer[1..1 + n].to_vec(),
            second: match kind {
                SecondKind::None => Second::None,
                SecondKind::Diagonal => Second::Diagonal(second),
                SecondKind::Hessian => Second::Hessian(second),
            },
        }
    }

    /// The length of the buffer of parts in `n` variables with second derivatives of kind
    /// `kind`.
    pub fn buffer_len(n: usize, kind: SecondKind) -> usize {
        1 + n + kind.len(n)
    }
}

#[cfg(test)]
mod tests {
    use super::{Parts, Second, SecondKind};
    use crate::ad::{Dual, Dual2, DualDiag, Scalar};

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
        let x = DualDiag::variables(&[0.5, -1.5]);
        let y = x[0].clone() * x[1].exp() + 3.0;
        let back = DualDiag::from_parts(y.to_parts());
        assert_eq!(back.gradient(), y.gradient());
        assert_eq!(back.diagonal(), y.diagonal());
        assert_eq!(f64::from_parts(2.5_f64.to_parts()), 2.5);
    }

    #[test]
    fn a_constant_widens_to_zeros_and_second_derivatives_keep_their_places() {
        let w = Parts::constant(1.0).widened(2, SecondKind::Hessian);
        assert_eq!(w.to_buffer(), vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let small = Parts {
            value: 0.0,
            n: 1,
            gradient: vec![2.0],
            second: Second::Hessian(vec![3.0]),
        };
        let wide = small.widened(2, SecondKind::Hessian);
        assert_eq!(wide.second, Second::Hessian(vec![3.0, 0.0, 0.0, 0.0]));
        let round = Parts::from_buffer(2, SecondKind::Hessian, &wide.to_buffer());
        assert_eq!(round, wide);
        assert_eq!(
            Parts::buffer_len(2, SecondKind::Hessian),
            wide.to_buffer().len()
        );
        let diagonal = Parts {
            second: Second::Diagonal(vec![3.0]),
            ..small
        }
        .widened(3, SecondKind::Diagonal);
        assert_eq!(diagonal.second, Second::Diagonal(vec![3.0, 0.0, 0.0]));
        let round = Parts::from_buffer(3, SecondKind::Diagonal, &diagonal.to_buffer());
        assert_eq!(round, diagonal);
    }
}
