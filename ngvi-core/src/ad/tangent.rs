//! The gradient storage both dual types share: zero, one non-zero entry (a seed variable), a
//! few entries sorted by index, or dense. An expression that touches k of n variables costs
//! O(k) per operation while k ≤ n / DENSE_RATIO, and O(n) once it has gone dense.

/// A sparse tangent goes dense once it would hold more than n / `DENSE_RATIO` entries: the
/// crossover measured in BENCHMARKS.md ("Sparse tangents").
const DENSE_RATIO: usize = 16;

/// A tangent of at most `INSERT_MAX` entries is added into a longer sparse one in place, by
/// binary search and insertion, rather than by a merge into new storage.
const INSERT_MAX: usize = 4;

/// Σᵢⱼ aᵢ Cᵢⱼ aⱼ over (index, value) entries, those past C's size left out; no storage (it
/// runs once per datum in an expectation pass, (4.5e)).
fn entries_form<I>(entries: I, cov: &nalgebra::DMatrix<f64>) -> f64
where
    I: Iterator<Item = (usize, f64)> + Clone,
{
    let n = cov.nrows();
    let inside = entries.filter(move |&(i, a)| i < n && a != 0.0);
    inside
        .clone()
        .map(|(i, a)| a * inside.clone().map(|(j, b)| cov[(i, j)] * b).sum::<f64>())
        .sum()
}

/// gᵀ C g for a dense g (padded with zeros to C's size, or cut to it): Σᵢ gᵢ (C g)ᵢ by
/// C's columns (C is symmetric), each a contiguous dot product.
fn dense_form(g: &[f64], cov: &nalgebra::DMatrix<f64>) -> f64 {
    let n = cov.nrows().min(g.len());
    let g = &g[..n];
    let rows = cov.nrows();
    let c = cov.as_slice();
    g.iter()
        .enumerate()
        .filter(|&(_, &gi)| gi != 0.0)
        .map(|(i, &gi)| gi * dot(&c[i * rows..i * rows + n], g))
        .sum()
}

/// Σ aᵢbᵢ in four running sums, which the compiler keeps in vector registers.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Whether `nnz` entries in `n` variables are kept sparse.
fn fits_sparse(nnz: usize, n: usize) -> bool {
    nnz * DENSE_RATIO <= n
}

/// A gradient in n variables.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tangent {
    Zero,
    /// A single entry (index, value): a seed variable, or a function of one.
    One([(usize, f64); 1]),
    /// Entries with strictly increasing indices, at most n / `DENSE_RATIO` of them.
    Sparse(Vec<(usize, f64)>),
    /// All n entries (a shorter vector stands for one padded with zeros).
    Dense(Vec<f64>),
}

impl Tangent {
    /// The gradient of the i-th seed variable: eᵢ.
    pub(super) fn seed(i: usize) -> Tangent {
        Tangent::One([(i, 1.0)])
    }

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

    /// The entries stored: none for zero, all for dense.
    fn nnz(&self) -> usize {
        match self {
            Tangent::Zero => 0,
            Tangent::One(_) => 1,
            Tangent::Sparse(e) => e.len(),
            Tangent::Dense(g) => g.len(),
        }
    }

    /// The (index, value) entries of a tangent that is not dense, by increasing index.
    fn entries(&self) -> &[(usize, f64)] {
        match self {
            Tangent::One(e) => e,
            Tangent::Sparse(e) => e,
            Tangent::Zero | Tangent::Dense(_) => &[],
        }
    }

    pub(super) fn to_dense(&self, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        self.add_to(1.0, &mut out);
        out
    }

    /// out += c · self
    #[inline]
    pub(super) fn add_to(&self, c: f64, out: &mut [f64]) {
        match self {
            Tangent::Zero => {}
            Tangent::One([(i, a)]) => out[*i] += c * a,
            Tangent::Sparse(e) => e.iter().for_each(|&(i, a)| out[i] += c * a),
            Tangent::Dense(g) => out.iter_mut().zip(g).for_each(|(o, gi)| *o += c * gi),
        }
    }

