#!/usr/bin/env bash
# The streaming benchmark: a 20,000-token answer from the unthrottled simulator, consumed by
# Cairn's engine, a bare aws-sdk-rust ConverseStream loop, boto3 and the anthropic SDK.
# Release builds; prints a Markdown table (median wall time, peak RSS, ratios). Not a test.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p cairn-sim -p cairn-bench --quiet
source tests/python-env.sh >/dev/null
exec python tests/bench/run.py "$@"
