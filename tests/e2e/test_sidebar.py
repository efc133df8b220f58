"""Conversations in the real window: full-text search (English and Chinese) finds a message and
opens its conversation; export writes a Markdown file with the messages."""

from __future__ import annotations

import re
from pathlib import Path

from test_first_answer import find, find_all, last_assistant, messages, send, wait, wait_ready

WORD = "Kestrelwing"
CHINESE = "營業收入成長"


def text_of(driver, element) -> str:
    return driver.execute_script("return arguments[0].textContent", element) or ""


def test_search_opens_the_conversation_and_export_writes_markdown(app):
    driver = app.launch()
    wait_ready(driver)
    find(driver, "new-chat").click()
    send(driver, f"Remember the word {WORD} and {CHINESE} [[sim:tokens=8]]")
    wait(driver, lambda d: (last_assistant(d) or {}).get("status") == "complete", timeout=30)
    find(driver, "new-chat").click()
    wait(driver, lambda d: not messages(d))

    for query in (WORD, CHINESE):
        box = find(driver, "conversation-search")
        box.clear()
        box.send_keys(query)
        wait(driver, lambda d: find_all(d, "search-result"), message=f"no result for {query}")
        assert query in text_of(driver, find_all(driver, "search-result")[0])
    find_all(driver, "search-result")[0].click()
    wait(driver, lambda d: any(WORD in (m["text"] or "") for m in messages(d)),
         message="the search result did not open its conversation")

    find(driver, "export-markdown").click()
    wait(driver, lambda d: find_all(d, "export-result") and "/" in text_of(d, find(d, "export-result")),
         message="no export path shown")
    shown = text_of(driver, find(driver, "export-result"))
    match = re.search(r"(/.*\.md)", shown)
    assert match, shown
    content = Path(match.group(1)).read_text(encoding="utf-8")
    assert WORD in content and "## You" in content and "## Claude" in content, content[:300]
