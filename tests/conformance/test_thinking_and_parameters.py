"""Extended thinking streamed before the answer, continuation of a started answer, and the
model's parameter checks — through boto3 and the anthropic SDK as independent clients."""

from __future__ import annotations

import botocore.exceptions
import anthropic
import pytest

from simkit import DEFAULT_MODEL, user_text

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
THINKING = {"thinking": {"type": "enabled", "budget_tokens": 1024}}


def test_converse_stream_sends_reasoning_before_text(runtime):
    resp = runtime.converse_stream(
        modelId=DEFAULT_MODEL,
        messages=[user_text("Why is the sky blue? [[sim:tokens=12]]")],
        inferenceConfig={"maxTokens": 3000},
        additionalModelRequestFields=THINKING,
    )
    events = list(resp["stream"])
    deltas = [e["contentBlockDelta"] for e in events if "contentBlockDelta" in e]
    reasoning = [d for d in deltas if "reasoningContent" in d["delta"]]
    text = [d for d in deltas if "text" in d["delta"]]
    assert reasoning and text
    assert all(d["contentBlockIndex"] == 0 for d in reasoning)
    assert all(d["contentBlockIndex"] == 1 for d in text)
    assert deltas.index(reasoning[-1]) < deltas.index(text[0])
    thought = "".join(d["delta"]["reasoningContent"].get("text", "") for d in reasoning)
    assert thought.startswith("The user wrote")
    assert any("signature" in d["delta"]["reasoningContent"] for d in reasoning)
    usage = next(e["metadata"] for e in events if "metadata" in e)["usage"]
    assert usage["outputTokens"] == 12 + len(thought.split())


def test_converse_returns_a_reasoning_block(runtime):
    out = runtime.converse(
        modelId=DEFAULT_MODEL,
        messages=[user_text("Think first [[sim:tokens=5]]")],
        inferenceConfig={"maxTokens": 3000},
        additionalModelRequestFields=THINKING,
    )
    content = out["output"]["message"]["content"]
    assert content[0]["reasoningContent"]["reasoningText"]["text"].startswith("The user wrote")
    assert content[0]["reasoningContent"]["reasoningText"]["signature"]
    assert len(content[1]["text"].split()) == 5


def test_anthropic_sdk_streams_thinking_then_text(anthropic_bedrock):
    with anthropic_bedrock.messages.stream(
        model=DEFAULT_MODEL,
        max_tokens=3000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "Think about it [[sim:tokens=8]]"}],
    ) as stream:
        order = [event.type for event in stream if event.type in ("thinking", "text")]
        final = stream.get_final_message()
    assert order[0] == "thinking" and order[-1] == "text"
    assert order.index("text") > len(order) - 1 - order[::-1].index("thinking")
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].thinking.startswith("The user wrote")
    assert final.content[0].signature
    assert len(final.content[1].text.split()) == 8


def test_an_assistant_prefill_is_continued(runtime, recorder):
    out = runtime.converse(
        modelId=DEFAULT_MODEL,
        messages=[
            user_text("Tell me [[sim:tokens=6]]"),
            {"role": "assistant", "content": [{"text": "The answer starts"}]},
        ],
    )
    assert out["output"]["message"]["content"][0]["text"].startswith(" …continuing after 17 characters")


@pytest.mark.parametrize(
    "model, inference, fields, words",
    [
        (DEFAULT_MODEL, {"temperature": 0.5, "topP": 0.9}, {}, "`temperature` and `top_p` cannot both be specified"),
        (DEFAULT_MODEL, {"temperature": 0.5, "maxTokens": 3000}, THINKING, "`temperature` may only be set to 1"),
        (DEFAULT_MODEL, {"maxTokens": 3000}, {**THINKING, "top_k": 5}, "`top_k` must be unset"),
        (DEFAULT_MODEL, {"maxTokens": 1024}, THINKING, "`max_tokens` must be greater"),
    ],
)
def test_refused_parameters_are_named(runtime, model, inference, fields, words):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        runtime.converse(
            modelId=model,
            messages=[user_text("hi")],
            inferenceConfig=inference,
            additionalModelRequestFields=fields,
        )
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert words in error["Message"]


def test_older_models_take_temperature_with_top_p(runtime):
    out = runtime.converse(
        modelId=SONNET_4,
        messages=[user_text("hi [[sim:tokens=3]]")],
        inferenceConfig={"temperature": 0.5, "topP": 0.9},
    )
    assert out["stopReason"] == "end_turn"


def test_anthropic_sdk_sees_a_bad_request(anthropic_bedrock):
    with pytest.raises(anthropic.BadRequestError) as caught:
        anthropic_bedrock.messages.create(
            model=DEFAULT_MODEL,
            max_tokens=100,
            # This SDK version has no sampling keywords; the fields go in the body as such.
            extra_body={"temperature": 0.5, "top_p": 0.9},
            messages=[{"role": "user", "content": "hi"}],
        )
    assert "cannot both be specified" in str(caught.value)
