//! `newsbait-info`: what a model file holds, for people or as JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::model::Model;

/// Everything `newsbait-info` shows about `model`, as a JSON object: its
/// labels, settings, page context, calibration, training summary, format
/// version and size in bytes (`bytes`: the file's, or the encoded size of a
/// model without a file). `path` is the name shown for the model.
pub fn describe(model: &Model, path: &str, bytes: u64) -> Value {
    let s = &model.settings;
    let f = &s.features;
    let context = model.context.as_ref().map(|c| {
        json!({
            "kind": "hidden Markov model over the labels (transitions learned from labelled pages)",
            "list_headings": c.markers.as_ref().map(|m| json!({
                "label": model.labels[m.label].0,
                "count": m.phrases.len(),
            })),
        })
    });
    let page_model = model.page.as_ref().map(|p| {
        let set = |w: Option<&crate::page::WeightSet>| w.map(|w| w.features.clone());
        json!({
            "label": model.labels[p.positive].0,
            "text_features": set(p.text.as_ref()),
            "html_features": set(p.html.as_ref()),
        })
    });
    json!({
        "model": path,
        "format_version": model.format_version(),
        "bytes": bytes,
        "crate_version": model.crate_version,
        "labels": model.labels.iter().map(|l| l.0.clone()).collect::<Vec<_>>(),
        "features": model.vocabulary.len(),
        "feature_settings": {
            "word_bigrams": f.word_bigrams,
            "char_ngrams": f.char_ngrams,
            "shape": f.shape,
            "shape_weight": f.shape_weight,
            "log_counts": f.log_counts,
            "length_norm": format!("{:?}", f.length_norm).to_lowercase(),
            "min_count": f.min_count,
            "max_features": f.max_features,
        },
        "tokenizer": {
            "segmenter": "jieba-rs",
            "hmm": s.tokenizer.hmm,
            "user_words": s.tokenizer.user_words.len(),
            "fold_full_width": s.normalizer.fold_full_width,
            "collapse_whitespace": s.normalizer.collapse_whitespace,
        },
        "naive_bayes": {
            "variant": format!("{:?}", s.variant).to_lowercase(),
            "alpha": s.alpha,
            "class_weight": s.class_weight.to_string(),
        },
        "page_context": context,
        "page_model": page_model,
        "temperature": model.temperature,
        "threshold": model.threshold.as_ref().map(|t| json!({
            "label": model.labels[t.label()].0,
            "at": t.at(),
            "chosen_on": t.chosen_on(),
            "f1": t.f1(),
            "applies_to": "paragraphs scored on their own (no page context)",
        })),
        "training": {
            "data": model.summary.data,
            "data_hash": model.summary.data_hash,
            "paragraphs": model.summary.documents.iter()
                .map(|c| json!({"label": c.label.0, "count": c.documents}))
                .collect::<Vec<_>>(),
            "features_seen": model.summary.features_seen,
            "skipped_invalid": model.summary.skipped_invalid,
        },
    })
}

/// [`describe`]'s object as aligned text for people.
pub fn text(info: &Value) -> String {
    let mut out = String::new();
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    };
    let mut line = |key: &str, value: String| {
        let _ = writeln!(out, "{key:<16}{value}");
    };
    line("model", s(&info["model"]));
    line(
        "format",
        format!(
            "version {}, {} bytes ({:.1} MB), written by newsbait {}",
            info["format_version"],
            info["bytes"],
            info["bytes"].as_f64().unwrap_or(0.0) / 1e6,
            s(&info["crate_version"])
        ),
    );
    let labels: Vec<String> = info["labels"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    line(
        "labels",
        format!("{} ({})", labels.len(), labels.join(", ")),
    );
    line("features", s(&info["features"]));
    let pairs = |v: &Value| -> String {
        v.as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| format!("{k} {}", s(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    line("feature set", pairs(&info["feature_settings"]));
    line("tokenizer", pairs(&info["tokenizer"]));
    line("naive Bayes", pairs(&info["naive_bayes"]));
    let context = &info["page_context"];
    line(
        "page context",
        if context.is_null() {
            "no (trained without --pages: every paragraph is scored on its own)".into()
        } else {
            let headings = &context["list_headings"];
            let headings = if headings.is_null() {
                "no list headings".to_string()
            } else {
                format!(
                    "{} list headings labelled {}",
                    headings["count"],
                    s(&headings["label"])
                )
            };
            format!("yes: {}; {headings}", s(&context["kind"]))
        },
    );
    let page = &info["page_model"];
    line(
        "page model",
        if page.is_null() {
            "no (trained without --pages, or with --no-page-model)".into()
        } else {
            let set = |name: &str, v: &Value| match v.as_array() {
                Some(f) => format!("{name} weight set ({} features)", f.len()),
                None => format!("no {name} weight set"),
            };
            format!(
                "stacked logistic regressions for label {}: {}, {}",
                s(&page["label"]),
                set("text", &page["text_features"]),
                set("HTML", &page["html_features"])
            )
        },
    );
    let t = info["temperature"].as_f64().unwrap_or(1.0);
    line(
        "calibration",
        if t == 1.0 {
            "none (temperature 1)".into()
        } else {
            format!("temperature {t:.4}")
        },
    );
    let training = &info["training"];
    let counts: Vec<String> = training["paragraphs"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| format!("{} {}", s(&c["label"]), c["count"]))
                .collect()
        })
        .unwrap_or_default();
    line(
        "training",
        format!(
            "{}: {} paragraphs; {} features seen; {} lines skipped",
            s(&training["data"]),
            counts.join(", "),
            training["features_seen"],
            training["skipped_invalid"],
        ),
    );
    line(
        "data hash",
        if training["data_hash"].is_null() {
            "not recorded (a model of format 5)".into()
        } else {
            format!(
                "{} (of the training paragraphs, in any order)",
                s(&training["data_hash"])
            )
        },
    );
    let threshold = &info["threshold"];
    line(
        "threshold",
        if threshold.is_null() {
            "none (the most probable label)".into()
        } else {
            format!(
                "{:.2} for {} (F1 {:.4} on {}), for {}",
                threshold["at"].as_f64().unwrap_or(0.5),
                s(&threshold["label"]),
                threshold["f1"].as_f64().unwrap_or(0.0),
                s(&threshold["chosen_on"]),
                s(&threshold["applies_to"])
            )
        },
    );
    out
}
