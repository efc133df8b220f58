#!/usr/bin/env bash
# A year of heavy use in the activity log (500,000 calls): the Activity view's opening queries
# (newest 200, 30-day summary), a whole-year summary, and the aggregate's query plan. Release
# build; medians of 7. Not a test: it prints numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p cairn-bench
target/release/cairn-bench activity "${1:-500000}"
