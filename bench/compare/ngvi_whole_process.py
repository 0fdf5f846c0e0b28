"""Whole-process wall time of ngvi's examples, the ngvi column of BENCHMARKS.md's
"ngvi beside NumPyro" table.

    cargo build --release --examples
    python3 bench/compare/ngvi_whole_process.py

Each example runs as a fresh process (fit, comparison with the reference and printing
included); the median and minimum of repeated runs are printed. Standard library only.
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = {
    "beta_bernoulli": 15,
    "linear_regression": 15,
    "poisson_regression": 15,
    "eight_schools": 15,
    "logistic_regression": 5,
}


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    for name, runs in EXAMPLES.items():
        binary = root / "target" / "release" / "examples" / name
        if not binary.exists():
            print(f"{binary} is missing: run `cargo build --release --examples` first")
            return 1
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([binary], stdout=subprocess.DEVNULL, check=True, cwd=root)
            times.append(time.perf_counter() - start)
        print(f"{name}: median {statistics.median(times):.4f} s, min {min(times):.4f} s ({runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
