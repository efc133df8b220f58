"""Never lose a word: the app is killed with SIGKILL while an answer streams; after a restart the
user's message and the partial answer are there, the answer marked incomplete."""

from __future__ import annotations

import os
import signal
import time

from conftest import app_binary
from test_first_answer import find, find_all, last_assistant, messages, send, wait, wait_ready

import procs

QUESTION = "Crash test: please write a long answer."


def test_sigkill_mid_stream_keeps_the_message_and_the_partial_answer(app, webdriver_server):
    assert webdriver_server.pid, "needs the tauri-driver PID to find the app process"
    driver = app.launch()
    wait_ready(driver)
    find(driver, "new-chat").click()
    send(driver, f"{QUESTION} [[sim:tokens=400]] [[sim:rate=20]]")
    # Let a few batches (saved every 250 ms) reach the database.
    wait(driver, lambda d: len(((last_assistant(d) or {}).get("text") or "").split()) >= 25,
         timeout=30, message="the answer did not start streaming")
    shown = (last_assistant(driver) or {}).get("text") or ""

    exe = app_binary().resolve()
    pids = procs.processes_running(exe, procs.descendants(webdriver_server.pid))
    assert pids, "the app process was not found"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and procs.processes_running(exe, procs.descendants(webdriver_server.pid)):
        time.sleep(0.1)
    app.open.remove(driver)
    try:
        driver.quit()
    except Exception:  # noqa: BLE001 - the app is already gone
        pass

    driver = app.launch()
    wait_ready(driver)
    def listed(d):
        return [i for i in find_all(d, "conversation-item")
                if "Crash test" in (d.execute_script("return arguments[0].textContent", i) or "")]

    wait(driver, listed, message="the conversation is not listed after the crash")
    listed(driver)[0].click()
    wait(driver, lambda d: any(m["role"] == "user" and QUESTION in (m["text"] or "") for m in messages(d)),
         message="the user's message is gone")
    answer = last_assistant(driver)
    assert answer, "the partial answer is gone"
    assert answer["status"] == "incomplete", answer["status"]
    words = (answer["text"] or "").split()
    assert len(words) >= 10, f"too little of the answer survived: {len(words)} words"
    # What was saved is a prefix of what was on screen before the kill (saved every 250 ms).
    assert shown.startswith(" ".join(words[:5])), (shown[:80], words[:5])
