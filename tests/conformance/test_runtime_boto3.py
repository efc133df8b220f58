"""bedrock-runtime through boto3: Converse, ConverseStream, InvokeModel,
InvokeModelWithResponseStream and CountTokens against cairn-sim."""

from __future__ import annotations

import json

import pytest

from pdfgen import count_pages, make_pdf
from simkit import (
    CITATIONS_ON_RE,
    DEFAULT_MODEL,
    SIM_CONFIG,
    assert_mentions,
    count_re,
    decode_event_stream,
    quote_model,
    recorded_body,
    signed_request,
    user_text,
)

BASE_SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
ANTHROPIC_VERSION = "bedrock-2023-05-31"


def three_turns(last: str) -> list[dict]:
    return [
        user_text("What is a cairn?"),
        {"role": "assistant", "content": [{"text": "A pile of stones marking a trail."}]},
        user_text(last),
    ]


def assert_usage(usage: dict):
    for key in ("inputTokens", "outputTokens", "totalTokens"):
        assert isinstance(usage.get(key), int), f"usage.{key} missing or not an int: {usage}"
    assert usage["inputTokens"] > 0 and usage["outputTokens"] > 0, usage
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"], usage


# --- Converse ----------------------------------------------------------------------------------

def test_converse_answers_and_says_what_it_received(runtime, recorder):
    resp = runtime.converse(
        modelId=DEFAULT_MODEL,
        messages=three_turns("Tell me more."),
        inferenceConfig={"maxTokens": 512, "temperature": 0.5},
    )
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    message = resp["output"]["message"]
    assert message["role"] == "assistant"
    text = message["content"][0]["text"]
    assert text.strip(), "empty answer"
    assert_mentions(text, model_id=DEFAULT_MODEL, api="Converse", messages=3)
    assert resp["stopReason"] == "end_turn"
    assert_usage(resp["usage"])
    # One token is one whitespace-separated word; the default answer length is answerTokens.
    assert resp["usage"]["outputTokens"] == SIM_CONFIG["answerTokens"], resp["usage"]
    assert len(text.split()) == resp["usage"]["outputTokens"], (len(text.split()), resp["usage"])
    assert isinstance(resp["metrics"]["latencyMs"], int)

    entry = recorder.only("Converse")
    assert entry["modelId"] == DEFAULT_MODEL, entry["modelId"]
    body = recorded_body(entry)
    assert len(body["messages"]) == 3
    assert body["inferenceConfig"]["maxTokens"] == 512


def test_converse_tokens_directive_sets_length(runtime):
    resp = runtime.converse(
        modelId=DEFAULT_MODEL,
        messages=[user_text("Write at length [[sim:tokens=250]]")],
        inferenceConfig={"maxTokens": 1000},
    )
    text = resp["output"]["message"]["content"][0]["text"]
    assert resp["usage"]["outputTokens"] == 250, resp["usage"]
    assert len(text.split()) == 250


def test_converse_mentions_system_prompt_and_beta(runtime):
    plain = runtime.converse(modelId=DEFAULT_MODEL, messages=[user_text("Hi")])
    plain_text = plain["output"]["message"]["content"][0]["text"]
    resp = runtime.converse(
        modelId=DEFAULT_MODEL,
        messages=[user_text("Hi")],
        system=[{"text": "You are a terse geologist."}],
        additionalModelRequestFields={"anthropic_beta": ["context-1m-2025-08-07"]},
    )
    text = resp["output"]["message"]["content"][0]["text"]
    assert "context-1m-2025-08-07" in text, f"beta flag not reflected: {text[:400]!r}"
    assert "system" in text.lower(), f"system prompt not mentioned: {text[:400]!r}"
    assert text != plain_text
    # The system prompt counts as input.
    assert resp["usage"]["inputTokens"] > plain["usage"]["inputTokens"]


