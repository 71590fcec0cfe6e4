//! The floor for `newsbait-classify`: jieba-rs segmentation alone, on every core.
//!
//! Reads documents the way `newsbait-classify` does (a `.jsonl` file holds one
//! document a line with a `text` field, any other file is one paragraph a line),
//! cuts every paragraph with jieba-rs (HMM on) in parallel, and prints how many
//! paragraphs and words it saw. Used by `benches/peers/speed.sh`:
//!
//! ```text
//! cargo run --release --example segment -- [--threads N] FILE
//! ```

use std::io::{BufRead, BufReader};
use std::time::Instant;

use jieba_rs::Jieba;
use rayon::prelude::*;

#[derive(serde::Deserialize)]
struct Record {
    text: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        let n: usize = args.get(i + 1).ok_or("--threads needs a number")?.parse()?;
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
        args.drain(i..i + 2);
    }
    let path = args.first().ok_or("usage: segment [--threads N] FILE")?;
    let jsonl = path.ends_with(".jsonl");
    let start = Instant::now();
    let jieba = Jieba::new();
    let reader = BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    let (mut paragraphs, mut words, mut bytes) = (0usize, 0usize, 0usize);
    let mut batch: Vec<String> = Vec::new();
    let mut batch_bytes = 0usize;
    let mut run = |batch: &mut Vec<String>| {
        let (p, w) = batch
            .par_iter()
            .map(|line| {
                let text = if jsonl {
                    serde_json::from_str::<Record>(line)
                        .map(|r| r.text)
                        .unwrap_or_default()
                } else {
                    line.clone()
                };
                let mut counts = (0usize, 0usize);
                for para in text.lines().filter(|l| !l.trim().is_empty()) {
                    counts.0 += 1;
                    counts.1 += jieba
                        .cut(para, true)
                        .iter()
                        .filter(|t| !t.word.trim().is_empty())
                        .count();
                }
                counts
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        paragraphs += p;
        words += w;
        batch.clear();
    };
    for line in reader.lines() {
        let line = line?;
        bytes += line.len() + 1;
        batch_bytes += line.len();
        batch.push(line);
        if batch_bytes >= 1 << 20 {
            run(&mut batch);
            batch_bytes = 0;
        }
    }
    run(&mut batch);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{paragraphs} paragraphs, {words} words, {:.1} MB in {secs:.2} s: {:.2} MB/s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
