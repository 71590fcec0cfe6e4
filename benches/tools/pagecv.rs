//! Site-fold cross-validation of the page model (models/MODEL.md, "Pages").
//!
//! DAnIEL: for each fold k (the record's `fold`, crc32(site) % 5) the page
//! model is trained on the other folds' pages and scores fold k: the text
//! weight set on the text blocks of `daniel.jsonl` plus the NetEase pages
//! (NetEase left out when fold k holds a 163.com site, since NetEase is
//! 163.com, or always with `--no-netease`), the HTML weight set on the blocks
//! of `daniel-html.jsonl` (`--html`; cut and labelled from its reference as
//! `newsbait-eval --pages` does). NetEase: cross-validated by page (index %
//! 5), trained on every DAnIEL text page and the other NetEase folds. Naive
//! Bayes is MODEL's throughout. Prints, per mode, the kept text against the
//! references by character 6-grams (per fold, all pages: precision, recall,
//! F1, median page F1) and line accuracies; for NetEase, per fold and over
//! all pages, the line accuracy inside and outside the repeated news boxes
//! (`newsbait::cli::pages::repeated_news_boxes`: the app ad and section
//! teasers NetEase's extractor labelled body on 26 pages).
//!
//! ```text
//! cargo run --release --example pagecv -- MODEL DANIEL.jsonl NETEASE.jsonl [--html DANIEL-HTML.jsonl [--html-only]] [--hmm] [--no-netease] [--netease-weight K]
//! ```
//!
//! `--netease-weight K` counts each NetEase training page K times in the text
//! fits (an integer sample weight), to see what NetEase's label convention
//! costs DAnIEL's.
//!
//! The text pages' references come from the `--html` file when it is given
//! (the same pages), else from their news lines.

use std::path::Path;

use newsbait::cli::pages::{
    BoxBreakdown, CleaningFigures, EvalPage, References, labelled_pages, read_eval_pages,
    read_references, repeated_news_boxes, score_cleaning,
};
use newsbait::{LabelledInput, Model, OnInvalid, PageModel, PageParams};
use rayon::prelude::*;

/// The pages of one file, ready for the page model.
struct Set {
    pages: Vec<EvalPage>,
    refs: References,
    data: Vec<LabelledInput>,
    folds: Vec<usize>,
    /// The lines in repeated news boxes (`repeated_news_boxes`).
    boxes: Vec<Vec<bool>>,
}

