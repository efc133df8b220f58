"""Documents with citations in streamed answers, and Bedrock's document limits, through boto3
and the anthropic SDK as independent clients."""

from __future__ import annotations

import base64

import botocore.exceptions
import pytest

from pdfgen import make_pdf
from simkit import DEFAULT_MODEL

PDF = make_pdf(["Page one: we left at dawn.", "Page two: we reached the cairn at noon."])
SONNET_37 = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"


def converse_doc(pdf: bytes, name: str = "Trail report", citations: bool = True) -> dict:
    return {"role": "user", "content": [
        {"document": {"format": "pdf", "name": name, "source": {"bytes": pdf},
                      "citations": {"enabled": citations}}},
        {"text": "When did they arrive? [[sim:tokens=6]]"},
    ]}


def test_converse_stream_cites_the_second_page(runtime):
    resp = runtime.converse_stream(modelId=DEFAULT_MODEL, messages=[converse_doc(PDF)])
    deltas = [e["contentBlockDelta"]["delta"] for e in resp["stream"] if "contentBlockDelta" in e]
    citations = [d["citation"] for d in deltas if "citation" in d]
    assert len(citations) == 1
    c = citations[0]
    assert c["location"]["documentPage"] == {"documentIndex": 0, "start": 2, "end": 3}
    assert c["sourceContent"][0]["text"] == "Page two: we reached the cairn at noon."
    text = "".join(d.get("text", "") for d in deltas)
    assert text.rstrip().endswith('Page 2 of "Trail report" says:')


def test_no_citations_without_the_flag(runtime):
    resp = runtime.converse_stream(modelId=DEFAULT_MODEL, messages=[converse_doc(PDF, citations=False)])
    deltas = [e["contentBlockDelta"]["delta"] for e in resp["stream"] if "contentBlockDelta" in e]
    assert not [d for d in deltas if "citation" in d]


def test_anthropic_sdk_stream_collects_the_citation(anthropic_bedrock):
    doc = {"type": "document", "title": "Trail report", "citations": {"enabled": True},
           "source": {"type": "base64", "media_type": "application/pdf",
                      "data": base64.b64encode(PDF).decode("ascii")}}
    with anthropic_bedrock.messages.stream(
        model=DEFAULT_MODEL, max_tokens=512,
        messages=[{"role": "user", "content": [doc, {"type": "text", "text": "When? [[sim:tokens=4]]"}]}],
    ) as stream:
        final = stream.get_final_message()
    cited = [c for block in final.content if block.type == "text" for c in (block.citations or [])]
    assert len(cited) == 1
    assert cited[0].type == "page_location"
    assert (cited[0].start_page_number, cited[0].end_page_number) == (2, 3)
    assert cited[0].cited_text == "Page two: we reached the cairn at noon."


@pytest.mark.parametrize("model, pdf, words", [
    (DEFAULT_MODEL, make_pdf([f"p{n}" for n in range(101)]), "A maximum of 100 PDF pages"),
    (SONNET_37, make_pdf(["big"], padding=5 * 1024 * 1024), "at most 4.5 MB"),
    (DEFAULT_MODEL, PDF, "can only contain alphanumeric characters"),
])
def test_document_limits(runtime, model, pdf, words):
    name = "財報 2025_v2.pdf" if "alphanumeric" in words else "Report"
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        runtime.converse(modelId=model, messages=[converse_doc(pdf, name=name)])
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert words in caught.value.response["Error"]["Message"]


def test_claude_4_takes_a_large_pdf_through_converse(runtime):
    big = make_pdf(["big"], padding=5 * 1024 * 1024)
    out = runtime.converse(modelId=DEFAULT_MODEL, messages=[converse_doc(big)])
    assert out["stopReason"] == "end_turn"


def test_a_cache_point_is_written_once_then_read(runtime):
    pdf = make_pdf(["A document to cache, read twice."] * 3)
    messages = [{"role": "user", "content": [
        {"document": {"format": "pdf", "name": "Cached", "source": {"bytes": pdf}}},
        {"cachePoint": {"type": "default"}},
        {"text": "Summarize [[sim:tokens=3]]"},
    ]}]
    first = runtime.converse(modelId=DEFAULT_MODEL, messages=messages)["usage"]
    second = runtime.converse(modelId=DEFAULT_MODEL, messages=messages)["usage"]
    assert first["cacheWriteInputTokens"] > 0 and first["cacheReadInputTokens"] == 0
    assert second["cacheReadInputTokens"] == first["cacheWriteInputTokens"]
    assert second["cacheWriteInputTokens"] == 0
    total = lambda u: u["inputTokens"] + u["cacheReadInputTokens"] + u["cacheWriteInputTokens"]
    assert total(first) == total(second)


def test_anthropic_sdk_sees_cache_usage(anthropic_bedrock):
    doc = {"type": "document", "title": "Cached", "cache_control": {"type": "ephemeral"},
           "source": {"type": "base64", "media_type": "application/pdf",
                      "data": base64.b64encode(make_pdf(["Anthropic cache test."])).decode("ascii")}}
    ask = lambda: anthropic_bedrock.messages.create(
        model=DEFAULT_MODEL, max_tokens=64,
        messages=[{"role": "user", "content": [doc, {"type": "text", "text": "Hi [[sim:tokens=2]]"}]}])
    first, second = ask().usage, ask().usage
    assert first.cache_creation_input_tokens > 0 and not first.cache_read_input_tokens
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
