#!/usr/bin/env bash
# Side-by-side speed of newsbait against jieba-rs alone and python peers.
#
#   benches/peers/speed.sh [MB]        (default 50; input built at run time)
#
# Builds target/speed/input.jsonl (>= MB megabytes of pages made from
# ../shared/corpus; corpus text stays under target/, never in the repo), then
# runs each tool REPEAT times (default 3) on it and prints the median wall
# time, MB/s, the highest peak memory (/usr/bin/time -v) and ratios of the
# medians; then training on the train split likewise.
# The python peers use the venv of setup.sh (PEERS_VENV, default
# target/peers-venv); SKIP_PYTHON=1 leaves them out.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CORPUS="${CORPUS:-$ROOT/../shared/corpus}"
MB="${1:-50}"
OUT="$ROOT/target/speed"
VENV="${PEERS_VENV:-$ROOT/target/peers-venv}"
THREADS="$(nproc)"
mkdir -p "$OUT"
cd "$ROOT"

[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS: nothing to measure" >&2; exit 0; }
cargo build --release --quiet --bins --example segment
INPUT="$OUT/input-${MB}mb.jsonl"
[ -s "$INPUT" ] || python3 "$SCRIPT_DIR/make_input.py" --corpus "$CORPUS" --mb "$MB" \
    --jsonl "$INPUT" --txt "$OUT/input-${MB}mb.txt"
BYTES=$(stat -c %s "$INPUT")
if [ "${SKIP_PYTHON:-0}" != 1 ]; then PEERS_VENV="$VENV" "$SCRIPT_DIR/setup.sh" >&2; fi
PY="$VENV/bin/python"

REPEAT="${REPEAT:-3}"
declare -A WALL
# run NAME CMD...: REPEAT timed runs, stdout of the last to $OUT/NAME.out
run() {
    local name=$1; shift
    local walls=() rss=0 i wall r
    for ((i = 0; i < REPEAT; i++)); do
        /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" \
            || { echo "$name failed: $(tail -3 "$OUT/$name.err")" >&2; return 0; }
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$OUT/$name.time")
        r=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$OUT/$name.time")
        walls+=("$wall")
        [ "$r" -gt "$rss" ] && rss=$r
    done
    wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
    WALL[$name]=$wall
    printf "%-28s %8.2f s %9.2f MB/s %7s MB peak   (runs: %s)\n" "$name" "$wall" \
        "$(echo "$BYTES / 1000000 / $wall" | bc -l)" "$rss" "${walls[*]}"
}
ratio() {
    [ -n "${WALL[$2]:-}" ] && [ -n "${WALL[$3]:-}" ] || return 0
    printf "  %-50s %8.2fx\n" "$1" "$(echo "${WALL[$3]} / ${WALL[$2]}" | bc -l)"
}

echo "== classify: $(echo "$BYTES / 1000000" | bc) MB, $THREADS threads, $(nproc) cores, median of $REPEAT runs"
run jieba-rs-segment target/release/examples/segment --threads "$THREADS" "$INPUT"
run newsbait-classify target/release/newsbait-classify --threads "$THREADS" "$INPUT"
if [ "${SKIP_PYTHON:-0}" != 1 ]; then
    echo "== train on $CORPUS/train.jsonl (MB/s of that file)"
    BYTES=$(stat -c %s "$CORPUS/train.jsonl")
    run fasttext-train "$PY" "$SCRIPT_DIR/speed_peers.py" train-fasttext "$CORPUS/train.jsonl" "$OUT/ft.bin"
    run sklearn-train "$PY" "$SCRIPT_DIR/speed_peers.py" train-sklearn "$CORPUS/train.jsonl" "$OUT/nb.pkl"
    BYTES=$(stat -c %s "$INPUT")
    echo "== classify, python peers"
    run jieba-py-fasttext "$PY" "$SCRIPT_DIR/speed_peers.py" predict-fasttext "$OUT/ft.bin" "$INPUT"
    run jieba-py-sklearn "$PY" "$SCRIPT_DIR/speed_peers.py" predict-sklearn "$OUT/nb.pkl" "$INPUT"
fi
echo "== train newsbait"
BYTES=$(stat -c %s "$CORPUS/train.jsonl")
run newsbait-train target/release/newsbait-train --threads "$THREADS" --data "$CORPUS/train.jsonl" --out "$OUT/newsbait.model"
echo "== ratios (wall time)"
ratio "newsbait-classify vs jieba-rs segmentation (>= 0.67)" newsbait-classify jieba-rs-segment
ratio "newsbait-classify vs python jieba + fastText (>= 25)" newsbait-classify jieba-py-fasttext
ratio "newsbait-classify vs python jieba + scikit-learn" newsbait-classify jieba-py-sklearn
ratio "newsbait-train vs fastText supervised" newsbait-train fasttext-train
ratio "newsbait-train vs scikit-learn" newsbait-train sklearn-train
