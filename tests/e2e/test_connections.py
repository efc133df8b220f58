"""Connections in the real window: add an access-key connection pointed at a separate
simulator, verify it (the account ID appears), use it (the model list now comes from that
simulator, signed with that key), switch back to the demo, and delete it — its keychain entry
goes too, and its secret is nowhere in the app's data directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import REPO_ROOT
from test_first_answer import find, find_all, tid, wait, wait_ready

KEY = "AKIAE2ETESTKEY000001"
SECRET = "e2eSecretKey/0123456789+abcdefghijklmnop"
ACCOUNT = "210987654321"
NAME = "Work account"


@pytest.fixture
def account_sim():
    """A second simulator: the 'AWS account' the new connection talks to."""
    binary = REPO_ROOT / "target/debug/cairn-sim"
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-sim-") as tmp:
        config = Path(tmp) / "sim.json"
        config.write_text(json.dumps({
            "account": ACCOUNT,
            "credentials": [{"accessKeyId": KEY, "secretAccessKey": SECRET, "userName": "e2e"}],
        }))
        proc = subprocess.Popen([str(binary), "--port", "0", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            line = proc.stdout.readline().decode().strip()
            assert line.startswith("cairn-sim listening on "), line
            yield line.rsplit(" ", 1)[-1]
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def recorded(url: str) -> list[dict]:
    with urllib.request.urlopen(f"{url}/_sim/requests", timeout=5) as r:
        return json.load(r)


def keychain_entries() -> str:
    """What the Secret Service holds for Cairn (the test runs inside the private session)."""
    tool = shutil.which("secret-tool")
    assert tool, "secret-tool (libsecret-tools) is needed"
    out = subprocess.run([tool, "search", "--all", "service", "dev.cairn.desktop"],
                         capture_output=True, text=True, timeout=10)
    return out.stdout + out.stderr


def text_of(driver, element) -> str:
    """textContent: the header sits behind the (modal) panel, where rendered text may be empty."""
    return driver.execute_script("return arguments[0].textContent", element) or ""


def row_for(driver, name: str):
    # Rows re-render while the panel updates; a row that went stale mid-read is read again.
    for _ in range(5):
        try:
            for row in find_all(driver, "connection-row"):
                if name in text_of(driver, row):
                    return row
            return None
        except StaleElementReferenceException:
            time.sleep(0.1)
    return None


def test_add_verify_use_switch_delete(app, account_sim, webdriver_server):
    driver = app.launch()
    wait_ready(driver)
    assert find_all(driver, "demo-banner"), "starts in the demo"

    find(driver, "connection-button").click()
    wait(driver, lambda d: find_all(d, "connections-panel"), message="the connections panel did not open")
    find(driver, "add-connection").click()
    wait(driver, lambda d: find_all(d, "connection-form"))
    find(driver, "field-name").send_keys(NAME)
    Select(find(driver, "field-kind")).select_by_value("accessKeys")
    find(driver, "field-access-key-id").send_keys(f"  {KEY} ")
    find(driver, "field-secret-access-key").send_keys(SECRET)
    Select(find(driver, "field-region")).select_by_value("us-west-2")
    find(driver, "toggle-endpoints").click()
    for field in ("field-endpoint-bedrock", "field-endpoint-runtime", "field-endpoint-sts"):
        wait(driver, lambda d, f=field: find_all(d, f))
        find(driver, field).send_keys(account_sim)
    find(driver, "save-connection").click()

    wait(driver, lambda d: row_for(d, NAME) is not None, message="the saved connection is not listed")
    assert KEY[-4:] in row_for(driver, NAME).text, "the key hint shows the last four characters"
    assert SECRET not in driver.page_source
    held = keychain_entries()
    assert "connection:" in held and SECRET in held, f"the secret is not in the keychain: {held!r}"

    # Verify: STS GetCallerIdentity against the account simulator shows its account ID.
    row = row_for(driver, NAME)
    if not row.find_elements(By.CSS_SELECTOR, tid("connection-account")):
        row.find_element(By.CSS_SELECTOR, tid("verify-connection")).click()
    wait(driver, lambda d: row_for(d, NAME).find_elements(By.CSS_SELECTOR, tid("connection-account")),
         message="verification did not show an account")
    account = row_for(driver, NAME).find_element(By.CSS_SELECTOR, tid("connection-account")).text
    assert ACCOUNT in account, account

    # Use it: the model list now comes from the account simulator, signed with this key.
    row_for(driver, NAME).find_element(By.CSS_SELECTOR, tid("use-connection")).click()
    wait(driver, lambda d: row_for(d, NAME).get_attribute("data-active") == "true")
    wait(driver, lambda d: NAME in text_of(d, find(d, "connection-button")),
         message="the header does not show the active connection")
    wait(driver, lambda d: any(r["operation"] == "ListFoundationModels" for r in recorded(account_sim)),
         message="the model list was not fetched from the connection's endpoint")
    calls = recorded(account_sim)
    assert calls and all(r["auth"]["accessKeyId"] == KEY and r["auth"]["verdict"] == "ok" for r in calls), calls
    assert any(r["operation"] == "GetCallerIdentity" for r in calls)
    assert not find_all(driver, "demo-banner"), "the demo banner is gone with a real connection"

    # Back to the demo.
    demo_row = [r for r in find_all(driver, "connection-row") if r.get_attribute("data-id") == "demo"]
    assert demo_row, "the demo is listed"
    demo_row[0].find_element(By.CSS_SELECTOR, tid("use-connection")).click()
    wait(driver, lambda d: find_all(d, "demo-banner"), message="the demo did not come back")

    # Delete: the row, the keychain entry and every trace of the secret are gone.
    row_for(driver, NAME).find_element(By.CSS_SELECTOR, tid("delete-connection")).click()
    wait(driver, lambda d: find_all(d, "confirm-delete"))
    find(driver, "confirm-delete").click()
    wait(driver, lambda d: row_for(d, NAME) is None, message="the connection is still listed")
    after = keychain_entries()
    assert "connection:" not in after and SECRET not in after, f"the keychain entry survived: {after!r}"

    data_dir = webdriver_server.data_dir
    assert data_dir and data_dir.exists()
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), f"{path} holds the secret"


def test_iam_identity_center_sign_in(app, account_sim):
    """Sign in to IAM Identity Center inside the app: the code is shown, the 'browser' approves
    it (the simulator's approval endpoint), the user picks account and role, and Verify shows the
    account that the role credentials belong to."""
    driver = app.launch()
    wait_ready(driver)
    find(driver, "connection-button").click()
    wait(driver, lambda d: find_all(d, "connections-panel"))
    find(driver, "add-connection").click()
    wait(driver, lambda d: find_all(d, "connection-form"))
    find(driver, "field-name").send_keys("Company SSO")
    Select(find(driver, "field-kind")).select_by_value("sso")
    wait(driver, lambda d: find_all(d, "field-sso-start-url"))
    find(driver, "field-sso-start-url").send_keys("https://cairn-e2e.awsapps.com/start")
    Select(find(driver, "field-sso-region")).select_by_value("us-east-1")
    find(driver, "toggle-endpoints").click()
    for field in ("field-endpoint-bedrock", "field-endpoint-runtime", "field-endpoint-sts",
                  "field-endpoint-sso"):
        wait(driver, lambda d, f=field: find_all(d, f))
        find(driver, field).send_keys(account_sim)
    find(driver, "sso-sign-in").click()

    wait(driver, lambda d: text_of(d, find(d, "sso-user-code")).strip() if find_all(d, "sso-user-code") else "",
         message="no sign-in code was shown")
    code = text_of(driver, find(driver, "sso-user-code")).strip()
    assert code in text_of(driver, find(driver, "sso-verification-uri"))
    with urllib.request.urlopen(f"{account_sim}/_sim/sso/approve?user_code={code}", timeout=5) as r:
        assert r.status == 200

    wait(driver, lambda d: find_all(d, "sso-account"), message="the account choice never appeared")
    Select(find(driver, "sso-account")).select_by_value("123456789012")
    wait(driver, lambda d: find_all(d, "sso-role"))
    Select(find(driver, "sso-role")).select_by_visible_text("BedrockAnalyst")
    find(driver, "save-connection").click()

    wait(driver, lambda d: row_for(d, "Company SSO") is not None, message="the SSO connection is not listed")
    row = row_for(driver, "Company SSO")
    if not row.find_elements(By.CSS_SELECTOR, tid("connection-account")):
        row.find_element(By.CSS_SELECTOR, tid("verify-connection")).click()
    wait(driver, lambda d: row_for(d, "Company SSO").find_elements(By.CSS_SELECTOR, tid("connection-account")),
         message="verification did not show an account")
    calls = recorded(account_sim)
    sts = [r for r in calls if r["operation"] == "GetCallerIdentity"]
    assert sts and sts[-1]["auth"]["verdict"] == "ok" and sts[-1]["auth"]["accessKeyId"].startswith("ASIA"), sts

    row_for(driver, "Company SSO").find_element(By.CSS_SELECTOR, tid("delete-connection")).click()
    wait(driver, lambda d: find_all(d, "confirm-delete"))
    find(driver, "confirm-delete").click()
    wait(driver, lambda d: row_for(d, "Company SSO") is None)
    assert "connection:" not in keychain_entries()
