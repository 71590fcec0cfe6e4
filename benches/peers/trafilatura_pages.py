"""Run trafilatura over the DAnIEL HTML pages and write what it keeps.

    trafilatura_pages.py [--only SETTING] PAGES.jsonl OUT_DIR

For each setting (default and favor_precision) writes OUT_DIR/<setting>.jsonl,
one `{"page", "text"}` record a page in input order, and prints one JSON line
a setting with the pages per second of `extract` alone (one process, one
thread); --only runs one setting (benches/speed.sh times the default). The
kept text is scored by `newsbait-eval --pages PAGES --extracted FILE`, the
same code that scores newsbait, so both are measured the same way.
"""

import json
import sys
import time
from pathlib import Path

import trafilatura

SETTINGS = {
    "trafilatura": {},
    "trafilatura-precision": {"favor_precision": True},
}


def main() -> None:
    args = sys.argv[1:]
    settings = SETTINGS
    if args[:1] == ["--only"]:
        settings = {args[1]: SETTINGS[args[1]]}
        args = args[2:]
    pages_path, out_dir = Path(args[0]), Path(args[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    with pages_path.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            pages.append((record["page"], record["html"]))
    for name, options in settings.items():
        kept = []
        start = time.perf_counter()
        for _, html in pages:
            kept.append(trafilatura.extract(html, **options) or "")
        seconds = time.perf_counter() - start
        with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for (page, _), text in zip(pages, kept):
                f.write(json.dumps({"page": page, "text": text}, ensure_ascii=False) + "\n")
        print(json.dumps({"tool": name, "pages": len(pages), "seconds": round(seconds, 3),
                          "pages_per_second": round(len(pages) / seconds, 1)}))


if __name__ == "__main__":
    main()
