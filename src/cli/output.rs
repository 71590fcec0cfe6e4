//! Classifying streams of documents: batching, parallel scoring, output.
//!
//! Documents are read as a stream, scored a batch at a time on every core, and
//! written in input order, so memory stays bounded whatever the input size.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::data::{Document, DocumentFormat, OnInvalid, RawDocument, documents, open};
use crate::error::{Error, Result};
use crate::long::LongText;
use crate::model::Model;
use crate::model::{Context, Prediction, kept};

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
    /// `--threshold P` (`--positive LABEL`): label a paragraph with the
    /// positive label when its probability is at least P, else with the most
    /// probable other label.
    pub threshold: Option<Threshold>,
    /// `-k N`: also write the N most probable labels with their probabilities.
    pub top: Option<usize>,
    /// `--explain N`: also write the N features that pushed each paragraph
    /// most towards its label, with their weights.
    pub explain: Option<usize>,
}

/// A decision threshold for one label (`--threshold`, `--positive`).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The positive label [default: `clickbait`].
    pub positive: Option<String>,
    /// The probability from which a paragraph gets the positive label, in [0, 1].
    pub at: f64,
}

/// The positive label when none is named.
pub const DEFAULT_POSITIVE: &str = "clickbait";

/// A [`Threshold`] checked against a model: the positive label's index.
#[derive(Debug, Clone, Copy)]
struct Decision {
    positive: usize,
    at: f64,
}

impl Decision {
    fn new(model: &Model, t: &Threshold) -> Result<Self> {
        if !(0.0..=1.0).contains(&t.at) {
            return Err(Error::Settings(format!(
                "--threshold {}: a probability from 0 to 1",
                t.at
            )));
        }
        let name = t.positive.as_deref().unwrap_or(DEFAULT_POSITIVE);
        let positive = model.label_index(name).ok_or_else(|| {
            Error::Settings(format!(
                "--threshold: the model has no label {name:?} (its labels are {}); \
                 name the positive label with --positive",
                label_list(model)
            ))
        })?;
        Ok(Decision { positive, at: t.at })
    }

    /// Relabels `p`: positive when its probability is at least the threshold,
    /// else the most probable other label.
    fn apply(&self, p: &mut Prediction) {
        p.label = crate::model::decide(&p.probs, self.positive, self.at);
    }
}