def test_converse_document_block_with_citations(runtime, recorder):
    pdf = make_pdf(["Page one: the trail starts at the lake.", "Page two: it ends at the summit."])
    assert count_pages(pdf) == 2

    def ask(citations: bool) -> str:
        doc = {"format": "pdf", "name": "trail guide", "source": {"bytes": pdf}}
        if citations:
            doc["citations"] = {"enabled": True}
        resp = runtime.converse(
            modelId=DEFAULT_MODEL,
            messages=[{"role": "user", "content": [{"document": doc}, {"text": "Summarize it."}]}],
        )
        return resp["output"]["message"]["content"][0]["text"]

    with_citations = ask(True)
    assert count_re("page", 2).search(with_citations), f"page count missing: {with_citations[:400]!r}"
    assert CITATIONS_ON_RE.search(with_citations), f"citations-on missing: {with_citations[:400]!r}"
    without = ask(False)
    assert count_re("page", 2).search(without), f"page count missing: {without[:400]!r}"
    assert not CITATIONS_ON_RE.search(without), f"says citations on without them: {without[:400]!r}"

    entries = recorder.of("Converse")
    assert len(entries) == 2
    doc = recorded_body(entries[0])["messages"][0]["content"][0]["document"]
    assert doc["format"] == "pdf" and doc["citations"] == {"enabled": True}


# --- ConverseStream ----------------------------------------------------------------------------

def test_converse_stream_every_event(runtime, recorder):
    resp = runtime.converse_stream(
        modelId=DEFAULT_MODEL,
        messages=three_turns("Stream it [[sim:tokens=120]]"),
        inferenceConfig={"maxTokens": 1000},
    )
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    events = list(resp["stream"])
    kinds = [next(iter(e)) for e in events]
    for required in ("messageStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"):
        assert required in kinds, f"no {required} event in {kinds}"
    assert kinds[0] == "messageStart", kinds
    assert events[0]["messageStart"]["role"] == "assistant"
    assert kinds[-1] == "metadata", kinds
    first_delta = kinds.index("contentBlockDelta")
    last_delta = len(kinds) - 1 - kinds[::-1].index("contentBlockDelta")
    assert first_delta < kinds.index("contentBlockStop") and last_delta < kinds.index("contentBlockStop")
    assert kinds.index("contentBlockStop") < kinds.index("messageStop") < kinds.index("metadata")
    deltas = [e["contentBlockDelta"] for e in events if "contentBlockDelta" in e]
    assert len(deltas) > 1, "the answer should arrive in several deltas"
    assert all(d["contentBlockIndex"] == 0 for d in deltas)
    text = "".join(d["delta"]["text"] for d in deltas)
    assert_mentions(text, model_id=DEFAULT_MODEL, api="ConverseStream", messages=3)
    assert events[kinds.index("messageStop")]["messageStop"]["stopReason"] == "end_turn"
    meta = events[-1]["metadata"]
    assert_usage(meta["usage"])
    assert meta["usage"]["outputTokens"] == 120 == len(text.split())
    assert isinstance(meta["metrics"]["latencyMs"], int)
    assert recorder.only("ConverseStream")["modelId"] == DEFAULT_MODEL


def test_converse_stream_wire_format(sim_url):
    """Look at the raw frames: content type, frame headers, CRCs (checked by the decoder)."""
    body = json.dumps({"messages": [user_text("Hi [[sim:tokens=30]]")]}).encode()
    status, headers, data = signed_request(
        sim_url, "POST", f"/model/{quote_model(DEFAULT_MODEL)}/converse-stream", body)
    assert status == 200, data[:300]
    assert headers.get("content-type") == "application/vnd.amazon.eventstream"
    frames, tail = decode_event_stream(data)
    assert tail == b"", f"{len(tail)} undecodable trailing bytes"
    assert frames, "no frames"
    for f in frames:
        h = f["headers"]
        assert h.get(":message-type") == "event", h
        assert h.get(":content-type") == "application/json", h
        json.loads(f["payload"])
    names = [f["headers"][":event-type"] for f in frames]
    assert names[0] == "messageStart" and names[-1] == "metadata", names


# --- InvokeModel -------------------------------------------------------------------------------

def anthropic_body(text: str, **extra) -> dict:
    return {
        "anthropic_version": ANTHROPIC_VERSION,
        "max_tokens": 1024,
        "messages": [
            {"role": "user", "content": "What is a cairn?"},
            {"role": "assistant", "content": "A pile of stones."},
            {"role": "user", "content": text},
        ],
        **extra,
    }


