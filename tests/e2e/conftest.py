"""Fixtures for the end-to-end suite: the real Cairn window under Xvfb, driven through
tauri-driver (WebKitWebDriver) with Selenium's Remote client.

Two ways to run:
- tests/e2e/run.sh starts Xvfb and tauri-driver itself and passes CAIRN_E2E_DRIVER_URL
  (plus CAIRN_E2E_DRIVER_PID and CAIRN_E2E_DATA_DIR);
- plain `pytest tests/e2e` starts them here, once for the session.
Either way the app gets a fresh HOME, no AWS_* variables (so it starts in Demo mode), one
CAIRN_DATA_DIR for the whole run (kept across app restarts) and a demo simulator that streams
visibly: {"tokensPerSecond": 25, "answerTokens": 150}.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
ARTIFACTS = HERE / "artifacts"
sys.path.insert(0, str(HERE))

import procs  # noqa: E402

DEMO_SIM_CONFIG = {"tokensPerSecond": 25, "answerTokens": 150}


def app_binary() -> Path:
    path = Path(os.environ.get("CAIRN_APP_BIN", "target/debug/cairn"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


def pytest_configure(config):
    # Selenium's Remote client warns about its own internal use of remote_server_addr.
    config.addinivalue_line("filterwarnings", "ignore:setting remote_server_addr:DeprecationWarning")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@dataclass
class Driver:
    """Where the WebDriver server is, and (when known) its PID for process checks."""
    url: str
    pid: int | None
    data_dir: Path | None
    procs: list = field(default_factory=list)


@pytest.fixture(scope="session")
def webdriver_server():
    ARTIFACTS.mkdir(exist_ok=True)
    external = os.environ.get("CAIRN_E2E_DRIVER_URL")
    if external:
        pid = os.environ.get("CAIRN_E2E_DRIVER_PID")
        data = os.environ.get("CAIRN_E2E_DATA_DIR")
        yield Driver(external, int(pid) if pid else None, Path(data) if data else None)
        return

    binary = app_binary()
    if not binary.exists():
        pytest.fail(f"app binary not found at {binary} (set CAIRN_APP_BIN)", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-") as tmp:
        work = Path(tmp)
        home, data = work / "home", work / "data"
        home.mkdir()
        data.mkdir()
        sim_config = work / "demo-sim.json"
        sim_config.write_text(json.dumps(DEMO_SIM_CONFIG))
        xvfb, display = procs.start_xvfb(work)
        td = None
        try:
            env = procs.app_environment(os.environ, display=display, home=home,
                                        data_dir=data, sim_config=sim_config)
            td, url = procs.start_tauri_driver(env, work)
            yield Driver(url, td.pid, data, [td, xvfb])
        finally:
            for name in ("tauri-driver.log",):
                if (work / name).exists():
                    (ARTIFACTS / name).write_bytes((work / name).read_bytes())
            procs.stop_tree(td)
            procs.stop_tree(xvfb)


class App:
    """Opens and closes app sessions; anything still open at teardown is closed (with a
    screenshot when the test failed)."""

    def __init__(self, server: Driver, request):
        self.server = server
        self.request = request
        self.open: list = []

    def launch(self, args: list[str] | None = None):
        """Starts the app; `args` are its command line (e.g. files to open with Cairn)."""
        from selenium import webdriver
        from selenium.webdriver.common.options import ArgOptions

        options = ArgOptions()
        options.set_capability("browserName", "wry")
        tauri_options: dict = {"application": str(app_binary())}
        if args:
            tauri_options["args"] = args
        options.set_capability("tauri:options", tauri_options)
        driver = webdriver.Remote(command_executor=self.server.url, options=options)
        driver.implicitly_wait(0)
        self.open.append(driver)
        return driver

    def quit(self, driver, wait_for_exit: float = 15.0):
        """End the WebDriver session (the app quits) and wait until the app process is gone."""
        self.open.remove(driver)
        driver.quit()
        if self.server.pid is None:
            return
        deadline = time.monotonic() + wait_for_exit
        exe = app_binary().resolve()
        while time.monotonic() < deadline:
            if not procs.processes_running(exe, procs.descendants(self.server.pid)):
                return
            time.sleep(0.1)
        raise AssertionError("the app process is still running after the session ended")

    def close_all(self, failed: bool):
        for i, driver in enumerate(list(self.open)):
            if failed:
                try:
                    name = self.request.node.name.replace("/", "_")
                    driver.save_screenshot(str(ARTIFACTS / f"failure-{name}-{i}.png"))
                except Exception:  # noqa: BLE001 - best effort
                    pass
            try:
                driver.quit()
            except Exception:  # noqa: BLE001
                pass
        self.open.clear()


@pytest.fixture
def app(webdriver_server, request):
    a = App(webdriver_server, request)
    yield a
    rep = getattr(request.node, "rep_call", None)
    a.close_all(failed=bool(rep and rep.failed))
