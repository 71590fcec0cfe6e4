"""Prints the README's comparison table from the reports benches/compare.sh wrote.

Usage: python3 benches/compare_table.py target/compare
       python3 benches/compare_table.py target/compare --readme README.md
           (writes the README's two comparison tables, whole pages and paragraphs,
            between its pages-table and paragraphs-table markers)
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


def paragraph_table(out, newsbait_name="**newsbait** (page context, page-CV)"):
    """The paragraph table (test, NetEase pages, leave-one-source-out) as lines."""
    out = Path(out)
    lines = ["| scorer | test macro-F1 | test accuracy | test ECE | NetEase page line accuracy "
             "| leave-one-source-out mean macro-F1 | mean accuracy |",
             "|---|---|---|---|---|---|---|"]
    test = load(out / "newsbait/test/report.json")
    cv = load(out / "newsbait/pages-cv/report.json")
    loso = load(out / "newsbait/loso/report.json")
    loso_mean = loso["leave_one_out"]["summary"]["mean"] if loso else {}
    with_ctx = cv["page_cross_validation"]["with_context_summary"]["mean"] if cv else {}
    no_ctx = load(out / "newsbait/pages-no-context/report.json")
    lines.append(row(newsbait_name, test, with_ctx.get("line_accuracy"),
                     loso_mean.get("macro_f1"), loso_mean.get("accuracy")))
    lines.append(row("newsbait `--no-context`", test,
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
        lines.append(row(name, ptest, ppages["pages"]["line_accuracy"] if ppages else None,
                         loso.get("mean_macro_f1"), sum(accs) / len(accs) if accs else None))
    return lines


def main(out):
    out = Path(out)
    print("\n".join(paragraph_table(out)))
    pages_table(out)


def speeds(path):
    """tool -> pages per second, from a file of JSON lines."""
    if not path.exists():
        return {}
    rows = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
    return {r["tool"]: r.get("pages_per_second") for r in rows}


def page_row(name, input_form, cleaning, pages_per_second):
    a = cleaning["all"] if cleaning else {}
    cells = [name, input_form, fmt(a.get("precision")), fmt(a.get("recall")), fmt(a.get("f1")),
             fmt(a.get("median_page_f1")), fmt(pages_per_second, 1)]
    return "| " + " | ".join(cells) + " |"


def pages_table(out):
    """The whole-page table: kept text against the DAnIEL references (character 6-grams)."""
    print()
    print("| tool (DAnIEL, 396 pages, 149 sites) | input | precision | recall | F1 "
          "| median page F1 | pages/s |")
    print("|---|---|---|---|---|---|---|")
    traf = speeds(out / "trafilatura/speed.jsonl")
    for key, name in [("trafilatura-precision", "trafilatura 2.3.1, favor_precision"),
                      ("trafilatura", "trafilatura 2.3.1, default")]:
        r = load(out / f"{key}/daniel/report.json")
        print(page_row(name, "HTML", r["extracted"]["cleaning"] if r else None, traf.get(key)))
    nb_speed = speeds(out / "newsbait/daniel-speed.jsonl")
    for key, name, form, speed in [
            ("daniel-html-cv", "**newsbait** (page layer CV by site fold)", "HTML", None),
            ("daniel-text-cv", "**newsbait** (page layer CV by site fold)", "text", None),
            ("daniel-text-shipped", "newsbait shipped model, `--keep news`", "text",
             nb_speed.get("newsbait-text"))]:
        r = load(out / f"newsbait/{key}/report.json")
        if r is None:
            continue
        cleaning = r["extracted"]["cleaning"] if r.get("extracted") else r["pages"]["cleaning"]
        print(page_row(name, form, cleaning, speed))


def cleaning_of(report):
    """The cleaning figures of an eval report (--extracted or --pages)."""
    if report is None:
        return None
    return report["extracted"]["cleaning"] if report.get("extracted") else report["pages"]["cleaning"]


def readme_table(out):
    """The README's first table (whole pages beside trafilatura) and its closing note."""
    out = Path(out)
    rows = [("**newsbait** (page model, site-fold CV)", "HTML", "newsbait/daniel-html-cv"),
            ("**newsbait** (page model, site-fold CV)", "text blocks", "newsbait/daniel-text-cv"),
            ("trafilatura 2.3.1, `favor_precision=True`", "HTML", "trafilatura-precision/daniel"),
            ("trafilatura 2.3.1, default", "HTML", "trafilatura/daniel"),
            ("a perfect block classifier", "text blocks", "newsbait/daniel-gold")]
    lines = ["| tool | input | precision | recall | F1 | median page F1 |",
             "|---|---|---|---|---|---|"]
    for name, form, key in rows:
        c = cleaning_of(load(out / key / "report.json"))
        a = c["all"] if c else {}
        cells = [name, form] + [fmt(a.get(k)) for k in ("precision", "recall", "f1", "median_page_f1")]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for form, key in [("HTML", "newsbait/daniel-html-cv"), ("text", "newsbait/daniel-text-cv")]:
        c = cleaning_of(load(out / key / "report.json"))
        if c:
            folds = ", ".join(f"{g['value']}: {g['f1']:.3f} / {g['median_page_f1']:.3f}"
                              for g in c["per_fold"])
            lines.append(f"newsbait {form}, F1 / median page F1 per site fold: {folds}.")
    lines.append("")
    lines.append("Written by `benches/compare.sh` (`benches/compare_table.py --readme`) from one run: "
                 "newsbait `newsbait-eval --pages ../shared/corpus/pages/daniel-html.jsonl --cv-by fold "
                 "--train ../shared/corpus/train.jsonl --calibrate ../shared/corpus/dev.jsonl` (HTML) and "
                 "the same with `--pages ../shared/corpus/pages/daniel.jsonl --reference "
                 "../shared/corpus/pages/daniel-html.jsonl` (text): the page model fitted on the other "
                 "four folds' sites, the naive Bayes on train.jsonl, which holds no DAnIEL page; "
                 "trafilatura's kept text (`benches/peers/trafilatura_pages.py`) scored by `newsbait-eval "
                 "--pages ../shared/corpus/pages/daniel-html.jsonl --extracted`; the perfect block "
                 "classifier keeps the news-labelled blocks of daniel.jsonl, scored the same way.")
    return "\n".join(lines)


def replace_between(text, name, body):
    """text with body put between its `<!-- NAME:begin ...` and `<!-- NAME:end -->` lines."""
    begin, end = f"<!-- {name}:begin", f"<!-- {name}:end -->"
    i, j = text.index(begin), text.index(end)
    head = text[:i] + text[i:].split("\n", 1)[0] + "\n"
    return head + body + "\n" + text[j:]


# The README names what the page-CV NetEase figure is: `newsbait-eval --cv 5
# --train-pages daniel.jsonl` fits the page model that ships (DAnIEL and the
# other NetEase folds) on each fold.
README_NEWSBAIT = ("**newsbait** (page model; NetEase pages cross-validated by page, "
                   "DAnIEL always on the training side)")


def write_readme(out, readme):
    """Puts the whole-page table and the paragraph table between the README's markers."""
    text = Path(readme).read_text(encoding="utf-8")
    text = replace_between(text, "pages-table", readme_table(out))
    text = replace_between(text, "paragraphs-table",
                           "\n".join(paragraph_table(out, README_NEWSBAIT)))
    Path(readme).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--readme" in args:
        k = args.index("--readme")
        write_readme(args[0] if k != 0 else "target/compare", args[k + 1])
    else:
        main(args[0] if args else "target/compare")
