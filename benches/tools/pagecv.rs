//! Site-fold cross-validation of the page model (models/MODEL.md, "Pages").
//!
//! DAnIEL: for each fold k (the record's `fold`, crc32(site) % 5) the page
//! layer is trained on the other folds' pages plus the NetEase pages (left out
//! when fold k holds a 163.com site, since NetEase is 163.com) and scores
//! fold k. NetEase: cross-validated by page (index % 5), trained on every
//! DAnIEL page and the other NetEase folds. Naive Bayes is MODEL's throughout.
//! Writes one `{"page", "fold", "keep": [..]}` a DAnIEL page to OUT, for
//! scoring kept text, and prints line accuracies.
//!
//! ```text
//! cargo run --release --example pagecv -- MODEL DANIEL.jsonl NETEASE.jsonl OUT.jsonl [--hmm]
//! ```

use std::io::Write;
use std::path::Path;

use newsbait::Model;
use newsbait::{LabelledInput, PageModel, PageParams};
use rayon::prelude::*;

struct Page {
    name: String,
    site: String,
    fold: usize,
    netease: bool,
    data: LabelledInput,
}

fn read(model: &Model, path: &str, netease: bool, positive: usize) -> Vec<Page> {
    let text = std::fs::read_to_string(path).expect("readable pages");
    let records: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON page"))
        .collect();
    records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let lines = r["lines"].as_array().expect("lines");
            let texts: Vec<&str> = lines.iter().map(|l| l["text"].as_str().unwrap()).collect();
            let truth = lines.iter().map(|l| l["label"] == "news").collect();
            Page {
                name: r["page"].as_str().unwrap().to_string(),
                site: r["site"].as_str().unwrap_or("netease").to_string(),
                fold: if netease {
                    i % 5
                } else {
                    r["fold"].as_u64().unwrap() as usize
                },
                netease,
                data: LabelledInput {
                    input: model.page_input(&texts, positive),
                    truth,
                },
            }
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, daniel, netease, out, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: pagecv MODEL DANIEL.jsonl NETEASE.jsonl OUT.jsonl [--hmm] [--no-netease]"
                .into(),
        );
    };
    let params = PageParams {
        hmm_feature: rest.iter().any(|a| a == "--hmm"),
        ..PageParams::default()
    };
    let use_netease = !rest.iter().any(|a| a == "--no-netease");
    let model = Model::load(Path::new(model))?;
    let positive = model.label_index("news").ok_or("no news label")?;
    let mut pages = read(&model, daniel, false, positive);
    pages.extend(read(&model, netease, true, positive));
    let mut keep: Vec<Option<Vec<bool>>> = vec![None; pages.len()];
    for fold in 0..5 {
        let has163 = pages
            .iter()
            .any(|p| !p.netease && p.fold == fold && p.site.ends_with("163.com"));
        for target_netease in [false, true] {
            let train: Vec<LabelledInput> = pages
                .iter()
                .filter(|p| {
                    if target_netease {
                        !p.netease || p.fold != fold
                    } else {
                        (!p.netease && p.fold != fold) || (p.netease && use_netease && !has163)
                    }
                })
                .map(|p| p.data.clone())
                .collect();
            let pm = PageModel::fit(positive, &train, &params)?;
            for (i, p) in pages.iter().enumerate() {
                if p.netease == target_netease && p.fold == fold {
                    let d = pm.decide(&p.data.input).expect("a text weight set");
                    keep[i] = Some(d.into_iter().map(|(k, _)| k).collect());
                }
            }
        }
        eprintln!("fold {fold} done");
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(out)?);
    let (mut right, mut total) = ([0usize; 2], [0usize; 2]);
    for (p, k) in pages.iter().zip(&keep) {
        let k = k.as_ref().expect("every page scored");
        let s = usize::from(p.netease);
        for (a, b) in k.iter().zip(&p.data.truth) {
            right[s] += usize::from(a == b);
            total[s] += 1;
        }
        if !p.netease {
            writeln!(
                out,
                "{}",
                serde_json::json!({"page": p.name, "fold": p.fold, "keep": k})
            )?;
        }
    }
    println!(
        "DAnIEL line accuracy {:.4}  NetEase line accuracy (CV by page) {:.4}",
        right[0] as f64 / total[0] as f64,
        right[1] as f64 / total[1] as f64
    );
    Ok(())
}
