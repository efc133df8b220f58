"""The model-access table in the real window, live from a simulated account: filter to Sonnet,
switch Sonnet 4.5 to Regional, see the +10% premium, use it in chat, and find the regional
profile ID in the simulator's request log."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_connections import KEY, SECRET, account_sim, recorded, row_for, text_of  # noqa: F401
from test_first_answer import find, find_all, last_assistant, send, tid, wait, wait_ready

SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def add_and_use_connection(driver, url: str, name: str = "Table account"):
    find(driver, "connection-button").click()
    wait(driver, lambda d: find_all(d, "connections-panel"))
    find(driver, "add-connection").click()
    wait(driver, lambda d: find_all(d, "connection-form"))
    find(driver, "field-name").send_keys(name)
    Select(find(driver, "field-kind")).select_by_value("accessKeys")
    find(driver, "field-access-key-id").send_keys(KEY)
    find(driver, "field-secret-access-key").send_keys(SECRET)
    Select(find(driver, "field-region")).select_by_value("us-east-1")
    find(driver, "toggle-endpoints").click()
    for field in ("field-endpoint-bedrock", "field-endpoint-runtime", "field-endpoint-sts"):
        wait(driver, lambda d, f=field: find_all(d, f))
        find(driver, field).send_keys(url)
    find(driver, "save-connection").click()
    wait(driver, lambda d: row_for(d, name) is not None)
    row_for(driver, name).find_element(By.CSS_SELECTOR, tid("use-connection")).click()
    wait(driver, lambda d: row_for(d, name).get_attribute("data-active") == "true")
    find(driver, "close-connections").click()
    wait(driver, lambda d: not find_all(d, "connections-panel"))


def back_to_demo(driver):
    """Leave the app on the demo: later tests share this data directory, and the simulated
    account stops with this test."""
    find(driver, "connection-button").click()
    wait(driver, lambda d: find_all(d, "connections-panel"))
    demo = [r for r in find_all(driver, "connection-row") if r.get_attribute("data-id") == "demo"]
    demo[0].find_element(By.CSS_SELECTOR, tid("use-connection")).click()
    wait(driver, lambda d: find_all(d, "demo-banner"))
    find(driver, "close-connections").click()


def model_row(driver, model_id: str):
    rows = [r for r in find_all(driver, "model-row") if r.get_attribute("data-model-id") == model_id]
    return rows[0] if rows else None


def test_table_filter_regional_premium_and_chat(app, account_sim):
    driver = app.launch()
    wait_ready(driver)
    add_and_use_connection(driver, account_sim)

    find(driver, "nav-models").click()
    wait(driver, lambda d: find_all(d, "models-view"), message="the models view did not open")
    wait(driver, lambda d: find_all(d, "model-row"), timeout=30, message="the table stayed empty")
    if find(driver, "catalog-live").get_attribute("data-live") != "true":
        find(driver, "refresh-models").click()
    wait(driver, lambda d: find(d, "catalog-live").get_attribute("data-live") == "true",
         message="the table is not live from the connection")

    # The origin document's row for Sonnet 4.5: global, us, eu, jp yes; apac no.
    row = model_row(driver, SONNET_45)
    cells = {c.get_attribute("data-geo"): c.get_attribute("data-available")
             for c in row.find_elements(By.CSS_SELECTOR, tid("geo-cell"))}
    assert {g: cells.get(g) for g in ("global", "us", "eu", "jp", "apac")} == {
        "global": "true", "us": "true", "eu": "true", "jp": "true", "apac": "false"}, cells

    find(driver, "model-search").send_keys("Sonnet")
    wait(driver, lambda d: all("sonnet" in (r.get_attribute("data-model-id") or "")
                               for r in find_all(d, "model-row")) and find_all(d, "model-row"),
         message="the filter left non-Sonnet rows")

    row = model_row(driver, SONNET_45)
    assert not row.find_elements(By.CSS_SELECTOR, tid("premium-badge")), "global has no premium"
    Select(row.find_element(By.CSS_SELECTOR, tid("endpoint-choice"))).select_by_value("regional")
    wait(driver, lambda d: model_row(d, SONNET_45).find_elements(By.CSS_SELECTOR, tid("premium-badge")),
         message="no premium shown for the regional endpoint")
    invocation = text_of(driver, model_row(driver, SONNET_45).find_element(By.CSS_SELECTOR, tid("invocation-id")))
    assert f"us.{SONNET_45}" in invocation, invocation
    price = text_of(driver, model_row(driver, SONNET_45).find_element(By.CSS_SELECTOR, tid("model-price")))
    assert "3.30" in price, price

    model_row(driver, SONNET_45).find_element(By.CSS_SELECTOR, tid("use-in-chat")).click()
    wait(driver, lambda d: find_all(d, "composer-input") and not find_all(d, "models-view"),
         message="Use in chat did not open the chat")
    wait(driver, lambda d: Select(find(d, "model-picker")).first_selected_option.get_attribute("value")
         == f"us.{SONNET_45}", message="the chat did not select the regional profile")
    send(driver, "Which endpoint is this? [[sim:tokens=5]]")
    wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=30)
    streams = [r for r in recorded(account_sim) if r["operation"] == "ConverseStream"]
    assert streams and streams[-1]["modelId"] == f"us.{SONNET_45}", streams[-1:]
    back_to_demo(driver)
