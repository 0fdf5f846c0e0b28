//! The gradient storage both dual types share: zero, one non-zero entry (a seed variable),
//! or dense, so that a linear expression of seeds costs O(D) and not O(D²).

/// A gradient: zero, a single non-zero entry (a seed variable), or dense.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tangent {
    Zero,
    One(usize, f64),
    Dense(Vec<f64>),
}

impl Tangent {
    /// The gradient held densely, or none when it has no coordinates.
    #[cfg(feature = "mpi")]
    pub(super) fn from_dense(g: Vec<f64>) -> Tangent {
        if g.is_empty() {
            Tangent::Zero
        } else {
            Tangent::Dense(g)
        }
    }

    pub(super) fn is_zero(&self) -> bool {
        matches!(self, Tangent::Zero)
    }

    pub(super) fn to_dense(&self, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        self.add_to(1.0, &mut out);
        out
    }

    /// out += c · self
    pub(super) fn add_to(&self, c: f64, out: &mut [f64]) {
        match self {
            Tangent::Zero => {}
            Tangent::One(i, a) => out[*i] += c * a,
            Tangent::Dense(g) => out.iter_mut().zip(g).for_each(|(o, gi)| *o += c * gi),
        }
    }

    /// c · self
    pub(super) fn scaled(self, c: f64) -> Tangent {
        match self {
            Tangent::Zero => Tangent::Zero,
            Tangent::One(i, a) => Tangent::One(i, c * a),
            Tangent::Dense(mut g) => {
                g.iter_mut().for_each(|x| *x *= c);
                Tangent::Dense(g)
            }
        }
    }

    /// a · self + b · other, reusing `self`'s storage when it is dense.
    pub(super) fn axpby(self, a: f64, other: &Tangent, b: f64, n: usize) -> Tangent {
        match (self, other) {
            (s, Tangent::Zero) => s.scaled(a),
            (Tangent::Zero, o) => o.clone().scaled(b),
            (Tangent::One(i, x), Tangent::One(j, y)) if i == *j => Tangent::One(i, a * x + b * y),
            (Tangent::Dense(mut g), o) => {
                if a != 1.0 {
                    g.iter_mut().for_each(|x| *x *= a);
                }
                o.add_to(b, &mut g);
                Tangent::Dense(g)
            }
            (s, o) => {
                let mut g = vec![0.0; n];
                s.add_to(a, &mut g);
                o.add_to(b, &mut g);
                Tangent::Dense(g)
            }
        }
    }

    /// h += c (u vᵀ + v uᵀ) for an n × n row-major h.
    pub(super) fn add_sym_outer(h: &mut [f64], n: usize, c: f64, u: &Tangent, v: &Tangent) {
        if c == 0.0 {
            return;
        }
        match (u, v) {
            (Tangent::Zero, _) | (_, Tangent::Zero) => {}
            (Tangent::One(i, a), Tangent::One(j, b)) => {
                h[i * n + j] += c * a * b;
                h[j * n + i] += c * a * b;
            }
            (Tangent::One(i, a), Tangent::Dense(g)) | (Tangent::Dense(g), Tangent::One(i, a)) => {
                for (k, gk) in g.iter().enumerate() {
                    h[i * n + k] += c * a * gk;
                    h[k * n + i] += c * a * gk;
                }
            }
            (Tangent::Dense(g), Tangent::Dense(f)) => {
                for r in 0..n {
                    let (gr, fr) = (g[r], f[r]);
                    if gr == 0.0 && fr == 0.0 {
                        continue;
                    }
                    let row = &mut h[r * n..(r + 1) * n];
                    for k in 0..n {
                        row[k] += c * (gr * f[k] + fr * g[k]);
                    }
                }
            }
        }
    }
}