def test_invoke_model_messages_body(runtime, recorder):
    resp = runtime.invoke_model(
        modelId=DEFAULT_MODEL,
        body=json.dumps(anthropic_body("More please [[sim:tokens=90]]", system="Be brief.")),
        contentType="application/json",
        accept="application/json",
    )
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp["contentType"].startswith("application/json")
    out = json.loads(resp["body"].read())
    assert out["type"] == "message" and out["role"] == "assistant", out
    assert out["stop_reason"] == "end_turn"
    assert out["content"][0]["type"] == "text"
    text = "".join(c["text"] for c in out["content"] if c["type"] == "text")
    assert_mentions(text, model_id=DEFAULT_MODEL, api="InvokeModel", messages=3)
    assert out["usage"]["input_tokens"] > 0
    assert out["usage"]["output_tokens"] == 90 == len(text.split())

    entry = recorder.only("InvokeModel")
    assert entry["modelId"] == DEFAULT_MODEL
    assert recorded_body(entry)["anthropic_version"] == ANTHROPIC_VERSION


def test_invoke_model_with_response_stream_chunks(runtime, recorder):
    resp = runtime.invoke_model_with_response_stream(
        modelId=DEFAULT_MODEL,
        body=json.dumps(anthropic_body("Stream [[sim:tokens=100]]")),
        contentType="application/json",
    )
    events = []
    for ev in resp["body"]:
        assert set(ev) == {"chunk"}, ev
        events.append(json.loads(ev["chunk"]["bytes"]))
    types = [e["type"] for e in events]
    assert types[0] == "message_start" and types[-1] == "message_stop", types
    for required in ("content_block_start", "content_block_delta", "content_block_stop", "message_delta"):
        assert required in types, f"no {required} in {types}"
    assert types.index("content_block_start") < types.index("content_block_delta")
    assert types.index("content_block_stop") < types.index("message_delta") < types.index("message_stop")
    start = events[0]["message"]
    assert start["role"] == "assistant" and start["usage"]["input_tokens"] > 0
    text = "".join(
        e["delta"]["text"] for e in events
        if e["type"] == "content_block_delta" and e["delta"]["type"] == "text_delta"
    )
    assert_mentions(text, model_id=DEFAULT_MODEL, api="InvokeModelWithResponseStream", messages=3)
    delta = events[types.index("message_delta")]
    assert delta["delta"]["stop_reason"] == "end_turn"
    assert delta["usage"]["output_tokens"] == 100 == len(text.split())
    metrics = events[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["outputTokenCount"] == 100
    assert metrics["inputTokenCount"] == start["usage"]["input_tokens"]
    for key in ("invocationLatency", "firstByteLatency"):
        assert isinstance(metrics[key], int), metrics
    assert recorder.only("InvokeModelWithResponseStream")["modelId"] == DEFAULT_MODEL


def test_invoke_model_requires_anthropic_version(runtime):
    from botocore.exceptions import ClientError

    body = anthropic_body("Hi")
    del body["anthropic_version"]
    with pytest.raises(ClientError) as exc:
        runtime.invoke_model(modelId=DEFAULT_MODEL, body=json.dumps(body))
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# --- CountTokens -------------------------------------------------------------------------------

def test_count_tokens_converse_form_matches_converse_usage(runtime, recorder):
    messages = three_turns("How many tokens is this question, roughly speaking?")
    system = [{"text": "Answer in one line."}]
    counted = runtime.count_tokens(
        modelId=BASE_SONNET_45, input={"converse": {"messages": messages, "system": system}})
    assert isinstance(counted["inputTokens"], int) and counted["inputTokens"] > 0
    used = runtime.converse(modelId=DEFAULT_MODEL, messages=messages, system=system)
    assert counted["inputTokens"] == used["usage"]["inputTokens"], (counted, used["usage"])
    longer = runtime.count_tokens(
        modelId=BASE_SONNET_45,
        input={"converse": {"messages": three_turns("word " * 200), "system": system}})
    assert longer["inputTokens"] > counted["inputTokens"]
    assert recorder.of("CountTokens")[0]["modelId"] == BASE_SONNET_45


def test_count_tokens_invoke_model_form(runtime):
    body = anthropic_body("Count me, please.")
    counted = runtime.count_tokens(
        modelId=BASE_SONNET_45, input={"invokeModel": {"body": json.dumps(body).encode()}})
    assert isinstance(counted["inputTokens"], int) and counted["inputTokens"] > 0
    used = json.loads(runtime.invoke_model(modelId=DEFAULT_MODEL, body=json.dumps(body))["body"].read())
    assert counted["inputTokens"] == used["usage"]["input_tokens"], (counted, used["usage"])
