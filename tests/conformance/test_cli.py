"""The simulator's command line: first stdout line, defaults without --config, a taken port."""

from __future__ import annotations

import json
import subprocess

from simkit import LISTEN_RE, Creds, boto_client, sim_binary, user_text

DEFAULT_PAIR = Creds("AKIACAIRNSIMULATOR01", "cairn/simulator/secret/key/0123456789abc")


def test_first_line_is_the_listening_url(sim_process):
    assert LISTEN_RE.match(sim_process.first_line), sim_process.first_line
    assert sim_process.port > 0


def test_defaults_without_config(start_sim):
    sim = start_sim("--port", "0")
    assert sim.url, sim.first_line
    ident = boto_client("sts", sim.url, DEFAULT_PAIR).get_caller_identity()
    assert ident["Account"] == "123456789012"
    resp = boto_client("bedrock-runtime", sim.url, DEFAULT_PAIR).converse(
        modelId="global.anthropic.claude-sonnet-4-5-20250929-v1:0", messages=[user_text("Hi")])
    assert resp["usage"]["outputTokens"] == 120  # the README's default answerTokens


def test_taken_port_exits_with_code_2(sim_process):
    proc = subprocess.run(
        [str(sim_binary()), "--port", str(sim_process.port)],
        capture_output=True, timeout=20, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-300:], proc.stderr[-300:])
    message = (proc.stderr + proc.stdout).decode(errors="replace")
    assert str(sim_process.port) in message, f"the error should name the port: {message!r}"


def test_throttle_all_fault(start_sim, sim_workdir):
    from botocore.exceptions import ClientError
    import pytest

    cfg = sim_workdir / "throttle-all.json"
    cfg.write_text(json.dumps({"faults": {"throttleAll": True}}))
    sim = start_sim("--port", "0", "--config", str(cfg))
    assert sim.url, sim.first_line
    runtime = boto_client("bedrock-runtime", sim.url, DEFAULT_PAIR)
    with pytest.raises(ClientError) as exc:
        runtime.converse(modelId="global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                         messages=[user_text("Hi")])
    assert exc.value.response["Error"]["Code"] == "ThrottlingException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    # The control plane is not a runtime call.
    control = boto_client("bedrock", sim.url, DEFAULT_PAIR)
    assert control.list_foundation_models(byProvider="anthropic")["modelSummaries"]
