#!/usr/bin/env bash
# The chat in the real window (WebKitGTK under Xvfb): opening a 2,000-message conversation vs a
# 10-message one, idle memory, and a 100,000-token answer streamed at 2,000 tokens a second.
# Needs the debug app built with the UI embedded (tests/run-all.sh builds it). Prints numbers,
# asserts none.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p cairn-bench
CAIRN_E2E_TARGETS=tests/e2e/bench_chat_render.py exec tests/with-keyring.sh tests/e2e/run.sh -s "$@"
