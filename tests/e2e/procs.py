"""Process helpers for the end-to-end suite: Xvfb, tauri-driver, and stopping a process
together with its descendants strictly by PID (other people's processes run here)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in children(stack.pop()):
            if child not in found:
                found.append(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stop_tree(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM a process we started and every descendant recorded before, then SIGKILL
    whatever is left. Only these PIDs are touched."""
    if proc is None:
        return
    tree = descendants(proc.pid)
    for pid in [proc.pid, *tree]:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    for pid in tree:
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_xvfb(log_dir: Path, first: int = 99, last: int = 199) -> tuple[subprocess.Popen, str]:
    xvfb = shutil.which("Xvfb") or "/usr/bin/Xvfb"
    for n in range(first, last + 1):
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        log = open(log_dir / f"xvfb-{n}.log", "wb")
        proc = subprocess.Popen([xvfb, f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return proc, f":{n}"
            time.sleep(0.05)
        stop_tree(proc)  # lost a race for this display, or it failed: try the next one
    raise RuntimeError(f"no free X display between :{first} and :{last}")


def tauri_driver_path() -> str:
    explicit = os.environ.get("TAURI_DRIVER")
    if explicit:
        return explicit
    found = shutil.which("tauri-driver")
    if found:
        return found
    return str(Path.home() / ".cargo" / "bin" / "tauri-driver")


def app_environment(base: dict, *, display: str, home: Path, data_dir: Path, sim_config: Path) -> dict:
    """The environment the app inherits through tauri-driver: no AWS configuration at all,
    a fresh HOME, the test's data directory and demo-simulator config."""
    env = {k: v for k, v in base.items() if not k.startswith("AWS_")}
    env.update({
        "DISPLAY": display,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "CAIRN_DATA_DIR": str(data_dir),
        "CAIRN_SIM_CONFIG": str(sim_config),
    })
    env.pop("WAYLAND_DISPLAY", None)
    return env


def start_tauri_driver(env: dict, log_dir: Path,
                       native_driver: str = "/usr/bin/WebKitWebDriver") -> tuple[subprocess.Popen, str]:
    port, native_port = free_port(), free_port()
    while native_port == port:
        native_port = free_port()
    log = open(log_dir / "tauri-driver.log", "wb")
    proc = subprocess.Popen(
        [tauri_driver_path(), "--port", str(port), "--native-port", str(native_port),
         "--native-driver", native_driver],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tauri-driver exited with {proc.returncode}; see {log_dir / 'tauri-driver.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, url
        except OSError:
            time.sleep(0.1)
    stop_tree(proc)
    raise RuntimeError("tauri-driver did not start listening within 20 s")


def processes_running(exe: Path, among: list[int]) -> list[int]:
    """PIDs in `among` whose executable is `exe`."""
    out = []
    for pid in among:
        try:
            if Path(os.readlink(f"/proc/{pid}/exe")) == exe:
                out.append(pid)
        except OSError:
            pass
    return out

