#!/usr/bin/env bash
# The speed table of the README, measured in one run.
#
#   benches/speed.sh            REPEAT (default 5) rounds, PY_REPEAT (default
#                               REPEAT) of them with the python peers
#   SKIP_PYTHON=1 benches/speed.sh   leaves the python peers and trafilatura out
#   NO_WRITE=1 benches/speed.sh      prints the table without writing it
#
# Inputs, built at run time under target/speed/ from ../shared/corpus (they
# hold corpus text: never commit them):
#   pages    >= 50 MB of pages, corpus lines repeated (peers/make_input.py)
#   distinct every distinct line of the corpus once, in pages of 5-40 lines
#            (speed_inputs.py distinct): nothing for a cache to find
#   crawl    a dozen pages per DAnIEL page, grouped by site, each keeping its
#            page's chrome around a new article (speed_inputs.py crawl)
#   html     the 396 DAnIEL pages as raw HTML (pages/daniel-html.jsonl)
# Tools, whole processes on every core, taking turns within each round so
# that a slow spell of the shared machine hits all alike:
#   floor          jieba-rs cutting every paragraph, nothing else (examples/segment)
#   newsbait       newsbait-classify -f jsonl, cache on (default) and --no-cache
#   jieba+fastText python jieba (parallel mode) + fastText predict (peers/)
#   trafilatura    trafilatura.extract on the HTML pages, one process; its own
#                  pages/s of extract alone (peers/trafilatura_pages.py)
#   newsbait (python)  the Python package's model.classify_pages, the same
#                  library path with context and the cache (python/bench.py
#                  classify-pages), when NEWSBAIT_PY_VENV (default
#                  target/py-venv, as crates/newsbait-py/run-tests.sh makes
#                  it) has newsbait installed; SKIP_PYAPI=1 leaves it out
# Each figure is the median of the rounds' wall times (/usr/bin/time -v),
# with the highest peak RSS; newsbait's cache hit rate is from --stats. The
# table goes to benches/speed-table.md and between the speed-table markers of
# README.md, with the CPU (lscpu) and the load average.
set -euo pipefail
BENCHES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCHES/.." && pwd)"
CORPUS="${CORPUS:-$ROOT/../shared/corpus}"
OUT="$ROOT/target/speed"
VENV="${PEERS_VENV:-$ROOT/target/peers-venv}"
PY_API_VENV="${NEWSBAIT_PY_VENV:-$ROOT/target/py-venv}"
REPEAT="${REPEAT:-5}"
PY_REPEAT="${PY_REPEAT:-$REPEAT}"
THREADS="$(nproc)"
mkdir -p "$OUT"
cd "$ROOT"
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS: nothing to measure" >&2; exit 0; }

cargo build --release --quiet --bins --example segment
declare -A INPUT PAGES
INPUT[pages]="$OUT/input-50mb.jsonl"
[ -s "${INPUT[pages]}" ] || python3 "$BENCHES/peers/make_input.py" --corpus "$CORPUS" --mb 50 \
    --jsonl "${INPUT[pages]}" --txt "$OUT/input-50mb.txt"
for kind in distinct crawl; do
    INPUT[$kind]="$OUT/$kind.jsonl"
    [ -s "${INPUT[$kind]}" ] || python3 "$BENCHES/speed_inputs.py" --corpus "$CORPUS" "$kind" "${INPUT[$kind]}"
done
INPUT[html]="$CORPUS/pages/daniel-html.jsonl"
for kind in pages distinct crawl html; do PAGES[$kind]=$(wc -l < "${INPUT[$kind]}"); done
PYTHON=0
if [ "${SKIP_PYTHON:-0}" != 1 ]; then
    PEERS_VENV="$VENV" "$BENCHES/peers/setup.sh" >&2
    PYTHON=1
    PY="$VENV/bin/python"
    [ -s "$OUT/ft.bin" ] || "$PY" "$BENCHES/peers/speed_peers.py" train-fasttext \
        "$CORPUS/train.jsonl" "$OUT/ft.bin" >&2
fi

PYAPI=0
if [ "${SKIP_PYAPI:-0}" != 1 ] && "$PY_API_VENV/bin/python" -c 'import newsbait' 2>/dev/null; then
    PYAPI=1
