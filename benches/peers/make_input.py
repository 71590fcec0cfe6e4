#!/usr/bin/env python3
"""Builds the speed benchmark's input from ../shared/corpus at run time.

Writes pages (one JSON object a line, `{"page": ..., "text": "para\\npara..."}`)
made of the corpus's lines in a fixed shuffled order, repeated until the file
holds at least --mb megabytes, and the same paragraphs as plain text (one a
line) for tools that read text. The output goes under target/: it holds corpus
text and must never be committed.
"""
import argparse
import json
import random
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--corpus", required=True, type=Path)
ap.add_argument("--mb", type=float, default=50.0)
ap.add_argument("--jsonl", required=True, type=Path)
ap.add_argument("--txt", required=True, type=Path)
ap.add_argument("--train-txt", type=Path, help="also write train.jsonl as fastText lines")
args = ap.parse_args()

texts = []
for name in ["train.jsonl", "dev.jsonl", "test.jsonl", "other.jsonl", "unlabelled.jsonl"]:
    with open(args.corpus / name, encoding="utf-8") as f:
        texts.extend(json.loads(line)["text"] for line in f if line.strip())
with open(args.corpus / "pages" / "netease.jsonl", encoding="utf-8") as f:
    for line in f:
        if line.strip():
            texts.extend(l["text"] for l in json.loads(line)["lines"])
texts = [" ".join(t.split()) for t in texts]
texts = [t for t in texts if t]
rng = random.Random(42)
rng.shuffle(texts)

target = int(args.mb * 1e6)
written = 0
page = 0
args.jsonl.parent.mkdir(parents=True, exist_ok=True)
with open(args.jsonl, "w", encoding="utf-8") as js, open(args.txt, "w", encoding="utf-8") as tx:
    i = 0
    while written < target:
        n = rng.randint(8, 40)
        lines = [texts[(i + k) % len(texts)] for k in range(n)]
        i += n
        rec = json.dumps({"page": f"p{page}", "text": "\n".join(lines)}, ensure_ascii=False) + "\n"
        js.write(rec)
        tx.write("\n".join(lines) + "\n")
        written += len(rec.encode("utf-8"))
        page += 1
print(f"{args.jsonl}: {written/1e6:.1f} MB, {page} pages, {i} paragraphs")
