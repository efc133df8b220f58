"""Working on a conversation in the real window: a setting the model refuses is explained and
dropped in one click, thinking shows collapsed above the answer, a question is edited and
resent, an answer is regenerated, and an answer cut mid-stream is continued."""

from __future__ import annotations

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of

from test_first_answer import find, find_all, last_assistant, messages, send, wait, wait_ready
from test_sidebar import text_of


def complete(driver, timeout: float = 30):
    wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=timeout,
         message="the answer did not complete")


def test_refusal_thinking_edit_regenerate_and_continue(app):
    driver = app.launch()
    wait_ready(driver)
    find(driver, "new-chat").click()

    # Thinking with temperature 0.5 is refused before sending; one click drops the temperature.
    find(driver, "chat-settings-toggle").click()
    wait(driver, lambda d: find_all(d, "chat-settings"), message="the settings panel did not open")
    find(driver, "setting-thinking").click()
    find(driver, "setting-temperature").send_keys("0.5")
    wait(driver, lambda d: find_all(d, "setting-warning"), message="no inline warning")
    send(driver, "Why are cairns built? [[sim:tokens=12]]")
    wait(driver, lambda d: find_all(d, "drop-parameter"), message="no offer to drop a setting")
    notice = text_of(driver, find(driver, "error-notice"))
    assert "temperature" in notice.lower(), notice
    offered = [b.get_attribute("data-parameter") for b in find_all(driver, "drop-parameter")]
    assert "temperature" in offered, offered
    next(b for b in find_all(driver, "drop-parameter")
         if b.get_attribute("data-parameter") == "temperature").click()
    complete(driver)
    find(driver, "chat-settings-toggle").click()
    wait(driver, lambda d: not find_all(d, "chat-settings"), message="the settings panel did not close")
    assert [m["role"] for m in messages(driver)] == ["user", "assistant"]
    summary = find(driver, "thinking")
    assert summary.get_attribute("open") is None, "thinking starts collapsed"
    find(driver, "thinking-summary").click()
    assert "The user wrote" in text_of(driver, find(driver, "thinking-text"))

    # Edit the question: the answer is replaced.
    find(driver, "edit-message").click()
    box = wait(driver, lambda d: find_all(d, "edit-input"))[0]
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("Edited: how old is the oldest cairn? [[sim:tokens=9]]")
    box.send_keys(Keys.ENTER)
    wait(driver, lambda d: (messages(d) or [{}])[0].get("text", "").startswith("Edited:"),
         message="the edited question is not shown")
    complete(driver)
    assert len(messages(driver)) == 2

    # Regenerate the answer: still one exchange, a fresh complete answer.
    old_answer = find_all(driver, "message")[-1]
    find(driver, "regenerate-answer").click()
    wait(driver, staleness_of(old_answer), timeout=10, message="the old answer was not replaced")
    complete(driver)
    assert len(messages(driver)) == 2

    # An answer cut mid-stream keeps its text and continues where it stopped.
    send(driver, "Another question [[sim:drop-after=6]] [[sim:tokens=30]]")
    wait(driver, lambda d: find_all(d, "continue-answer"), timeout=30,
         message="no Continue on the cut answer")
    cut = last_assistant(driver)["text"].rstrip()
    assert cut and last_assistant(driver)["status"] == "incomplete"
    find(driver, "continue-answer").click()
    wait(driver, lambda d: "continuing after" in (last_assistant(d) or {}).get("text", ""),
         timeout=30, message="the answer did not continue")
    wait(driver, lambda d: (last_assistant(d) or {}).get("status") != "streaming", timeout=30)
    continued = last_assistant(driver)["text"]
    assert continued.startswith(cut), (cut, continued[:200])
    assert len(messages(driver)) == 4
    find(driver, "new-chat").click()
