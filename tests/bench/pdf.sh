#!/usr/bin/env bash
# A large PDF sent through Converse: Cairn's engine (attach checks + SHA-256 + store + send)
# against boto3 `converse` with the same file and simulator. Release builds, 5 interleaved
# rounds, medians. Not a test: it prints numbers. SIZE_MB (default 23) is the PDF's size: the
# largest that fits a 32 MB request once base64-encoded; the 30 MB fixture is refused before
# sending, by Cairn as by Bedrock.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p cairn-sim -p cairn-bench
source tests/python-env.sh >/dev/null
work=$(mktemp -d)
trap 'kill $sim 2>/dev/null || true; rm -rf "$work"' EXIT
python - "$work/large.pdf" "${SIZE_MB:-23}" <<'PY'
import sys
sys.path.insert(0, "tests/conformance")
from pdfgen import make_pdf
open(sys.argv[1], "wb").write(make_pdf(["A large scanned report."], padding=int(float(sys.argv[2]) * 1024 * 1024)))
PY
target/release/cairn-sim --port 0 > "$work/sim.out" 2>/dev/null &
sim=$!
for _ in $(seq 50); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
url=$(head -1 "$work/sim.out" | awk '{print $NF}')
for round in 1 2 3 4 5; do
  target/release/cairn-bench pdf "$url" "$work/large.pdf"
  python tests/bench/pdf_boto3.py "$url" "$work/large.pdf"
done | python tests/bench/pdf_table.py "$work/large.pdf"
