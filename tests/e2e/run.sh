#!/usr/bin/env bash
# End-to-end tests of the real Cairn window: Xvfb + tauri-driver + Selenium (pytest).
# CAIRN_APP_BIN overrides the app binary (default target/debug/cairn); TAURI_DRIVER the
# tauri-driver path; CAIRN_NATIVE_DRIVER the WebKitWebDriver path. Extra args go to pytest.
# Everything started here is stopped by PID (with its descendants) on exit.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
source tests/python-env.sh >/dev/null

app_bin="${CAIRN_APP_BIN:-target/debug/cairn}"
case "$app_bin" in /*) ;; *) app_bin="$repo_root/$app_bin" ;; esac
if [ ! -x "$app_bin" ]; then
    echo "e2e: app binary not found: $app_bin" >&2
    exit 1
fi
tauri_driver="${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}"
if [ ! -x "$tauri_driver" ]; then
    echo "e2e: tauri-driver not found ($tauri_driver); install it with: cargo install tauri-driver --locked" >&2
    exit 1
fi
native_driver="${CAIRN_NATIVE_DRIVER:-/usr/bin/WebKitWebDriver}"
artifacts="$repo_root/tests/e2e/artifacts"
mkdir -p "$artifacts"

work="$(mktemp -d /tmp/cairn-e2e.XXXXXX)"
mkdir -p "$work/home" "$work/data"
printf '{"tokensPerSecond": 25, "answerTokens": 150}\n' > "$work/demo-sim.json"

started=()   # PIDs we started, in start order

descendants() {
    local pid="$1" child
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}

stop_pid_tree() {
    local pid="$1" tree p
    tree="$(descendants "$pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for p in $tree; do kill -TERM "$p" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
        local any=0
        for p in "$pid" $tree; do
            if [ -e "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; then any=1; fi
        done
        [ "$any" -eq 0 ] && break
        sleep 0.1
    done
    for p in "$pid" $tree; do kill -KILL "$p" 2>/dev/null || true; done
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local i
    for (( i=${#started[@]}-1; i>=0; i-- )); do
        stop_pid_tree "${started[$i]}"
    done
    [ -f "$work/tauri-driver.log" ] && cp "$work/tauri-driver.log" "$artifacts/" || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Xvfb on the first free display from :99 up ---------------------------------------------
display=""
for n in $(seq 99 199); do
    if [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; then continue; fi
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 1 100); do
        [ -e "/tmp/.X11-unix/X$n" ] && break
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$xvfb_pid" 2>/dev/null && [ -e "/tmp/.X11-unix/X$n" ]; then
        started+=("$xvfb_pid")
        display=":$n"
        break
    fi
    wait "$xvfb_pid" 2>/dev/null || true
done
if [ -z "$display" ]; then
    echo "e2e: no free X display" >&2
    exit 1
fi

# --- tauri-driver, with the app's environment (no AWS_*, fresh HOME) -------------------------
read -r port native_port < <(python - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)
unset_args=()
for v in $(compgen -e | grep '^AWS_' || true); do unset_args+=(-u "$v"); done
env "${unset_args[@]}" -u WAYLAND_DISPLAY \
    DISPLAY="$display" HOME="$work/home" \
    XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
    XDG_CACHE_HOME="$work/home/.cache" \
    CAIRN_DATA_DIR="$work/data" CAIRN_SIM_CONFIG="$work/demo-sim.json" \
    "$tauri_driver" --port "$port" --native-port "$native_port" --native-driver "$native_driver" \
    >"$work/tauri-driver.log" 2>&1 &
td_pid=$!
started+=("$td_pid")
for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    if ! kill -0 "$td_pid" 2>/dev/null; then
        echo "e2e: tauri-driver exited early:" >&2
        cat "$work/tauri-driver.log" >&2
        exit 1
    fi
    sleep 0.1
done

export CAIRN_E2E_DRIVER_URL="http://127.0.0.1:$port"
export CAIRN_E2E_DRIVER_PID="$td_pid"
export CAIRN_E2E_DATA_DIR="$work/data"
export CAIRN_APP_BIN="$app_bin"

status=0
python -m pytest -q ${CAIRN_E2E_TARGETS:-tests/e2e} "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "e2e: no tests were collected" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "--- tauri-driver log (tail) ---" >&2
    tail -n 40 "$work/tauri-driver.log" >&2 || true
fi
exit "$status"
