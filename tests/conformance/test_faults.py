"""Errors: directives, configured faults, mid-stream exceptions, profile-only models."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError, EventStreamError

from simkit import (
    DEFAULT_MODEL,
    DENIED_MODEL,
    ORIGIN_TABLE,
    anthropic_client,
    decode_event_stream,
    quote_model,
    recorded_body,
    signed_request,
    user_text,
)

# Real Bedrock writes "isn’t" with a typographic apostrophe; accept either spelling.
ON_DEMAND_RE = re.compile(r"on-demand throughput isn['\u2019]t supported")


def invoke_body(text: str) -> str:
    return json.dumps({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": text}],
    })


def error_of(fn) -> dict:
    with pytest.raises(ClientError) as exc:
        fn()
    return exc.value.response


def drain_converse_stream(runtime, text: str):
    """Return (text received, event kinds, exception raised while iterating or None)."""
    resp = runtime.converse_stream(modelId=DEFAULT_MODEL, messages=[user_text(text)],
                                   inferenceConfig={"maxTokens": 2000})
    got, kinds = [], []
    try:
        for ev in resp["stream"]:
            kind = next(iter(ev))
            kinds.append(kind)
            if kind == "contentBlockDelta":
                got.append(ev[kind]["delta"]["text"])
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return "".join(got), kinds, exc
    return "".join(got), kinds, None


# --- Mid-stream exceptions ---------------------------------------------------------------------

@pytest.mark.parametrize("directive,code", [
    ("[[sim:stream-error]]", "modelStreamErrorException"),
    ("[[sim:throttle-mid]]", "throttlingException"),
])
def test_converse_stream_mid_stream_exception(runtime, directive, code):
    text, kinds, exc = drain_converse_stream(runtime, f"Go {directive} [[sim:tokens=200]]")
    assert isinstance(exc, EventStreamError), f"expected EventStreamError, got {exc!r} after {kinds}"
    assert exc.response["Error"]["Code"] == code, exc.response
    assert exc.response["Error"]["Message"], exc.response
    assert kinds and kinds[0] == "messageStart", kinds
    assert text.strip(), "a few tokens should arrive before the exception"
    assert len(text.split()) < 200
    assert "messageStop" not in kinds and "metadata" not in kinds, kinds


@pytest.mark.parametrize("directive,code", [
    ("[[sim:stream-error]]", "modelStreamErrorException"),
    ("[[sim:throttle-mid]]", "throttlingException"),
])
def test_invoke_stream_mid_stream_exception(runtime, directive, code):
    resp = runtime.invoke_model_with_response_stream(
        modelId=DEFAULT_MODEL, body=invoke_body(f"Go {directive} [[sim:tokens=200]]"))
    types = []
    with pytest.raises(EventStreamError) as exc:
        for ev in resp["body"]:
            types.append(json.loads(ev["chunk"]["bytes"])["type"])
    assert exc.value.response["Error"]["Code"] == code, exc.value.response
    assert types and types[0] == "message_start", types
    assert "content_block_delta" in types and "message_stop" not in types, types


def test_stream_error_frame_on_the_wire(sim_url):
    body = json.dumps({"messages": [user_text("Go [[sim:stream-error]] [[sim:tokens=200]]")]}).encode()
    status, headers, data = signed_request(
        sim_url, "POST", f"/model/{quote_model(DEFAULT_MODEL)}/converse-stream", body)
    assert status == 200, (status, data[:300])
    assert headers.get("content-type") == "application/vnd.amazon.eventstream"
    frames, tail = decode_event_stream(data)
    assert tail == b""
    last = frames[-1]["headers"]
    assert last.get(":message-type") == "exception", last
    assert last.get(":exception-type") == "modelStreamErrorException", last
    payload = json.loads(frames[-1]["payload"])
    assert isinstance(payload.get("originalStatusCode"), int), payload
    assert payload.get("message"), payload
    assert all(f["headers"].get(":message-type") == "event" for f in frames[:-1])


def test_anthropic_sdk_stream_error_raises(sim_url):
    import anthropic

    client = anthropic_client(sim_url)
    with pytest.raises(anthropic.APIError) as exc:
        with client.messages.stream(model=DEFAULT_MODEL, max_tokens=2000,
                                    messages=[{"role": "user", "content": "x [[sim:stream-error]]"}]) as s:
            for _ in s.text_stream:
                pass
    assert "modelStreamErrorException" in str(exc.value), exc.value


def test_drop_after_cuts_the_connection(runtime):
    # A modest rate so the tokens before the cut arrive in their own reads (a client may
    # discard bytes that came in the same read as the connection reset).
    text, kinds, exc = drain_converse_stream(
        runtime, "Go [[sim:drop-after=7]] [[sim:tokens=200]] [[sim:rate=40]]")
    assert "messageStop" not in kinds and "metadata" not in kinds, kinds
    assert len(text.split()) == 7, (text, kinds, exc)


def test_drop_after_on_the_wire(sim_url):
    body = json.dumps({"messages": [user_text("Go [[sim:drop-after=7]] [[sim:tokens=200]]")]}).encode()
    _status, _headers, data = signed_request(
        sim_url, "POST", f"/model/{quote_model(DEFAULT_MODEL)}/converse-stream", body)
    frames, _tail = decode_event_stream(data)
    names = [f["headers"].get(":event-type") for f in frames]
    assert "messageStop" not in names and "metadata" not in names, names
    assert all(f["headers"].get(":message-type") == "event" for f in frames), "no closing exception either"
    text = "".join(json.loads(f["payload"])["delta"]["text"]
                   for f in frames if f["headers"].get(":event-type") == "contentBlockDelta")
    assert len(text.split()) == 7, text


# --- Errors before the answer ------------------------------------------------------------------

def test_throttle_before_the_stream(runtime):
    err = error_of(lambda: runtime.converse_stream(
        modelId=DEFAULT_MODEL, messages=[user_text("Hi [[sim:throttle]]")]))
    assert err["Error"]["Code"] == "ThrottlingException", err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 429


@pytest.mark.parametrize("op", ["converse", "invoke_model", "invoke_model_with_response_stream"])
@pytest.mark.parametrize("directive,code,status", [
    ("[[sim:throttle]]", "ThrottlingException", 429),
    ("[[sim:status=500]]", "InternalServerException", 500),
    ("[[sim:status=503]]", "ServiceUnavailableException", 503),
    ("[[sim:access-denied]]", "AccessDeniedException", 403),
    ("[[sim:expired]]", "ExpiredTokenException", 403),
])
def test_error_directives(runtime, op, directive, code, status):
    text = f"Hello {directive}"
    if op == "converse":
        call = lambda: runtime.converse(modelId=DEFAULT_MODEL, messages=[user_text(text)])  # noqa: E731
    else:
        call = lambda: getattr(runtime, op)(modelId=DEFAULT_MODEL, body=invoke_body(text))  # noqa: E731
    err = error_of(call)
    assert err["Error"]["Code"] == code, err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == status, err
    assert err["Error"]["Message"], err


def test_error_body_shape_on_the_wire(sim_url):
    body = json.dumps({"messages": [user_text("Hi [[sim:throttle]]")]}).encode()
    status, headers, data = signed_request(
        sim_url, "POST", f"/model/{quote_model(DEFAULT_MODEL)}/converse", body)
    assert status == 429
    assert headers.get("x-amzn-errortype", "").split(":")[0] == "ThrottlingException", headers
    assert json.loads(data).get("message"), data


def test_directive_only_counts_in_the_last_user_message(runtime):
    resp = runtime.converse(modelId=DEFAULT_MODEL, messages=[
        user_text("Earlier [[sim:status=500]]"),
        {"role": "assistant", "content": [{"text": "ok"}]},
        user_text("Now a normal question"),
    ])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_configured_access_denied_model(runtime, recorder):
    err = error_of(lambda: runtime.converse(modelId=DENIED_MODEL, messages=[user_text("Hi")]))
    assert err["Error"]["Code"] == "AccessDeniedException", err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
    entry = recorder.only("Converse")
    assert entry["modelId"] == DENIED_MODEL
    # The credentials were fine: only the model is denied.
    assert entry["auth"]["accessKeyId"]


# --- Profile-only models -----------------------------------------------------------------------

def profile_only_models(control) -> list[str]:
    out = []
    for base, flags in ORIGIN_TABLE.values():
        details = control.get_foundation_model(modelIdentifier=base)["modelDetails"]
        if details["inferenceTypesSupported"] == ["INFERENCE_PROFILE"]:
            out.append(base)
    return out


def test_some_origin_models_are_profile_only(control):
    assert profile_only_models(control), "no origin-table model is INFERENCE_PROFILE-only"


def test_profile_only_model_by_base_id_is_refused(runtime, control, recorder):
    bases = profile_only_models(control)
    assert bases
    called = []
    for base in bases:
        err = error_of(lambda: runtime.converse(modelId=base, messages=[user_text("Hi")]))
        assert err["Error"]["Code"] == "ValidationException", (base, err)
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
        message = err["Error"]["Message"]
        assert ON_DEMAND_RE.search(message), (base, message)
        assert base in message, (base, message)
        assert "inference profile" in message, message

        # ...while its global. or us. profile works.
        flags = dict(ORIGIN_TABLE.values())[base]
        prefix = "global" if flags[0] else "us"
        ok = runtime.converse(modelId=f"{prefix}.{base}", messages=[user_text("Hi")])
        assert f"{prefix}.{base}" in ok["output"]["message"]["content"][0]["text"]
        called += [base, f"{prefix}.{base}"]

    assert [e["modelId"] for e in recorder.of("Converse")] == called


def test_profile_only_refused_by_every_runtime_api(runtime, control):
    base = profile_only_models(control)[0]
    calls = {
        "converse_stream": lambda: runtime.converse_stream(modelId=base, messages=[user_text("Hi")]),
        "invoke_model": lambda: runtime.invoke_model(modelId=base, body=invoke_body("Hi")),
        "invoke_model_with_response_stream":
            lambda: runtime.invoke_model_with_response_stream(modelId=base, body=invoke_body("Hi")),
    }
    for name, call in calls.items():
        err = error_of(call)
        assert err["Error"]["Code"] == "ValidationException", (name, err)
        assert ON_DEMAND_RE.search(err["Error"]["Message"]), (name, err)


def test_on_demand_models_work_by_base_id(runtime, control):
    """Which models are on-demand is catalog data; every one that is must answer by base ID."""
    for base, _ in ORIGIN_TABLE.values():
        if base == DENIED_MODEL:
            continue
        details = control.get_foundation_model(modelIdentifier=base)["modelDetails"]
        if "ON_DEMAND" in details["inferenceTypesSupported"]:
            resp = runtime.converse(modelId=base, messages=[user_text("Hi")])
            assert base in resp["output"]["message"]["content"][0]["text"]

    # Which models are on-demand is catalog data; only the calls that apply are checked.


def test_recorded_request_shows_model_and_body_for_profile_call(runtime, recorder):
    runtime.converse(modelId="us.anthropic.claude-opus-4-1-20250805-v1:0",
                     messages=[user_text("Recorded?")])
    entry = recorder.only("Converse")
    assert entry["modelId"] == "us.anthropic.claude-opus-4-1-20250805-v1:0"
    assert recorded_body(entry)["messages"][0]["content"][0]["text"] == "Recorded?"
