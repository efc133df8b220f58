"""Shared pieces of the cairn-sim conformance suite: the simulator's configuration, a process
wrapper, urllib helpers for the simulator's own endpoints, and client constructors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# --- The simulator's configuration for this suite -------------------------------------------

ACCOUNT = "210987654321"
REGION = "us-east-1"


@dataclass(frozen=True)
class Creds:
    access_key: str
    secret_key: str
    session_token: str | None = None
    user_name: str | None = None


PLAIN = Creds("AKIDCAIRNPLAIN01", "plain-secret-0123456789", None, "analyst")
SESSION = Creds("ASIACAIRNSESSION1", "session-secret-9876543210", "FQoGZXIvYXdzEXAMPLETOKEN==", "temp-user")
EXPIRED = Creds("AKIDCAIRNEXPIRED1", "expired-secret-000", None, "old-user")
API_KEY = "ABSKQmVkcm9ja0FQSUtleS1DYWlybg=="
UNKNOWN = Creds("AKIDNOBODYKNOWSME", "whatever-secret")

# Faults: this base model answers 403 AccessDeniedException.
DENIED_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
# The model most tests talk to: the origin document's own example ID.
DEFAULT_MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"

SIM_CONFIG = {
    "account": ACCOUNT,
    "region": REGION,
    "credentials": [
        {"accessKeyId": PLAIN.access_key, "secretAccessKey": PLAIN.secret_key,
         "sessionToken": None, "userName": PLAIN.user_name, "expired": False},
        {"accessKeyId": SESSION.access_key, "secretAccessKey": SESSION.secret_key,
         "sessionToken": SESSION.session_token, "userName": SESSION.user_name, "expired": False},
        {"accessKeyId": EXPIRED.access_key, "secretAccessKey": EXPIRED.secret_key,
         "sessionToken": None, "userName": EXPIRED.user_name, "expired": True},
    ],
    "apiKeys": [API_KEY],
    "tokensPerSecond": 0,
    "answerTokens": 80,
    "firstTokenMs": 0,
    "profilesPageSize": 3,
    "faults": {"accessDeniedModels": [DENIED_MODEL], "throttleAll": False},
}


# --- Starting the simulator ------------------------------------------------------------------

LISTEN_RE = re.compile(r"^cairn-sim listening on (http://127\.0\.0\.1:(\d+))\s*$")


def sim_binary() -> Path:
    raw = os.environ.get("CAIRN_SIM_BIN", "target/debug/cairn-sim")
    path = Path(raw)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


class SimProcess:
    """A running cairn-sim: its URL, its process and what it printed."""

    def __init__(self, args: list[str], log_path: Path):
        binary = sim_binary()
        if not binary.exists():
            pytest.fail(f"cairn-sim binary not found at {binary} (set CAIRN_SIM_BIN)", pytrace=False)
        self.log_path = log_path
        self._stderr = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [str(binary), *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
        )
        self.first_line = self._read_first_line(timeout=20)
        self.url = None
        self.port = None
        m = LISTEN_RE.match(self.first_line)
        if m:
            self.url, self.port = m.group(1), int(m.group(2))
        # Keep draining stdout so the simulator never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _read_first_line(self, timeout: float) -> str:
        box: list[bytes] = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            self.stop()
            pytest.fail(f"cairn-sim printed nothing within {timeout}s; stderr: {self.stderr_text()}")
        return box[0].decode("utf-8", "replace").rstrip("\r\n")

    def _drain(self):
        try:
            for _ in self.proc.stdout:
                pass
        except (OSError, ValueError):
            pass

    def stderr_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._stderr.close()







# --- Plain HTTP helpers (urllib only) -------------------------------------------------------

@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 30) -> RawResponse:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return RawResponse(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        return RawResponse(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


class Recorder:
    """Read and clear the simulator's recorded requests."""

    def __init__(self, url: str):
        self.url = url

    def clear(self):
        resp = http("DELETE", f"{self.url}/_sim/requests")
        assert 200 <= resp.status < 300, f"DELETE /_sim/requests answered {resp.status}: {resp.body!r}"

    def all(self) -> list[dict]:
        resp = http("GET", f"{self.url}/_sim/requests")
        assert resp.status == 200, f"GET /_sim/requests answered {resp.status}: {resp.body!r}"
        data = resp.json()
        assert isinstance(data, list), f"GET /_sim/requests should return a JSON array, got {type(data).__name__}"
        return data

    def of(self, operation: str) -> list[dict]:
        want = norm_op(operation)
        return [r for r in self.all() if norm_op(str(r.get("operation", ""))) == want]

    def only(self, operation: str) -> dict:
        found = self.of(operation)
        assert len(found) == 1, (
            f"expected exactly one recorded {operation} request, got {len(found)}: "
            f"{[r.get('operation') for r in self.all()]}"
        )
        return found[0]


def norm_op(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def recorded_body(entry: dict):
    """The recorded body as JSON (the simulator may store it parsed or as a string)."""
    body = entry.get("body")
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8")
    if isinstance(body, str):
        return json.loads(body)
    return body



# --- boto3 / anthropic clients --------------------------------------------------------------

def boto_client(service: str, url: str, creds: Creds = PLAIN):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.session_token,
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        ),
    )





def anthropic_client(url: str, creds: Creds = PLAIN, **kwargs):
    from anthropic import AnthropicBedrock

    if "api_key" in kwargs:
        return AnthropicBedrock(aws_region=REGION, base_url=url, max_retries=0, timeout=60, **kwargs)
    return AnthropicBedrock(
        aws_access_key=creds.access_key,
        aws_secret_key=creds.secret_key,
        aws_session_token=creds.session_token,
        aws_region=REGION,
        base_url=url,
        max_retries=0,
        timeout=60,
        **kwargs,
    )



