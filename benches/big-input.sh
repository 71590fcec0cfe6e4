#!/usr/bin/env bash
# Classifies a large JSONL stream and reports peak memory (max RSS), to check
# that newsbait-classify streams its input in bounded memory.
#
#   benches/big-input.sh [SIZE_MB] [THREADS]      (default: 2048 MB, all cores)
#
# The input is generated on the fly from training-data/sample.jsonl (each line
# is a document with a "text" field), repeated to SIZE_MB, and piped in: no
# big file is written. Needs /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-2048}
threads=${2:-}
cargo build --release --quiet --bin newsbait-classify
bin=target/release/newsbait-classify

block=$(mktemp)
trap 'rm -f "$block"' EXIT
# A block of about 1 MB: the sample lines repeated, one page a line.
while [ "$(stat -c %s "$block")" -lt 1048576 ]; do cat training-data/sample.jsonl >>"$block"; done
block_bytes=$(stat -c %s "$block")
repeats=$(( size_mb * 1048576 / block_bytes + 1 ))

args=(--input-format jsonl --format jsonl)
[ -n "$threads" ] && args+=(--threads "$threads")

echo "classifying $(( repeats * block_bytes / 1048576 )) MB of JSONL ($repeats x $block_bytes bytes) ..." >&2
start=$(date +%s)
report=$(mktemp)
for ((i = 0; i < repeats; i++)); do cat "$block"; done \
  | /usr/bin/time -v -o "$report" "$bin" "${args[@]}" - \
  | wc -c >"$report.out"
end=$(date +%s)
secs=$(( end - start > 0 ? end - start : 1 ))
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")
echo "input:        $(( repeats * block_bytes / 1048576 )) MB"
echo "output:       $(( $(cat "$report.out") / 1048576 )) MB"
echo "time:         ${secs} s ($(( repeats * block_bytes / 1048576 / secs )) MB/s)"
echo "max RSS:      $(( rss_kb / 1024 )) MB"
rm -f "$report" "$report.out"
