"""Credentials: SigV4 key pairs (plain, session token, expired, wrong, unknown) and Bedrock
API keys (Bearer) — and what the simulator records about each verdict."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from simkit import (
    API_KEY,
    DEFAULT_MODEL,
    EXPIRED,
    PLAIN,
    SESSION,
    UNKNOWN,
    Creds,
    anthropic_client,
    assert_mentions,
    boto_client,
    http,
    quote_model,
    user_text,
)

ACCEPTED_VERDICT = re.compile(
    r"^(ok|accepted|valid|allowed|allow|pass|passed|authorized|authorised|success|succeeded|verified)$",
    re.IGNORECASE,
)


def converse(client, text="Hello"):
    return client.converse(modelId=DEFAULT_MODEL, messages=[user_text(text)])


def client_error(fn) -> dict:
    with pytest.raises(ClientError) as exc:
        fn()
    return exc.value.response


def scheme_is(entry: dict, name: str) -> bool:
    return name in re.sub(r"[^a-z0-9]", "", str(entry["auth"].get("scheme", "")).lower())


# --- SigV4 -------------------------------------------------------------------------------------

def test_plain_key_pair_is_recorded_as_accepted(runtime, recorder):
    converse(runtime)
    entry = recorder.only("Converse")
    auth = entry["auth"]
    assert ACCEPTED_VERDICT.match(str(auth["verdict"])), auth
    assert auth["accessKeyId"] == PLAIN.access_key, auth
    assert scheme_is(entry, "sigv4"), auth
    assert isinstance(entry["headers"], dict) and entry["headers"], entry


def test_session_token_credentials_accepted(sim_url, recorder):
    resp = converse(boto_client("bedrock-runtime", sim_url, SESSION))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    control = boto_client("bedrock", sim_url, SESSION)
    assert control.list_foundation_models(byProvider="anthropic")["modelSummaries"]
    entry = recorder.only("Converse")
    assert entry["auth"]["accessKeyId"] == SESSION.access_key
    assert ACCEPTED_VERDICT.match(str(entry["auth"]["verdict"])), entry["auth"]
    headers = {k.lower(): v for k, v in entry["headers"].items()}
    # The simulator may redact secrets in what it records; the header must be there.
    assert headers.get("x-amz-security-token") in (SESSION.session_token, "<present>"), headers


def test_session_key_without_its_token_is_refused(sim_url):
    no_token = Creds(SESSION.access_key, SESSION.secret_key, None)
    err = client_error(lambda: converse(boto_client("bedrock-runtime", sim_url, no_token)))
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403, err


def test_wrong_token_is_refused(sim_url):
    bad_token = Creds(SESSION.access_key, SESSION.secret_key, "not-the-token")
    err = client_error(lambda: converse(boto_client("bedrock-runtime", sim_url, bad_token)))
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403, err


@pytest.mark.parametrize("service", ["bedrock-runtime", "bedrock"])
def test_wrong_secret_is_invalid_signature(sim_url, recorder, service):
    wrong = Creds(PLAIN.access_key, "definitely-not-the-secret")
    client = boto_client(service, sim_url, wrong)
    call = (lambda: converse(client)) if service == "bedrock-runtime" else (
        lambda: client.list_foundation_models(byProvider="anthropic"))
    err = client_error(call)
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403, err
    assert err["Error"]["Code"] == "InvalidSignatureException", err
    assert err["Error"]["Message"], err
    entries = [e for e in recorder.all() if e.get("auth", {}).get("accessKeyId") == PLAIN.access_key]
    assert entries, "a refused request should still be recorded"
    assert not ACCEPTED_VERDICT.match(str(entries[-1]["auth"]["verdict"])), entries[-1]["auth"]


@pytest.mark.parametrize("service", ["bedrock-runtime", "bedrock"])
def test_unknown_key_is_unrecognized_client(sim_url, recorder, service):
    client = boto_client(service, sim_url, UNKNOWN)
    call = (lambda: converse(client)) if service == "bedrock-runtime" else (
        lambda: client.list_foundation_models(byProvider="anthropic"))
    err = client_error(call)
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403, err
    assert err["Error"]["Code"] == "UnrecognizedClientException", err
    entries = recorder.all()
    assert entries and entries[-1]["auth"]["accessKeyId"] == UNKNOWN.access_key, entries[-1:]
    assert not ACCEPTED_VERDICT.match(str(entries[-1]["auth"]["verdict"]))


def test_verdicts_differ_by_failure(sim_url, recorder):
    converse(boto_client("bedrock-runtime", sim_url, PLAIN))
    for creds in (Creds(PLAIN.access_key, "wrong"), UNKNOWN, EXPIRED):
        with pytest.raises(ClientError):
            converse(boto_client("bedrock-runtime", sim_url, creds))
    verdicts = [str(e["auth"]["verdict"]) for e in recorder.of("Converse")]
    assert len(verdicts) == 4, verdicts
    assert len(set(verdicts)) == 4, f"each outcome should have its own verdict: {verdicts}"


@pytest.mark.parametrize("service", ["bedrock-runtime", "bedrock"])
def test_expired_credentials(sim_url, service):
    client = boto_client(service, sim_url, EXPIRED)
    call = (lambda: converse(client)) if service == "bedrock-runtime" else (
        lambda: client.list_foundation_models(byProvider="anthropic"))
    err = client_error(call)
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403, err
    assert err["Error"]["Code"] == "ExpiredTokenException", err


def test_sts_refuses_bad_credentials(sim_url):
    for creds in (Creds(PLAIN.access_key, "wrong"), UNKNOWN):
        err = client_error(lambda: boto_client("sts", sim_url, creds).get_caller_identity())
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 403, err
        assert err["Error"]["Code"], err


def test_unsigned_request_is_refused(sim_url):
    body = json.dumps({"messages": [user_text("Hi")]}).encode()
    resp = http("POST", f"{sim_url}/model/{quote_model(DEFAULT_MODEL)}/converse", body,
                {"Content-Type": "application/json"})
    assert resp.status == 403, (resp.status, resp.body[:300])


# --- Bedrock API keys (Bearer) -----------------------------------------------------------------
# boto3 refuses bearer auth over plain http, so these go through urllib.

def bearer_converse(sim_url, key, model=DEFAULT_MODEL, text="Hello from a bearer key"):
    body = json.dumps({"messages": [user_text(text)]}).encode()
    return http("POST", f"{sim_url}/model/{quote_model(model)}/converse", body,
                {"Content-Type": "application/json", "Authorization": f"Bearer {key}"})


def test_bearer_api_key_accepted_on_runtime(sim_url, recorder):
    resp = bearer_converse(sim_url, API_KEY)
    assert resp.status == 200, (resp.status, resp.body[:300])
    out = resp.json()
    text = out["output"]["message"]["content"][0]["text"]
    assert_mentions(text, model_id=DEFAULT_MODEL, api="Converse", messages=1)
    entry = recorder.only("Converse")
    assert scheme_is(entry, "bearer"), entry["auth"]
    assert ACCEPTED_VERDICT.match(str(entry["auth"]["verdict"])), entry["auth"]
    assert entry["modelId"] == DEFAULT_MODEL


def test_bearer_with_unencoded_colon_in_path(sim_url):
    body = json.dumps({"messages": [user_text("Hi")]}).encode()
    resp = http("POST", f"{sim_url}/model/{DEFAULT_MODEL}/converse", body,
                {"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"})
    assert resp.status == 200, (resp.status, resp.body[:300])
    assert DEFAULT_MODEL in resp.json()["output"]["message"]["content"][0]["text"]


def test_unknown_bearer_key_refused(sim_url):
    resp = bearer_converse(sim_url, "ABSKnot-a-real-key")
    assert resp.status == 403, (resp.status, resp.body[:300])


def test_bearer_refused_on_control_plane(sim_url, recorder):
    resp = http("GET", f"{sim_url}/foundation-models?byProvider=anthropic",
                headers={"Authorization": f"Bearer {API_KEY}"})
    assert resp.status == 403, (resp.status, resp.body[:300])
    entries = recorder.all()
    assert entries, "the refused control-plane request should be recorded"
    assert not ACCEPTED_VERDICT.match(str(entries[-1]["auth"]["verdict"])), entries[-1]["auth"]


def test_anthropic_sdk_with_api_key(sim_url, recorder):
    client = anthropic_client(sim_url, api_key=API_KEY)
    msg = client.messages.create(model=DEFAULT_MODEL, max_tokens=256,
                                 messages=[{"role": "user", "content": "Hello, world"}])
    assert DEFAULT_MODEL in msg.content[0].text
    assert scheme_is(recorder.only("InvokeModel"), "bearer")


def test_anthropic_sdk_wrong_secret_is_permission_denied(sim_url):
    import anthropic

    client = anthropic_client(sim_url, Creds(PLAIN.access_key, "wrong-secret"))
    with pytest.raises(anthropic.PermissionDeniedError) as exc:
        client.messages.create(model=DEFAULT_MODEL, max_tokens=64,
                               messages=[{"role": "user", "content": "Hi"}])
    assert exc.value.status_code == 403
