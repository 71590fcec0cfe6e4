#!/usr/bin/env python3
"""Builds two inputs of benches/speed.sh from ../shared/corpus at run time.

    speed_inputs.py --corpus DIR distinct OUT.jsonl
    speed_inputs.py --corpus DIR crawl OUT.jsonl [--per-page 12]

distinct: every distinct line of the corpus (train, dev, test, other,
unlabelled and the text of the NetEase and DAnIEL pages), each once, shuffled
with a fixed seed into pages of 5 to 40 lines: text a cache cannot help with.

crawl: pages grouped by site as a crawler meets them. From each DAnIEL page,
--per-page pages that keep its non-article blocks (labelled clickbait in
pages/daniel.jsonl: the site's chrome, in page order) and put a new article
where the page's article was: a headline and paragraphs of the corpus, each
used once over the whole file. Pages of one site follow each other.

Both write `{"page", "text"}` records (crawl adds "site"), one paragraph a
line of "text". The output holds corpus text: it goes under target/ and is
never committed.
"""
import argparse
import json
import random
from pathlib import Path

SPLITS = ["train.jsonl", "dev.jsonl", "test.jsonl", "other.jsonl", "unlabelled.jsonl"]


def norm(text):
    return " ".join(text.split())


def records(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def distinct(corpus, out, rng):
    seen, texts = set(), []

    def add(t):
        t = norm(t)
        if t and t not in seen:
            seen.add(t)
            texts.append(t)

    for name in SPLITS:
        for r in records(corpus / name):
            for line in r["text"].split("\n"):
                add(line)
    for name in ["netease.jsonl", "daniel.jsonl"]:
        for r in records(corpus / "pages" / name):
            for line in r["lines"]:
                add(line["text"])
    rng.shuffle(texts)
    pages = i = 0
    with open(out, "w", encoding="utf-8") as f:
        while i < len(texts):
            n = rng.randint(5, 40)
            rec = {"page": f"d{pages}", "text": "\n".join(texts[i : i + n])}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            i += n
            pages += 1
    return pages, len(texts)


def crawl(corpus, out, rng, per_page):
    # New articles: headlines and paragraphs of the corpus, never the DAnIEL
    # pages' own text, each used once.
    heads, paras, seen = [], [], set()
    for name in SPLITS:
        for r in records(corpus / name):
            t = norm(r["text"])
            if not t or t in seen:
                continue
            seen.add(t)
            (paras if r.get("kind") == "paragraph" else heads).append(t)
    for r in records(corpus / "pages" / "netease.jsonl"):
        for line in r["lines"]:
            t = norm(line["text"])
            if line["label"] == "news" and len(t) > 40 and t not in seen:
                seen.add(t)
                paras.append(t)
    rng.shuffle(heads)
    rng.shuffle(paras)
    pages = list(records(corpus / "pages" / "daniel.jsonl"))
    pages.sort(key=lambda p: (p["site"], p["page"]))
    # Paragraphs an article gets: as many as the page's own article had, at
    # most what the pool allows for every page.
    budget = len(paras) // (len(pages) * per_page)
    h = p = written = 0
    with open(out, "w", encoding="utf-8") as f:
        for page in pages:
            for copy in range(per_page):
                lines, placed = [], False
                article = sum(1 for b in page["lines"] if b["label"] == "news")
                for block in page["lines"]:
                    if block["label"] != "news":
                        lines.append(norm(block["text"]))
                    elif not placed:
                        placed = True
                        lines.append(heads[h % len(heads)])
                        h += 1
                        for _ in range(max(1, min(article - 1, budget))):
                            lines.append(paras[p % len(paras)])
                            p += 1
                rec = {"page": f"{page['page']}#{copy}", "site": page["site"],
                       "text": "\n".join(t for t in lines if t)}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                written += 1
    if p > len(paras) or h > len(heads):
        raise SystemExit(f"crawl: the corpus has too few articles for --per-page {per_page}")
    return written, p


ap = argparse.ArgumentParser()
ap.add_argument("--corpus", required=True, type=Path)
ap.add_argument("--per-page", type=int, default=12)
ap.add_argument("kind", choices=["distinct", "crawl"])
ap.add_argument("out", type=Path)
args = ap.parse_args()
args.out.parent.mkdir(parents=True, exist_ok=True)
rng = random.Random(42)
if args.kind == "distinct":
    pages, lines = distinct(args.corpus, args.out, rng)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB, {pages} pages, {lines} distinct lines")
else:
    pages, paras = crawl(args.corpus, args.out, rng, args.per_page)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB, {pages} pages, {paras} article paragraphs")
