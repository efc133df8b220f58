"""Reads the JSON lines of tests/bench/pdf.sh and prints the medians as a Markdown table."""

import json
import os
import statistics
import sys

rows = [json.loads(line) for line in sys.stdin if line.strip()]
size = os.path.getsize(sys.argv[1]) / 1048576
by: dict[str, list] = {}
for row in rows:
    by.setdefault(row["client"], []).append(row)
med = {c: (statistics.median(x["seconds"] for x in v), statistics.median(x["peakExtraMiB"] for x in v))
       for c, v in by.items()}
base = med["boto3"][0]
print(f"PDF {size:.1f} MiB, medians of {len(by['boto3'])} rounds")
print("| client | wall (s) | x boto3 | peak extra (MiB) | x file size |")
print("|---|---:|---:|---:|---:|")
for client, (seconds, mib) in med.items():
    print(f"| {client} | {seconds:.3f} | {seconds / base:.2f} | {mib:.1f} | {mib / size:.2f} |")
engine = by.get("cairn-engine", [])
if engine and "sendSeconds" in engine[0]:
    attach = statistics.median(r["attachSeconds"] for r in engine)
    send = statistics.median(r["sendSeconds"] for r in engine)
    print(f"\nCairn split: attach (read, check, SHA-256, keep) {attach:.3f} s; "
          f"send to last token {send:.3f} s = {send / base:.2f} x boto3's whole call")