    /// f(i, ∂ᵢ) for each stored entry, by increasing index.
    #[inline]
    pub(super) fn for_each(&self, mut f: impl FnMut(usize, f64)) {
        match self {
            Tangent::Zero => {}
            Tangent::One([(i, a)]) => f(*i, *a),
            Tangent::Sparse(e) => e.iter().for_each(|&(i, a)| f(i, a)),
            Tangent::Dense(g) => g.iter().enumerate().for_each(|(i, &a)| f(i, a)),
        }
    }

    /// gᵀ C g for the n × n matrix `cov` (entries past its size count as zero): O(k²) for
    /// k stored entries.
    pub(super) fn quadratic_form(&self, cov: &nalgebra::DMatrix<f64>) -> f64 {
        match self {
            Tangent::Zero => 0.0,
            Tangent::One([(i, a)]) => cov.get((*i, *i)).map_or(0.0, |c| a * a * c),
            Tangent::Sparse(e) => entries_form(e.iter().copied(), cov),
            Tangent::Dense(g) => dense_form(g, cov),
        }
    }

    /// c · self
    pub(super) fn scaled(self, c: f64) -> Tangent {
        match self {
            Tangent::Zero => Tangent::Zero,
            Tangent::One([(i, a)]) => Tangent::One([(i, c * a)]),
            Tangent::Sparse(mut e) => {
                e.iter_mut().for_each(|(_, a)| *a *= c);
                Tangent::Sparse(e)
            }
            Tangent::Dense(mut g) => {
                g.iter_mut().for_each(|x| *x *= c);
                Tangent::Dense(g)
            }
        }
    }

    /// a · self + b · other in n variables, reusing the storage of a dense operand: adding a
    /// k-entry tangent to a dense one with a = 1 (a running sum) costs O(k).
    #[inline]
    pub(super) fn axpby(self, a: f64, other: Tangent, b: f64, n: usize) -> Tangent {
        match (self, other) {
            (s, Tangent::Zero) => s.scaled(a),
            (Tangent::Zero, o) => o.scaled(b),
            (Tangent::Dense(g), o) => Tangent::Dense(dense_axpby(g, a, &o, b, n)),
            (s, Tangent::Dense(g)) => Tangent::Dense(dense_axpby(g, b, &s, a, n)),
            (s, o) => sparse_axpby(s, a, o, b, n),
        }
    }

    /// self ⊙ other, entry by entry: O(k) for k stored entries (a sparse side is looked up
    /// in the other).
    pub(super) fn hadamard(&self, other: &Tangent) -> Tangent {
        match (self, other) {
            (Tangent::Zero, _) | (_, Tangent::Zero) => Tangent::Zero,
            (Tangent::Dense(a), Tangent::Dense(b)) => {
                Tangent::Dense(a.iter().zip(b).map(|(x, y)| x * y).collect())
            }
            (Tangent::Dense(_), s) => s.hadamard(self),
            (s, o) => {
                let e: Vec<(usize, f64)> = s
                    .entries()
                    .iter()
                    .filter_map(|&(i, a)| o.get(i).map(|b| (i, a * b)))
                    .collect();
                match e.as_slice() {
                    [] => Tangent::Zero,
                    &[one] => Tangent::One([one]),
                    _ => Tangent::Sparse(e),
                }
            }
        }
    }

    /// The entry at index i, when stored.
    fn get(&self, i: usize) -> Option<f64> {
        match self {
            Tangent::Zero => None,
            Tangent::Dense(g) => g.get(i).copied(),
            s => s
                .entries()
                .binary_search_by_key(&i, |&(j, _)| j)
                .ok()
                .map(|p| s.entries()[p].1),
        }
    }

