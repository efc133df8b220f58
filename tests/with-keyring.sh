#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (Secret Service),
# using a throw-away XDG_DATA_HOME so no real keyring is touched.
set -euo pipefail
data_home=$(mktemp -d)
trap 'rm -rf "$data_home"' EXIT
export XDG_DATA_HOME="$data_home"
exec dbus-run-session -- bash -c '
  echo -n cairn-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' keyring-session "$@"
