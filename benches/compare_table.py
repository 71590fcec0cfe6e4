"""Prints the README's comparison table from the reports benches/compare.sh wrote.

Usage: python3 benches/compare_table.py target/compare
"""
import json
import sys
from pathlib import Path

PEERS = {"fasttext": "fastText (word bigrams, 10 epochs)",
         "mnb": "scikit-learn MultinomialNB",
         "cnb": "scikit-learn ComplementNB"}


def load(path):
    """The JSON at path, or None when that report was not made."""
    return json.loads(path.read_text()) if path.exists() else None


def fmt(x, digits=3):
    return "–" if x is None else f"{x:.{digits}f}"


def row(name, test, pages_line_acc, loso_f1, loso_acc):
    m = test["data"]["metrics"] if test else {}
    pos = m.get("positive", {})
    cells = [name, fmt(m.get("macro_f1")), fmt(m.get("accuracy")), fmt(pos.get("ece")),
             fmt(pages_line_acc), fmt(loso_f1), fmt(loso_acc)]
    return "| " + " | ".join(cells) + " |"


def main(out):
    out = Path(out)
    print("| scorer | test macro-F1 | test accuracy | test ECE | NetEase page line accuracy "
          "| leave-one-source-out mean macro-F1 | mean accuracy |")
    print("|---|---|---|---|---|---|---|")
    test = load(out / "newsbait/test/report.json")
    cv = load(out / "newsbait/pages-cv/report.json")
    loso = load(out / "newsbait/loso/report.json")
    loso_mean = loso["leave_one_out"]["summary"]["mean"] if loso else {}
    with_ctx = cv["page_cross_validation"]["with_context_summary"]["mean"] if cv else {}
    no_ctx = load(out / "newsbait/pages-no-context/report.json")
    print(row("**newsbait** (page context, page-CV)", test, with_ctx.get("line_accuracy"),
              loso_mean.get("macro_f1"), loso_mean.get("accuracy")))
    print(row("newsbait --no-context", test,
              no_ctx["pages"]["line_accuracy"] if no_ctx else None, None, None))
    for key, name in PEERS.items():
        summary = load(out / f"peers/{key}/summary.json")
        if summary is None:
            continue
        ptest = load(out / f"{key}/test/report.json")
        ppages = load(out / f"{key}/pages/report.json")
        loso = summary.get("loso") or {}
        by_source = loso.get("by_source", {})
        accs = [v["accuracy"] for v in by_source.values()]
        print(row(name, ptest, ppages["pages"]["line_accuracy"] if ppages else None,
                  loso.get("mean_macro_f1"), sum(accs) / len(accs) if accs else None))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/compare")
