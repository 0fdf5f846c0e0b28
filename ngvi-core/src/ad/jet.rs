//! [`Jet`]: a value with its first two derivatives in one variable, held inline. The
//! density of a datum along its linear predictor is evaluated in it (`Plates::linear`):
//! the one-variable case of [`Dual2`](super::Dual2) without its storage.

use std::ops::{Add, Div, Mul, Neg, Sub};

use nalgebra::DMatrix;

use super::ops::dual_common;
use super::Scalar;
use crate::special;

/// f, f′ and f″ with respect to one variable.
///
/// ```
/// use ngvi_core::ad::{Jet, Scalar};
/// let x = Jet::variable(2.0);
/// let (f, d1, d2) = (x * x / 4.0 + x.ln()).parts();
/// assert_eq!((f, d1), (1.0 + 2f64.ln(), 1.0 + 0.5));
/// assert!((d2 - (0.5 - 0.25)).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Jet {
    v: f64,
    d1: f64,
    d2: f64,
}

impl Jet {
    /// The variable itself at `v`: derivative 1.
    #[inline]
    pub fn variable(v: f64) -> Jet {
        Jet {
            v,
            d1: 1.0,
            d2: 0.0,
        }
    }

    /// (f, f′, f″).
    #[inline]
    pub fn parts(&self) -> (f64, f64, f64) {
        (self.v, self.d1, self.d2)
    }

    #[inline]
    fn is_constant(&self) -> bool {
        self.d1 == 0.0 && self.d2 == 0.0
    }
}

impl From<f64> for Jet {
    #[inline]
    fn from(v: f64) -> Self {
        Jet {
            v,
            d1: 0.0,
            d2: 0.0,
        }
    }
}

impl Scalar for Jet {
    const ORDER: u8 = 2;

    #[cfg(feature = "mpi")]
    fn to_parts(&self) -> super::Parts {
        super::Parts {
            value: self.v,
            n: 1,
            gradient: vec![self.d1],
            second: super::parts::Second::Hessian(vec![self.d2]),
        }
    }
    #[cfg(feature = "mpi")]
    fn from_parts(parts: super::Parts) -> Self {
        Jet {
            v: parts.value,
            d1: parts.gradient.first().copied().unwrap_or(0.0),
            d2: match parts.second {
                super::parts::Second::Hessian(h) | super::parts::Second::Diagonal(h) => {
                    h.first().copied().unwrap_or(0.0)
                }
                super::parts::Second::None => 0.0,
            },
        }
    }

    #[inline]
    fn value(&self) -> f64 {
        self.v
    }
    #[inline]
    fn chain(&self, f0: f64, f1: f64, f2: f64) -> Self {
        // (f∘u)′ = f′u′, (f∘u)″ = f′u″ + f″u′²
        Jet {
            v: f0,
            d1: f1 * self.d1,
            d2: f1 * self.d2 + f2 * self.d1 * self.d1,
        }
    }
    // A constant's ln Γ and ψ skip their derivatives (ψ′, ψ″ cost more than the value):
    // the densities of count data take ln Γ(y + 1) of every datum.
    fn lgamma(&self) -> Self {
        if self.is_constant() {
            return Jet::from(special::lgamma(self.v));
        }
        let x = self.v;
        self.chain(
            special::lgamma(x),
            special::digamma(x),
            special::trigamma(x),
        )
    }
    fn digamma(&self) -> Self {
        if self.is_constant() {
            return Jet::from(special::digamma(self.v));
        }
        let x = self.v;
        self.chain(
            special::digamma(x),
            special::trigamma(x),
            special::tetragamma(x),
        )
    }
    fn spread(&self, cov: &DMatrix<f64>) -> Option<f64> {
        (self.d2 == 0.0).then(|| self.d1 * self.d1 * cov.get((0, 0)).copied().unwrap_or(0.0))
    }
}

impl Add for Jet {
    type Output = Jet;
    #[inline]
    fn add(self, rhs: Jet) -> Jet {
        Jet {
            v: self.v + rhs.v,
            d1: self.d1 + rhs.d1,
            d2: self.d2 + rhs.d2,
        }
    }
}

impl Sub for Jet {
    type Output = Jet;
    #[inline]
    fn sub(self, rhs: Jet) -> Jet {
        Jet {
            v: self.v - rhs.v,
            d1: self.d1 - rhs.d1,
            d2: self.d2 - rhs.d2,
        }
    }
}

impl Mul for Jet {
    type Output = Jet;
    #[inline]
    fn mul(self, rhs: Jet) -> Jet {
        // (ab)″ = a″b + 2a′b′ + ab″
        Jet {
            v: self.v * rhs.v,
            d1: self.d1 * rhs.v + self.v * rhs.d1,
            d2: self.d2 * rhs.v + 2.0 * self.d1 * rhs.d1 + self.v * rhs.d2,
        }
    }
}

impl Div for Jet {
    type Output = Jet;
    // a / b = a · (1/b), the value a / b itself (bit for bit the f64 division).
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[inline]
    fn div(self, rhs: Jet) -> Jet {
        let v = self.v / rhs.v;
        if rhs.is_constant() {
            // a data scale (a Normal's sd): the derivatives scale with the value
            return Jet {
                v,
                d1: self.d1 / rhs.v,
                d2: self.d2 / rhs.v,
            };
        }
        let mut out = self * rhs.recip();
        out.v = v;
        out
    }
}

impl Neg for Jet {
    type Output = Jet;
    #[inline]
    fn neg(self) -> Jet {
        Jet {
            v: -self.v,
            d1: -self.d1,
            d2: -self.d2,
        }
    }
}

dual_common!(Jet);
