#!/usr/bin/env bash
# Full-text search (FTS5 trigram, as Cairn runs it) against a LIKE scan over 100,000 stored
# messages (release build; medians of 7 runs per query). Not a test: it prints numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p cairn-bench
target/release/cairn-bench search "${1:-100000}"
