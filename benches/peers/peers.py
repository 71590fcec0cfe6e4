#!/usr/bin/env python3
"""Peer baselines for newsbait: fastText and scikit-learn naive Bayes.

Tokenises the corpus with python jieba after newsbait's normalisation, trains
each peer on train.jsonl, writes per-example probabilities for test, dev and
every line of the scraped pages, runs leave-one-source-out (LOSO) on train and
writes one ``summary.json`` per peer.

Run it with the venv made by ``setup.sh`` (or through ``run.sh``)::

    target/peers-venv/bin/python benches/peers/peers.py [--quick] [--no-loso]

Outputs (``--out``, default ``target/peers``)::

    <peer>/test.jsonl  <peer>/dev.jsonl  <peer>/pages.jsonl  <peer>/summary.json

Prediction lines carry no corpus text: ``{"label", "probs", "source"[, "page"]}``.
fastText's training file holds corpus text, so it goes to a system temp dir.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import fasttext
import jieba
import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import ComplementNB, MultinomialNB

SCHEMA = "newsbait-peer-summary/1"
LABELS = ("news", "clickbait")
SEED = 42
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# --quick subsample sizes (smoke test only)
QUICK_TRAIN, QUICK_EVAL, QUICK_PAGES = 3000, 400, 5


# --------------------------------------------------------------------------
# Text: newsbait's normalisation and jieba tokenisation
# --------------------------------------------------------------------------

# Full-width ASCII U+FF01..U+FF5E -> U+0021..U+007E; ideographic space -> space.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = ord(" ")


def normalise(text: str) -> str:
    """Fold full-width ASCII and U+3000, collapse whitespace runs to one space, trim."""
    return " ".join(text.translate(_FOLD).split())


def tokenise(text: str) -> list[str]:
    """jieba (HMM on) tokens of the normalised text, whitespace-only tokens dropped."""
    return [t for t in jieba.lcut(normalise(text), HMM=True) if t.strip()]


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


@dataclass
class Example:
    """One labelled line, tokenised. ``page`` is set for lines of scraped pages."""

    label: str
    source: str
    tokens: list[str]
    page: str | None = None


@dataclass
class Corpus:
    """The splits the peers use, already tokenised."""

    train: list[Example]
    dev: list[Example]
    test: list[Example]
    pages: list[Example] = field(default_factory=list)


def read_jsonl(path: Path) -> list[dict]:
    """All JSON objects of a JSON-lines file."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def to_example(row: dict, source: str | None = None, page: str | None = None) -> Example:
    """Tokenise one corpus row (``{label, text[, source]}``) into an ``Example``."""
    return Example(row["label"], source or row["source"], tokenise(row["text"]), page)


def subsample(rows: list, n: int | None) -> list:
    """A seeded random subset of at most ``n`` rows (all if ``n`` is None), in input order."""
    if n is None or len(rows) <= n:
        return rows
    keep = sorted(random.Random(SEED).sample(range(len(rows)), n))
    return [rows[i] for i in keep]


def load_split(path: Path, limit: int | None = None) -> list[Example]:
    """A train/dev/test split (``{label, text, source, kind}`` a line), optionally subsampled."""
    return [to_example(row) for row in subsample(read_jsonl(path), limit)]


def load_pages(pages_dir: Path, max_pages: int | None = None) -> list[Example]:
    """Every line of the labelled NetEase pages (``pages/netease.jsonl``, the pages
    compare.sh scores the peers' line predictions on; the DAnIEL files are scored
    as whole pages instead); source is the file's stem."""
    path = pages_dir / "netease.jsonl"
    return [
        to_example(line, source=path.stem, page=page["page"])
        for page in read_jsonl(path)[:max_pages]
        for line in page["lines"]
    ]


def load_corpus(corpus_dir: Path, quick: bool) -> Corpus:
    """Read and tokenise train/dev/test and the pages (subsampled with ``quick``)."""
    return Corpus(
        train=load_split(corpus_dir / "train.jsonl", QUICK_TRAIN if quick else None),
        dev=load_split(corpus_dir / "dev.jsonl", QUICK_EVAL if quick else None),
        test=load_split(corpus_dir / "test.jsonl", QUICK_EVAL if quick else None),
        pages=load_pages(corpus_dir / "pages", QUICK_PAGES if quick else None),
    )


# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------


class Peer:
    """A classifier trained on token lists that returns class probabilities."""

    name: str

    def fit(self, docs: Sequence[list[str]], labels: Sequence[str]) -> None:
        raise NotImplementedError

    def predict_proba(self, docs: Sequence[list[str]]) -> np.ndarray:
        """Probabilities, shape (n, len(LABELS)), columns in ``LABELS`` order."""
        raise NotImplementedError

    def settings(self) -> dict:
        raise NotImplementedError


class FastTextPeer(Peer):
    """fastText supervised: word bigrams, 10 epochs, other settings at their defaults."""

    name = "fasttext"
    PARAMS = {"wordNgrams": 2, "epoch": 10, "seed": SEED, "thread": 2}
    PREFIX = "__label__"

    def __init__(self) -> None:
        self.model = None

    def fit(self, docs, labels):
        # train.jsonl is grouped by source and fastText reads its file in order (each
        # thread from its own offset), so unshuffled SGD swings with thread timing
        # (test macro-F1 0.88-0.95 over runs): shuffle the lines with a fixed seed.
        order = list(range(len(docs)))
        random.Random(SEED).shuffle(order)
        # fastText trains from a file; it holds corpus text, so keep it out of the project.
        with tempfile.TemporaryDirectory(prefix="newsbait-peers-") as tmp:
            path = Path(tmp) / "train.txt"
            with path.open("w", encoding="utf-8") as f:
                for i in order:
                    f.write(f"{self.PREFIX}{labels[i]} {' '.join(docs[i])}\n")
            self.model = fasttext.train_supervised(input=str(path), verbose=0, **self.PARAMS)

    def predict_proba(self, docs):
        names, probs = self.model.predict([" ".join(t) for t in docs], k=-1, threshold=0.0)
        column = {f"{self.PREFIX}{label}": j for j, label in enumerate(LABELS)}
        out = np.zeros((len(docs), len(LABELS)))
        for i, (row_names, row_probs) in enumerate(zip(names, probs)):
            for name, p in zip(row_names, row_probs):
                out[i, column[name]] = p
        return out

    def settings(self):
        keys = ("lr", "dim", "ws", "epoch", "minCount", "minn", "maxn", "neg",
                "wordNgrams", "bucket", "lrUpdateRate", "t", "thread", "seed")
        args = self.model.f.getArgs() if self.model else None
        effective = {k: getattr(args, k) for k in keys} if args else dict(self.PARAMS)
        if args:
            effective["loss"] = str(args.loss).split(".")[-1]
        return {"library": "fasttext", "package": fasttext_distribution(), **effective}


def unigrams_and_bigrams(tokens: list[str]) -> list[str]:
    """CountVectorizer analyzer: the tokens plus adjacent pairs joined by a space."""
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


class NaiveBayesPeer(Peer):
    """scikit-learn naive Bayes over unigram+bigram counts of the jieba tokens."""

    def __init__(self, name: str, estimator: type, alpha: float = 1.0) -> None:
        self.name = name
        self.estimator = estimator
        self.alpha = alpha
        self.vectorizer = None
        self.model = None

    def fit(self, docs, labels):
        # A callable analyzer gets each token list as is (no lowercasing, no ngram_range).
        self.vectorizer = CountVectorizer(analyzer=unigrams_and_bigrams)
        self.model = self.estimator(alpha=self.alpha)
        self.model.fit(self.vectorizer.fit_transform(docs), list(labels))

    def predict_proba(self, docs):
        probs = self.model.predict_proba(self.vectorizer.transform(docs))
        order = [list(self.model.classes_).index(label) for label in LABELS]
        return probs[:, order]

    def settings(self):
        return {
            "library": "scikit-learn",
            "version": sklearn.__version__,
            "estimator": self.estimator.__name__,
            "alpha": self.alpha,
            "features": "CountVectorizer, analyzer = jieba unigrams + bigrams",
        }


PEER_NAMES = ("fasttext", "mnb", "cnb")


def peer_factory(name: str, nb_alpha: float = 1.0) -> Callable[[], Peer]:
    """A zero-argument constructor of the named peer (fresh model on every call)."""
    if name == "fasttext":
        return FastTextPeer
    estimator = {"mnb": MultinomialNB, "cnb": ComplementNB}[name]
    return lambda: NaiveBayesPeer(name, estimator, nb_alpha)


