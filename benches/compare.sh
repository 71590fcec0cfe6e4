#!/usr/bin/env bash
# newsbait beside fastText and scikit-learn, measured in one run, as in the README.
#
#   benches/compare.sh [--model M] [--quick]
#
# Runs the peers (benches/peers/run.sh: their own venv, same jieba tokens, same
# files), scores the shipped model (or --model) on the same test split and pages,
# gives every peer's predictions the same report with newsbait-eval, adds
# leave-one-source-out and page cross-validation, and prints one Markdown table
# (also written to target/compare/table.md). On whole pages (DAnIEL, 396 pages,
# 149 sites) it runs trafilatura (default and favor_precision) on the HTML,
# scores its kept text with `newsbait-eval --pages ... --extracted`, scores
# newsbait on the text and the HTML form with the page layer cross-validated by
# site fold (--cv-by fold), and prints a second table of the cleaning figures
# (6-gram precision, recall, F1, median page F1) and pages per second. Reports hold corpus text: they stay
# under target/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CORPUS="${CORPUS:-$ROOT/../shared/corpus}"
OUT="$ROOT/target/compare"
MODEL_ARGS=()
PEER_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL_ARGS=(--model "$2"); shift 2 ;;
    --quick) PEER_ARGS+=(--quick --no-loso); shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
cargo build --release --quiet --bin newsbait-eval --bin newsbait-train --bin newsbait-classify
EVAL="$ROOT/target/release/newsbait-eval"
rm -rf "$OUT" && mkdir -p "$OUT"

echo "[compare] peers (fastText, scikit-learn MultinomialNB and ComplementNB)" >&2
# alpha 0.1 is the better peer setting (dev macro-F1 0.944 against 0.908 at sklearn's 1.0).
benches/peers/run.sh --corpus "$CORPUS" --out "$OUT/peers" --nb-alpha 0.1 ${PEER_ARGS[@]+"${PEER_ARGS[@]}"} >&2

echo "[compare] newsbait" >&2
"$EVAL" -q ${MODEL_ARGS[@]+"${MODEL_ARGS[@]}"} --data "$CORPUS/test.jsonl" --out "$OUT/newsbait/test" >/dev/null
"$EVAL" -q ${MODEL_ARGS[@]+"${MODEL_ARGS[@]}"} --pages "$CORPUS/pages/netease.jsonl" --no-context --out "$OUT/newsbait/pages-no-context" >/dev/null
"$EVAL" -q --pages "$CORPUS/pages/netease.jsonl" --cv 5 --train "$CORPUS/train.jsonl" \
  --calibrate "$CORPUS/dev.jsonl" --train-pages "$CORPUS/pages/daniel.jsonl" \
  --out "$OUT/newsbait/pages-cv" >/dev/null
"$EVAL" -q --data "$CORPUS/train.jsonl" --leave-one-out source --out "$OUT/newsbait/loso" >/dev/null

for peer in "$OUT"/peers/*/; do
  name="$(basename "$peer")"
  [ -f "$peer/test.jsonl" ] || continue
  "$EVAL" -q --predictions "$peer/test.jsonl" --data "$CORPUS/test.jsonl" --out "$OUT/$name/test" >/dev/null
  "$EVAL" -q --predictions "$peer/pages.jsonl" --pages "$CORPUS/pages/netease.jsonl" --out "$OUT/$name/pages" >/dev/null
done

echo "[compare] whole pages (DAnIEL): trafilatura on the HTML" >&2
PAGES="$CORPUS/pages"
PEERS_PY="${PEERS_VENV:-$ROOT/target/peers-venv}/bin/python"   # made by benches/peers/setup.sh (run.sh)
mkdir -p "$OUT/trafilatura" "$OUT/newsbait"
"$PEERS_PY" benches/peers/trafilatura_pages.py "$PAGES/daniel-html.jsonl" "$OUT/trafilatura" > "$OUT/trafilatura/speed.jsonl"
for tool in trafilatura trafilatura-precision; do
  "$EVAL" -q --pages "$PAGES/daniel-html.jsonl" --extracted "$OUT/trafilatura/$tool.jsonl" \
    --out "$OUT/$tool/daniel" >/dev/null
done

echo "[compare] whole pages (DAnIEL): newsbait, page layer cross-validated by site fold" >&2
# The naive Bayes is trained on train.jsonl (no DAnIEL page in it), as for the NetEase page CV.
"$EVAL" -q --pages "$PAGES/daniel.jsonl" --reference "$PAGES/daniel-html.jsonl" --cv-by fold \
  --train "$CORPUS/train.jsonl" --calibrate "$CORPUS/dev.jsonl" --out "$OUT/newsbait/daniel-text-cv" >/dev/null
"$EVAL" -q --pages "$PAGES/daniel-html.jsonl" --cv-by fold \
  --train "$CORPUS/train.jsonl" --calibrate "$CORPUS/dev.jsonl" --out "$OUT/newsbait/daniel-html-cv" >/dev/null
# Pages per second of the shipped model on the text form, as a user runs it
# (`--keep news` on one JSONL document a page); its kept text is also scored.
python3 - "$PAGES/daniel.jsonl" "$OUT/newsbait/daniel-text.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in f:
        p = json.loads(line)
        text = "\n".join(b["text"] for b in p["lines"])
        out.write(json.dumps({"page": p["page"], "text": text}, ensure_ascii=False) + "\n")
PY
start=$(date +%s.%N)
"$ROOT/target/release/newsbait-classify" ${MODEL_ARGS[@]+"${MODEL_ARGS[@]}"} --keep news -f jsonl \
  --input-format jsonl "$OUT/newsbait/daniel-text.jsonl" > "$OUT/newsbait/daniel-text-kept.jsonl"
end=$(date +%s.%N)
python3 -c "import json,sys; s=float(sys.argv[2])-float(sys.argv[1]); print(json.dumps({'tool':'newsbait-text','pages':396,'seconds':round(s,3),'pages_per_second':round(396/s,1)}))" \
  "$start" "$end" > "$OUT/newsbait/daniel-speed.jsonl"
"$EVAL" -q --pages "$PAGES/daniel.jsonl" --reference "$PAGES/daniel-html.jsonl" \
  --extracted "$OUT/newsbait/daniel-text-kept.jsonl" --out "$OUT/newsbait/daniel-text-shipped" >/dev/null

# A perfect block classifier: the news-labelled blocks of the text form, scored the same way.
python3 - "$PAGES/daniel.jsonl" "$OUT/newsbait/daniel-gold.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in f:
        p = json.loads(line)
        text = "\n".join(b["text"] for b in p["lines"] if b["label"] == "news")
        out.write(json.dumps({"page": p["page"], "text": text}, ensure_ascii=False) + "\n")
PY
"$EVAL" -q --pages "$PAGES/daniel.jsonl" --reference "$PAGES/daniel-html.jsonl" \
  --extracted "$OUT/newsbait/daniel-gold.jsonl" --out "$OUT/newsbait/daniel-gold" >/dev/null

python3 "$ROOT/benches/compare_table.py" "$OUT" | tee "$OUT/table.md"
python3 "$ROOT/benches/compare_table.py" "$OUT" --readme "$ROOT/README.md"
