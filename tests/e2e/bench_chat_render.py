"""Benchmark, not a test (no timed assertion): the chat in the real Cairn window (WebKitGTK under
Xvfb, software rendering). Prints (1) the time from clicking a conversation to its latest message
painted, for 10 and 2,000 messages; (2) memory (RSS) of the app and its web process, idle, with
the empty chat and with the 2,000-message conversation open; (3) a 100,000-token answer streamed
at a steady rate: frame intervals and the longest main-thread stall while the answer is about
1,000 tokens long, and again near 100,000. Run it with tests/bench/chat_render.sh."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from pathlib import Path

from conftest import REPO_ROOT
import procs
from test_first_answer import find, find_all, send, wait, wait_ready

OPEN_JS = """
const done = arguments[arguments.length - 1];
const [title, marker] = arguments;
const item = Array.from(document.querySelectorAll('[data-testid="conversation-item"]'))
  .find(b => b.textContent.includes(title));
const start = performance.now();
item.click();
function check() {
  const all = document.querySelectorAll('[data-testid="message"]');
  const last = all[all.length - 1];
  if (last && last.textContent.includes(marker)) {
    requestAnimationFrame(() => requestAnimationFrame(() =>
      done({ms: performance.now() - start, inDom: all.length})));
  } else if (performance.now() - start > 30000) {
    done({ms: -1, inDom: all.length});
  } else {
    requestAnimationFrame(check);
  }
}
check();
"""

# Frame intervals and main-thread stalls (a MessageChannel ping every few ms: the longest gap
# between pings is the longest time the thread could not run anything else).
PROBE_START_JS = """
window.__probe = {frames: [], stalls: [], stop: false};
let lastFrame = performance.now();
function frame(now) {
  window.__probe.frames.push([now, now - lastFrame]); lastFrame = now;
  if (!window.__probe.stop) requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
const channel = new MessageChannel();
let lastPing = performance.now();
channel.port1.onmessage = () => {
  const now = performance.now();
  window.__probe.stalls.push([now, now - lastPing]); lastPing = now;
  if (!window.__probe.stop) setTimeout(() => channel.port2.postMessage(0), 4);
};
channel.port2.postMessage(0);
return performance.now();
"""

PROBE_STOP_JS = "window.__probe.stop = true; return window.__probe;"


def seed(data_dir: Path):
    bench = REPO_ROOT / "target/release/cairn-bench"
    subprocess.run([str(bench), "seed", str(data_dir), "Bench ten=10", "Bench long=2000"],
                   check=True)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory(server_pid: int) -> dict:
    out = {}
    for pid in procs.descendants(server_pid):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("cairn") or name.startswith("WebKitWebProces"):
            out[name] = out.get(name, 0) + rss_kib(pid)
    return {k: round(v / 1024, 1) for k, v in out.items()}


def window_stats(samples: list, start: float, end: float) -> dict:
    values = [v for t, v in samples if start <= t < end]
    if not values:
        return {"n": 0}
    return {"n": len(values), "median_ms": round(statistics.median(values), 1),
            "max_ms": round(max(values), 1)}


def test_bench_chat_render(app):
    seed(app.server.data_dir)
    driver = app.launch()
    driver.set_script_timeout(240)
    wait_ready(driver)
    find(driver, "new-chat").click()
    time.sleep(2)
    mem_empty = memory(app.server.pid)

    opens = {"10": [], "2000": []}
    for _ in range(5):
        for title, count, marker in (("Bench ten", "10", "Answer 9."), ("Bench long", "2000", "Answer 1999.")):
            find(driver, "new-chat").click()
            wait(driver, lambda d: not find_all(d, "message"))
            result = driver.execute_async_script(OPEN_JS, title, marker)
            opens[count].append(result)
    time.sleep(2)
    mem_long = memory(app.server.pid)

    # 100,000 tokens at 2,000 a second: the answer is ~1,000 to ~5,000 tokens long early on and
    # ~95,000 to ~99,000 near the end.
    find(driver, "new-chat").click()
    wait(driver, lambda d: not find_all(d, "message"))
    t0 = driver.execute_script(PROBE_START_JS)
    send(driver, "Long answer [[sim:tokens=100000]] [[sim:rate=2000]] [[sim:first-token-ms=0]]")
    wait(driver, lambda d: find_all(d, "message") and
         d.execute_script("const m = document.querySelectorAll('[data-testid=\"message\"]');"
                          "return m[m.length - 1].dataset.status") == "complete",
         timeout=300, message="the long answer did not complete")
    probe = driver.execute_script(PROBE_STOP_JS)
    end = max(t for t, _ in probe["frames"])
    early = (t0 + 500, t0 + 2500)      # ~1,000 to ~5,000 tokens in
    late = (t0 + 47500, t0 + 49500)    # ~95,000 to ~99,000 tokens in
    med = {k: statistics.median(r["ms"] for r in v) for k, v in opens.items()}
    result = {
        "open_to_latest_painted_ms": {k: round(v, 1) for k, v in med.items()},
        "open_ratio_2000_over_10": round(med["2000"] / med["10"], 2),
        "messages_in_dom_for_2000": opens["2000"][-1]["inDom"],
        "rss_mib_empty_chat": mem_empty,
        "rss_mib_2000_messages_open": mem_long,
        "stream_100k": {
            "seconds": round((end - t0) / 1000, 1),
            "frames_early": window_stats(probe["frames"], *early),
            "frames_late": window_stats(probe["frames"], *late),
            "stalls_early": window_stats(probe["stalls"], *early),
            "stalls_late": window_stats(probe["stalls"], *late),
            "longest_stall_ms": round(max(v for _, v in probe["stalls"]), 1),
            "longest_stalls_at_s": [
                [round((t - v - t0) / 1000, 1), round(v, 1)]
                for t, v in sorted(probe["stalls"], key=lambda s: -s[1])[:5]
            ],
        },
    }
    print("\nBENCH " + json.dumps(result, indent=1))
    find(driver, "new-chat").click()
