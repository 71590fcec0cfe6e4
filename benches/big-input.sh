#!/usr/bin/env bash
# Classifies a large input and reports peak memory (max RSS) and time, to
# check that newsbait-classify streams its input in bounded memory.
#
#   benches/big-input.sh [SIZE_MB] [THREADS]   a JSONL stream (default 2048 MB, all cores)
#   benches/big-input.sh --line SIZE_MB        one line of SIZE_MB (one paragraph)
#   benches/big-input.sh --text SIZE_MB        a text file of SIZE_MB (one document)
#
# The JSONL input is generated on the fly from training-data/sample.jsonl
# (each line is a document with a "text" field), repeated to SIZE_MB, and
# piped in: no big file is written. --line and --text write their input to
# $TMPDIR (/tmp) once, classify it with text, TSV and JSONL output (output
# counted, not kept; CLASSIFY=path runs another binary), and delete it:
# --line is `政府` repeated (the issue's input: no punctuation, so the
# pieces are cut between ideographs), --text examples/page.txt repeated.
# Needs /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --line ] || [ "${1:-}" = --text ]; then
  mode=$1
  size_mb=${2:?size in MB}
  cargo build --release --quiet --bin newsbait-classify
  bin=${CLASSIFY:-target/release/newsbait-classify}
  input=$(mktemp "${TMPDIR:-/tmp}/big-input.XXXXXX.txt")
  report=$(mktemp)
  trap 'rm -f "$input" "$report"' EXIT
  if [ "$mode" = --line ]; then
    python3 -c "
import sys
chunk = '政府' * (1 << 20)
left = $size_mb << 20
while left > 0:
    part = chunk[: max(1, min(len(chunk), left // 3))]
    sys.stdout.write(part)
    left -= len(part.encode())
sys.stdout.write('\n')" >"$input"
  else
    block=$(mktemp)
    while [ "$(stat -c %s "$block")" -lt 1048576 ]; do cat examples/page.txt >>"$block"; done
    for _ in $(seq $(( size_mb * 1048576 / $(stat -c %s "$block") + 1 ))); do cat "$block"; done >"$input"
    rm -f "$block"
  fi
  bytes=$(stat -c %s "$input")
  echo "input: $mode $(( bytes >> 20 )) MB, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for format in text tsv jsonl; do
    start=$(date +%s.%N)
    out=$(/usr/bin/time -v -o "$report" "$bin" -f "$format" "$input" | wc -c)
    end=$(date +%s.%N)
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")
    printf '%-6s %8.1f s  max RSS %5d MB  output %6d MB  load %s\n' "$format" \
      "$(echo "$end - $start" | bc)" $(( rss_kb / 1024 )) $(( out >> 20 )) \
      "$(cut -d' ' -f1 /proc/loadavg)"
  done
  exit 0
fi
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
