//! `newsbait-eval --pages` on whole pages: the 6-gram cleaning score against
//! hand-computed counts, `--extracted`, `--reference`, `--cv-by` and both page
//! formats, on tiny pages written here.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use clap::Parser;
use newsbait::Model;
use newsbait::cli::eval::{EvalArgs, cross_validate_pages, cross_validate_pages_by, run};
use newsbait::cli::pages::{
    BoxBreakdown, EvalPage, GramCounts, Reference, References, labelled_pages, median,
    read_eval_pages, repeated_news_boxes,
};
use newsbait::cli::report::ReportOptions;
use newsbait::{LabelledPage, OnInvalid};
use serde_json::{Value, json};

/// A page file read as the page cross-validation reads it: its pages, their
/// references (from their news lines) and the pages labelled by them.
fn read_labelled(path: &Path) -> (Vec<EvalPage>, References, Vec<LabelledPage>) {
    let pages = read_eval_pages(path, OnInvalid::Error).unwrap();
    let refs = References::resolve(&pages, None);
    let labelled = labelled_pages(&pages, &refs).unwrap();
    (pages, refs, labelled)
}

/// A page layer that changes nothing and records, fold by fold, the pages it
/// was fitted on.
fn recording_fit(
    seen: &RefCell<Vec<Vec<String>>>,
) -> impl Fn(&Model, &[LabelledPage]) -> newsbait::Result<Model> + '_ {
    move |base, train| {
        seen.borrow_mut()
            .push(train.iter().map(|p| p.page.clone()).collect());
        Ok(base.clone())
    }
}

fn args(extra: &[&str]) -> EvalArgs {
    let mut v = vec!["newsbait-eval", "--quiet"];
    v.extend_from_slice(extra);
    EvalArgs::parse_from(v)
}

fn write_jsonl(dir: &Path, name: &str, records: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

macro_rules! assert_close {
    ($a:expr, $b:expr) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(
            (a - b).abs() < 1e-12,
            "{} = {a}, expected {b}",
            stringify!($a)
        );
    }};
}

// Page A's reference, whitespace removed, is 今天国务院召开常务会议会议部署稳就业工作:
// 20 characters, 15 distinct 6-grams. Its kept text 今天国务院召开常务会议推荐阅读 has 15
// characters, 10 6-grams; the 6 that start in 今天国务院召开常务会议 (at 0..=5) are in the
// reference, the 4 that reach into 推荐阅读 are not. So kept 10, in reference 6,
// reference 15, found 6: P 0.6, R 0.4, F1 0.48.
const REF_A: &str = "今天国务院召开常务会议\n会议部署稳就业工作";
// Page B's reference: 11 characters, 6 distinct 6-grams; the tool keeps nothing.
const REF_B: &str = "北京市发布暴雨预警信息";

#[test]
fn six_gram_counts_by_hand() {
    let a = Reference::new(REF_A);
    assert_eq!(a.distinct(), 15);
    let counts = a.score("今天国务院召开常务会议 推荐阅读");
    assert_eq!(
        counts,
        GramCounts {
            kept: 10,
            kept_in_reference: 6,
            reference: 15,
            reference_found: 6
        }
    );
    assert_close!(counts.precision(), 0.6);
    assert_close!(counts.recall(), 0.4);
    assert_close!(counts.f1(), 0.48);
    // Precision counts occurrences: the same kept block twice counts twice,
    // recall counts distinct reference 6-grams once.
    let twice = a.score("今天国务院召开\n今天国务院召开");
    // 今天国务院召开今天国务院召开: 14 chars, 9 grams; in the reference: 今天国务院召,
    // 天国务院召开 at 0 and 1, and again at 7 and 8: 4 occurrences, 2 distinct.
    assert_eq!(
        twice,
        GramCounts {
            kept: 9,
            kept_in_reference: 4,
            reference: 15,
            reference_found: 2
        }
    );
    // Whitespace is removed as Python's \s does (U+3000, U+001C included),
    // other invisible characters stay.
    let r = Reference::new("ab\u{3000}c\u{1c}defg");
    assert_eq!(r.distinct(), 2);
    assert_eq!(Reference::new("ab\u{200b}cdefg").distinct(), 3);
    // Nothing kept: precision 0 (no 6-gram), recall 0, F1 0.
    let b = Reference::new(REF_B).score("");
    assert_eq!((b.kept, b.reference), (0, 6));
    assert_close!(b.f1(), 0.0);
    // Python's statistics.median: the mean of the middle two.
    assert_close!(median(&[0.48, 0.0]), 0.24);
    assert_close!(median(&[0.3, 0.1, 0.2]), 0.2);
}

