"""Chat settings in the real window: switch the conversation to InvokeModel with a system
prompt; the simulated answer says which API and settings arrived, and the cost estimate shows."""

from __future__ import annotations

from selenium.webdriver.support.ui import Select

from test_first_answer import find, find_all, last_assistant, send, wait, wait_ready


def test_invoke_model_with_a_system_prompt_and_a_cost_estimate(app):
    driver = app.launch()
    wait_ready(driver)
    find(driver, "new-chat").click()
    find(driver, "chat-settings-toggle").click()
    wait(driver, lambda d: find_all(d, "chat-settings"), message="the settings panel did not open")
    Select(find(driver, "setting-api")).select_by_value("invokeModel")
    find(driver, "setting-system").send_keys("Answer like a park ranger.")
    find(driver, "setting-max-tokens").send_keys("300")
    send(driver, "Tell me about settings [[sim:tokens=80]]")
    wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=30,
         message="the answer did not complete")
    text = last_assistant(driver)["text"]
    assert "InvokeModelWithResponseStream" in text, text[:200]
    assert "System prompt: yes" in text and "max_tokens=300" in text, text[:400]
    wait(driver, lambda d: find_all(d, "usage-cost"), message="no cost estimate")
    cost = d_text = driver.execute_script(
        "return arguments[0].textContent", find(driver, "usage-cost"))
    assert "$" in cost and "2026-11-01" in cost, d_text


def test_throttling_shows_a_countdown_then_the_answer(app):
    driver = app.launch()
    wait_ready(driver)
    find(driver, "new-chat").click()
    send(driver, "Busy hour [[sim:throttle-times=1]] [[sim:tokens=6]]")
    wait(driver, lambda d: find_all(d, "retry-countdown"), timeout=10,
         message="no countdown while Bedrock throttles")
    shown = driver.execute_script("return arguments[0].textContent", find(driver, "retry-countdown"))
    assert "attempt 1 of 3" in shown, shown
    wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=30,
         message="the retried request did not answer")
    assert not find_all(driver, "retry-countdown")