impl Set {
    fn read(model: &Model, path: &str, refs_from: Option<&str>, netease: bool) -> Result<Set> {
        let policy = OnInvalid::Error;
        let pages = read_eval_pages(Path::new(path), policy)?;
        let file = match refs_from {
            Some(f) => Some(read_references(Path::new(f), policy)?),
            None => None,
        };
        let refs = References::resolve(&pages, file.as_ref());
        let labelled = labelled_pages(&pages, &refs)?;
        let positive = model.label_index("news").ok_or("no news label")?;
        let data = labelled
            .par_iter()
            .map(|p| {
                let texts: Vec<&str> = p.lines.iter().map(|l| l.text.as_str()).collect();
                LabelledInput {
                    input: model.page_input(&texts, p.layout.as_ref(), positive),
                    truth: p.lines.iter().map(|l| l.label.as_str() == "news").collect(),
                }
            })
            .collect();
        let folds = pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if netease {
                    Ok(i % 5)
                } else {
                    p.field("fold")
                        .and_then(|f| f.parse().ok())
                        .ok_or_else(|| format!("{path}: page {} has no fold", p.page))
                }
            })
            .collect::<std::result::Result<_, String>>()?;
        Ok(Set {
            boxes: repeated_news_boxes(&labelled),
            pages,
            refs,
            data,
            folds,
        })
    }

    /// Whether fold `k` holds a 163.com site (NetEase's own domain).
    fn has_163(&self, k: usize) -> bool {
        self.pages
            .iter()
            .zip(&self.folds)
            .any(|(p, &f)| f == k && p.field("site").is_some_and(|s| s.ends_with("163.com")))
    }

    fn train(&self, keep: impl Fn(usize) -> bool) -> Vec<LabelledInput> {
        (0..self.data.len())
            .filter(|&i| keep(self.folds[i]))
            .map(|i| self.data[i].clone())
            .collect()
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Keep decisions of `set`'s pages of fold `k` by `pm`.
fn decide(pm: &PageModel, set: &Set, k: usize, keep: &mut [Option<Vec<bool>>]) {
    for (i, d) in set.data.iter().enumerate() {
        if set.folds[i] == k {
            let decided = pm.decide(&d.input).expect("a weight set for the page");
            keep[i] = Some(decided.into_iter().map(|(k, _)| k).collect());
        }
    }
}

fn line_accuracy(set: &Set, keep: &[Option<Vec<bool>>]) -> f64 {
    let (mut right, mut total) = (0usize, 0usize);
    for (d, k) in set.data.iter().zip(keep) {
        let k = k.as_ref().expect("every page scored");
        right += k.iter().zip(&d.truth).filter(|(a, b)| a == b).count();
        total += k.len();
    }
    right as f64 / total.max(1) as f64
}

/// Line accuracy per fold and over all pages, inside and outside the
/// repeated news boxes (NetEase's app ad and section teasers after the body,
/// labelled body by its extractor).
fn box_report(name: &str, set: &Set, keep: &[Option<Vec<bool>>]) {
    let of = |fold: Option<usize>| {
        let chosen: Vec<usize> = (0..set.data.len())
            .filter(|&i| fold.is_none_or(|k| set.folds[i] == k))
            .collect();
        let boxes: Vec<Vec<bool>> = chosen.iter().map(|&i| set.boxes[i].clone()).collect();
        let right = chosen.iter().flat_map(|&i| {
            let k = keep[i].as_ref().expect("every page scored");
            k.iter().zip(&set.data[i].truth).map(|(a, b)| a == b)
        });
        let lines: usize = boxes.iter().map(Vec::len).sum();
        let b = BoxBreakdown::of(&boxes, right.collect::<Vec<_>>());
        let all = b.as_ref().map_or(0.0, |b| {
            (b.correct + b.outside_correct) as f64 / lines.max(1) as f64
        });
        match b {
            Some(b) => format!(
                "pages {:3}  lines {:5}  accuracy {all:.4}  box {:.4} ({} of {} right, {} pages)  outside {:.4} ({} of {})",
                chosen.len(),
                lines,
                b.line_accuracy,
                b.correct,
                b.lines,
                b.pages,
                b.outside_line_accuracy,
                b.outside_correct,
                b.outside_lines
            ),
            None => format!("pages {:3}  lines {lines:5}  no repeated box", chosen.len()),
        }
    };
    for k in 0..5 {
        println!("{name:5} fold {k}    {}", of(Some(k)));
    }
    println!("{name:5} all       {}", of(None));
}

fn report(name: &str, set: &Set, keep: &[Option<Vec<bool>>]) {
    let kept: Vec<Option<String>> = set
        .data
        .iter()
        .zip(keep)
        .map(|(d, k)| {
            let k = k.as_ref().expect("every page scored");
            let texts: Vec<&str> = d
                .input
                .texts
                .iter()
                .zip(k)
                .filter(|(_, k)| **k)
                .map(|(t, _)| t.as_str())
                .collect();
            Some(texts.join("\n"))
        })
        .collect();
    let idx: Vec<usize> = (0..set.pages.len()).collect();
    let cleaning = score_cleaning(&set.pages, &set.refs, &idx, &kept);
    let row = |label: &str, f: &CleaningFigures| {
        println!(
            "{name:5} {label:9} pages {:3}  P {:.4}  R {:.4}  F1 {:.4}  median {:.4}",
            f.pages, f.precision, f.recall, f.f1, f.median_page_f1
        );
    };
    for g in &cleaning.per_fold {
        row(&format!("fold {}", g.value), &g.figures);
    }
    row("all", &cleaning.all);
    println!("{name:5} line accuracy {:.4}", line_accuracy(set, keep));
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, daniel, netease, rest @ ..] = args.as_slice() else {
        return Err("usage: pagecv MODEL DANIEL.jsonl NETEASE.jsonl [--html DANIEL-HTML.jsonl [--html-only]] [--hmm] [--no-netease] [--netease-weight K]".into());
    };
    let html = rest
        .iter()
        .position(|a| a == "--html")
        .map(|i| rest.get(i + 1).ok_or("--html needs a file"))
        .transpose()?;
    let params = PageParams {
        hmm_feature: rest.iter().any(|a| a == "--hmm"),
        ..PageParams::default()
    };
    let use_netease = !rest.iter().any(|a| a == "--no-netease");
    let weight: usize = match rest.iter().position(|a| a == "--netease-weight") {
        Some(i) => rest
            .get(i + 1)
            .and_then(|k| k.parse().ok())
            .filter(|&k| k >= 1)
            .ok_or("--netease-weight needs a whole number from 1")?,
        None => 1,
    };
    // The NetEase training pages of a fit, each `weight` times.
    let netease_pages = |set: &Set, keep: &dyn Fn(usize) -> bool| -> Vec<LabelledInput> {
        let once = set.train(keep);
        (0..weight).flat_map(|_| once.iter().cloned()).collect()
    };
    let html_only = rest.iter().any(|a| a == "--html-only");
    let model = Model::load(Path::new(model))?;
    let positive = model.label_index("news").ok_or("no news label")?;
    let text = Set::read(&model, daniel, html.map(String::as_str), false)?;
    let net = Set::read(&model, netease, None, true)?;
    let html = match html {
        Some(h) => Some(Set::read(&model, h, None, false)?),
        None => None,
    };
    let mut keep_text = vec![None; text.data.len()];
    let mut keep_net = vec![None; net.data.len()];
    let mut keep_html = vec![None; html.as_ref().map_or(0, |h| h.data.len())];
    for k in 0..5 {
        if let Some(h) = &html {
            decide(
                &PageModel::fit(positive, &h.train(|f| f != k), &params)?,
                h,
                k,
                &mut keep_html,
            );
        }
        if html_only {
            continue;
        }
        let with_net = use_netease && !text.has_163(k);
        let train = [text.train(|f| f != k), netease_pages(&net, &|_| with_net)].concat();
        decide(
            &PageModel::fit(positive, &train, &params)?,
            &text,
            k,
            &mut keep_text,
        );
        let train = [text.train(|_| true), netease_pages(&net, &|f| f != k)].concat();
        decide(
            &PageModel::fit(positive, &train, &params)?,
            &net,
            k,
            &mut keep_net,
        );
        eprintln!("fold {k} done");
    }
    if let Some(h) = &html {
        report("html", h, &keep_html);
    }
    if html_only {
        return Ok(());
    }
    report("text", &text, &keep_text);
    println!(
        "NetEase line accuracy (CV by page) {:.4}",
        line_accuracy(&net, &keep_net)
    );
    box_report("net", &net, &keep_net);
    // Where NetEase's errors are: its first line (the title), or news lines
    // dropped further down, or bait kept.
    let (mut title, mut dropped, mut kept) = (0, 0, 0);
    for (d, k) in net.data.iter().zip(&keep_net) {
        for (i, (k, t)) in k.iter().flatten().zip(&d.truth).enumerate() {
            match (t, k) {
                (true, false) if i == 0 => title += 1,
                (true, false) => dropped += 1,
                (false, true) => kept += 1,
                _ => {}
            }
        }
    }
    println!(
        "NetEase errors: {title} titles (line 1) and {dropped} other news lines dropped, {kept} bait lines kept"
    );
    Ok(())
}