def fasttext_distribution() -> str:
    """Which PyPI distribution provides the ``fasttext`` module, with its version."""
    from importlib import metadata

    for dist in ("fasttext", "fasttext-wheel"):
        try:
            return f"{dist}=={metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


def predicted_labels(probs: np.ndarray) -> list[str]:
    """Arg-max label of each row (ties go to ``LABELS[0]``)."""
    return [LABELS[j] for j in probs.argmax(axis=1)]


def scores(truth: Sequence[str], pred: Sequence[str]) -> dict:
    """Macro-F1 (over labels present in truth or predictions), accuracy and n."""
    return {
        # zero_division=0 is what the default "warn" yields, without the warning.
        "macro_f1": float(f1_score(truth, pred, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(truth, pred)),
        "n": len(truth),
    }


def scores_by_source(examples: list[Example], pred: list[str]) -> dict:
    """``scores`` of every source on its own, sources sorted by name."""
    out = {}
    for source in sorted({e.source for e in examples}):
        idx = [i for i, e in enumerate(examples) if e.source == source]
        out[source] = scores([examples[i].label for i in idx], [pred[i] for i in idx])
    return out


def page_scores(examples: list[Example], pred: list[str]) -> dict:
    """Line accuracy over all page lines, and the share of pages with every line right."""
    correct_by_page: dict[str, bool] = {}
    for e, p in zip(examples, pred):
        correct_by_page[e.page] = correct_by_page.get(e.page, True) and e.label == p
    n_correct = sum(e.label == p for e, p in zip(examples, pred))
    return {
        "line_accuracy": n_correct / len(examples) if examples else None,
        "perfect_pages_share": (sum(correct_by_page.values()) / len(correct_by_page)
                                if correct_by_page else None),
        "lines": len(examples),
        "pages": len(correct_by_page),
    }


def write_predictions(path: Path, examples: list[Example], probs: np.ndarray) -> None:
    """One JSON line per example, in input order: truth, probabilities, source[, page]."""
    with path.open("w", encoding="utf-8") as f:
        for e, row in zip(examples, probs):
            line = {"label": e.label,
                    "probs": {label: round(float(p), 6) for label, p in zip(LABELS, row)},
                    "source": e.source}
            if e.page is not None:
                line["page"] = e.page
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def train(make_peer: Callable[[], Peer], examples: list[Example]) -> Peer:
    """A fresh peer fitted on ``examples``."""
    peer = make_peer()
    peer.fit([e.tokens for e in examples], [e.label for e in examples])
    return peer


def leave_one_source_out(make_peer: Callable[[], Peer], train_set: list[Example]) -> dict:
    """Per held-out source: train on the other sources, score on that one."""
    by_source = {}
    for source in sorted({e.source for e in train_set}):
        held = [e for e in train_set if e.source == source]
        peer = train(make_peer, [e for e in train_set if e.source != source])
        pred = predicted_labels(peer.predict_proba([e.tokens for e in held]))
        by_source[source] = scores([e.label for e in held], pred)
    f1s = [s["macro_f1"] for s in by_source.values()]
    return {"by_source": by_source, "mean_macro_f1": float(np.mean(f1s))}


def run_peer(name: str, make_peer: Callable[[], Peer], corpus: Corpus, out_dir: Path,
             loso: bool, tokenise_seconds: float) -> dict:
    """Train one peer, write its prediction files and summary; return the summary."""
    t0 = time.perf_counter()
    peer = train(make_peer, corpus.train)
    train_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    probs = {split: peer.predict_proba([e.tokens for e in getattr(corpus, split)])
             for split in ("test", "dev", "pages")}
    predict_seconds = time.perf_counter() - t0

    peer_dir = out_dir / name
    peer_dir.mkdir(parents=True, exist_ok=True)
    for split, p in probs.items():
        write_predictions(peer_dir / f"{split}.jsonl", getattr(corpus, split), p)

    test_pred = predicted_labels(probs["test"])
    summary = {
        "schema": SCHEMA,
        "peer": name,
        "settings": {**peer.settings(), "tokenizer": f"jieba {jieba.__version__} lcut HMM=True",
                     "n_train": len(corpus.train)},
        "tokenise_seconds": round(tokenise_seconds, 3),  # all splits, shared by the peers
        "train_seconds": round(train_seconds, 3),
        "predict_seconds": round(predict_seconds, 3),
        "predict_n": sum(len(p) for p in probs.values()),
        "test": {
            **scores([e.label for e in corpus.test], test_pred),
            "by_source": scores_by_source(corpus.test, test_pred),
        },
        "dev": scores([e.label for e in corpus.dev], predicted_labels(probs["dev"])),
        "pages": page_scores(corpus.pages, predicted_labels(probs["pages"])),
        "loso": leave_one_source_out(make_peer, corpus.train) if loso else None,
    }
    (peer_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def print_table(summaries: list[dict]) -> None:
    """Overall figures per peer, then macro-F1 and accuracy per source (test and LOSO)."""
    print(f"{'peer':<9}{'test F1':>9}{'test acc':>9}{'dev F1':>8}{'page acc':>9}"
          f"{'perfect':>9}{'LOSO F1':>9}{'train s':>9}{'pred s':>8}")
    for s in summaries:
        loso = s["loso"]["mean_macro_f1"] if s["loso"] else None
        print(f"{s['peer']:<9}{fmt(s['test']['macro_f1']):>9}{fmt(s['test']['accuracy']):>9}"
              f"{fmt(s['dev']['macro_f1']):>8}{fmt(s['pages']['line_accuracy']):>9}"
              f"{fmt(s['pages']['perfect_pages_share']):>9}{fmt(loso):>9}"
              f"{s['train_seconds']:>9.2f}{s['predict_seconds']:>8.2f}")
    print_by_source("test", [s["test"]["by_source"] for s in summaries], summaries)
    if all(s["loso"] for s in summaries):
        print_by_source("LOSO", [s["loso"]["by_source"] for s in summaries], summaries)


def print_by_source(title: str, tables: list[dict], summaries: list[dict]) -> None:
    """One row per source: n, then 'macro-F1 / accuracy' for each peer."""
    print(f"\n{title + ' F1 / acc':<16}{'n':>6}" + "".join(f"{s['peer']:>15}" for s in summaries))
    for src in sorted(tables[0]):
        cells = "".join(f"{fmt(t[src]['macro_f1'])} / {fmt(t[src]['accuracy'])}".rjust(15)
                        for t in tables)
        print(f"{src:<16}{tables[0][src]['n']:>6}{cells}")


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT.parent / "shared" / "corpus",
                        help="corpus folder (default: ../shared/corpus from the project root)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "target" / "peers",
                        help="output folder (default: target/peers under the project root)")
    parser.add_argument("--peers", default=",".join(PEER_NAMES),
                        help=f"comma-separated peers to run (default: {','.join(PEER_NAMES)})")
    parser.add_argument("--nb-alpha", type=float, default=1.0,
                        help="additive smoothing of mnb and cnb (default: 1.0, sklearn's)")
    parser.add_argument("--no-loso", dest="loso", action="store_false",
                        help="skip leave-one-source-out")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: {QUICK_TRAIN} train, {QUICK_EVAL} dev/test examples, "
                             f"{QUICK_PAGES} pages")
    args = parser.parse_args(argv)
    args.peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in args.peers if p not in PEER_NAMES]
    if unknown or not args.peers:
        parser.error(f"unknown peers {unknown}; choose from {', '.join(PEER_NAMES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    jieba.setLogLevel(logging.WARNING)
    start = time.perf_counter()

    t0 = time.perf_counter()
    corpus = load_corpus(args.corpus, args.quick)
    tokenise_seconds = time.perf_counter() - t0
    print(f"tokenised train {len(corpus.train)}, dev {len(corpus.dev)}, test {len(corpus.test)}, "
          f"page lines {len(corpus.pages)} in {tokenise_seconds:.1f}s", file=sys.stderr)

    summaries = []
    for name in args.peers:
        t0 = time.perf_counter()
        make_peer = peer_factory(name, args.nb_alpha)
        summaries.append(run_peer(name, make_peer, corpus, args.out, args.loso,
                                  tokenise_seconds))
        print(f"{name}: done in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    print_table(summaries)
    print(f"\noutputs in {args.out} ; total {time.perf_counter() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