fn label_list(model: &Model) -> String {
    model
        .labels
        .iter()
        .map(|l| l.0.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The note classify prints once when page context was asked for but the
/// model has none, so every paragraph was scored on its own.
pub const NO_CONTEXT_NOTE: &str = "note: the model has no page context (it was trained without \
     --pages): every paragraph was scored on its own, as with --no-context";

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions {
            output: OutputFormat::Text,
            input_format: None,
            keep: None,
            context: Context::Page,
            on_invalid: OnInvalid::Skip,
            batch_size: 512,
            threshold: None,
            top: None,
            explain: None,
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
    /// Page context was asked for, a document had several paragraphs, and
    /// the model has no page context: print [`NO_CONTEXT_NOTE`].
    pub context_missing: bool,
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
    let decision = options
        .threshold
        .as_ref()
        .map(|t| Decision::new(model, t))
        .transpose()?;
    let mut stats = ClassifyStats::default();
    let headers = keep.is_some() && options.output == OutputFormat::Text && inputs.len() > 1;
    let mut last_file: Option<PathBuf> = None;
    let stdout = Path::new("<stdout>");
    if options.output == OutputFormat::Tsv && options.keep.is_none() {
        let mut columns: Vec<String> = model.labels.iter().map(|l| format!("p_{l}")).collect();
        for i in 1..=top_count(model, options) {
            columns.push(format!("top{i}"));
            columns.push(format!("p_top{i}"));
        }
        if options.explain.is_some() {
            columns.push("explain".into());
        }
        writeln!(
            out,
            "file\trecord\tline\tlabel\t{}\ttext",
            columns.join("\t")
        )
        .map_err(|e| Error::io(stdout, e))?;
    }
    // A reader thread parses documents into batches, a scorer thread has
    // the previous batch scored and formatted on every core, and the main
    // thread writes the batch before that in input order. Three batches in
    // flight (and the one being read) bound memory.
    let batch_size = options.batch_size.max(1);
    // Whether the windows of a long document read so far kept a paragraph.
    let mut kept_before = false;
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<RawDocument>>>(1);
        let reader = scope.spawn(move || {
            let mut skipped = ClassifyStats::default();
            // The first batch is small so that scoring starts early. A batch
            // runs on across files, so that many small files (HTML pages) are
            // scored in parallel; HTML is cut into blocks by the workers.
            let mut limit = FIRST_BATCH_BYTES;
            let mut preparer = Some(model.preparer(options.context));
            let mut batch: Vec<RawDocument> = Vec::with_capacity(batch_size);
            let mut bytes = 0usize;
            for path in inputs {
                let format = options
                    .input_format
                    .unwrap_or_else(|| DocumentFormat::from_path(path));
                let read = open(path).map_err(Stop::Read).and_then(|input| {
                    documents(path, input, format, options.on_invalid, |mut doc| {
                        // While jieba's dictionary builds (see `warm_up`), the
                        // scorer waits for it and a core is free: this thread
                        // does what it can of the scoring ahead.
                        if preparer.is_some() && model.segmenter_ready() {
                            preparer = None;
                        }
                        if let (Some(p), Some(d)) = (&mut preparer, doc.ready_mut()) {
                            p.prepare(d);
                        }
                        bytes += doc.size();
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
                    }
                    Err(Stop::Read(e)) => {
                        if !batch.is_empty() && tx.send(Ok(batch)).is_err() {
                            return skipped;
                        }
                        let _ = tx.send(Err(e));
                        return skipped;
                    }
                    // The writer has its own error to report.
                    Err(Stop::WriterGone) => return skipped,
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(Ok(batch));
            }
            skipped
        });
        // A scorer thread scores each batch on the pool while this thread
        // writes the batch before it, so that the cores are not idle while
        // output is written. The rendezvous channel holds a scored batch
        // back until the previous one is written: one batch more in flight.
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Result<Scored>>(0);
        let resolved = Resolved { keep, decision };
        scope.spawn(move || {
            for batch in rx {
                let scored = batch.map(|b| score(model, b, options, resolved));
                let stop = scored.is_err();
                // The writer has stopped (an error): stop scoring.
                if done_tx.send(scored).is_err() || stop {
                    break;
                }
            }
        });
        let mut result = Ok(());
        for scored in done_rx.iter() {
            let scored = match scored {
                Ok(s) => s,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let header = |doc: &Document, out: &mut dyn Write| -> Result<()> {
                if headers && last_file.as_deref() != Some(doc.path.as_path()) {
                    writeln!(out, "== {}", doc.path.display()).map_err(|e| Error::io(stdout, e))?;
                    last_file = Some(doc.path.clone());
                }
                Ok(())
            };
            let written = (&mut stats, &mut kept_before);
            if let Err(e) = write_scored(model, scored, options, out, written, header) {
                result = Err(e);
                break;
            }
        }
        // Hanging up stops the scorer, which hangs up on the reader.
        drop(done_rx);
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

/// Text read into one batch at most (besides the 512-document cap). Three
/// batches are in flight besides the one being read, each with its documents parsed and its output
/// formatted (JSONL: 3.5 times the text of a crawl); 2 MiB rather than 4
/// took 10-20 MB off the peak RSS of the crawl and HTML speed inputs.
const BATCH_BYTES: usize = 2 << 20;
/// Text read into the first batch at most: workers wait for it.
const FIRST_BATCH_BYTES: usize = 256 << 10;

/// How many top labels `-k` writes (none without `-k`; at most every label).
fn top_count(model: &Model, options: &ClassifyOptions) -> usize {
    options.top.map_or(0, |k| k.min(model.labels.len()))
}

/// The options that name labels, resolved against the model once.
#[derive(Debug, Clone, Copy)]
struct Resolved {
    /// `--keep`: the index of the label kept.
    keep: Option<usize>,
    /// `--threshold`/`--positive`.
    decision: Option<Decision>,
}

/// A batch scored and formatted, in input order: each document with its
/// output, or the error that stopped it.
type Scored = Vec<Result<(Document, Formatted)>>;

/// Scores and formats a batch on every core.
fn score(
    model: &Model,
    batch: Vec<RawDocument>,
    options: &ClassifyOptions,
    Resolved { keep, decision }: Resolved,
) -> Scored {
    batch
        .into_par_iter()
        .map(|raw| {
            let doc = raw.parse()?;
            let mut preds = model.classify_document(&doc, options.context)?;
            if let Some(d) = decision {
                preds.iter_mut().for_each(|p| d.apply(p));
            }
            // Room for the text and, for JSONL, each paragraph's label,
            // probabilities and keys (about 110 bytes).
            let text: usize = doc.paragraphs.iter().map(|p| p.text.len()).sum();
            let mut buf = Formatted::with_capacity(text + doc.paragraphs.len() * 128);
            write_document(model, &doc, &preds, options, keep, &mut buf)
                .expect("writing to memory does not fail");
            Ok((doc, buf))
        })
        .collect()
}

/// Writes a scored batch to `out` in input order, up to its first error.
fn write_scored(
    model: &Model,
    formatted: Scored,
    options: &ClassifyOptions,
    out: &mut dyn Write,
    // The run's statistics, and whether the windows of a long document
    // written so far kept a paragraph.
    (stats, kept_before): (&mut ClassifyStats, &mut bool),
    mut header: impl FnMut(&Document, &mut dyn Write) -> Result<()>,
) -> Result<()> {
    // The page is parsed on the workers: whether it has neighbours to give
    // context is known only here.
    let no_context = options.context == Context::Page && model.context.is_none();
    for item in formatted {
        let (doc, buf) = item?;
        if no_context && doc.paragraphs.len() > 1 {
            stats.context_missing = true;
        }
        // A long document's windows are one document.
        let window = doc.window();
        if window.is_none_or(|w| w.last) {
            stats.documents += 1;
        }
        if window.is_none_or(|w| w.first) {
            *kept_before = false;
        }
        stats.paragraphs += doc.decided().len();
        header(&doc, out)?;
        buf.write_to(out, kept_before).map_err(|e| match e {
            Copy::Read(e) => Error::io(&doc.path, e),
            Copy::Write(e) => Error::io(Path::new("<stdout>"), e),
        })?;
    }
    Ok(())
}

fn write_document(
    model: &Model,
    doc: &Document,
    preds: &[Prediction],
    options: &ClassifyOptions,
    keep: Option<usize>,
    out: &mut Formatted,
) -> std::io::Result<()> {
    let file = doc.path.display().to_string();
    let format = options
        .input_format
        .unwrap_or_else(|| DocumentFormat::from_path(&doc.path));
    if let Some(keep) = keep {
        if !doc.long.is_empty() || doc.window().is_some() {
            return write_kept_streamed(doc, preds, options, keep, format, out);
        }
        let texts: Vec<&str> = doc.paragraphs.iter().map(|p| p.text.as_str()).collect();
        let kept: Vec<&str> = kept(&texts, preds, keep).collect();
        if options.output == OutputFormat::Jsonl || format == DocumentFormat::Jsonl {
            // A JSONL record is written back whole (an `html` field too) with
            // its `text` replaced; other inputs get a record naming the file.
            let mut record = Map::new();
            if format != DocumentFormat::Jsonl {
                record.insert("file".into(), Value::String(file));
                if let Some(r) = doc.record {
                    record.insert("record".into(), json!(r));
                }
            }
            record.extend(doc.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
            record.insert("text".into(), Value::String(kept.join("\n")));
            return writeln!(out, "{}", Value::Object(record));
        }
        kept.iter().try_for_each(|t| writeln!(out, "{t}"))?;
        // Documents of a blocks file stay apart: a blank line after each.
        if format == DocumentFormat::Blocks && !kept.is_empty() {
            writeln!(out)?;
        }
        return Ok(());
    }
    match options.output {
        OutputFormat::Text => {
            // A long document's windows are one document: one header.
            match (doc.record, doc.window()) {
                (_, Some(w)) if !w.first => {}
                (Some(r), _) => writeln!(out, "== {file}:{r}")?,
                (None, _) => writeln!(out, "== {file}")?,
            }
            let width = model
                .labels
                .iter()
                .map(|l| l.0.chars().count())
                .max()
                .unwrap_or(0);
            let decided = doc.decided();
            let rows = doc.paragraphs[decided.clone()].iter().zip(&preds[decided]);
            for (para, p) in rows {
                write!(
                    out,
                    "{:>5}  {:<width$}  {:>7}  ",
                    para.line,
                    model.labels[p.label].0,
                    Probability(p.probs[p.label]),
                )?;
                let top = top_labels(p, top_count(model, options));
                if !top.is_empty() {
                    let pairs: Vec<String> = top
                        .iter()
                        .map(|&c| format!("{} {}", model.labels[c].0, Probability(p.probs[c])))
                        .collect();
                    write!(out, "[{}]  ", pairs.join(", "))?;
                }
                writeln!(out, "{}", preview(&para.text, 60))?;
                if let Some(n) = options.explain {
                    let why: Vec<String> = model
                        .explain(&para.text, p.label, n)
                        .iter()
                        .map(|c| format!("{} {:+.3}", c.feature, c.weight))
                        .collect();
                    writeln!(out, "{:>5}  explain: {}", "", why.join(", "))?;
                }
            }
            Ok(())
        }
        OutputFormat::Tsv => {
            let record = doc.record.map(|r| r.to_string()).unwrap_or_default();
            let rows = doc.paragraphs.iter().zip(preds).enumerate();
            for (i, (para, p)) in rows.skip(doc.decided().start).take(doc.decided().len()) {
                let mut probs: Vec<String> = p.probs.iter().map(|x| format!("{x:.6}")).collect();
                for c in top_labels(p, top_count(model, options)) {
                    probs.push(model.labels[c].0.clone());
                    probs.push(format!("{:.6}", p.probs[c]));
                }
                if let Some(n) = options.explain {
                    let why: Vec<String> = model
                        .explain(&para.text, p.label, n)
                        .iter()
                        .map(|c| {
                            format!("{} {:+.4}", c.feature, c.weight).replace(['\t', ';'], " ")
                        })
                        .collect();
                    probs.push(why.join("; "));
                }
                write!(
                    out,
                    "{file}\t{record}\t{}\t{}\t{}\t",
                    para.line,
                    model.labels[p.label].0,
                    probs.join("\t"),
                )?;
                match doc.long_text(i) {
                    Some(long) => out.long(long, Escape::Tsv),
                    None => out.write_all(para.text.replace(['\t', '\n', '\r'], " ").as_bytes())?,
                }
                writeln!(out)?;
            }
            Ok(())
        }
        OutputFormat::Jsonl => {
            let mut record = Map::new();
            record.insert("file".into(), Value::String(file));
            if let Some(r) = doc.record {
                record.insert("record".into(), json!(r));
            }
            // The page itself is not repeated beside its blocks' labels.
            for (k, v) in doc.fields.iter().filter(|(k, _)| *k != "html") {
                record.insert(k.clone(), v.clone());
            }
            // A field of that name gives way to the paragraphs, as it did
            // when they were inserted into the map.
            record.remove("paragraphs");
            let labels = LabelsOut::new(model);
            let decided = doc.decided();
            let paragraphs: Vec<ParagraphOut> = doc
                .paragraphs
                .iter()
                .zip(preds)
                .enumerate()
                .skip(decided.start)
                .take(decided.len())
                .map(|(i, (para, p))| {
                    let path = doc.tag_paths.get(i).map(String::as_str);
                    ParagraphOut {
                        block: path.map(|_| para.line),
                        explain: options
                            .explain
                            .map(|n| model.explain(&para.text, p.label, n)),
                        label: model.labels[p.label].0.as_str(),
                        class: p.label,
                        line: path.is_none().then_some(para.line),
                        path,
                        probs: Probs {
                            model,
                            labels: &labels,
                            probs: &p.probs,
                        },
                        tag: path.map(|_| doc.features[i].tag.as_str()),
                        text: Some(&para.text),
                        top: options.top.map(|_| {
                            top_labels(p, top_count(model, options))
                                .into_iter()
                                .map(|c| TopLabel {
                                    label: model.labels[c].0.as_str(),
                                    prob: p.probs[c],
                                })
                                .collect()
                        }),
                    }
                })
                .collect();
            if !doc.long.is_empty() || doc.window().is_some() {
                return write_record_streamed(doc, &record, paragraphs.into_iter(), out);
            }
            record_head(out, &record, "paragraphs")?;
            out.write_all(b"[")?;
            for (n, p) in paragraphs.iter().enumerate() {
                if n > 0 {
                    out.write_all(b",")?;
                }
                p.write_json(out)?;
            }
            out.write_all(b"]")?;
            record_tail(out, &record, "paragraphs")?;
            out.write_all(b"\n")
        }
    }
}

/// `--keep` output of a document with long paragraphs (see
/// [`crate::LongText`]) or of a window of a long document (see
/// [`crate::Window`]): as [`write_document`] writes a document, long
/// paragraphs' text copied in from their files by [`Formatted::write_to`]
/// instead of held, and a long document's windows written as one document.
fn write_kept_streamed(
    doc: &Document,
    preds: &[Prediction],
    options: &ClassifyOptions,
    keep: usize,
    format: DocumentFormat,
    out: &mut Formatted,
) -> std::io::Result<()> {
    let decided = doc.decided();
    let kept = || decided.clone().filter(move |&i| preds[i].label == keep);
    out.kept = kept().next().is_some();
    let (first, last) = doc.window().map_or((true, true), |w| (w.first, w.last));
    if options.output == OutputFormat::Jsonl || format == DocumentFormat::Jsonl {
        let mut record = Map::new();
        if format != DocumentFormat::Jsonl {
            record.insert("file".into(), Value::String(doc.path.display().to_string()));
            if let Some(r) = doc.record {
                record.insert("record".into(), json!(r));
            }
        }
        record.extend(doc.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
        if first {
            record_head(out, &record, "text")?;
            out.write_all(b"\"")?;
        }
        for (n, i) in kept().enumerate() {
            if n == 0 {
                // After what earlier windows kept.
                out.separator(Separator::Between(b"\\n"));
            } else {
                out.write_all(b"\\n")?;
            }
            match doc.long_text(i) {
                Some(long) => out.long(long, Escape::Json),
                None => out.write_all(&json_str_contents(&doc.paragraphs[i].text))?,
            }
        }
        if last {
            out.write_all(b"\"")?;
            record_tail(out, &record, "text")?;
            out.write_all(b"\n")?;
        }
        return Ok(());
    }
    for i in kept() {
        match doc.long_text(i) {
            Some(long) => out.long(long, Escape::Raw),
            None => out.write_all(doc.paragraphs[i].text.as_bytes())?,
        }
        writeln!(out)?;
    }
    // Documents of a blocks file stay apart: a blank line after each that
    // kept anything.
    if format == DocumentFormat::Blocks && last {
        out.separator(Separator::IfAny(b"\n"));
    }
    Ok(())
}

/// A JSONL output record of a document with long paragraphs, or of a
/// window of a long document: as [`write_document`] writes a document, long
/// paragraphs' text copied in from their files, a long document's windows
/// written as one record (the first writes its start, the last its end).
fn write_record_streamed<'a>(
    doc: &Document,
    record: &Map<String, Value>,
    paragraphs: impl Iterator<Item = ParagraphOut<'a>>,
    out: &mut Formatted,
) -> std::io::Result<()> {
    let (first, last) = doc.window().map_or((true, true), |w| (w.first, w.last));
    if first {
        record_head(out, record, "paragraphs")?;
        out.write_all(b"[")?;
    }
    let decided = doc.decided();
    for (n, mut p) in paragraphs.enumerate() {
        // Every window decides a paragraph at least.
        if n > 0 || !first {
            out.write_all(b",")?;
        }
        let Some(long) = doc.long_text(decided.start + n) else {
            p.write_json(out)?;
            continue;
        };
        // The fields before `text`, then `text` from the file, then `top`.
        p.text = None;
        let top = p.top.take();
        p.write_json(out)?;
        out.bytes.pop(); // its closing brace
        out.write_all(b",\"text\":\"")?;
        out.long(long, Escape::Json);
        out.write_all(b"\"")?;
        if let Some(top) = top {
            out.write_all(b",\"top\":")?;
            serde_json::to_writer(&mut *out, &top)?;
        }
        out.write_all(b"}")?;
    }
    if last {
        out.write_all(b"]")?;
        record_tail(out, record, "paragraphs")?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The start of the JSON object `record` as serde_json writes a map (keys
/// in order), up to the value of `key` (which `record` does not hold):
/// `{"a":1,"key":`.
fn record_head(out: &mut Formatted, record: &Map<String, Value>, key: &str) -> std::io::Result<()> {
    out.write_all(b"{")?;
    for (k, v) in record.iter().filter(|(k, _)| k.as_str() < key) {
        serde_json::to_writer(&mut *out, k)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, v)?;
        out.write_all(b",")?;
    }
    serde_json::to_writer(&mut *out, key)?;
    out.write_all(b":")
}

/// The rest of the JSON object [`record_head`] started, after the value of
/// `key`: `,"z":2}`.
fn record_tail(out: &mut Formatted, record: &Map<String, Value>, key: &str) -> std::io::Result<()> {
    for (k, v) in record.iter().filter(|(k, _)| k.as_str() > key) {
        out.write_all(b",")?;
        serde_json::to_writer(&mut *out, k)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, v)?;
    }
    out.write_all(b"}")
}

/// A string as JSON writes it between its quotes.
fn json_str_contents(s: &str) -> Vec<u8> {
    let mut quoted = serde_json::to_vec(s).expect("a string serialises");
    quoted.pop();
    quoted.remove(0);
    quoted
}

/// How a long paragraph's text is written.
#[derive(Debug, Clone, Copy)]
enum Escape {
    /// As it is (`--keep` text).
    Raw,
    /// Tabs and line ends as spaces (a TSV column).
    Tsv,
    /// Escaped as between the quotes of a JSON string.
    Json,
}

/// A document's output, formatted on a worker: bytes, with the text of long
/// paragraphs left to copy in from their files when it is written, and for
/// a window of a long document the separators that depend on what earlier
/// windows kept.
#[derive(Default)]
struct Formatted {
    parts: Vec<(Vec<u8>, Part)>,
    bytes: Vec<u8>,
    /// `--keep`: whether this kept a paragraph.
    kept: bool,
}

/// What comes after some bytes of a [`Formatted`].
enum Part {
    Long(LongText, Escape),
    Separator(Separator),
}

/// Bytes written between the windows of a long document under `--keep`,
/// depending on whether earlier windows of the document kept a paragraph.
#[derive(Debug, Clone, Copy)]
enum Separator {
    /// Written when earlier windows and this one kept a paragraph.
    Between(&'static [u8]),
    /// Written when any window so far, this one included, kept one.
    IfAny(&'static [u8]),
}

/// Why writing a [`Formatted`] failed: reading a long paragraph's file or
/// writing the output.
enum Copy {
    Read(std::io::Error),
    Write(std::io::Error),
}

impl Formatted {
    fn with_capacity(bytes: usize) -> Self {
        Formatted {
            bytes: Vec::with_capacity(bytes),
            ..Formatted::default()
        }
    }

    /// The text of a long paragraph, to copy in here.
    fn long(&mut self, text: &LongText, escape: Escape) {
        let before = std::mem::take(&mut self.bytes);
        self.parts.push((before, Part::Long(text.clone(), escape)));
    }

    /// A separator between windows, here.
    fn separator(&mut self, separator: Separator) {
        let before = std::mem::take(&mut self.bytes);
        self.parts.push((before, Part::Separator(separator)));
    }

    /// Writes it all, long paragraphs' text read a piece at a time;
    /// `kept_before` says whether earlier windows of its document kept a
    /// paragraph, and is updated.
    fn write_to(
        self,
        out: &mut dyn Write,
        kept_before: &mut bool,
    ) -> std::result::Result<(), Copy> {
        let kept = self.kept;
        for (before, part) in self.parts {
            out.write_all(&before).map_err(Copy::Write)?;
            let (text, escape) = match part {
                Part::Long(text, escape) => (text, escape),
                Part::Separator(s) => {
                    let bytes = match s {
                        Separator::Between(b) if *kept_before && kept => b,
                        Separator::IfAny(b) if *kept_before || kept => b,
                        _ => &[],
                    };
                    out.write_all(bytes).map_err(Copy::Write)?;
                    continue;
                }
            };
            let mut failed = None;
            let read = text.for_each_piece(|piece| {
                let written = match escape {
                    Escape::Raw => out.write_all(piece.as_bytes()),
                    Escape::Tsv => out.write_all(piece.replace(['\t', '\n', '\r'], " ").as_bytes()),
                    Escape::Json => out.write_all(&json_str_contents(piece)),
                };
                // A write error is kept apart from a read error.
                written.map_err(|e| {
                    failed = Some(e);
                    std::io::Error::other("the output failed")
                })
            });
            if let Some(e) = failed {
                return Err(Copy::Write(e));
            }
            read.map_err(Copy::Read)?;
        }
        *kept_before |= kept;
        out.write_all(&self.bytes).map_err(Copy::Write)
    }
}

impl Write for Formatted {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// serde_json writes every string in three or more pieces: without
    /// this, each goes through the default loop of `write` calls, which was
    /// most of the JSONL output's cost.
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.bytes.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One paragraph of a JSONL output record. Its fields are in the order of
/// their names, as a JSON map of them was written before: `block`, `path` and
/// `tag` for a block of HTML, `line` for a line of text. It is written by
/// [`ParagraphOut::write_json`]; its `Serialize` is the reference that writer
/// is tested against.
#[derive(serde::Serialize)]
struct ParagraphOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    block: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<Vec<crate::Contribution>>,
    label: &'a str,
    /// The index of `label`.
    #[serde(skip)]
    class: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    probs: Probs<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<&'a str>,
    /// Always there but for a long paragraph's, which is copied in from its
    /// file (see [`write_record_streamed`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top: Option<Vec<TopLabel<'a>>>,
}

/// One of a paragraph's `-k` most probable labels.
#[derive(serde::Serialize)]
struct TopLabel<'a> {
    label: &'a str,
    prob: f64,
}

/// A paragraph's probabilities as a map from label to probability, labels
/// in the order of their names.
struct Probs<'a> {
    model: &'a Model,
    labels: &'a LabelsOut,
    probs: &'a [f64],
}

/// The model's labels as JSONL output needs them, worked out once a
/// document rather than for each of its paragraphs.
struct LabelsOut {
    /// The indices of the labels in the order of their names.
    by_name: Vec<usize>,
    /// Each label (by index) as the field `"label":"news"`.
    field: Vec<Piece>,
    /// Before each probability, in the order of the labels' names:
    /// `,"probs":{"clickbait":` (the comma after `label`, `line` or `path`),
    /// then `,"news":`; one piece a paragraph instead of four.
    keys: Vec<Piece>,
}

/// A few bytes of JSON that every paragraph of a run writes (a label's key
/// or field). Their length is known only at run time, so copying them
/// called `memcpy`: up to [`Piece::PADDED`] bytes they are copied padded to
/// that size instead (two vector stores), the padding then cut off.
struct Piece {
    bytes: Vec<u8>,
    padded: Option<[u8; Piece::PADDED]>,
}

impl Piece {
    const PADDED: usize = 32;

    fn new(bytes: Vec<u8>) -> Self {
        let padded = (bytes.len() <= Self::PADDED).then(|| {
            let mut padded = [0; Self::PADDED];
            padded[..bytes.len()].copy_from_slice(&bytes);
            padded
        });
        Piece { bytes, padded }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match &self.padded {
            Some(padded) => {
                let end = out.len() + self.bytes.len();
                out.extend_from_slice(padded);
                out.truncate(end);
            }
            None => out.extend_from_slice(&self.bytes),
        }
    }
}

impl LabelsOut {
    fn new(model: &Model) -> Self {
        let quoted: Vec<Vec<u8>> = model
            .labels
            .iter()
            .map(|l| serde_json::to_vec(&l.0).expect("a string serialises"))
            .collect();
        let by_name = labels_by_name(model);
        let keys = by_name
            .iter()
            .enumerate()
            .map(|(n, &c)| {
                let before: &[u8] = if n == 0 { b",\"probs\":{" } else { b"," };
                Piece::new([before, &quoted[c], b":"].concat())
            })
            .collect();
        LabelsOut {
            field: quoted
                .iter()
                .map(|q| Piece::new([b"\"label\":", &q[..]].concat()))
                .collect(),
            by_name,
            keys,
        }
    }
}

impl serde::Serialize for Probs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.labels.by_name.len()))?;
        for &c in &self.labels.by_name {
            map.serialize_entry(self.model.labels[c].0.as_str(), &self.probs[c])?;
        }
        map.end()
    }
}

/// The indices of the model's labels in the order of their names.
fn labels_by_name(model: &Model) -> Vec<usize> {
    let mut order: Vec<usize> = (0..model.labels.len()).collect();
    order.sort_by(|&a, &b| model.labels[a].0.cmp(&model.labels[b].0));
    order
}

impl ParagraphOut<'_> {
    /// Writes the paragraph byte for byte as serde_json writes it (compact,
    /// fields in order, `None`s left out), but with its strings through
    /// [`write_json_str`]: serde_json's escaping looks every byte up in a
    /// table, and that was half the cost of the JSONL output on a crawl.
    fn write_json(&self, out: &mut Formatted) -> std::io::Result<()> {
        use serde_json::ser::{CompactFormatter, Formatter};
        let labels = self.probs.labels;
        // Room for all but `explain` and `top`: no growing on the way.
        let text = self.text.map_or(0, str::len);
        let markup = self.path.map_or(0, str::len) + self.tag.map_or(0, str::len);
        // (A piece is written padded: room for the padding too.)
        let pieces = (Piece::PADDED + 32) * (1 + labels.keys.len());
        out.bytes.reserve(text + markup + 64 + pieces);
        // `{` before the first field, `,` before the others.
        out.bytes.push(b'{');
        let mut first = true;
        let mut separator = |out: &mut Formatted| {
            if !std::mem::take(&mut first) {
                out.bytes.push(b',');
            }
        };
        if let Some(block) = self.block {
            separator(out);
            out.bytes.extend_from_slice(b"\"block\":");
            CompactFormatter.write_u64(out, block as u64)?;
        }
        if let Some(explain) = &self.explain {
            separator(out);
            out.bytes.extend_from_slice(b"\"explain\":");
            serde_json::to_writer(&mut *out, explain)?;
        }
        separator(out);
        labels.field[self.class].write(&mut out.bytes);
        if let Some(line) = self.line {
            out.bytes.extend_from_slice(b",\"line\":");
            CompactFormatter.write_u64(out, line as u64)?;
        }
        if let Some(path) = self.path {
            out.bytes.extend_from_slice(b",\"path\":");
            write_json_str(out, path)?;
        }
        for (&c, before) in labels.by_name.iter().zip(&labels.keys) {
            before.write(&mut out.bytes);
            write_json_f64(out, self.probs.probs[c])?;
        }
        // Two branches rather than one slice of either: constants written
        // in place instead of a copy of a length known only here.
        if labels.by_name.is_empty() {
            out.bytes.extend_from_slice(b",\"probs\":{}");
        } else {
            out.bytes.push(b'}');
        }
        if let Some(tag) = self.tag {
            out.bytes.extend_from_slice(b",\"tag\":");
            write_json_str(out, tag)?;
        }
        if let Some(text) = self.text {
            out.bytes.extend_from_slice(b",\"text\":");
            write_json_str(out, text)?;
        }
        if let Some(top) = &self.top {
            out.bytes.extend_from_slice(b",\"top\":");
            serde_json::to_writer(&mut *out, top)?;
        }
        out.bytes.push(b'}');
        Ok(())
    }
}

/// Writes `x` as serde_json writes an `f64` (`null` when it is not finite),
/// without a serializer built around each number.
fn write_json_f64(out: &mut Formatted, x: f64) -> std::io::Result<()> {
    use serde_json::ser::{CompactFormatter, Formatter};
    if x.is_finite() {
        CompactFormatter.write_f64(out, x)
    } else {
        CompactFormatter.write_null(out)
    }
}

/// Writes `s` as a JSON string, as serde_json does. Most text has nothing
/// to escape: that is checked over the whole string at once (a loop the
/// compiler vectorises) and the bytes copied as they are; the rest goes
/// through serde_json.
fn write_json_str(out: &mut Formatted, s: &str) -> std::io::Result<()> {
    if !is_plain_json(s.as_bytes()) {
        return Ok(serde_json::to_writer(out, s)?);
    }
    out.bytes.reserve(s.len() + 2);
    out.bytes.push(b'"');
    out.bytes.extend_from_slice(s.as_bytes());
    out.bytes.push(b'"');
    Ok(())
}

/// True when serde_json writes `bytes` as they are between the quotes: it
/// escapes exactly the control characters, `"` and `\\`. One pass without
/// an early exit, which the compiler vectorises (16-byte chunks with a
/// scalar tail cost more: 14.2 -> 17.4 M instructions on crawl-small).
fn is_plain_json(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |plain, &b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    })
}

/// The indices of the `k` most probable labels, most probable first (ties by
/// label order).
fn top_labels(p: &Prediction, k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.probs.len()).collect();
    order.sort_by(|&a, &b| p.probs[b].total_cmp(&p.probs[a]).then(a.cmp(&b)));
    order.truncate(k);
    order
}

/// A probability as text output shows it: four decimals, but never rounded
/// to 1 or 0 (a softmax gives neither): above 0.99995 it shows as `>0.9999`,
/// below 0.00005 as `<0.0001`. Seven characters wide.
pub struct Probability(pub f64);

impl std::fmt::Display for Probability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = if self.0 >= 0.99995 {
            ">0.9999".to_string()
        } else if self.0 < 0.00005 {
            "<0.0001".to_string()
        } else {
            format!("{:.4}", self.0)
        };
        f.pad(&text)
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
    fn probabilities_never_round_to_one_or_zero() {
        let shown = |p: f64| format!("{:>7}", Probability(p));
        assert_eq!(shown(0.99995), ">0.9999");
        assert_eq!(shown(1.0), ">0.9999");
        assert_eq!(shown(0.99994), " 0.9999");
        assert_eq!(shown(0.61234), " 0.6123");
        assert_eq!(shown(0.00004), "<0.0001");
        assert_eq!(shown(0.0), "<0.0001");
    }

    /// `ParagraphOut::write_json` must write what serde_json writes for the
    /// same struct, whatever its strings hold and whichever fields it has.
    #[test]
    fn paragraphs_are_written_as_serde_json_writes_them() {
        let examples = [
            "今天北京下雨",
            "市政府发布通知",
            "震惊！竟然这样",
            "猜你喜欢",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| crate::Example::new(if i < 2 { "news" } else { "clickbait" }, *t));
        let model = crate::TrainParams::new()
            .fit(examples.collect::<Vec<_>>())
            .unwrap();
        let labels = LabelsOut::new(&model);
        let probs = [0.25, 0.75];
        let texts = [
            "",
            "平常的一句话",
            "a \"quoted\" word",
            "back\\slash",
            "tab\there, line\nend, bell\u{7}, nul\u{0}, del\u{7f}",
            "emoji 🎉 and é",
        ];
        for (n, text) in texts.iter().enumerate() {
            let html = n % 2 == 1;
            let p = ParagraphOut {
                block: html.then_some(n + 1),
                explain: (n == 2).then(|| model.explain(text, 0, 3)),
                label: model.labels[n % 2].0.as_str(),
                class: n % 2,
                line: (!html).then_some(n + 7),
                path: html.then_some("body>div#\"main\">p"),
                probs: Probs {
                    model: &model,
                    labels: &labels,
                    probs: &probs,
                },
                tag: html.then_some("p"),
                text: (n != 4).then_some(*text),
                top: (n >= 3).then(|| {
                    vec![TopLabel {
                        label: text,
                        prob: 1.0 / 3.0,
                    }]
                }),
            };
            let mut mine = Formatted::default();
            p.write_json(&mut mine).unwrap();
            let theirs = serde_json::to_vec(&p).unwrap();
            assert_eq!(
                String::from_utf8(mine.bytes).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }

    /// Every byte that serde_json escapes, at every place of a string
    /// longer than a chunk, and none of the bytes it leaves alone.
    #[test]
    fn plain_strings_are_those_serde_json_leaves_alone() {
        for b in 0u8..=0x7F {
            for at in [0, 5, 15, 16, 17, 31, 32, 39] {
                let mut bytes = vec![b'a'; 40];
                bytes[at] = b;
                let s = std::str::from_utf8(&bytes).unwrap();
                let theirs = serde_json::to_string(s).unwrap();
                let untouched = theirs.len() == s.len() + 2;
                assert_eq!(is_plain_json(s.as_bytes()), untouched, "{b:#x} at {at}");
            }
        }
        assert!(is_plain_json("新闻联播，今天".repeat(5).as_bytes()));
        assert!(is_plain_json(b""));
    }

    /// A piece writes its bytes and no more, padded or not.
    #[test]
    fn pieces_write_their_bytes_only() {
        for len in [
            0,
            1,
            Piece::PADDED - 1,
            Piece::PADDED,
            Piece::PADDED + 1,
            100,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut out = b"{".to_vec();
            Piece::new(bytes.clone()).write(&mut out);
            assert_eq!(out, [b"{", &bytes[..]].concat(), "{len} bytes");
        }
    }

    #[test]
    fn preview_cuts_on_characters() {
        assert_eq!(preview("新闻联播", 2).to_string(), "新闻…");
        assert_eq!(preview("新闻", 2).to_string(), "新闻");
        assert_eq!(preview("", 2).to_string(), "");
    }
}
