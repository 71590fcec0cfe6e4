"""Helpers of benches/python/run.sh (run in the newsbait venv).

  bench.py predict INPUT.jsonl            model.predict on every paragraph of every page
                                          (the call's own seconds on stderr)
  bench.py classify-pages INPUT.jsonl     model.classify_pages on the pages, 512 at a time,
                                          with page context and the cache, as
                                          newsbait-classify does (benches/speed.sh)
  bench.py daniel-text PAGES.jsonl OUT    labelled pages as text documents {"id", "text"}
  bench.py clean-python INPUT OUT         model.clean_pages, plain Python, one process
  bench.py clean-spark INPUT OUT          newsbait.spark.clean_column, Spark local[2]

The clean-* commands write {"id", "text"} lines in input order and print
rows/s of the cleaning alone (after start-up) on stderr.
"""

import itertools
import json
import sys
import time

import newsbait


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"id": r[0], "text": r[1]}, ensure_ascii=False) + "\n")


def main():
    task, *args = sys.argv[1:]
    if task == "predict":
        model = newsbait.load_model()
        paragraphs = []
        with open(args[0], encoding="utf-8") as f:
            for line in f:
                paragraphs.extend(newsbait.paragraphs(json.loads(line)["text"]))
        start = time.perf_counter()
        labels, _ = model.predict(paragraphs)
        took = time.perf_counter() - start
        news = sum(1 for l in labels if l[0] == "__label__news")
        print(f"{len(labels)} paragraphs, {news} news")
        print(f"predict_seconds {took:.3f}", file=sys.stderr)
    elif task == "classify-pages":
        model = newsbait.load_model()
        pages = paragraphs = news = 0
        with open(args[0], encoding="utf-8") as f:
            while batch := [json.loads(line)["text"] for line in itertools.islice(f, 512)]:
                for page in model.classify_pages(batch):
                    pages += 1
                    paragraphs += len(page)
                    news += sum(1 for p in page if p.label == "news")
        print(f"{pages} pages, {paragraphs} paragraphs, {news} news")
    elif task == "daniel-text":
        write(args[1], [(p["page"], "\n".join(l["text"] for l in p["lines"])) for p in read_jsonl(args[0])])
    elif task == "clean-python":
        rows = read_jsonl(args[0])
        model = newsbait.load_model()
        start = time.perf_counter()
        clean = model.clean_pages([r["text"] for r in rows])
        took = time.perf_counter() - start
        write(args[1], [(r["id"], c) for r, c in zip(rows, clean)])
        print(f"python: {len(rows)} rows in {took:.3f} s, {len(rows) / took:.0f} rows/s", file=sys.stderr)
    elif task == "clean-spark":
        from pyspark.sql import SparkSession
        from newsbait.spark import clean_column

        spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.read.json(args[0])
        n = df.count()
        runs = []
        for _ in range(int(args[2]) if len(args) > 2 else 3):
            start = time.perf_counter()
            out = clean_column(df, "text", output="clean").select("id", "clean").collect()
            runs.append(time.perf_counter() - start)
        by_id = {r["id"]: r["clean"] for r in out}
        write(args[1], [(r["id"], by_id[r["id"]]) for r in read_jsonl(args[0])])
        med = sorted(runs)[len(runs) // 2]
        print(f"spark local[2]: {n} rows, median {med:.3f} s of {['%.2f' % r for r in runs]}, {n / med:.0f} rows/s", file=sys.stderr)
        spark.stop()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
