"""The activity log in the real window: two answers, then Activity lists both calls with their
estimated costs (newest first), the totals count them, and Export writes a CSV with them."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from test_first_answer import find, find_all, last_assistant, send, wait, wait_ready
from test_sidebar import text_of


def test_two_calls_show_in_activity_with_costs_and_export_as_csv(app):
    driver = app.launch()
    wait_ready(driver)
    find(driver, "new-chat").click()
    for question in ("First call for the log [[sim:tokens=6]]", "Second call [[sim:tokens=9]]"):
        send(driver, question)
        wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=30,
             message="the answer did not complete")

    find(driver, "nav-activity").click()
    wait(driver, lambda d: find_all(d, "activity-view"), message="Activity did not open")
    wait(driver, lambda d: len(find_all(d, "activity-row")) >= 2, timeout=20, message="no calls listed")
    newest = find_all(driver, "activity-row")[:2]
    for row in newest:
        assert re.fullmatch(r"\d+\.\d{6}", row.get_attribute("data-cost") or ""), row.get_attribute("data-cost")
        assert float(row.get_attribute("data-cost")) > 0
    totals = text_of(driver, find(driver, "activity-totals"))
    assert re.search(r"\d", totals), totals

    driver.save_screenshot(str(Path(__file__).resolve().parent / "artifacts" / "activity.png"))
    find(driver, "activity-export").click()
    wait(driver, lambda d: find_all(d, "activity-export-result")
         and ".csv" in text_of(d, find(d, "activity-export-result")), message="no CSV path shown")
    shown = text_of(driver, find(driver, "activity-export-result"))
    path = re.search(r"(/\S.*\.csv)", shown)
    assert path, shown
    rows = list(csv.DictReader(io.StringIO(Path(path.group(1)).read_text(encoding="utf-8"))))
    complete = [r for r in rows if r["outcome"] == "complete" and float(r["cost_usd"] or 0) > 0]
    assert len(complete) >= 2, rows[-3:]
    assert all("call for the log" not in ",".join(r.values()) for r in rows), "no question text"
    find(driver, "nav-chat").click()
