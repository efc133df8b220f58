#!/usr/bin/env bash
# Create (once) and refresh the shared Python virtualenv used by the test suites.
# Prints the venv path on stdout. Safe to source or run; fast when nothing changed.
set -euo pipefail

_cairn_tests_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_cairn_venv="${CAIRN_VENV:-$_cairn_tests_dir/.venv}"
_cairn_req="$_cairn_tests_dir/requirements.txt"
_cairn_stamp="$_cairn_venv/.requirements.stamp"

if [ ! -x "$_cairn_venv/bin/python" ]; then
    python3 -m venv "$_cairn_venv" >&2
fi

if [ ! -f "$_cairn_stamp" ] || [ "$_cairn_req" -nt "$_cairn_stamp" ]; then
    "$_cairn_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$_cairn_req" >&2
    touch "$_cairn_stamp"
fi

export CAIRN_VENV="$_cairn_venv"
export PATH="$_cairn_venv/bin:$PATH"
echo "$_cairn_venv"
