#!/usr/bin/env bash
# The Python package's benchmarks, in one run (not timed tests):
#
#   benches/python/run.sh [MB]     (default 50)
#
# 1. model.predict (python, newsbait venv) on every paragraph of the MB-megabyte
#    pages input of benches/peers (make_input.py) against
#    `newsbait-classify --no-context` and python jieba + fastText predict
#    (the peers venv of benches/peers/setup.sh), on the same cores; the three
#    take turns, REPEAT runs each (default 5), medians of wall time. Each
#    program's wall time covers its whole run (start-up, reading the JSONL,
#    splitting pages, labelling); `predict call` is the time of the
#    model.predict call alone, on the paragraphs already in a list.
#    The load average is printed before and after: on a busy machine read the
#    ratios, not the absolute figures.
# 2. Spark local[2] cleaning the 396 DAnIEL pages in text form (each page's
#    lines joined by newlines) with newsbait.spark.clean_column, checked
#    identical to `newsbait-classify --keep news`, rows/s beside plain Python.
#
# NEWSBAIT_PY_VENV: a venv with newsbait installed (default
# $CARGO_TARGET_DIR/py-venv, as run-tests.sh makes it); PEERS_VENV (default
# target/peers-venv); SKIP_PEERS=1 leaves python jieba + fastText out.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${CORPUS:-$root/../shared/corpus}"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
venv="${NEWSBAIT_PY_VENV:-$target/py-venv}"
peers="${PEERS_VENV:-$root/target/peers-venv}"
mb="${1:-50}"
repeat="${REPEAT:-5}"
out="$target/python-bench"
mkdir -p "$out"
cd "$root"
[ -d "$corpus" ] || { echo "no corpus at $corpus: nothing to measure" >&2; exit 0; }
[ -x "$venv/bin/python" ] || { echo "no newsbait venv at $venv: run crates/newsbait-py/run-tests.sh first" >&2; exit 1; }
[ "${NO_BUILD:-0}" = 1 ] || cargo build --release --quiet --bin newsbait-classify
classify="$target/release/newsbait-classify"
input="$root/target/speed/input-${mb}mb.jsonl"
[ -s "$input" ] || python3 benches/peers/make_input.py --corpus "$corpus" --mb "$mb" \
    --jsonl "$input" --txt "$root/target/speed/input-${mb}mb.txt"
bytes=$(stat -c %s "$input")
echo "== CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; input $(echo "$bytes / 1000000" | bc) MB"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A walls
# once NAME CMD...: one run, its wall time appended to walls[NAME].
once() {
    local name=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > "$out/$name.out" 2> "$out/$name.err" || { echo "$name failed: $(tail -3 "$out/$name.err")" >&2; return 0; }
    t1=$(date +%s.%N)
    walls[$name]="${walls[$name]:-} $(echo "$t1 - $t0" | bc -l | xargs printf '%.2f')"
}
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

peers_on=0
if [ "${SKIP_PEERS:-0}" != 1 ] && [ -x "$peers/bin/python" ]; then
    peers_on=1
    [ -s "$out/ft.bin" ] || "$peers/bin/python" benches/peers/speed_peers.py train-fasttext "$corpus/train.jsonl" "$out/ft.bin"
fi
export OMP_NUM_THREADS=$(nproc)
for ((i = 0; i < repeat; i++)); do
    once cli "$classify" --no-context --threads "$(nproc)" "$input"
    once python "$venv/bin/python" "$here/bench.py" predict "$input"
    call=$(sed -n 's/^predict_seconds //p' "$out/python.err")
    [ -n "$call" ] && walls[predict-call]="${walls[predict-call]:-} $call"
    [ "$peers_on" = 1 ] && once jieba-fasttext "$peers/bin/python" benches/peers/speed_peers.py predict-fasttext "$out/ft.bin" "$input"
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== model.predict vs the CLI and python jieba + fastText ($repeat runs each, taking turns)"
for n in cli python predict-call jieba-fasttext; do
    [ -n "${walls[$n]:-}" ] || continue
    m=$(median "${walls[$n]}")
    declare "med_${n//-/_}=$m"
    printf "%-16s median %8.2f s %7.2f MB/s   (runs:%s)\n" "$n" "$m" "$(echo "$bytes / 1000000 / $m" | bc -l)" "${walls[$n]}"
done
printf "model.predict call vs newsbait-classify --no-context: %.2fx throughput (target >= 0.9)\n" "$(echo "$med_cli / $med_predict_call" | bc -l)"
printf "python script (read, split, predict) vs newsbait-classify --no-context: %.2fx\n" "$(echo "$med_cli / $med_python" | bc -l)"
[ -n "${med_jieba_fasttext:-}" ] && printf "python script vs python jieba + fastText script: %.1fx (target >= 20)\n" "$(echo "$med_jieba_fasttext / $med_python" | bc -l)"

echo "== cleaning the DAnIEL pages (text form): Spark local[2], plain Python, the CLI"
"$venv/bin/python" "$here/bench.py" daniel-text "$corpus/pages/daniel.jsonl" "$out/daniel-text.jsonl"
"$classify" --keep news -f jsonl "$out/daniel-text.jsonl" > "$out/daniel-cli.jsonl"
"$venv/bin/python" "$here/bench.py" clean-python "$out/daniel-text.jsonl" "$out/daniel-python.jsonl"
PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python" SPARK_LOCAL_IP=127.0.0.1 \
    "$venv/bin/python" "$here/bench.py" clean-spark "$out/daniel-text.jsonl" "$out/daniel-spark.jsonl" "$repeat" 2>&1 \
    | grep -v WARN | grep -E "spark local|Error" || true
# The CLI writes the record back with its text cleaned and a final newline per
# document; compare the text fields, page by page.
"$venv/bin/python" - "$out" <<'PY'
import json, sys
d = sys.argv[1]
def texts(name, strip=False):
    rows = [json.loads(l) for l in open(f"{d}/daniel-{name}.jsonl", encoding="utf-8")]
    return [(r["id"], r["text"].rstrip("\n") if strip else r["text"]) for r in rows]
cli = texts("cli", strip=True)
for name in ("python", "spark"):
    other = texts(name)
    same = sum(a == b for a, b in zip(cli, other))
    print(f"{name}: {same}/{len(cli)} pages identical to newsbait-classify --keep news" + ("" if same == len(cli) == len(other) else "  MISMATCH"))
PY
