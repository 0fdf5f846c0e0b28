#!/usr/bin/env bash
# BENCHMARKS.md's "Side by side" tables in one run, on one machine:
#   1. ngvi's examples, whole process (bench/compare/ngvi_whole_process.py);
#   2. NumPyro: the best SVI configuration of each model (from `compare.py`'s full sweep),
#      three fresh processes each, and NUTS (1000 draws after 1000 warm-up), one;
#   3. ngvi's examples again;
#   4. NGVI beside `Advi` in one Rust process (examples/ngvi_vs_advi.rs), every case.
#
#   cargo build --release --examples
#   PYTHON=/path/to/venv/bin/python bench/compare/side_by_side.sh > side_by_side.txt
#
# PYTHON is an interpreter with requirements.txt installed (default: python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}

# model|best SVI configuration (fewest steps, then least wall time, in BENCHMARKS.md's sweep)
BEST=(
  "coin|AutoNormal Adam 0.05"
  "coin_1e6|AutoNormal Adam 0.05"
  "linreg|AutoNormal Adam 0.05->0.0005"
  "logistic|AutoMultivariateNormal Adam 0.05->0.0005"
  "poisson_reg|AutoNormal Adam 0.05->0.0005"
  "eight_schools|AutoNormal Adam 0.01"
  "hierarchical|AutoNormal Adam 0.05->0.0005"
)

stamp() { echo "== $1 $(date -u +%H:%M:%S) UTC; $(uptime | sed 's/.*load/load/')"; }

numpyro() {
  "$PYTHON" bench/compare/compare.py --one "$1" "$2" 2>/dev/null | tail -n 1 | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
print("{} | {} | steps {} | gradients {} | {} | wall to the bar {:.2f} s | peak {:.0f} MiB | "
      "worst z {:.3f} ({}) | sd ratio {:.3f}-{:.3f}".format(
          sys.argv[1], sys.argv[2], d.get("steps", "{} draws".format(d.get("draws"))),
          d["gradients"], "pass" if d["pass"] else "FAIL",
          d["wall"], d["peak_mib"], d["worst_z"], d["worst_label"], d["ratio_min"],
          d["ratio_max"]))
' "$1" "$2"
}

stamp "ngvi, whole process"
python3 bench/compare/ngvi_whole_process.py
stamp "NumPyro"
"$PYTHON" -c 'import jax, jaxlib, numpyro, optax, numpy; print("jax", jax.__version__, "jaxlib", jaxlib.__version__, "numpyro", numpyro.__version__, "optax", optax.__version__, "numpy", numpy.__version__)'
for entry in "${BEST[@]}"; do
  model=${entry%%|*}
  config=${entry#*|}
  for _ in 1 2 3; do numpyro "$model" "$config"; done
  numpyro "$model" "NUTS 1000+1000"
done
stamp "ngvi, whole process, again"
python3 bench/compare/ngvi_whole_process.py
stamp "NGVI beside Advi"
target/release/examples/ngvi_vs_advi 0
stamp "end"