    /// h += c (u vᵀ + v uᵀ) for an n × n row-major h: O(k_u k_v) for sparse u and v.
    pub(super) fn add_sym_outer(h: &mut [f64], n: usize, c: f64, u: &Tangent, v: &Tangent) {
        if c == 0.0 {
            return;
        }
        match (u, v) {
            (Tangent::Zero, _) | (_, Tangent::Zero) => {}
            (Tangent::Dense(g), Tangent::Dense(f)) if g.len() < n || f.len() < n => {
                let (u, v) = (Tangent::Dense(u.to_dense(n)), Tangent::Dense(v.to_dense(n)));
                Tangent::add_sym_outer(h, n, c, &u, &v);
            }
            (Tangent::Dense(g), Tangent::Dense(f)) => {
                for r in 0..n {
                    let (gr, fr) = (g[r], f[r]);
                    if gr == 0.0 && fr == 0.0 {
                        continue;
                    }
                    let row = &mut h[r * n..(r + 1) * n];
                    for (k, (fk, gk)) in f.iter().zip(g).enumerate() {
                        row[k] += c * (gr * fk + fr * gk);
                    }
                }
            }
            (Tangent::Dense(g), s) | (s, Tangent::Dense(g)) => {
                for &(i, a) in s.entries() {
                    for (k, gk) in g.iter().enumerate() {
                        h[i * n + k] += c * a * gk;
                        h[k * n + i] += c * a * gk;
                    }
                }
            }
            (s, o) => {
                for &(i, a) in s.entries() {
                    for &(j, b) in o.entries() {
                        h[i * n + j] += c * a * b;
                        h[j * n + i] += c * a * b;
                    }
                }
            }
        }
    }
}

/// a · s + b · o for s and o neither zero nor dense: one entry, a merge, an insertion in
/// place, or a dense vector when the result would not fit sparse.
fn sparse_axpby(s: Tangent, a: f64, o: Tangent, b: f64, n: usize) -> Tangent {
    match (s, o) {
        (Tangent::One([(i, x)]), Tangent::One([(j, y)])) if i == j => {
            Tangent::One([(i, a * x + b * y)])
        }
        (s, o) if !fits_sparse(s.nnz() + o.nnz(), n) => {
            let mut g = vec![0.0; n];
            s.add_to(a, &mut g);
            o.add_to(b, &mut g);
            Tangent::Dense(g)
        }
        (Tangent::Sparse(e), o) if o.nnz() <= INSERT_MAX.min(e.len()) => {
            Tangent::Sparse(insert(e, a, o.entries(), b))
        }
        (s, Tangent::Sparse(e)) if s.nnz() <= INSERT_MAX.min(e.len()) => {
            Tangent::Sparse(insert(e, b, s.entries(), a))
        }
        (s, o) => Tangent::Sparse(merge(s.entries(), a, o.entries(), b)),
    }
}

/// a · g + b · o with g dense (padded to n), in g's storage: O(k) for a = 1 and k-entry o.
#[inline]
fn dense_axpby(mut g: Vec<f64>, a: f64, o: &Tangent, b: f64, n: usize) -> Vec<f64> {
    if a != 1.0 {
        g.iter_mut().for_each(|x| *x *= a);
    }
    if g.len() < n {
        g.resize(n, 0.0);
    }
    o.add_to(b, &mut g);
    g
}

/// a · e + b · o for entries sorted by index, in e's storage: O(k_o log k_e) searches and
/// the shift of the entries after each new index (none when o's indices come last, as in a
/// sum over groups in order).
fn insert(mut e: Vec<(usize, f64)>, a: f64, o: &[(usize, f64)], b: f64) -> Vec<(usize, f64)> {
    if a != 1.0 {
        e.iter_mut().for_each(|(_, x)| *x *= a);
    }
    let mut from = 0;
    for &(j, y) in o {
        from += match e[from..].binary_search_by_key(&j, |&(i, _)| i) {
            Ok(p) => {
                e[from + p].1 += b * y;
                p + 1
            }
            Err(p) => {
                e.insert(from + p, (j, b * y));
                p + 1
            }
        };
    }
    e
}

