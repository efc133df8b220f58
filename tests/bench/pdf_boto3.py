#!/usr/bin/env python3
"""boto3 `converse` with a PDF document (citations on), as the baseline for `cairn-bench pdf`:
prints {"client", "seconds", "peakExtraMiB"} — from reading the file to the answer, and the peak
resident memory above what the process held before reading it."""

from __future__ import annotations

import json
import resource
import sys
import time


def rss_kib() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    import boto3
    from botocore.config import Config

    url, path = sys.argv[1], sys.argv[2]
    client = boto3.client(
        "bedrock-runtime", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="AKIACAIRNSIMULATOR01",
        aws_secret_access_key="cairn/simulator/secret/key/0123456789abc",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=600))
    before = rss_kib()
    started = time.perf_counter()
    data = open(path, "rb").read()
    client.converse(
        modelId="global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        messages=[{"role": "user", "content": [
            {"document": {"format": "pdf", "name": "Document 1", "source": {"bytes": data},
                          "citations": {"enabled": True}}},
            {"text": "What is in this report? [[sim:tokens=50]] [[sim:rate=0]]"}]}])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"client": "boto3", "seconds": seconds, "peakExtraMiB": (peak - before) / 1024}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
