//! Classifying streams of documents: batching, parallel scoring, output.
//!
//! Documents are read as a stream, scored a batch at a time on every core, and
//! written in input order, so memory stays bounded whatever the input size.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::data::{Document, DocumentFormat, OnInvalid, documents, open};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::score::{Context, Prediction, kept};

/// How results are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people: line, label, probability, text.
    #[default]
    Text,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON object a document, its fields carried over, for pipelines.
    Jsonl,
}

/// What to classify and how to write it.
#[derive(Debug, Clone)]
pub struct ClassifyOptions {
    pub output: OutputFormat,
    /// Force a document format instead of guessing from each file's name.
    pub input_format: Option<DocumentFormat>,
    /// Print only the paragraphs with this label: the cleaned document.
    pub keep: Option<String>,
    /// Use page context (neighbouring paragraphs) when the model has it.
    pub context: Context,
    pub on_invalid: OnInvalid,
    /// Documents scored together; bounds memory.
    pub batch_size: usize,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions {
            output: OutputFormat::Text,
            input_format: None,
            keep: None,
            context: Context::Page,
            on_invalid: OnInvalid::Skip,
            batch_size: 512,
        }
    }
}

/// What a run read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassifyStats {
    pub documents: usize,
    pub paragraphs: usize,
    pub skipped_invalid: usize,
    /// JSONL records skipped as malformed (not JSON, no string `text`).
    pub skipped_malformed: usize,
    /// One warning for each input that had lines skipped (see [`crate::data::ReadStats::warning`]).
    pub warnings: Vec<String>,
}

/// Classifies every input (files, or `-` for standard input) and writes the
/// results to `out` in input order.
pub fn classify_inputs(
    model: &Model,
    inputs: &[PathBuf],
    options: &ClassifyOptions,
    out: &mut dyn Write,
) -> Result<ClassifyStats> {
    let keep = options
        .keep
        .as_deref()
        .map(|k| model.keep_index(k))
        .transpose()?;
    let mut stats = ClassifyStats::default();
    let stdout = Path::new("<stdout>");
    if options.output == OutputFormat::Tsv && options.keep.is_none() {
        let probs: Vec<String> = model.labels.iter().map(|l| format!("p_{l}")).collect();
        writeln!(out, "file\trecord\tline\tlabel\t{}\ttext", probs.join("\t"))
            .map_err(|e| Error::io(stdout, e))?;
    }
    // A reader thread parses documents into batches while the previous batch
    // is scored and formatted on every core; the main thread writes each
    // batch's output in input order. Two batches in flight bound memory.
    let batch_size = options.batch_size.max(1);
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Document>>>(1);
        let reader = scope.spawn(move || {
            let mut skipped = ClassifyStats::default();
            // The first batch is small so that scoring starts early.
            let mut limit = FIRST_BATCH_BYTES;
            for path in inputs {
                let format = options
                    .input_format
                    .unwrap_or_else(|| DocumentFormat::from_path(path));
                let mut batch: Vec<Document> = Vec::with_capacity(batch_size);
                let mut bytes = 0usize;
                let read = open(path).map_err(Stop::Read).and_then(|input| {
                    documents(path, input, format, options.on_invalid, |doc| {
                        bytes += doc.paragraphs.iter().map(|p| p.text.len()).sum::<usize>();
                        batch.push(doc);
                        if batch.len() >= batch_size || bytes >= limit {
                            bytes = 0;
                            limit = BATCH_BYTES;
                            let full =
                                std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                            // The writer has stopped (an error): stop reading.
                            tx.send(Ok(full)).map_err(|_| Stop::WriterGone)?;
                        }
                        Ok(())
                    })
                });
                match read {
                    Ok(read) => {
                        skipped.skipped_invalid += read.skipped_invalid;
                        skipped.skipped_malformed += read.skipped_malformed;
                        skipped.warnings.extend(read.warning(path));
                        if !batch.is_empty() && tx.send(Ok(batch)).is_err() {
                            return skipped;
                        }
                    }
                    Err(Stop::Read(e)) => {
                        let _ = tx.send(Err(e));
                        return skipped;
                    }
                    // The writer has its own error to report.
                    Err(Stop::WriterGone) => return skipped,
                }
            }
            skipped
        });
        let mut result = Ok(());
        for batch in rx.iter() {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            if let Err(e) = flush(model, &batch, options, keep, out, &mut stats) {
                result = Err(e);
                break;
            }
        }
        drop(rx);
        let read = reader.join().expect("the reader thread does not panic");
        stats.skipped_invalid += read.skipped_invalid;
        stats.skipped_malformed += read.skipped_malformed;
        stats.warnings.extend(read.warnings);
        result
    })?;
    out.flush().map_err(|e| Error::io(stdout, e))?;
    Ok(stats)
}

/// Why the reader thread stopped before the end of its inputs.
enum Stop {
    /// An input could not be read: reported to the writer.
    Read(Error),
    /// The writer hung up (it had an error of its own): nothing to report.
    WriterGone,
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Read(e)
    }
}

