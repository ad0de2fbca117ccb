#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): detection throughput, and an end-to-end scan of a
# generated 500-page text PDF against pdftotext. Every input is generated here.
#   scripts/bench.sh            # all
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CARGO_TARGET_DIR:-target}/release
out=${CARGO_TARGET_DIR:-target}/bench
mkdir -p "$out"

echo "== machine"
echo "cores: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr)"

echo "== detection throughput (one core)"
cargo run --quiet --release -p clearance-detect --example detect_bench

echo "== end-to-end scan of a 500-page text PDF"
cargo build --quiet --release -p clearance-cli --examples --bin clearance
$bin/examples/make_bench_pdf "$out/bench-500.pdf" 500
runs=3
best_scan=""; best_ref=""
for i in $(seq $runs); do
  # -o: time's own report must not go where the scan's stderr is thrown away.
  /usr/bin/time -f "%e %M" -o "$out/scan-time.txt" $bin/clearance scan --json --no-ocr -j 1 \
    --rules fixtures/rules.toml "$out/bench-500.pdf" > "$out/scan.json" 2>/dev/null || true
  s=$(tail -1 "$out/scan-time.txt")
  best_scan=$(printf '%s\n%s\n' "$best_scan" "$s" | sed '/^$/d' | sort -n | head -1)
done
echo "clearance scan: best of $runs: $(cut -d' ' -f1 <<<"$best_scan") s wall"
# Peak memory of the worker that parsed the PDF (the parent only holds the report).
$bin/clearance scan --json --stats --no-ocr -j 1 --rules fixtures/rules.toml "$out/bench-500.pdf" \
  2>&1 >/dev/null | grep '^stats:' || true
if command -v pdftotext >/dev/null; then
  for i in $(seq $runs); do
    r=$( { /usr/bin/time -f "%e %M" pdftotext "$out/bench-500.pdf" "$out/ref.txt"; } 2>&1 | tail -1)
    best_ref=$(printf '%s\n%s\n' "$best_ref" "$r" | sed '/^$/d' | sort -n | head -1)
  done
  echo "pdftotext: best of $runs: $(cut -d' ' -f1 <<<"$best_ref") s wall, $(cut -d' ' -f2 <<<"$best_ref") KiB peak"
  awk -v a="$(cut -d' ' -f1 <<<"$best_scan")" -v b="$(cut -d' ' -f1 <<<"$best_ref")" \
    'BEGIN { if (b > 0) printf "ratio clearance/pdftotext: %.2fx (target <= 1.5x); pages/s: %.0f\n", a/b, 500/a }'
else
  echo "pdftotext not installed: no reference time"
fi

echo "== OCR, 300-dpi A4 pages, one core"
if command -v tesseract >/dev/null; then
  cargo run --quiet --release -p clearance-ocr --example ocr_bench -- 2
else
  echo "tesseract not installed: no OCR figures"
fi
