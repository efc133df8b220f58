#!/usr/bin/env bash
# Installs what Cairn needs on a fresh Debian/Ubuntu machine (run as root or with sudo).
#   scripts/setup.sh          build and run the app
#   scripts/setup.sh --test   also what the test suites need (Xvfb, WebDriver, keyring, Python)
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

build_packages=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev libxdo-dev
  libdbus-1-dev build-essential pkg-config file patchelf curl)
test_packages=(xvfb webkit2gtk-driver gnome-keyring dbus dbus-x11 libsecret-tools
  python3-venv imagemagick)

packages=("${build_packages[@]}")
[ "$with_tests" = 1 ] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing. Install it from rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "setup: Node.js 20 or newer with npm is missing. Install it, then run this again." >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error

if [ "$with_tests" = 1 ] && ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver (WebDriver bridge for the end-to-end tests)"
  cargo install tauri-driver --locked --quiet
fi
echo "setup: done"