/// Text read into one batch at most (besides the 512-document cap).
const BATCH_BYTES: usize = 4 << 20;
/// Text read into the first batch at most: workers wait for it.
const FIRST_BATCH_BYTES: usize = 256 << 10;

fn flush(
    model: &Model,
    batch: &[Document],
    options: &ClassifyOptions,
    keep: Option<usize>,
    out: &mut dyn Write,
    stats: &mut ClassifyStats,
) -> Result<()> {
    let formatted: Vec<Vec<u8>> = batch
        .par_iter()
        .map(|doc| {
            let texts: Vec<&str> = doc.paragraphs.iter().map(|p| p.text.as_str()).collect();
            let preds = model.classify(&texts, options.context);
            let mut buf = Vec::with_capacity(doc.paragraphs.len() * 96);
            write_document(model, doc, &texts, &preds, options, keep, &mut buf)
                .expect("writing to memory does not fail");
            buf
        })
        .collect();
    for (doc, buf) in batch.iter().zip(&formatted) {
        stats.documents += 1;
        stats.paragraphs += doc.paragraphs.len();
        out.write_all(buf)
            .map_err(|e| Error::io(Path::new("<stdout>"), e))?;
    }
    Ok(())
}

fn write_document(
    model: &Model,
    doc: &Document,
    texts: &[&str],
    preds: &[Prediction],
    options: &ClassifyOptions,
    keep: Option<usize>,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let file = doc.path.display().to_string();
    if let Some(keep) = keep {
        let kept: Vec<&str> = kept(texts, preds, keep).collect();
        return match (options.output, doc.record) {
            (OutputFormat::Jsonl, _) | (_, Some(_)) => {
                let mut record = doc.fields.clone();
                record.insert("text".into(), Value::String(kept.join("\n")));
                writeln!(out, "{}", Value::Object(record))
            }
            _ => kept.iter().try_for_each(|t| writeln!(out, "{t}")),
        };
    }
    match options.output {
        OutputFormat::Text => {
            match doc.record {
                Some(r) => writeln!(out, "== {file}:{r}")?,
                None => writeln!(out, "== {file}")?,
            }
            let width = model
                .labels
                .iter()
                .map(|l| l.0.chars().count())
                .max()
                .unwrap_or(0);
            for (para, p) in doc.paragraphs.iter().zip(preds) {
                writeln!(
                    out,
                    "{:>5}  {:<width$}  {:.3}  {}",
                    para.line,
                    model.labels[p.label].0,
                    p.probs[p.label],
                    preview(&para.text, 60),
                )?;
            }
            Ok(())
        }
        OutputFormat::Tsv => {
            let record = doc.record.map(|r| r.to_string()).unwrap_or_default();
            for (para, p) in doc.paragraphs.iter().zip(preds) {
                let probs: Vec<String> = p.probs.iter().map(|x| format!("{x:.6}")).collect();
                writeln!(
                    out,
                    "{file}\t{record}\t{}\t{}\t{}\t{}",
                    para.line,
                    model.labels[p.label].0,
                    probs.join("\t"),
                    para.text.replace(['\t', '\n', '\r'], " ")
                )?;
            }
            Ok(())
        }
        OutputFormat::Jsonl => {
            let mut record = Map::new();
            record.insert("file".into(), Value::String(file));
            if let Some(r) = doc.record {
                record.insert("record".into(), json!(r));
            }
            for (k, v) in &doc.fields {
                record.insert(k.clone(), v.clone());
            }
            let paragraphs: Vec<Value> = doc
                .paragraphs
                .iter()
                .zip(preds)
                .map(|(para, p)| {
                    let probs: Map<String, Value> = model
                        .labels
                        .iter()
                        .zip(&p.probs)
                        .map(|(l, x)| (l.0.clone(), json!(x)))
                        .collect();
                    json!({
                        "line": para.line,
                        "label": model.labels[p.label].0,
                        "probs": probs,
                        "text": para.text,
                    })
                })
                .collect();
            record.insert("paragraphs".into(), Value::Array(paragraphs));
            writeln!(out, "{}", Value::Object(record))
        }
    }
}

/// The first `max` characters of `text`, with `…` when cut.
fn preview(text: &str, max: usize) -> Preview<'_> {
    match text.char_indices().nth(max) {
        Some((end, _)) => Preview(&text[..end], "…"),
        None => Preview(text, ""),
    }
}

/// A paragraph's beginning and the mark that says it was cut, written without
/// copying the text.
struct Preview<'a>(&'a str, &'static str);

impl std::fmt::Display for Preview<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)?;
        f.write_str(self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_cuts_on_characters() {
        assert_eq!(preview("新闻联播", 2).to_string(), "新闻…");
        assert_eq!(preview("新闻", 2).to_string(), "新闻");
        assert_eq!(preview("", 2).to_string(), "");
    }
}
