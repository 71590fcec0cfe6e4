//! Sharded training: shards counted apart and merged in order fit the model
//! one fit on all the data gives, byte for byte (issue 13); counts files are
//! versioned and checksummed; the command line's --counts-out and --merge.

use std::process::Command;

use crate::common::*;
use newsbait::{Counts, Example, LengthNorm, TrainParams, Variant};

/// The small training data as examples, with a third label in a few lines
/// (so that some shards lack a label).
fn examples() -> Vec<Example> {
    let mut out: Vec<Example> = training_jsonl(40)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            Example::new(v["label"].as_str().unwrap(), v["text"].as_str().unwrap())
        })
        .collect();
    out.push(Example::new("ad", "限时特价，点击购买，包邮到家"));
    out.push(Example::new("ad", "扫码领券，立减五十元"));
    out
}

/// Cuts at uneven places, none on a multiple of the counting chunk.
fn shards(examples: &[Example]) -> Vec<&[Example]> {
    let n = examples.len();
    let cuts = [0, 37, 601, n - 5, n];
    cuts.windows(2).map(|w| &examples[w[0]..w[1]]).collect()
}

fn merged(params: &TrainParams, examples: &[Example]) -> Counts {
    let mut parts = shards(examples)
        .into_iter()
        .map(|s| params.count_slice(s).unwrap());
    let mut counts = parts.next().unwrap();
    for part in parts {
        // Through the file format, as shards come from other machines.
        counts
            .merge(&Counts::from_bytes(&part.to_bytes()).unwrap())
            .unwrap();
    }
    counts
}

#[test]
fn four_merged_shards_fit_the_one_machine_model_byte_for_byte() {
    let examples = examples();
    let settings = [
        TrainParams::new(),
        TrainParams::new()
            .alpha(0.3)
            .log_counts(true)
            .length_norm(LengthNorm::L1),
        TrainParams::new()
            .char_ngrams(2)
            .variant(Variant::Complement)
            .max_features(Some(300))
            .shape_weight(0.7),
    ];
    for params in settings {
        let whole = params.fit_slice(&examples).unwrap();
        let counts = merged(&params, &examples);
        assert_eq!(counts.examples(), examples.len());
        assert_eq!(counts.labels().len(), 3);
        assert_eq!(
            counts.fit().unwrap().to_bytes(),
            whole.to_bytes(),
            "{params:?}"
        );
    }
}

#[test]
fn counts_files_round_trip_and_reject_damage() {
    let params = TrainParams::new();
    let counts = params.count_slice(&examples()[..50]).unwrap();
    let bytes = counts.to_bytes();
    assert_eq!(Counts::from_bytes(&bytes).unwrap(), counts);
    let err = |b: &[u8]| Counts::from_bytes(b).unwrap_err().to_string();
    let mut damaged = bytes.clone();
    *damaged.last_mut().unwrap() ^= 1;
    assert!(err(&damaged).contains("checksum"), "{}", err(&damaged));
    assert!(err(&bytes[..bytes.len() - 1]).contains("truncated"));
    let mut version = bytes.clone();
    version[8] = 99;
    assert!(err(&version).contains("format version 99"));
    let model = params.fit_slice(&examples()).unwrap().to_bytes();
    assert!(
        err(&model).contains("not a newsbait counts file"),
        "{}",
        err(&model)
    );
    // Counts are no model either.
    let as_model = newsbait::Model::from_bytes(&bytes).unwrap_err().to_string();
    assert!(as_model.contains("not a newsbait model"), "{as_model}");
}

#[test]
fn counts_of_other_settings_do_not_merge() {
    let examples = examples();
    let mut a = TrainParams::new().count_slice(&examples[..10]).unwrap();
    let before = a.clone();
    let b = TrainParams::new()
        .alpha(0.5)
        .count_slice(&examples[10..])
        .unwrap();
    let e = a.merge(&b).unwrap_err().to_string();
    assert!(e.contains("other settings"), "{e}");
    assert_eq!(a, before);
    // One label alone counts, but does not fit.
    let one = TrainParams::new().count_slice(&examples[..1]).unwrap();
    assert!(one.fit().unwrap_err().to_string().contains("two labels"));
}

#[test]
fn the_command_line_counts_shards_and_merges_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = training_jsonl(40);
    let lines: Vec<&str> = data.lines().collect();
    let whole = dir.path().join("train.jsonl");
    std::fs::write(&whole, &data).unwrap();
    let mut counts = Vec::new();
    for (i, part) in [&lines[..101], &lines[101..555], &lines[555..]]
        .iter()
        .enumerate()
    {
        let shard = dir.path().join(format!("shard{i}.jsonl"));
        std::fs::write(&shard, part.join("\n") + "\n").unwrap();
        let out = dir.path().join(format!("shard{i}.counts"));
        let o = run(Command::new(train_bin())
            .arg("--data")
            .arg(&shard)
            .arg("--counts-out")
            .arg(&out));
        assert!(o.status.success(), "{}", stderr(&o));
        counts.push(out);
    }
    let one = dir.path().join("one.model");
    out_ok(&train(&whole, &one, &[]));
    let merged = dir.path().join("merged.model");
    let o = run(Command::new(train_bin())
        .arg("--merge")
        .args(&counts)
        .arg("--source")
        .arg(&whole)
        .arg("--out")
        .arg(&merged));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(&one).unwrap()
    );
    // A model is not a counts file.
    let o = run(Command::new(train_bin())
        .arg("--merge")
        .arg(&one)
        .arg("--out")
        .arg(&merged));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("not a newsbait counts file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_data_hash_is_of_the_paragraphs_in_any_order_and_any_shards() {
    let examples = examples();
    let params = TrainParams::new();
    let whole = params.count_slice(&examples).unwrap();
    let hash = whole.data_hash();
    assert_eq!(hash.len(), 32);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    // In the model's summary, from one machine and from merged shards alike.
    let model = params.fit_slice(&examples).unwrap();
    assert_eq!(model.summary().data_hash.as_deref(), Some(hash.as_str()));
    assert_eq!(merged(&params, &examples).data_hash(), hash);
    // Another order gives the same hash; another text, label or a paragraph
    // more does not.
    let mut reversed = examples.clone();
    reversed.reverse();
    assert_eq!(params.count_slice(&reversed).unwrap().data_hash(), hash);
    let mut edited = examples.clone();
    edited[3].text.push('。');
    assert_ne!(params.count_slice(&edited).unwrap().data_hash(), hash);
    let mut relabelled = examples.clone();
    relabelled[0].label = newsbait::Label::from("ad");
    assert_ne!(params.count_slice(&relabelled).unwrap().data_hash(), hash);
    let mut doubled = examples.clone();
    doubled.push(examples[0].clone());
    assert_ne!(params.count_slice(&doubled).unwrap().data_hash(), hash);
}
