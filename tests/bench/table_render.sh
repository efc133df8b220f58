#!/usr/bin/env bash
# The model table with 300 models / 1,000 profiles in the real window (WebKitGTK under Xvfb):
# open-to-paint time and scroll frame intervals. Needs the debug app built with the UI embedded
# (tests/run-all.sh builds it). Not a test: it prints numbers and asserts none.
set -euo pipefail
cd "$(dirname "$0")/../.."
CAIRN_E2E_TARGETS=tests/e2e/bench_table_render.py exec tests/with-keyring.sh tests/e2e/run.sh -s "$@"
