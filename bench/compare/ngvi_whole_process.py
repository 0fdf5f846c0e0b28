"""Whole-process wall time and peak memory of ngvi's examples, the ngvi column of
BENCHMARKS.md's side-by-side tables.

    cargo build --release --examples
    python3 bench/compare/ngvi_whole_process.py [LABEL ...]

Each example runs as a fresh process (data, fit, comparison with the reference and printing
included); the median, minimum and maximum of repeated runs are printed, and the peak
resident memory of one more run (by /usr/bin/time, GNU time). Standard library only.
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

# label: (example and its arguments, runs)
EXAMPLES = {
    "coin": (["beta_bernoulli"], 15),
    "coin_1e6": (["scale_data", "coin", "1000000"], 9),
    "coin_1e6 bool": (["scale_data", "coin-bool", "1000000"], 9),
    "linreg": (["linear_regression"], 15),
    "poisson_reg": (["poisson_regression"], 15),
    "eight_schools": (["eight_schools"], 15),
    "logistic": (["logistic_regression"], 5),
    "logistic seed 0": (["logistic_regression", "0"], 5),
    "logistic seed 1000": (["logistic_regression", "1000"], 5),
    "logistic seed 2000": (["logistic_regression", "2000"], 5),
    "hierarchical": (["scale_hierarchical", "100"], 5),
}


def wall(argv, cwd):
    """Wall seconds of one process."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, cwd=cwd)
    return time.perf_counter() - start


def peak(argv, cwd):
    """Peak resident memory (MiB) of one more process, by GNU time where there is one (a
    process forked from Python would count the interpreter's memory)."""
    gnu_time = Path("/usr/bin/time")
    if not gnu_time.exists():
        return None
    out = subprocess.run([gnu_time, "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=True, cwd=cwd)
    return int(out.stderr.split()[-1]) / 1024


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    labels = sys.argv[1:] or list(EXAMPLES)
    unknown = [label for label in labels if label not in EXAMPLES]
    if unknown:
        print(f"unknown {', '.join(unknown)}: one of {', '.join(EXAMPLES)}")
        return 1
    for label in labels:
        (name, *args), runs = EXAMPLES[label]
        binary = root / "target" / "release" / "examples" / name
        if not binary.exists():
            print(f"{binary} is missing: run `cargo build --release --examples` first")
            return 1
        walls = [wall([binary, *args], root) for _ in range(runs)]
        memory = peak([binary, *args], root)
        memory = "?" if memory is None else f"{memory:.1f} MiB"
        print(f"{label}: median {statistics.median(walls) * 1e3:.1f} ms, "
              f"min {min(walls) * 1e3:.1f} ms, max {max(walls) * 1e3:.1f} ms "
              f"({runs} runs of {' '.join([name, *args])}); peak memory {memory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