fn text_pages(dir: &Path) -> PathBuf {
    write_jsonl(
        dir,
        "pages.jsonl",
        &[
            json!({"page": "a", "site": "s1", "fold": 0, "reference": REF_A, "lines": [
                {"label": "news", "text": "今天国务院召开常务会议", "link": 0.0},
                {"label": "clickbait", "text": "推荐阅读", "link": 1.0},
                {"label": "news", "text": "会议部署稳就业工作", "link": 0.0}]}),
            json!({"page": "b", "site": "s2", "fold": 1, "reference": REF_B, "lines": [
                {"label": "news", "text": "北京市发布暴雨预警信息"},
                {"label": "clickbait", "text": "明星私生活大曝光，网友惊呆了"}]}),
        ],
    )
}

#[test]
fn extracted_text_is_scored_against_the_references() {
    let dir = tempfile::tempdir().unwrap();
    let pages = text_pages(dir.path());
    let extracted = write_jsonl(
        dir.path(),
        "tool.jsonl",
        &[
            json!({"page": "a", "text": "今天国务院召开常务会议\n推荐阅读"}),
            json!({"page": "zzz", "text": "not one of the pages"}),
        ],
    );
    let pages_s = pages.to_str().unwrap();
    let extracted_s = extracted.to_str().unwrap();
    let report = run(&args(&["--pages", pages_s, "--extracted", extracted_s])).unwrap();
    let e = report.extracted.as_ref().expect("an extracted report");
    assert_eq!((e.missing, e.unmatched), (1, 1));
    let c = &e.cleaning;
    // Micro over both pages: kept 10 + 0, in reference 6 + 0, reference 15 + 6,
    // found 6 + 0.
    assert_eq!(
        c.all.counts,
        GramCounts {
            kept: 10,
            kept_in_reference: 6,
            reference: 21,
            reference_found: 6
        }
    );
    assert_close!(c.all.precision, 0.6);
    assert_close!(c.all.recall, 6.0 / 21.0);
    let r = 6.0 / 21.0;
    assert_close!(c.all.f1, 2.0 * 0.6 * r / (0.6 + r));
    assert_close!(c.all.median_page_f1, 0.24);
    let sites: Vec<(&str, f64)> = c
        .per_site
        .iter()
        .map(|g| (g.value.as_str(), g.figures.f1))
        .collect();
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0].0, "s1");
    assert_close!(sites[0].1, 0.48);
    assert_eq!(sites[1], ("s2", 0.0));
    let folds: Vec<&str> = c.per_fold.iter().map(|g| g.value.as_str()).collect();
    assert_eq!(folds, ["0", "1"]);
    assert_eq!(c.reference_sources.get("record"), Some(&2));
    // The JSON and Markdown carry it.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["extracted"]["cleaning"]["all"]["counts"]["kept"], 10);
    assert!(report.markdown().contains("per site"));
}

#[test]
fn references_come_from_the_file_then_the_record_then_the_news_lines() {
    let dir = tempfile::tempdir().unwrap();
    let pages = write_jsonl(
        dir.path(),
        "pages.jsonl",
        &[
            json!({"page": "a", "reference": "自己的参考文本不同", "lines": [
                {"label": "news", "text": "今天国务院召开常务会议"}]}),
            json!({"page": "b", "lines": [
                {"label": "news", "text": "北京市发布暴雨预警信息"},
                {"label": "clickbait", "text": "推荐阅读"}]}),
        ],
    );
    let refs = write_jsonl(
        dir.path(),
        "refs.jsonl",
        &[json!({"page": "a", "html": "<p>x</p>", "reference": REF_A})],
    );
    // A perfect block classifier: its kept text is the news lines.
    let preds = write_jsonl(
        dir.path(),
        "preds.jsonl",
        &[
            json!({"probs": {"news": 1.0, "clickbait": 0.0}}),
            json!({"probs": {"news": 1.0, "clickbait": 0.0}}),
            json!({"probs": {"news": 0.0, "clickbait": 1.0}}),
        ],
    );
    let report = run(&args(&[
        "--pages",
        pages.to_str().unwrap(),
        "--reference",
        refs.to_str().unwrap(),
        "--predictions",
        preds.to_str().unwrap(),
    ]))
    .unwrap();
    let c = report.pages.as_ref().unwrap().cleaning.as_ref().unwrap();
    assert_eq!(c.reference_sources.get("reference file"), Some(&1));
    assert_eq!(c.reference_sources.get("news lines"), Some(&1));
    // Page a against REF_A: kept 今天国务院召开常务会议 (6 grams, all in it), 6 of 15 found.
    assert_eq!(
        c.per_page[0].counts,
        GramCounts {
            kept: 6,
            kept_in_reference: 6,
            reference: 15,
            reference_found: 6
        }
    );
    // Page b against its own news line: perfect.
    assert_close!(c.per_page[1].f1, 1.0);
}

