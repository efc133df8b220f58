#!/usr/bin/env python3
"""Benchmark streaming clients against cairn-sim: wall time and peak memory per process.

Each client is a separate process that prints one JSON line {"client", "chars", "seconds"}.
It is spawned with subprocess.Popen and reaped with os.wait4, whose rusage gives that
child's peak RSS (ru_maxrss, KiB on Linux). Each client runs N times; the table keeps the
median wall time and the max RSS, with ratios against a baseline row.

    python tests/bench/run.py                       # starts target/release/cairn-sim itself
    python tests/bench/run.py --url http://127.0.0.1:PORT --tokens 20000 --repeat 5
    python tests/bench/run.py --client 'mine=./my-client {url} {model} {tokens}' --baseline mine
    python tests/bench/run.py --only boto3,anthropic

Command templates may use {url}, {model}, {tokens}, {python} (this interpreter) and {root}
(the repository root). Clients whose program does not exist are skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# name -> command template. Order is the table's order.
CLIENTS: dict[str, str] = {
    "engine": "{root}/target/release/cairn-bench engine {url} {model} {tokens}",
    "sdk": "{root}/target/release/cairn-bench sdk {url} {model} {tokens}",
    "boto3": "{python} {root}/tests/bench/py_clients.py boto3 {url} {model} {tokens}",
    "anthropic": "{python} {root}/tests/bench/py_clients.py anthropic {url} {model} {tokens}",
}
DEFAULT_BASELINE = "sdk"
DEFAULT_MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
DEFAULT_TOKENS = 20000
DEFAULT_REPEAT = 3
DEFAULT_SIM = "{root}/target/release/cairn-sim"


def expand(template: str, **values) -> list[str]:
    return [part.format(**values) for part in shlex.split(template)]


class Simulator:
    def __init__(self, binary: str):
        self.dir = tempfile.TemporaryDirectory(prefix="cairn-bench-")
        config = Path(self.dir.name) / "sim.json"
        config.write_text(json.dumps({"tokensPerSecond": 0}))
        self.proc = subprocess.Popen([binary, "--port", "0", "--config", str(config)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode().strip()
        prefix = "cairn-sim listening on "
        if not line.startswith(prefix):
            self.stop()
            raise SystemExit(f"unexpected first line from {binary}: {line!r}")
        self.url = line[len(prefix):]
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.dir.cleanup()


def run_once(argv: list[str]) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    # Read the pipes on threads so a chatty child cannot block before wait4 reaps it.
    out: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda k=k, f=f: out.__setitem__(k, f.read()), daemon=True)
        for k, f in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for r in readers:
        r.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    for r in readers:
        r.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {out.get('stderr', b'')[-800:].decode(errors='replace')}")
    lines = [l for l in out.get("stdout", b"").decode().splitlines() if l.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"{argv[0]} printed no JSON line")
    result = json.loads(lines[-1])
    return {"wall": wall, "rss_kib": usage.ru_maxrss, "seconds": float(result["seconds"]),
            "chars": int(result["chars"]), "client": result.get("client")}


def fmt_ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running simulator; default: start one")
    parser.add_argument("--sim-bin", default=DEFAULT_SIM, help="simulator binary to start (default %(default)s)")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--tokens", type=int, default=DEFAULT_TOKENS)
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument("--client", action="append", default=[], metavar="NAME=COMMAND",
                        help="add or replace a client command template (repeatable)")
    parser.add_argument("--only", help="comma-separated client names to run")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="row the ratios compare to")
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()

    clients = dict(CLIENTS)
    for spec in args.client:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command:
            parser.error(f"--client wants NAME=COMMAND, got {spec!r}")
        clients[name] = command
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in clients]
        if unknown:
            parser.error(f"unknown clients: {unknown}")
        clients = {n: clients[n] for n in wanted}

    sim = None
    url = args.url
    if not url:
        sim = Simulator(args.sim_bin.format(root=ROOT))
        url = sim.url
    values = {"url": url, "model": args.model, "tokens": args.tokens, "python": sys.executable, "root": ROOT}

    results: dict[str, dict] = {}
    failed: dict[str, str] = {}
    try:
        commands: dict[str, list[str]] = {}
        for name, template in clients.items():
            argv = expand(template, **values)
            program = Path(argv[0])
            if program.is_absolute() and not program.exists():
                print(f"skipping {name}: {program} not found", file=sys.stderr)
                continue
            commands[name] = argv
        runs: dict[str, list[dict]] = {name: [] for name in commands}
        # Rounds interleave the clients so that drift in machine load hits them all alike.
        for i in range(args.repeat):
            for name, argv in commands.items():
                if name in failed:
                    continue
                try:
                    run = run_once(argv)
                except RuntimeError as err:
                    print(f"{name} failed: {err}", file=sys.stderr)
                    failed[name] = str(err).splitlines()[-1] if str(err) else "failed"
                    continue
                print(f"{name} run {i + 1}/{args.repeat}: {run['wall']:.3f} s wall, "
                      f"{run['rss_kib'] / 1024:.1f} MiB, {run['chars']} chars", file=sys.stderr)
                runs[name].append(run)
        for name, done in runs.items():
            if not done or name in failed:
                continue
            results[name] = {
                "wall": statistics.median(r["wall"] for r in done),
                "seconds": statistics.median(r["seconds"] for r in done),
                "rss_kib": max(r["rss_kib"] for r in done),
                "chars": done[-1]["chars"],
                "runs": done,
            }
    finally:
        if sim:
            sim.stop()

    if not results:
        print("no client ran", file=sys.stderr)
        return 1
    base = results.get(args.baseline) or next(iter(results.values()))
    base_name = args.baseline if args.baseline in results else next(iter(results))
    print(f"{args.tokens} tokens, median of {args.repeat} runs; ratios against `{base_name}`\n")
    print("`stream` is the time each client reports from sending the request to the last token "
          "(set-up such as opening the database or building SDK clients excluded); `wall` is the "
          "whole process.\n")
    print("| client | stream (s) | × | wall (s) | × | peak RSS (MiB) | × | chars |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['seconds']:.3f} | {fmt_ratio(r['seconds'], base['seconds'])} "
              f"| {r['wall']:.3f} | {fmt_ratio(r['wall'], base['wall'])} "
              f"| {r['rss_kib'] / 1024:.1f} | {fmt_ratio(r['rss_kib'], base['rss_kib'])} | {r['chars']} |")
    for name, why in failed.items():
        print(f"| {name} | failed | | | | | {why[:80]} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"tokens": args.tokens, "model": args.model,
                                               "baseline": base_name, "results": results,
                                               "failed": failed}, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
