#!/usr/bin/env python3
"""Python benchmark clients against cairn-sim.

    py_clients.py MODE URL MODEL_ID TOKENS

MODE `boto3`: ConverseStream, consuming every event and counting the text characters.
MODE `anthropic`: AnthropicBedrock messages.stream (InvokeModelWithResponseStream),
consuming text_stream.

Prints one JSON line: {"client": ..., "chars": N, "seconds": S} where S runs from sending the
request to the last token (building the client, imports and interpreter start-up excluded).
"""

from __future__ import annotations

import json
import os
import sys
import time

ACCESS_KEY = "AKIACAIRNSIMULATOR01"
SECRET_KEY = "cairn/simulator/secret/key/0123456789abc"
REGION = "us-east-1"


def prompt(tokens: int) -> str:
    return f"Benchmark answer please [[sim:tokens={tokens}]] [[sim:rate=0]]"


def run_boto3(url: str, model: str, tokens: int) -> tuple[int, float]:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "bedrock-runtime",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=600),
    )
    start = time.perf_counter()
    resp = client.converse_stream(
        modelId=model,
        messages=[{"role": "user", "content": [{"text": prompt(tokens)}]}],
        inferenceConfig={"maxTokens": tokens},
    )
    chars = 0
    stopped = False
    for event in resp["stream"]:
        if "contentBlockDelta" in event:
            chars += len(event["contentBlockDelta"]["delta"].get("text", ""))
        elif "messageStop" in event:
            stopped = True
    if not stopped:
        raise SystemExit("boto3: the stream ended without messageStop")
    return chars, time.perf_counter() - start


def run_anthropic(url: str, model: str, tokens: int) -> tuple[int, float]:
    from anthropic import AnthropicBedrock

    client = AnthropicBedrock(
        aws_access_key=ACCESS_KEY,
        aws_secret_key=SECRET_KEY,
        aws_region=REGION,
        base_url=url,
        max_retries=0,
        timeout=600,
    )
    chars = 0
    start = time.perf_counter()
    with client.messages.stream(
        model=model,
        max_tokens=tokens,
        messages=[{"role": "user", "content": prompt(tokens)}],
    ) as stream:
        for text in stream.text_stream:
            chars += len(text)
    return chars, time.perf_counter() - start


MODES = {"boto3": run_boto3, "anthropic": run_anthropic}


def main(argv: list[str]) -> int:
    if len(argv) != 5 or argv[1] not in MODES:
        print(__doc__, file=sys.stderr)
        return 2
    mode, url, model, tokens = argv[1], argv[2], argv[3], int(argv[4])
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    chars, seconds = MODES[mode](url, model, tokens)
    print(json.dumps({"client": mode, "chars": chars, "seconds": round(seconds, 4)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