#[test]
fn both_page_formats_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_jsonl(
        dir.path(),
        "mixed.jsonl",
        &[
            json!({"page": "t", "site": "s1", "fold": 3, "lines": [
                {"label": "news", "text": "今天国务院召开常务会议", "link": 0.0}]}),
            json!({"page": "h", "site": "s2", "fold": 4, "date": "2012-01-01",
                   "html": "<html><body><p>今天国务院召开常务会议</p></body></html>",
                   "reference": REF_A}),
        ],
    );
    let pages = read_eval_pages(&path, OnInvalid::Error).unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].field("fold").as_deref(), Some("3"));
    assert_eq!(pages[1].field("site").as_deref(), Some("s2"));
    assert_eq!(pages[1].reference.as_deref(), Some(REF_A));
    // --extracted needs no blocks: HTML pages are scored from their reference.
    let extracted = write_jsonl(
        dir.path(),
        "tool.jsonl",
        &[json!({"page": "h", "text": "今天国务院召开常务会议\n推荐阅读"})],
    );
    let report = run(&args(&[
        "--pages",
        path.to_str().unwrap(),
        "--extracted",
        extracted.to_str().unwrap(),
    ]))
    .unwrap();
    let c = &report.extracted.unwrap().cleaning;
    assert_eq!(c.per_page[1].counts.kept_in_reference, 6);
    // Classifying an HTML page cuts it into blocks with the HTML reader and
    // labels them from the reference.
    let refs = References::resolve(&pages, None);
    let labelled = labelled_pages(&pages, &refs).unwrap();
    assert_eq!(labelled[0].lines.len(), 1);
    let blocks: Vec<(&str, &str)> = labelled[1]
        .lines
        .iter()
        .map(|l| (l.label.as_str(), l.text.as_str()))
        .collect();
    assert_eq!(blocks, [("news", "今天国务院召开常务会议")]);
    // And classified: the cleaning score is there for both forms.
    let report = run(&args(&["--pages", path.to_str().unwrap()])).unwrap();
    let c = report.pages.unwrap().cleaning.unwrap();
    assert_eq!(c.all.pages, 2);
    assert_eq!(c.reference_sources.get("record"), Some(&1));
    assert_eq!(c.reference_sources.get("news lines"), Some(&1));
}

fn two_site_pages(dir: &Path) -> PathBuf {
    let page = |id: &str, site: &str| {
        json!({"page": id, "site": site, "lines": [
            {"label": "clickbait", "text": "首页 新闻 体育 娱乐"},
            {"label": "news", "text": "国务院召开常务会议，部署进一步稳就业工作，要求各地压实责任。"},
            {"label": "news", "text": "会议指出，要加大对中小企业的支持力度，保障重点群体就业。"},
            {"label": "clickbait", "text": "推荐阅读"},
            {"label": "clickbait", "text": "震惊！这种水果千万别吃，很多人都不知道"}]})
    };
    write_jsonl(
        dir,
        "sites.jsonl",
        &[
            page("p1", "s1"),
            page("p2", "s1"),
            page("p3", "s2"),
            page("p4", "s2"),
            page("p5", "s2"),
        ],
    )
}