else
    echo "no newsbait Python package in $PY_API_VENV (crates/newsbait-py/run-tests.sh makes it): its rows are left out" >&2
fi

declare -A WALLS RSS HITS TRAF
# once KEY CMD...: one timed run, stdout to $OUT/KEY.out; appends its wall
# time to WALLS[KEY], keeps the highest peak RSS (MB) in RSS[KEY].
once() {
    local key=$1; shift
    if ! /usr/bin/time -v -o "$OUT/$key.time" "$@" > "$OUT/$key.out" 2> "$OUT/$key.err"; then
        echo "$key failed: $(tail -3 "$OUT/$key.err")" >&2
        exit 1
    fi
    local wall r
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$OUT/$key.time")
    r=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$OUT/$key.time")
    WALLS[$key]="${WALLS[$key]:-} $wall"
    if [ "$r" -gt "${RSS[$key]:-0}" ]; then RSS[$key]=$r; fi
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
CLASSIFY=(target/release/newsbait-classify -f jsonl --stats --threads "$THREADS")
for ((round = 0; round < REPEAT; round++)); do
    echo "round $((round + 1))/$REPEAT, load $(cut -d' ' -f1 /proc/loadavg)" >&2
    for kind in pages distinct crawl; do
        once "$kind.floor" target/release/examples/segment --threads "$THREADS" "${INPUT[$kind]}"
        once "$kind.cache" "${CLASSIFY[@]}" "${INPUT[$kind]}"
        HITS[$kind]=$(grep -o 'cache: [0-9.]*%' "$OUT/$kind.cache.err" | grep -o '[0-9.]*%')
        once "$kind.nocache" "${CLASSIFY[@]}" --no-cache "${INPUT[$kind]}"
        cmp -s "$OUT/$kind.cache.out" "$OUT/$kind.nocache.out" \
            || { echo "$kind: output differs with the cache on and off" >&2; exit 1; }
        if [ "$PYAPI" = 1 ]; then
            once "$kind.pyapi" "$PY_API_VENV/bin/python" "$BENCHES/python/bench.py" classify-pages "${INPUT[$kind]}"
        fi
        if [ "$PYTHON" = 1 ] && [ "$round" -lt "$PY_REPEAT" ]; then
            once "$kind.python" "$PY" "$BENCHES/peers/speed_peers.py" predict-fasttext "$OUT/ft.bin" "${INPUT[$kind]}"
        fi
    done
    once html.cache "${CLASSIFY[@]}" "${INPUT[html]}"
    HITS[html]=$(grep -o 'cache: [0-9.]*%' "$OUT/html.cache.err" | grep -o '[0-9.]*%')
    once html.nocache "${CLASSIFY[@]}" --no-cache "${INPUT[html]}"
    cmp -s "$OUT/html.cache.out" "$OUT/html.nocache.out" \
        || { echo "html: output differs with the cache on and off" >&2; exit 1; }
    if [ "$PYTHON" = 1 ] && [ "$round" -lt "$PY_REPEAT" ]; then
        once html.trafilatura "$PY" "$BENCHES/peers/trafilatura_pages.py" --only trafilatura \
            "${INPUT[html]}" "$OUT/trafilatura"
        TRAF[runs]="${TRAF[runs]:-} $(python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["seconds"])' < "$OUT/html.trafilatura.out")"
    fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A WALL
for key in "${!WALLS[@]}"; do
    # shellcheck disable=SC2086
    WALL[$key]=$(median ${WALLS[$key]})
done
if [ -n "${TRAF[runs]:-}" ]; then
    # shellcheck disable=SC2086
    WALL[html.trafilatura]=$(median ${TRAF[runs]})
fi
calc() { python3 -c "print(format($1, '$2'))"; }
# row KIND TOOL KEY: a table row of one tool on one input.
row() {
    local kind=$1 tool=$2 key=$3 bytes wall note=""
    [ -n "${WALL[$key]:-}" ] || return 0
    bytes=$(stat -c %s "${INPUT[$kind]}")
    wall=${WALL[$key]}
    case $key in
        *.cache) note="${HITS[$kind]:-} hits" ;;
    esac
    if [ "$key" = html.trafilatura ]; then
        note="extract alone; peak RSS of the process"
    fi
    printf '| %s | %s | %s s | %s | %s | %s MB | %s |\n' "$kind" "$tool" "$(calc "$wall" .2f)" \
        "$(calc "$bytes / 1e6 / $wall" .1f)" "$(calc "${PAGES[$kind]} / $wall" ,.0f)" \
        "${RSS[$key]}" "$note"
}
# ratio A B: how many times faster A is than B (B's wall over A's).
ratio() {
    if [ -n "${WALL[$1]:-}" ] && [ -n "${WALL[$2]:-}" ]; then echo "$(calc "${WALL[$2]} / ${WALL[$1]}" .2f)×"; else echo "–"; fi
}
CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
COMMIT=$(git rev-parse --short HEAD)
TABLE="$OUT/speed-table.md"
{
    echo "\`benches/speed.sh\` (commit $COMMIT, $(date -u +%Y-%m-%d)): $CPU, $(nproc) cores, $THREADS threads;"
    echo "load average $LOAD_START at the start, $LOAD_END at the end;"
    echo "median of $REPEAT rounds, python peers and trafilatura $([ "$PYTHON" = 1 ] && echo "$PY_REPEAT" || echo "not run")."
    echo
    echo "| input | tool | wall | MB/s | pages/s | peak RSS | |"
    echo "|---|---|---|---|---|---|---|"
    for kind in pages distinct crawl; do
        row "$kind" "jieba-rs segmentation alone (floor)" "$kind.floor"
        row "$kind" "**newsbait-classify -f jsonl**" "$kind.cache"
        row "$kind" "newsbait-classify --no-cache" "$kind.nocache"
        row "$kind" "newsbait Python \`model.classify_pages\`" "$kind.pyapi"
        row "$kind" "python jieba + fastText" "$kind.python"
    done
    row html "**newsbait-classify -f jsonl**" html.cache
    row html "newsbait-classify --no-cache" html.nocache
    row html "trafilatura 2.3.1 extract" html.trafilatura
    echo
    echo "| ratio (wall times' medians) | pages | distinct | crawl | target |"
    echo "|---|---|---|---|---|"
    echo "| newsbait (cache on) vs the floor | $(ratio pages.cache pages.floor) | $(ratio distinct.cache distinct.floor) | $(ratio crawl.cache crawl.floor) | ≥ 0.75×, 0.75×, 1.5× |"
    echo "| newsbait --no-cache vs the floor | $(ratio pages.nocache pages.floor) | $(ratio distinct.nocache distinct.floor) | $(ratio crawl.nocache crawl.floor) | |"
    [ "$PYAPI" = 1 ] && echo "| newsbait Python (classify_pages) vs the floor | $(ratio pages.pyapi pages.floor) | $(ratio distinct.pyapi distinct.floor) | $(ratio crawl.pyapi crawl.floor) | |"
    echo "| newsbait vs python jieba + fastText | $(ratio pages.cache pages.python) | $(ratio distinct.cache distinct.python) | $(ratio crawl.cache crawl.python) | ≥ 25× on pages |"
    echo
    echo "HTML, the 396 DAnIEL pages: newsbait $(ratio html.cache html.trafilatura) trafilatura's pages/s (target ≥ 10×)."
    echo "newsbait's figures are whole processes (start-up, reading, writing JSONL) and its output is byte-identical with the cache on and off (checked every round)."
} > "$TABLE"
cat "$TABLE"
if [ "${NO_WRITE:-0}" != 1 ]; then
    cp "$TABLE" "$BENCHES/speed-table.md"
    python3 - "$ROOT/README.md" "$TABLE" <<'PY'
import sys
readme, table = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
begin, end = "<!-- speed-table:begin (benches/speed.sh writes this) -->", "<!-- speed-table:end -->"
text = open(readme, encoding="utf-8").read()
head, rest = text.split(begin)
_, tail = rest.split(end)
open(readme, "w", encoding="utf-8").write(head + begin + "\n" + table + end + tail)
PY
    echo "wrote benches/speed-table.md and README.md's speed table" >&2
fi
