"""PDFs in the real window: Cairn opened with a report and an encrypted PDF (as "Open with"
does) attaches the report and refuses the other in plain words; a question about the report is
answered with a citation; the citation shows the cited text and opens the PDF viewer at the
cited page."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from selenium.webdriver.common.keys import Keys

from conftest import REPO_ROOT
from test_first_answer import find, find_all, last_assistant, send, wait, wait_ready
from test_sidebar import text_of

FIXTURES = REPO_ROOT / "tests/fixtures/pdf"
REPORT = "財報 2025 (草稿)_v2.pdf"

# Drawn: the canvas has a size and some pixels that are not white.
CANVAS_DRAWN_JS = """
const c = document.querySelector('[data-testid="pdf-viewer-canvas"]');
if (!c || c.width === 0 || c.height === 0) return false;
const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
for (let i = 0; i < data.length; i += 4) {
  if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) return true;
}
return false;
"""


def test_open_with_a_pdf_ask_and_follow_the_citation(app):
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-pdf-") as tmp:
        report = Path(tmp) / REPORT
        locked = Path(tmp) / "locked.pdf"
        shutil.copy(FIXTURES / REPORT, report)
        shutil.copy(FIXTURES / "encrypted.pdf", locked)
        driver = app.launch(args=[str(report), str(locked)])
        wait_ready(driver)

        wait(driver, lambda d: find_all(d, "document-chip"), timeout=20,
             message="the opened PDF was not attached")
        chips = find_all(driver, "document-chip")
        assert [c.get_attribute("data-name") for c in chips] == [REPORT]
        assert "2" in text_of(driver, chips[0])  # pages
        wait(driver, lambda d: find_all(d, "document-notice"), message="no notice for the encrypted PDF")
        notice = text_of(driver, find(driver, "document-notice"))
        assert "locked.pdf" in notice and "password" in notice.lower(), notice

        send(driver, "What was the operating margin? [[sim:tokens=12]]")
        wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=40,
             message="the answer did not complete")
        assert not find_all(driver, "document-chip"), "the chips clear once sent"
        sent = find_all(driver, "message-document")
        assert sent and REPORT in text_of(driver, sent[0])

        marker = wait(driver, lambda d: find_all(d, "citation-marker"), message="no citation marker")[0]
        assert marker.get_attribute("data-page") == "2"
        marker.click()
        detail = wait(driver, lambda d: find_all(d, "citation-detail"))[0]
        shown = text_of(driver, detail)
        assert "Operating margin reached 18.5%." in shown and REPORT in shown, shown
        viewer = wait(driver, lambda d: find_all(d, "pdf-viewer"), message="the viewer did not open")[0]
        wait(driver, lambda d: viewer.get_attribute("data-page") == "2", message="not at the cited page")
        wait(driver, lambda d: d.execute_script(CANVAS_DRAWN_JS), timeout=20,
             message="the page was not drawn")
        assert "Page 2 of 2" in text_of(driver, find(driver, "pdf-viewer"))
        driver.save_screenshot(str(REPO_ROOT / "tests/e2e/artifacts/pdf-citation.png"))
        driver.find_element("css selector", "body").send_keys(Keys.ESCAPE)
        wait(driver, lambda d: not find_all(d, "pdf-viewer"), message="Esc did not close the viewer")
        find(driver, "new-chat").click()
