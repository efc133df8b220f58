"""The `anthropic[bedrock]` SDK (AnthropicBedrock) against cairn-sim: InvokeModel and
InvokeModelWithResponseStream as a second, independent client."""

from __future__ import annotations

import base64
import re

import pytest

from pdfgen import count_pages, make_pdf
from simkit import (
    CITATIONS_ON_RE,
    DEFAULT_MODEL,
    SESSION,
    SIM_CONFIG,
    anthropic_client,
    assert_mentions,
    count_re,
    recorded_body,
)

BETA = "context-1m-2025-08-07"


def test_messages_create(anthropic_bedrock, recorder):
    msg = anthropic_bedrock.messages.create(
        model=DEFAULT_MODEL,
        max_tokens=256,
        messages=[{"role": "user", "content": "Hello, world"}],
    )
    assert msg.role == "assistant" and msg.type == "message"
    assert msg.stop_reason == "end_turn"
    text = "".join(b.text for b in msg.content if b.type == "text")
    assert_mentions(text, model_id=DEFAULT_MODEL, api="InvokeModel", messages=1)
    assert msg.usage.input_tokens > 0
    assert msg.usage.output_tokens == SIM_CONFIG["answerTokens"] == len(text.split())

    entry = recorder.only("InvokeModel")
    assert entry["modelId"] == DEFAULT_MODEL
    body = recorded_body(entry)
    # Anthropic SDK 1.x sends "bedrock-2023-05-31", 2.x a dated version ("2026-10-21"):
    # the simulator must accept what the SDK sends, whichever it is.
    assert re.fullmatch(r"(bedrock-)?\d{4}-\d{2}-\d{2}", body["anthropic_version"]), body
    assert "model" not in body and "stream" not in body, body


def test_messages_create_with_session_token(sim_url):
    client = anthropic_client(sim_url, SESSION)
    msg = client.messages.create(model=DEFAULT_MODEL, max_tokens=64,
                                 messages=[{"role": "user", "content": "Hi"}])
    assert DEFAULT_MODEL in msg.content[0].text


def test_messages_stream(anthropic_bedrock, recorder):
    pieces = []
    with anthropic_bedrock.messages.stream(
        model=DEFAULT_MODEL,
        max_tokens=1024,
        system="You are terse.",
        messages=[
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": "Stream me something [[sim:tokens=150]]"},
        ],
    ) as stream:
        for piece in stream.text_stream:
            pieces.append(piece)
        final = stream.get_final_message()
    text = "".join(pieces)
    assert len(pieces) > 1, "the answer should arrive in several pieces"
    assert_mentions(text, model_id=DEFAULT_MODEL, api="InvokeModelWithResponseStream", messages=3)
    assert final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 150 == len(text.split())
    assert final.usage.input_tokens > 0
    assert recorder.only("InvokeModelWithResponseStream")["modelId"] == DEFAULT_MODEL


def pdf_question(pdf: bytes, citations: bool | None) -> dict:
    doc = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf",
                   "data": base64.b64encode(pdf).decode("ascii")},
        "title": "Trail report",
    }
    if citations is not None:
        doc["citations"] = {"enabled": citations}
    return {"role": "user", "content": [doc, {"type": "text", "text": "What does it say?"}]}


def test_pdf_document_with_citations(anthropic_bedrock, recorder):
    pdf = make_pdf(["Page one: we left at dawn.", "Page two: we reached the cairn at noon."])
    assert count_pages(pdf) == 2

    msg = anthropic_bedrock.messages.create(model=DEFAULT_MODEL, max_tokens=512,
                                            messages=[pdf_question(pdf, True)])
    text = "".join(b.text for b in msg.content if b.type == "text")
    assert count_re("page", 2).search(text), f"answer does not say 2 pages: {text[:400]!r}"
    assert CITATIONS_ON_RE.search(text), f"answer does not say citations are on: {text[:400]!r}"
    assert_mentions(text, model_id=DEFAULT_MODEL, api="InvokeModel")

    body = recorded_body(recorder.only("InvokeModel"))
    doc = body["messages"][0]["content"][0]
    assert doc["citations"] == {"enabled": True}
    assert base64.b64decode(doc["source"]["data"]) == pdf


def test_pdf_document_without_citations(anthropic_bedrock):
    pdf = make_pdf(["Only page one.", "And page two.", "And a third page."])
    msg = anthropic_bedrock.messages.create(model=DEFAULT_MODEL, max_tokens=512,
                                            messages=[pdf_question(pdf, False)])
    text = "".join(b.text for b in msg.content if b.type == "text")
    assert count_re("page", 3).search(text), f"answer does not say 3 pages: {text[:400]!r}"
    assert not CITATIONS_ON_RE.search(text), f"says citations on without them: {text[:400]!r}"


def test_beta_flag_reaches_the_body(anthropic_bedrock, recorder):
    msg = anthropic_bedrock.beta.messages.create(
        model=DEFAULT_MODEL,
        max_tokens=256,
        betas=[BETA],
        messages=[{"role": "user", "content": "A long document would go here."}],
    )
    text = "".join(b.text for b in msg.content if b.type == "text")
    assert BETA in text, f"beta flag not reflected in the answer: {text[:400]!r}"
    body = recorded_body(recorder.only("InvokeModel"))
    assert body.get("anthropic_beta") == [BETA], body.get("anthropic_beta")


def test_beta_flag_in_body_directly(anthropic_bedrock, recorder):
    msg = anthropic_bedrock.messages.create(
        model="global.anthropic.claude-sonnet-4-20250514-v1:0",
        max_tokens=256,
        messages=[{"role": "user", "content": "Hi"}],
        extra_body={"anthropic_beta": [BETA]},
    )
    assert BETA in msg.content[0].text
    assert recorder.only("InvokeModel")["modelId"] == "global.anthropic.claude-sonnet-4-20250514-v1:0"


@pytest.mark.parametrize("directive,error_name", [
    ("[[sim:throttle]]", "RateLimitError"),
    ("[[sim:status=500]]", "InternalServerError"),
    ("[[sim:access-denied]]", "PermissionDeniedError"),
])
def test_sdk_error_types(anthropic_bedrock, directive, error_name):
    import anthropic

    with pytest.raises(getattr(anthropic, error_name)):
        anthropic_bedrock.messages.create(model=DEFAULT_MODEL, max_tokens=64,
                                          messages=[{"role": "user", "content": f"Hi {directive}"}])
