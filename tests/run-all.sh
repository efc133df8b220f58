#!/usr/bin/env bash
# Every test suite, in the order CI runs them. Needs `scripts/setup.sh --test` first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# One feature set for every cargo call, so Tauri is compiled once and shared.
features=(--workspace --all-targets --features cairn-app/custom-protocol)
step() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

step "UI: type check, unit tests, production build (embedded into the app)"
npm run --silent ui:check
npm run --silent ui:test
npm run --silent ui:build

step "Rust: formatting"
cargo fmt --all -- --check

step "Rust: clippy -D warnings"
cargo clippy "${features[@]}" --quiet -- -D warnings

step "Rust: build the app (debug, UI embedded)"
cargo build --workspace --features cairn-app/custom-protocol --quiet

step "Rust: unit, integration and keychain tests (bindings freshness included)"
tests/with-keyring.sh cargo test "${features[@]}" -- --include-ignored

step "Conformance: boto3 and anthropic[bedrock] against cairn-sim"
tests/conformance/run.sh

step "End to end: the real window under Xvfb through WebDriver (with a real keychain)"
tests/with-keyring.sh tests/e2e/run.sh

echo
echo "all suites passed in $((SECONDS - started)) s"
