#!/usr/bin/env bash
# Run the cairn-sim conformance suite (boto3 + anthropic[bedrock]) from the repo root.
# CAIRN_SIM_BIN overrides the simulator binary (default target/debug/cairn-sim).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
source tests/python-env.sh >/dev/null
status=0
python -m pytest -q tests/conformance "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "conformance: no tests were collected" >&2
    exit 1
fi
exit "$status"