/// a · s + b · o for entries sorted by index: a merge, O(k_s + k_o), into storage with room
/// for `INSERT_MAX` more entries (a sum built term by term inserts them without moving).
fn merge(s: &[(usize, f64)], a: f64, o: &[(usize, f64)], b: f64) -> Vec<(usize, f64)> {
    let mut out = Vec::with_capacity(s.len() + o.len() + INSERT_MAX);
    let (mut p, mut q) = (0, 0);
    while let (Some(&(i, x)), Some(&(j, y))) = (s.get(p), o.get(q)) {
        match i.cmp(&j) {
            std::cmp::Ordering::Less => {
                out.push((i, a * x));
                p += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push((j, b * y));
                q += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((i, a * x + b * y));
                p += 1;
                q += 1;
            }
        }
    }
    out.extend(s[p..].iter().map(|&(i, x)| (i, a * x)));
    out.extend(o[q..].iter().map(|&(j, y)| (j, b * y)));
    out
}

/// Σ cᵢ tᵢ built term by term (`Scalar::weighted_sum`): the terms' entries gathered and
/// summed by index at the end, or a dense sum once they would not fit sparse.
pub(super) struct LinearSum {
    /// The number of terms expected (a lower bound; 0 when unknown).
    terms: usize,
    n: usize,
    entries: Vec<(usize, f64)>,
    dense: Option<Vec<f64>>,
}

impl LinearSum {
    /// A sum of at least `terms` terms.
    pub(super) fn new(terms: usize) -> LinearSum {
        LinearSum {
            terms,
            n: 0,
            entries: Vec::new(),
            dense: None,
        }
    }

    /// self += c · t, for a t in n variables.
    #[inline]
    pub(super) fn add(&mut self, c: f64, t: &Tangent, n: usize) {
        if let Some(g) = &mut self.dense {
            if g.len() < n {
                g.resize(n, 0.0);
            }
            t.add_to(c, g);
        } else if !t.is_zero() {
            self.add_while_sparse(c, t, n);
        }
    }

    /// self += c · t before the sum has gone dense: gathered, or the sum goes dense first.
    fn add_while_sparse(&mut self, c: f64, t: &Tangent, n: usize) {
        self.n = self.n.max(n);
        let expected = self.entries.len().max(self.terms) + t.nnz();
        if matches!(t, Tangent::Dense(_)) || !fits_sparse(expected, self.n) {
            let mut g = vec![0.0; self.n];
            self.entries.drain(..).for_each(|(i, x)| g[i] += x);
            t.add_to(c, &mut g);
            self.dense = Some(g);
        } else {
            self.entries
                .extend(t.entries().iter().map(|&(i, x)| (i, c * x)));
        }
    }

    /// The sum: entries sorted by index (a stable sort, so that each index adds its terms in
    /// their order, as the dense sum does), equal indices summed.
    pub(super) fn finish(self) -> Tangent {
        if let Some(g) = self.dense {
            return Tangent::Dense(g);
        }
        let mut e = self.entries;
        if e.is_empty() {
            return Tangent::Zero;
        }
        e.sort_by_key(|&(i, _)| i);
        e.dedup_by(|next, kept| {
            let same = next.0 == kept.0;
            if same {
                kept.1 += next.1;
            }
            same
        });
        Tangent::Sparse(e)
    }
}

#[cfg(test)]
mod tests {
    use super::{LinearSum, Tangent};

    /// The number of variables: up to 12 entries stay sparse.
    const N: usize = 200;

    /// One tangent of every kind, with overlapping indices: zero, one entry, a short and a
    /// long sparse list, a dense vector and a dense vector shorter than n.
    fn kinds() -> Vec<Tangent> {
        vec![
            Tangent::Zero,
            Tangent::One([(7, 1.5)]),
            Tangent::Sparse(vec![(3, -1.0), (7, 0.5)]),
            Tangent::Sparse(
                (0..10)
                    .map(|i| (20 * i + 3, 0.25 * i as f64 - 1.0))
                    .collect(),
            ),
            Tangent::Dense((0..N).map(|i| (i as f64).sin()).collect()),
            Tangent::Dense(vec![2.0; 9]),
        ]
    }

