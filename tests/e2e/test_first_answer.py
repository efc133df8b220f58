"""First-run experience in the real window: Demo mode, a streamed answer, Stop, language
switch, and the conversation surviving an app restart (same CAIRN_DATA_DIR)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

FIRST = "Hello from the end-to-end test. What is a cairn?"
SECOND = "Second question: how tall are they usually?"

SNAPSHOT_JS = """
return Array.from(document.querySelectorAll('[data-testid="message"]')).map(m => {
  const t = m.querySelector('[data-testid="message-text"]');
  return {role: m.dataset.role, status: m.dataset.status, text: t ? t.textContent : null};
});
"""


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def find(driver, name: str):
    return driver.find_element(By.CSS_SELECTOR, tid(name))


def find_all(driver, name: str):
    return driver.find_elements(By.CSS_SELECTOR, tid(name))


def wait(driver, condition, timeout: float = 20, message: str = ""):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def messages(driver) -> list[dict]:
    return driver.execute_script(SNAPSHOT_JS)


def last_assistant(driver) -> dict | None:
    found = [m for m in messages(driver) if m["role"] == "assistant"]
    return found[-1] if found else None


def wait_ready(driver):
    wait(driver, lambda d: find_all(d, "composer-input") and find_all(d, "model-picker"),
         timeout=60, message="the chat view never appeared")


def send(driver, text: str):
    box = find(driver, "composer-input")
    box.click()
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def test_first_answer_stop_language_and_restart(app):
    driver = app.launch()
    wait_ready(driver)

    # Demo mode: no AWS configuration at all.
    banner = wait(driver, lambda d: [b for b in find_all(d, "demo-banner") if b.is_displayed()],
                  message="demo banner not visible")[0]
    banner_en = banner.text.strip()
    assert banner_en, "the demo banner has no text"

    picker = Select(find(driver, "model-picker"))
    values = [o.get_attribute("value") for o in picker.options]
    assert values, "the model picker has no options"
    assert all(v and "anthropic." in v for v in values), f"not invocation IDs: {values}"

    # --- First message: the answer streams in pieces -------------------------------------
    before = len(messages(driver))
    send(driver, FIRST)
    wait(driver, lambda d: any(m["role"] == "user" and FIRST in (m["text"] or "")
                               for m in messages(d)), message="the user message never appeared")
    wait(driver, lambda d: len(messages(d)) >= before + 2, message="no assistant message appeared")

    lengths: list[int] = []
    screenshot_taken = False
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        current = last_assistant(driver)
        if current["status"] != "streaming":
            break
        n = len(current["text"] or "")
        if n and (not lengths or n != lengths[-1]):
            assert not lengths or n > lengths[-1], f"text shrank while streaming: {lengths} -> {n}"
            lengths.append(n)
            if len(lengths) >= 3 and not screenshot_taken:
                ARTIFACTS.mkdir(exist_ok=True)
                driver.save_screenshot(str(ARTIFACTS / "demo-chat.png"))
                screenshot_taken = True
        time.sleep(0.15)
    assert len(lengths) >= 3, f"expected the answer to grow in pieces, saw lengths {lengths}"

    done = wait(driver, lambda d: (m := last_assistant(d)) and m["status"] == "complete" and m,
                timeout=40, message="the first answer never completed")
    assert len(done["text"]) >= lengths[-1]
    first_answer = done["text"]

    # --- Second message: Stop while streaming --------------------------------------------
    send(driver, SECOND)
    wait(driver, lambda d: (m := last_assistant(d)) and m["status"] == "streaming"
         and m["text"] and m["text"] != first_answer, message="the second answer did not start streaming")
    wait(driver, lambda d: len((last_assistant(d)["text"] or "").split()) >= 5, timeout=10,
         message="the second answer did not grow")
    stop = find(driver, "stop-button")
    stop.click()
    t0 = time.monotonic()
    stopped = wait(driver, lambda d: (m := last_assistant(d))["status"] == "cancelled" and m,
                   timeout=1.5, message="the answer was not marked cancelled within ~1 s of Stop")
    elapsed = time.monotonic() - t0
    partial = stopped["text"]
    time.sleep(1.5)
    after = last_assistant(driver)
    assert after["status"] == "cancelled"
    assert after["text"] == partial, "the text kept growing after Stop"
    assert partial.strip(), "the cancelled answer lost its partial text"
    assert not find_all(driver, "stop-button"), "the Stop button is still shown"
    assert elapsed <= 1.5

    # --- Language switch -----------------------------------------------------------------
    lang = Select(find(driver, "language-switch"))
    lang.select_by_value("zh-TW")
    zh = wait(driver, lambda d: (t := find(d, "demo-banner").text.strip()) != banner_en and t,
              timeout=5, message="the demo banner did not change language")
    assert re.search(r"[\u4e00-\u9fff]", zh), f"no Chinese text in the banner: {zh!r}"
    Select(find(driver, "language-switch")).select_by_value("en")
    wait(driver, lambda d: find(d, "demo-banner").text.strip() == banner_en, timeout=5,
         message="the banner did not switch back to English")

    before_quit = messages(driver)
    app.quit(driver)

    # --- A new session with the same data directory --------------------------------------
    driver = app.launch()
    wait_ready(driver)
    items = wait(driver, lambda d: find_all(d, "conversation-item"), timeout=20,
                 message="no conversation listed after restart")
    target = next((i for i in items if "cairn" in i.text.lower() or "hello" in i.text.lower()), items[0])
    target.click()
    wait(driver, lambda d: len(messages(d)) >= 4, timeout=10,
         message="the reopened conversation does not show its messages")
    restored = messages(driver)
    users = [m["text"].strip() for m in restored if m["role"] == "user"]
    assistants = [m for m in restored if m["role"] == "assistant"]
    assert users == [FIRST, SECOND], users
    assert len(assistants) == 2, restored
    assert assistants[0]["status"] == "complete"
    assert assistants[0]["text"].strip() == first_answer.strip()
    assert assistants[1]["status"] == "cancelled", assistants[1]
    assert assistants[1]["text"].strip() == partial.strip(), (
        "the partial answer changed across the restart", partial, assistants[1]["text"])
    assert [(m["role"], m["status"]) for m in restored] == [(m["role"], m["status"]) for m in before_quit]
    app.quit(driver)


def test_empty_message_is_not_sent(app):
    driver = app.launch()
    wait_ready(driver)
    find(driver, "new-chat").click()
    wait(driver, lambda d: len(messages(d)) == 0, timeout=5, message="New chat did not open an empty chat")

    box = find(driver, "composer-input")
    send_button = find(driver, "send-button")
    assert box.get_attribute("value") == ""
    assert not send_button.is_enabled(), "Send is enabled for an empty message"
    box.click()
    box.send_keys(Keys.ENTER)
    box.send_keys("   ")
    assert not find(driver, "send-button").is_enabled(), "Send is enabled for whitespace only"
    box.send_keys(Keys.ENTER)
    time.sleep(1.0)
    assert messages(driver) == [], "an empty message was sent"
    assert not find_all(driver, "stop-button"), "something started streaming"
    app.quit(driver)