#[test]
fn cv_by_site_fits_the_page_layer_on_the_other_sites_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = two_site_pages(dir.path());
    let report = run(&args(&[
        "--pages",
        path.to_str().unwrap(),
        "--cv-by",
        "site",
    ]))
    .unwrap();
    let cv = report.page_group_cross_validation.as_ref().unwrap();
    assert_eq!(cv.field, "site");
    let groups: Vec<(&str, usize, usize)> = cv
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.train, g.test))
        .collect();
    assert_eq!(groups, [("s1", 3, 2), ("s2", 2, 3)]);
    for g in &cv.groups {
        for key in ["line_accuracy", "clean_f1", "clean_median_page_f1"] {
            assert!(g.figures.contains_key(key), "{key} in {:?}", g.figures);
        }
    }
    // Every held-out page is pooled into `pages`, with its cleaning score.
    let pooled = report.pages.as_ref().unwrap();
    assert_eq!((pooled.pages, pooled.lines), (5, 25));
    let c = pooled.cleaning.as_ref().unwrap();
    assert_eq!(c.per_site.len(), 2);
    assert_eq!(c.reference_sources.get("news lines"), Some(&5));
    assert!(report.markdown().contains("cross-validated by `site`"));

    // The page layer is one swappable call: it sees only the other site's pages.
    let (pages, refs, labelled) = read_labelled(&path);
    let seen = RefCell::new(Vec::new());
    let fit = recording_fit(&seen);
    let base = Model::shipped().unwrap();
    let (pooled, cv) = cross_validate_pages_by(
        &base,
        "shipped".into(),
        &pages,
        &labelled,
        &refs,
        &path,
        "site",
        ("identity", &fit, &[]),
        &ReportOptions {
            progress: false,
            ..ReportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(seen.take(), [vec!["p3", "p4", "p5"], vec!["p1", "p2"]]);
    assert_eq!(cv.page_layer, "identity");
    assert_eq!(pooled.pages, 5);
    // One value only: an error, not a silent train-on-test.
    let err = run(&args(&[
        "--pages",
        path.to_str().unwrap(),
        "--cv-by",
        "fold",
    ]));
    assert!(err.unwrap_err().to_string().contains("at least two"));
}

/// A page of an article, then (when `boxed`) the same three-line box the
/// site glues to every article, labelled news as the article is, then a
/// teaser list.
fn boxed_page(id: &str, article: &str, boxed: bool) -> Value {
    let mut lines = vec![
        json!({"label": "news", "text": format!("{article}，国务院召开常务会议部署相关工作。")}),
        json!({"label": "news", "text": format!("会议指出，{article}要压实责任，保障重点群体的利益。")}),
    ];
    if boxed {
        for text in ["本站客户端：", "下载本站新闻客户端 看更多资讯", "要闻"]
        {
            lines.push(json!({"label": "news", "text": text}));
        }
    }
    lines.push(json!({"label": "clickbait", "text": "推荐阅读"}));
    lines.push(json!({"label": "clickbait", "text": format!("震惊！{article}竟然是这样")}));
    json!({"page": id, "lines": lines})
}

#[test]
fn repeated_news_boxes_are_runs_of_news_lines_labelled_so_on_several_pages() {
    let dir = tempfile::tempdir().unwrap();
    // p1..p3 carry the box; p4 has two of its lines only (a run of two);
    // p5 repeats p1's article lines once (on two pages: not a box).
    let mut p4 = boxed_page("p4", "稳物价", false);
    p4["lines"]
        .as_array_mut()
        .unwrap()
        .insert(2, json!({"label": "news", "text": "本站客户端："}));
    p4["lines"]
        .as_array_mut()
        .unwrap()
        .insert(3, json!({"label": "news", "text": "要闻"}));
    let path = write_jsonl(
        dir.path(),
        "boxes.jsonl",
        &[
            boxed_page("p1", "稳就业", true),
            boxed_page("p2", "保民生", true),
            boxed_page("p3", "促消费", true),
            p4,
            boxed_page("p5", "稳就业", false),
        ],
    );
    let pages = read_eval_pages(&path, OnInvalid::Error).unwrap();
    let labelled = labelled_pages(&pages, &References::resolve(&pages, None)).unwrap();
    let boxes = repeated_news_boxes(&labelled);
    let boxed = [false, false, true, true, true, false, false];
    assert_eq!(boxes[0], boxed);
    assert_eq!(boxes[1], boxed);
    assert_eq!(boxes[2], boxed);
    assert_eq!(boxes[3], [false; 6]);
    assert_eq!(boxes[4], [false; 4]);
    // Outcomes: on p1 one box line and one outside line wrong.
    let mut right: Vec<bool> = boxes.iter().flatten().map(|_| true).collect();
    right[3] = false;
    right[6] = false;
    let b = BoxBreakdown::of(&boxes, right).unwrap();
    assert_eq!((b.pages, b.lines, b.correct), (3, 9, 8));
    assert_eq!((b.outside_lines, b.outside_correct), (22, 21));
    assert_close!(b.line_accuracy, 8.0 / 9.0);
}

#[test]
fn cv_by_page_fits_the_page_model_on_the_other_folds_and_the_train_pages() {
    let dir = tempfile::tempdir().unwrap();
    let articles = ["稳就业", "保民生", "促消费", "稳外贸", "扩内需"];
    let records: Vec<Value> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| boxed_page(&format!("p{i}"), a, i < 4))
        .collect();
    let path = write_jsonl(dir.path(), "pages.jsonl", &records);
    let extra = write_jsonl(
        dir.path(),
        "extra.jsonl",
        &[
            boxed_page("x0", "抓落实", false),
            boxed_page("x1", "防风险", false),
        ],
    );
    let (p, x) = (path.to_str().unwrap(), extra.to_str().unwrap());
    let report = run(&args(&["--pages", p, "--cv", "2", "--train-pages", x])).unwrap();
    let cv = report.page_cross_validation.as_ref().unwrap();
    assert_eq!(cv.page_layer, "page model (learn_page_model)");
    assert_eq!(cv.train_pages, [x]);
    // Page i is in fold i % 2: fold 0 tests p0, p2, p4 and trains on p1, p3
    // and the two extra pages; fold 1 the other way round.
    let folds: Vec<(&str, usize, usize)> = cv
        .with_context
        .iter()
        .map(|f| (f.name.as_str(), f.train, f.test))
        .collect();
    assert_eq!(folds, [("0", 4, 3), ("1", 5, 2)]);
    assert_eq!(cv.without_context.len(), 2);
    // The held-out pages pooled: 4 pages of 7 lines and one of 4; the box
    // is on p0..p3, 3 lines each.
    let pooled = report.pages.as_ref().unwrap();
    assert_eq!((pooled.pages, pooled.lines), (5, 32));
    let b = pooled.repeated_boxes.as_ref().unwrap();
    assert_eq!((b.pages, b.lines, b.outside_lines), (4, 12, 20));
    let right = (pooled.line_accuracy * 32.0).round() as usize;
    assert_eq!(b.correct + b.outside_correct, right);
    // Fold 0 holds the box of p0 and p2, fold 1 that of p1 and p3.
    for f in &cv.with_context {
        assert!(f.figures.contains_key("box_line_accuracy"), "{f:?}");
    }
    assert!(report.markdown().contains("lines in repeated news boxes"));

    // What each fold's layer is fitted on.
    let (pages, refs, labelled) = read_labelled(&path);
    let extra_pages = newsbait::cli::pages::read_labelled_pages(&extra, OnInvalid::Error).unwrap();
    let seen = RefCell::new(Vec::new());
    let fit = recording_fit(&seen);
    let base = Model::shipped().unwrap();
    let quiet = ReportOptions {
        progress: false,
        ..ReportOptions::default()
    };
    let (_, cv) = cross_validate_pages(
        &base,
        "shipped".into(),
        &pages,
        &labelled,
        &refs,
        &path,
        2,
        ("identity", &fit, &extra_pages),
        &quiet,
    )
    .unwrap();
    assert_eq!(
        seen.take(),
        [
            vec!["p1", "p3", "x0", "x1"],
            vec!["p0", "p2", "p4", "x0", "x1"]
        ]
    );
    assert_eq!(cv.k, 2);

    // A page tested and also on the training side is refused; so is K = 1.
    let err = run(&args(&["--pages", p, "--cv", "2", "--train-pages", p])).unwrap_err();
    assert!(err.to_string().contains("also one of the --pages"), "{err}");
    let err = run(&args(&["--pages", p, "--cv", "1"])).unwrap_err();
    assert!(err.to_string().contains("2 <= K"), "{err}");
    // The HMM alone, as format-4 models had it.
    let report = run(&args(&["--pages", p, "--cv", "2", "--no-page-model"])).unwrap();
    let cv = report.page_cross_validation.unwrap();
    assert_eq!(cv.page_layer, "page-context HMM (learn_context)");
}
