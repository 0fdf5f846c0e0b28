#!/usr/bin/env bash
# A ratio under a load that drifts: ROUNDS rounds, each of ngvi's examples as fresh
# processes (`ngvi_whole_process.py LABEL ...`) then NumPyro's best SVI configuration of
# MODEL once, so that each ratio divides two measurements minutes apart at most.
#
#   cargo build --release --examples
#   PYTHON=/path/to/venv/bin/python bench/compare/rounds.sh ROUNDS MODEL "CONFIG" LABEL ...
#   e.g. bench/compare/rounds.sh 3 logistic "AutoMultivariateNormal Adam 0.05->0.0005" \
#          "logistic seed 0" "logistic seed 1000" "logistic seed 2000"
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
if [ "$#" -lt 4 ]; then
  echo "usage: $0 ROUNDS MODEL \"CONFIG\" LABEL ..." >&2
  exit 2
fi
rounds=$1 model=$2 config=$3
shift 3
for round in $(seq 1 "$rounds"); do
  echo "== round $round $(date -u +%H:%M:%S) UTC; $(uptime | sed 's/.*load/load/')"
  python3 bench/compare/ngvi_whole_process.py "$@"
  "$PYTHON" bench/compare/compare.py --one "$model" "$config" 2>/dev/null | tail -n 1 |
    "$PYTHON" -c 'import json, sys; d = json.load(sys.stdin)
print("NumPyro {} {}: {} steps, wall to the bar {:.2f} s, {}".format(
    sys.argv[1], sys.argv[2], d.get("steps"), d["wall"], "pass" if d["pass"] else "FAIL"))' \
      "$model" "$config"
done
