#!/usr/bin/env bash
# Generates evaluation reports with newsbait-eval and runs notebooks/report.ipynb on them
# headless, in its own virtual environment (pinned in notebooks/requirements.txt).
#
#   notebooks/run.sh            # reports under target/notebook/reports, executed notebook
#                               # at target/notebook/report.ipynb
#
#   NOTEBOOK_VENV   venv location (default: <project root>/target/notebook-venv)
#   CORPUS          the shared corpus (default: <project root>/../shared/corpus); without it
#                   the notebook runs on training-data/sample.jsonl
#   PEERS           peer prediction files (default: <project root>/target/peers, written by
#                   benches/peers/run.sh); each <peer>/test.jsonl and pages.jsonl found
#                   there gets a report too
#
# Everything written stays under target/ (<project root>/target, whatever CARGO_TARGET_DIR
# says: the reports hold corpus text); only the binary is built where cargo builds.
# Ends with notebooks/check_plots.py, which fails when a plotting cell has no image.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${NOTEBOOK_VENV:-$ROOT/target/notebook-venv}"
CORPUS="${CORPUS:-$ROOT/../shared/corpus}"
PEERS="${PEERS:-$ROOT/target/peers}"
OUT="$ROOT/target/notebook"
REPORTS="$OUT/reports"
REQUIREMENTS="$ROOT/notebooks/requirements.txt"

log() { echo "[notebook] $*" >&2; }

# The venv, rebuilt only when the pinned requirements change.
stamp="$VENV/.requirements.sha256"
want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        log "installing python3-venv"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    log "creating $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
    echo "$want" > "$stamp"
fi

# Build newsbait-eval and ask cargo where the executable went (CARGO_TARGET_DIR and the
# workspace layout respected).
log "building newsbait-eval"
EVAL="$("$ROOT/scripts/release-bin.sh" newsbait-eval)"
log "using $EVAL"

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
if [ -f "$CORPUS/test.jsonl" ]; then
    DATA="$CORPUS/test.jsonl"
else
    log "no corpus at $CORPUS: using training-data/sample.jsonl"
    DATA="$ROOT/training-data/sample.jsonl"
fi
PAGES="$CORPUS/pages/netease.jsonl"

"$EVAL" --quiet --data "$DATA" --out "$REPORTS/newsbait-test" >/dev/null
"$EVAL" --quiet --data "$DATA" --group-by kind --out "$REPORTS/newsbait-test-by-kind" >/dev/null
if [ -f "$PAGES" ]; then
    "$EVAL" --quiet --pages "$PAGES" --out "$REPORTS/newsbait-pages" >/dev/null
    "$EVAL" --quiet --pages "$PAGES" --no-context --out "$REPORTS/newsbait-pages-no-context" >/dev/null
fi
for dir in "$PEERS"/*/; do
    [ -d "$dir" ] || continue
    peer="$(basename "$dir")"
    if [ -f "$dir/test.jsonl" ] && [ "$DATA" = "$CORPUS/test.jsonl" ]; then
        "$EVAL" --quiet --data "$DATA" --predictions "$dir/test.jsonl" --out "$REPORTS/$peer-test" >/dev/null \
            || log "skipping $peer test predictions (they do not match $DATA)"
    fi
    if [ -f "$dir/pages.jsonl" ] && [ -f "$PAGES" ]; then
        "$EVAL" --quiet --pages "$PAGES" --predictions "$dir/pages.jsonl" --out "$REPORTS/$peer-pages" >/dev/null \
            || log "skipping $peer page predictions (they do not match $PAGES)"
    fi
done
log "reports: $(ls "$REPORTS" | tr '\n' ' ')"

# The kernel must draw with matplotlib's inline backend, which embeds every figure in the
# cell's outputs as image/png. MPLBACKEND=Agg (or any MPLBACKEND inherited from the caller's
# environment) replaces it and leaves the plot cells empty, so name the inline backend.
log "executing the notebook"
NEWSBAIT_REPORTS="$REPORTS" MPLBACKEND="module://matplotlib_inline.backend_inline" \
    "$VENV/bin/jupyter" nbconvert --to notebook --execute \
    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 \
    --output-dir "$OUT" --output report.ipynb "$ROOT/notebooks/report.ipynb"
log "executed notebook: $OUT/report.ipynb"

# Fail unless every plotting cell of the executed notebook holds a picture.
# The page-histogram cell draws only when page reports were made.
"$VENV/bin/python" "$ROOT/notebooks/check_plots.py" "$OUT/report.ipynb" \
    $([ -f "$PAGES" ] && echo --pages)