# --- Small helpers shared by the test modules -------------------------------------------------

def user_text(text: str) -> dict:
    return {"role": "user", "content": [{"text": text}]}


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# --- The origin document's model table ---------------------------------------------------------
# (shared/seeds/claude-on-bedrock.zh-TW.md, "API 模型 ID"): base ID -> which of the
# global / us / eu / jp / apac inference profiles exist ("是" = yes, "否" = no).

PROFILE_PREFIXES = ("global", "us", "eu", "jp", "apac")

ORIGIN_TABLE = {
    # name                  base Bedrock model ID                        global us    eu     jp     apac
    "Claude Sonnet 4.5": ("anthropic.claude-sonnet-4-5-20250929-v1:0", (True, True, True, True, False)),
    "Claude Sonnet 4": ("anthropic.claude-sonnet-4-20250514-v1:0", (True, True, True, False, True)),
    "Claude Sonnet 3.7": ("anthropic.claude-3-7-sonnet-20250219-v1:0", (False, True, True, False, True)),
    "Claude Opus 4.5": ("anthropic.claude-opus-4-5-20251101-v1:0", (True, True, True, False, False)),
    "Claude Opus 4.1": ("anthropic.claude-opus-4-1-20250805-v1:0", (False, True, False, False, False)),
    "Claude Opus 4": ("anthropic.claude-opus-4-20250514-v1:0", (False, True, False, False, False)),
    "Claude Opus 3": ("anthropic.claude-3-opus-20240229-v1:0", (False, True, False, False, False)),
    "Claude Haiku 4.5": ("anthropic.claude-haiku-4-5-20251001-v1:0", (True, True, True, False, False)),
    "Claude Haiku 3.5": ("anthropic.claude-3-5-haiku-20241022-v1:0", (False, True, False, False, False)),
    "Claude Haiku 3": ("anthropic.claude-3-haiku-20240307-v1:0", (False, True, True, False, True)),
}

# The origin document's deprecation notes (Sonnet 3.7, Opus 3, Haiku 3.5).
DEPRECATED = {
    "anthropic.claude-3-7-sonnet-20250219-v1:0",
    "anthropic.claude-3-opus-20240229-v1:0",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
}


def expected_profiles() -> dict[str, set[str]]:
    """base ID -> set of profile IDs the origin table says exist."""
    out: dict[str, set[str]] = {}
    for base, flags in ORIGIN_TABLE.values():
        out[base] = {f"{p}.{base}" for p, on in zip(PROFILE_PREFIXES, flags) if on}
    return out


# --- Checking what the answer says it received -------------------------------------------------

def count_re(noun: str, n: int) -> re.Pattern:
    """Matches "3 messages", "3 message(s)", "messages: 3", "Messages received: 3", ..."""
    return re.compile(
        rf"\b{n}\s+{noun}s?\b|\b{noun}s?(\(s\))?(\s+[a-z]+)?\s*[:=]?\s*{n}\b",
        re.IGNORECASE,
    )


CITATIONS_ON_RE = re.compile(
    r"citations?\s*(?:[:=]|were|was|are|is)?\s*(?:on|enabled|true|yes)\b"
    r"|(?:with|enabled)\s+citations",
    re.IGNORECASE,
)


def assert_mentions(text: str, *, model_id: str | None = None, api: str | None = None,
                    messages: int | None = None):
    """The simulator's answer says what it received; check the parts a test controls."""
    if model_id is not None:
        assert model_id in text, f"answer does not name the model {model_id!r}: {text[:400]!r}"
    if api is not None:
        squashed = re.sub(r"[^a-z]", "", text.lower())
        assert api.lower() in squashed, f"answer does not name the API {api!r}: {text[:400]!r}"
    if messages is not None:
        assert count_re("message", messages).search(text), (
            f"answer does not say it got {messages} message(s): {text[:400]!r}"
        )


# --- Signed raw requests (to look at the wire itself) -----------------------------------------

def signed_request(url: str, method: str, path: str, body: bytes = b"", *,
                   creds: Creds = PLAIN, service: str = "bedrock",
                   headers: dict | None = None, timeout: float = 30):
    """Send a SigV4-signed request with urllib (botocore only signs) and return
    (status, headers, body bytes)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    hdrs = {"Content-Type": "application/json", **(headers or {})}
    req = AWSRequest(method=method, url=url + path, data=body, headers=hdrs)
    SigV4Auth(Credentials(creds.access_key, creds.secret_key, creds.session_token),
              service, REGION).add_auth(req)
    prepared = req.prepare()
    raw = urllib.request.Request(prepared.url, data=body or None, method=method,
                                 headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(raw, timeout=timeout) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()
    except http_client_errors() as err:  # connection cut mid-body
        return None, {}, getattr(err, "partial", b"") or b""


def http_client_errors():
    import http.client

    return (http.client.IncompleteRead,)


def decode_event_stream(data: bytes) -> tuple[list[dict], bytes]:
    """Decode application/vnd.amazon.eventstream frames with botocore's own decoder
    (which checks both CRCs). Returns ([{"headers", "payload"}], undecoded tail)."""
    from botocore.eventstream import EventStreamBuffer

    buf = EventStreamBuffer()
    buf.add_data(data)
    frames = []
    consumed = 0
    for msg in buf:
        frames.append({"headers": dict(msg.headers), "payload": msg.payload})
        consumed += msg.prelude.total_length
    return frames, data[consumed:]


def quote_model(model_id: str) -> str:
    return urllib.parse.quote(model_id, safe="")
