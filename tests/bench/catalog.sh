#!/usr/bin/env bash
# Model-catalog refresh against a simulated catalog of 300 models and 1,000 inference profiles
# (13 real + 287 synthetic models, 38 + 962 profiles). Release builds; prints one JSON line per
# run (wall time of the whole refresh, availability calls included). Not a test.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p cairn-sim -p cairn-bench --quiet
runs="${1:-5}"
work="$(mktemp -d)"
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
printf '{"syntheticModels": 287, "syntheticProfiles": 962, "profilesPageSize": 100}\n' > "$work/sim.json"
target/release/cairn-sim --port 0 --config "$work/sim.json" > "$work/sim.out" &
sim_pid=$!
for _ in $(seq 1 50); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
url="$(awk '{print $NF}' "$work/sim.out")"
for i in $(seq 1 "$runs"); do
  target/release/cairn-bench catalog "$url"
done
