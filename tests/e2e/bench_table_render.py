"""Benchmark, not a test (no timed assertion): the model-access table with 300 models and 1,000
profiles in the real Cairn window (WebKitGTK under Xvfb, software rendering). Prints the time from
opening the view to the rows being painted, and the frame intervals while the table scrolls.
Run it with tests/bench/table_render.sh."""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from test_first_answer import find, find_all, wait, wait_ready
from test_models import add_and_use_connection, back_to_demo

OPEN_AND_PAINT_JS = """
const done = arguments[arguments.length - 1];
const want = arguments[0];
const start = performance.now();
let first = null;
document.querySelector('[data-testid="nav-models"]').click();
function check() {
  const rows = document.querySelectorAll('[data-testid="model-row"]').length;
  // Two frames after a change: the one that lays rows out, and the one that paints them.
  if (first === null && rows > 0) {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      first = {ms: performance.now() - start, rows};
      check();
    }));
    return;
  }
  if (first !== null && rows >= want) {
    requestAnimationFrame(() => requestAnimationFrame(() =>
      done({first_ms: first.ms, first_rows: first.rows, all_ms: performance.now() - start, rows})));
  } else if (performance.now() - start > 20000) {
    done({first_ms: first ? first.ms : -1, first_rows: first ? first.rows : 0, all_ms: -1, rows});
  } else {
    requestAnimationFrame(check);
  }
}
check();
"""

SCROLL_JS = """
const done = arguments[arguments.length - 1];
const frames = arguments[0];
const rows = document.querySelectorAll('[data-testid="model-row"]');
let el = document.querySelector('[data-testid="model-table-scroller"]') || rows[0];
while (el && !(el.scrollHeight > el.clientHeight + 10 && getComputedStyle(el).overflowY !== 'visible')) {
  el = el.parentElement;
}
const scroller = el || document.scrollingElement;
const step = Math.max(1, (scroller.scrollHeight - scroller.clientHeight) / frames);
const intervals = [];
let last = performance.now();
let n = 0;
function tick(now) {
  intervals.push(now - last);
  last = now;
  scroller.scrollTop += step;
  if (++n < frames) requestAnimationFrame(tick); else done({intervals, height: scroller.scrollHeight});
}
requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
"""


# The floor of this environment: a plain overlay of 2,000 text lines scrolled the same way.
BASELINE_JS = """
const done = arguments[arguments.length - 1];
const frames = arguments[0];
const box = document.createElement('div');
box.style.cssText = 'position:fixed;inset:80px 40px 40px 40px;overflow:auto;background:#fff;z-index:99999';
box.textContent = '';
for (let i = 0; i < 2000; i++) { const p = document.createElement('div'); p.textContent = 'Line ' + i; box.appendChild(p); }
document.body.appendChild(box);
const step = (box.scrollHeight - box.clientHeight) / frames;
const intervals = [];
let last = 0, n = 0;
function tick(now) {
  intervals.push(now - last); last = now; box.scrollTop += step;
  if (++n < frames) requestAnimationFrame(tick); else { box.remove(); done({intervals}); }
}
requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
"""


def summary(intervals: list[float]) -> dict:
    frames = sorted(intervals)
    return {
        "median_ms": round(statistics.median(frames), 1),
        "p95_ms": round(frames[int(len(frames) * 0.95) - 1], 1),
        "max_ms": round(frames[-1], 1),
        "over_16.7ms": sum(1 for f in frames if f > 16.7),
        "frames": len(frames),
    }


@pytest.fixture
def big_account():
    binary = REPO_ROOT / "target/debug/cairn-sim"
    with tempfile.TemporaryDirectory(prefix="cairn-bench-sim-") as tmp:
        config = Path(tmp) / "sim.json"
        config.write_text(json.dumps({
            "credentials": [{"accessKeyId": "AKIAE2ETESTKEY000001",
                             "secretAccessKey": "e2eSecretKey/0123456789+abcdefghijklmnop"}],
            "syntheticModels": 287, "syntheticProfiles": 962, "profilesPageSize": 100,
        }))
        proc = subprocess.Popen([str(binary), "--port", "0", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            line = proc.stdout.readline().decode().strip()
            yield line.rsplit(" ", 1)[-1]
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_bench_table_render(app, big_account):
    driver = app.launch()
    driver.set_script_timeout(60)
    wait_ready(driver)
    add_and_use_connection(driver, big_account, name="Big catalog")
    first = driver.execute_async_script(OPEN_AND_PAINT_JS, 300)
    find(driver, "nav-chat").click()
    wait(driver, lambda d: not find_all(d, "models-view"))
    again = driver.execute_async_script(OPEN_AND_PAINT_JS, 300)
    scroll = driver.execute_async_script(SCROLL_JS, 120)
    baseline = driver.execute_async_script(BASELINE_JS, 120)
    result = {
        "models": first["rows"],
        "first_open (live refresh of 300 models + render)": {
            "first_rows_painted_ms": round(first["first_ms"], 1), "first_rows": first["first_rows"],
            "all_rows_painted_ms": round(first["all_ms"], 1)},
        "second_open (cached catalog + render)": {
            "first_rows_painted_ms": round(again["first_ms"], 1), "first_rows": again["first_rows"],
            "all_rows_painted_ms": round(again["all_ms"], 1)},
        "table_scroll": summary(scroll["intervals"]),
        "plain_text_scroll_baseline": summary(baseline["intervals"]),
    }
    print("\nTABLE RENDER BENCH " + json.dumps(result, indent=1))
    back_to_demo(driver)
