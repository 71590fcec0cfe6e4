#!/usr/bin/env bash
# Side-by-side speed of newsbait against jieba-rs alone and python peers.
#
#   benches/peers/speed.sh [MB]        (default 50; input built at run time)
#
# Builds target/speed/input.jsonl (>= MB megabytes of pages made from
# ../shared/corpus; corpus text stays under target/, never in the repo), then
# runs each tool on it and prints the median wall time, MB/s, the highest
# peak memory (/usr/bin/time -v) and ratios of the medians; then training on
# the train split likewise. REPEAT (default 5) runs of jieba-rs alone and of
# newsbait, taking turns, and of newsbait-train; PY_REPEAT (default 3) of
# each python peer.
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

REPEAT="${REPEAT:-5}"
# The python peers take minutes a run: fewer repeats by default.
PY_REPEAT="${PY_REPEAT:-3}"
declare -A WALLS RSS
# once NAME CMD...: one timed run, stdout to $OUT/NAME.out; appends its wall
# time to WALLS[NAME] and keeps the highest peak memory in RSS[NAME].
once() {
    local name=$1; shift
    local wall r
    /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" \
        || { echo "$name failed: $(tail -3 "$OUT/$name.err")" >&2; return 0; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$OUT/$name.time")
    r=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$OUT/$name.time")
    WALLS[$name]="${WALLS[$name]:-} $wall"
    [ "$r" -gt "${RSS[$name]:-0}" ] && RSS[$name]=$r
    return 0
}
declare -A WALL
# report NAME: the median of NAME's runs, its MB/s of $BYTES and peak memory.
report() {
    local name=$1 wall
    [ -n "${WALLS[$name]:-}" ] || return 0
    wall=$(printf '%s\n' ${WALLS[$name]} | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
    WALL[$name]=$wall
    printf "%-28s %8.2f s %9.2f MB/s %7s MB peak   (runs:%s)\n" "$name" "$wall" \
        "$(echo "$BYTES / 1000000 / $wall" | bc -l)" "${RSS[$name]}" "${WALLS[$name]}"
}
# run N NAME CMD...: N runs of one tool, then its report.
run() {
    local n=$1 i; shift
    for ((i = 0; i < n; i++)); do once "$@"; done
    report "$1"
}
ratio() {
    [ -n "${WALL[$2]:-}" ] && [ -n "${WALL[$3]:-}" ] || return 0
    printf "  %-50s %8.2fx\n" "$1" "$(echo "${WALL[$3]} / ${WALL[$2]}" | bc -l)"
}

echo "== classify: $(echo "$BYTES / 1000000" | bc) MB, $THREADS threads, $(nproc) cores, median of $REPEAT runs"
# The floor and newsbait-classify take turns, so that a slow spell of a
# shared machine hits both alike.
for ((i = 0; i < REPEAT; i++)); do
    once jieba-rs-segment target/release/examples/segment --threads "$THREADS" "$INPUT"
    once newsbait-classify target/release/newsbait-classify --threads "$THREADS" "$INPUT"
done
report jieba-rs-segment
report newsbait-classify
if [ "${SKIP_PYTHON:-0}" != 1 ]; then
    echo "== train on $CORPUS/train.jsonl (MB/s of that file), median of $PY_REPEAT runs"
    BYTES=$(stat -c %s "$CORPUS/train.jsonl")
    run "$PY_REPEAT" fasttext-train "$PY" "$SCRIPT_DIR/speed_peers.py" train-fasttext "$CORPUS/train.jsonl" "$OUT/ft.bin"
    run "$PY_REPEAT" sklearn-train "$PY" "$SCRIPT_DIR/speed_peers.py" train-sklearn "$CORPUS/train.jsonl" "$OUT/nb.pkl"
    BYTES=$(stat -c %s "$INPUT")
    echo "== classify, python peers, median of $PY_REPEAT runs"
    run "$PY_REPEAT" jieba-py-fasttext "$PY" "$SCRIPT_DIR/speed_peers.py" predict-fasttext "$OUT/ft.bin" "$INPUT"
    run "$PY_REPEAT" jieba-py-sklearn "$PY" "$SCRIPT_DIR/speed_peers.py" predict-sklearn "$OUT/nb.pkl" "$INPUT"
fi
echo "== train newsbait, median of $REPEAT runs"
BYTES=$(stat -c %s "$CORPUS/train.jsonl")
run "$REPEAT" newsbait-train target/release/newsbait-train --threads "$THREADS" --data "$CORPUS/train.jsonl" --out "$OUT/newsbait.model"
echo "== ratios (wall time)"
ratio "newsbait-classify vs jieba-rs segmentation (>= 0.67)" newsbait-classify jieba-rs-segment
ratio "newsbait-classify vs python jieba + fastText (>= 25)" newsbait-classify jieba-py-fasttext
ratio "newsbait-classify vs python jieba + scikit-learn" newsbait-classify jieba-py-sklearn
ratio "newsbait-train vs fastText supervised" newsbait-train fasttext-train
ratio "newsbait-train vs scikit-learn" newsbait-train sklearn-train
