#!/usr/bin/env python3
"""Python peers for benches/peers/speed.sh: one task a run, timed by the caller.

  speed_peers.py train-fasttext TRAIN.jsonl MODEL.bin
  speed_peers.py train-sklearn  TRAIN.jsonl MODEL.pkl
  speed_peers.py predict-fasttext MODEL.bin INPUT.jsonl
  speed_peers.py predict-sklearn  MODEL.pkl INPUT.jsonl

Text goes through jieba (HMM on) in its parallel mode on every core, the
fastest way python jieba has; prediction reads the same page file as
newsbait-classify and labels every paragraph (line of a page's text).
"""
import json
import os
import pickle
import sys
import tempfile

import jieba

jieba.setLogLevel(60)
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = ord(" ")


def normalise(text):
    return " ".join(text.translate(_FOLD).split())


def tokenise_lines(lines):
    """jieba tokens of each line, all lines cut at once in parallel mode."""
    jieba.enable_parallel(os.cpu_count())
    joined = "\n".join(normalise(l) for l in lines)
    out, cur = [], []
    for tok in jieba.cut(joined, HMM=True):
        if tok == "\n":
            out.append(cur)
            cur = []
        elif tok.strip():
            cur.append(tok)
    out.append(cur)
    return out


def words_and_pairs(tokens):
    """Words and adjacent word pairs, as newsbait's features."""
    return tokens + [x + " " + y for x, y in zip(tokens, tokens[1:])]


def read_train(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                labels.append(r["label"])
                texts.append(r["text"])
    return labels, texts


def read_pages(path):
    paras = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                paras.extend(p for p in json.loads(line)["text"].split("\n") if p.strip())
    return paras


def main():
    task, a, b = sys.argv[1:4]
    if task.startswith("train"):
        labels, texts = read_train(a)
        toks = tokenise_lines(texts)
        if task == "train-fasttext":
            import fasttext

            with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as f:
                for lab, t in zip(labels, toks):
                    f.write(f"__label__{lab} {' '.join(t)}\n")
                f.flush()
                m = fasttext.train_supervised(f.name, wordNgrams=2, epoch=5, thread=os.cpu_count(), verbose=0)
            m.save_model(b)
        else:
            from sklearn.feature_extraction.text import CountVectorizer
            from sklearn.naive_bayes import MultinomialNB

            vec = CountVectorizer(analyzer=words_and_pairs)
            nb = MultinomialNB(alpha=0.02).fit(vec.fit_transform(toks), labels)
            with open(b, "wb") as f:
                pickle.dump((vec, nb), f)
        print(f"trained on {len(texts)} paragraphs")
    else:
        paras = read_pages(b)
        toks = tokenise_lines(paras)
        if task == "predict-fasttext":
            import fasttext

            m = fasttext.load_model(a)
            pred, _ = m.predict([" ".join(t) for t in toks])
        else:
            sys.modules["__main__"].words_and_pairs = words_and_pairs
            with open(a, "rb") as f:
                vec, nb = pickle.load(f)
            pred = nb.predict(vec.transform(toks))
        sys.stdout.write("".join(f"{p}\n" for p in pred))
        print(f"labelled {len(paras)} paragraphs", file=sys.stderr)


if __name__ == "__main__":
    main()
