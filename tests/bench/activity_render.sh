#!/usr/bin/env bash
# The Activity view in the real window over 500,000 calls (a year of heavy use): time to the
# first rows and to the totals and charts. Needs the debug app built with the UI embedded.
# Prints numbers, asserts none. The calls it adds stay in the e2e run's temporary data folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p cairn-bench
CAIRN_E2E_TARGETS=tests/e2e/bench_activity_render.py exec tests/with-keyring.sh tests/e2e/run.sh -s "$@"