    /// Sorted distinct indices and a size that fits sparse, for a sparse tangent.
    fn well_formed(t: &Tangent) -> bool {
        match t {
            Tangent::Sparse(e) => {
                e.windows(2).all(|w| w[0].0 < w[1].0) && super::fits_sparse(e.len(), N)
            }
            _ => true,
        }
    }

    #[test]
    fn axpby_on_every_pair_of_kinds_is_the_dense_combination() {
        for s in kinds() {
            for o in kinds() {
                for (a, b) in [(1.0, 1.0), (2.0, -0.5)] {
                    let got = s.clone().axpby(a, o.clone(), b, N);
                    let (ds, d_o) = (s.to_dense(N), o.to_dense(N));
                    let want: Vec<f64> = ds.iter().zip(&d_o).map(|(x, y)| a * x + b * y).collect();
                    assert_eq!(got.to_dense(N), want, "{s:?} {a} {o:?} {b}");
                    assert!(well_formed(&got), "{got:?}");
                }
            }
        }
    }

    #[test]
    fn outer_products_on_every_pair_of_kinds_are_the_dense_ones() {
        for u in kinds() {
            for v in kinds() {
                let mut got = vec![0.0; N * N];
                Tangent::add_sym_outer(&mut got, N, 0.5, &u, &v);
                let (du, dv) = (u.to_dense(N), v.to_dense(N));
                let mut want = vec![0.0; N * N];
                let (tu, tv) = (Tangent::Dense(du), Tangent::Dense(dv));
                Tangent::add_sym_outer(&mut want, N, 0.5, &tu, &tv);
                assert_eq!(got, want, "{u:?} {v:?}");
            }
        }
    }

    #[test]
    fn the_entrywise_product_of_every_pair_of_kinds_is_the_dense_one() {
        for s in kinds() {
            for o in kinds() {
                let got = s.hadamard(&o);
                let (ds, d_o) = (s.to_dense(N), o.to_dense(N));
                let want: Vec<f64> = ds.iter().zip(&d_o).map(|(x, y)| x * y).collect();
                assert_eq!(got.to_dense(N), want, "{s:?} {o:?}");
                assert!(well_formed(&got), "{got:?}");
            }
        }
    }

    #[test]
    fn a_linear_sum_of_every_kind_is_the_dense_sum() {
        for hint in [0, 3, 100] {
            for (k, first) in kinds().iter().enumerate() {
                let mut sum = LinearSum::new(hint);
                let mut want = first.to_dense(N);
                sum.add(1.0, first, N);
                for (c, t) in kinds().iter().skip(k).enumerate() {
                    let c = 0.5 - c as f64;
                    sum.add(c, t, N);
                    t.add_to(c, &mut want);
                }
                let got = sum.finish();
                assert_eq!(got.to_dense(N), want, "hint {hint}, from {first:?}");
                assert!(well_formed(&got), "{got:?}");
            }
        }
    }

    #[test]
    fn a_long_sum_adds_each_term_in_place() {
        // Σⱼ (e₀ + eⱼ) in n = 10⁴: sparse while small, then one dense vector that every
        // later term is added into, O(2) each.
        let n = 10_000;
        let mut acc = Tangent::Zero;
        let mut storage = None;
        for j in 1..n {
            acc = acc.axpby(1.0, Tangent::Sparse(vec![(0, 1.0), (j, 1.0)]), 1.0, n);
            if let Tangent::Dense(g) = &acc {
                let at = *storage.get_or_insert(g.as_ptr());
                assert_eq!(g.as_ptr(), at, "term {j} moved the sum");
            }
        }
        let g = acc.to_dense(n);
        assert_eq!(g[0], (n - 1) as f64);
        assert!(g[1..].iter().all(|&x| x == 1.0));
        assert!(storage.is_some());
    }
}
