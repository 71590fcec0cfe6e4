//! Readers for labelled training data and for documents to classify.
//!
//! Every reader streams its input line by line, so a large file is never held
//! whole, and every error names the file and the line.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::html::{BlockFeatures, HtmlOptions, HtmlPage};
use crate::long::{LongText, PIECE_BYTES, feed_line};
use crate::model::Prepared;
use crate::text::{Paragraph, paragraphs_of};
use crate::window::{Window, Windows};

/// A class name, such as `news` or `clickbait`. Nothing in the library knows
/// particular names: a model's labels are whatever its training data used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Label(pub(crate) String);

impl Label {
    /// A label of this name.
    pub fn new(name: impl Into<String>) -> Label {
        Label(name.into())
    }

    /// The label's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Self {
        Label(s.to_string())
    }
}

impl From<String> for Label {
    fn from(s: String) -> Self {
        Label(s)
    }
}

/// One labelled training paragraph, with the record's other fields (such as
/// `source`) kept for grouping in reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// What the paragraph is.
    pub label: Label,
    /// The paragraph.
    pub text: String,
    /// The record's other fields (JSONL), such as `source`.
    pub fields: Map<String, Value>,
}

impl Example {
    /// A labelled paragraph without other fields.
    pub fn new(label: impl Into<Label>, text: impl Into<String>) -> Example {
        Example {
            label: label.into(),
            text: text.into(),
            fields: Map::new(),
        }
    }

    /// The example's label.
    pub fn label(&self) -> &Label {
        &self.label
    }

    /// The paragraph's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value of a string field such as `source`, if the record had one.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

/// The layout of a training file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// `{"label": ..., "text": ...}` a line; other fields are kept.
    Jsonl,
    /// `label<TAB>text` a line.
    Tsv,
    /// `__label__news text` a line, as fastText reads it.
    Fasttext,
}

impl DataFormat {
    /// Picks the format from the file name: `.jsonl`/`.json`, `.tsv`/`.tab`,
    /// `.txt`/`.ft`/`.fasttext`. `None` for other names.
    pub fn from_path(path: &Path) -> Option<DataFormat> {
        extension_row(path).and_then(|&(_, data, _)| data)
    }
}

/// What a file's extension (any case) says it holds, as training data and as
/// documents to classify: the one table behind [`DataFormat::from_path`] and
/// [`DocumentFormat::from_path`]. Other extensions are no training format
/// (sniffed) and text documents.
const EXTENSIONS: &[(&str, Option<DataFormat>, DocumentFormat)] = {
    use DataFormat as D;
    use DocumentFormat as F;
    &[
        ("jsonl", Some(D::Jsonl), F::Jsonl),
        ("ndjson", Some(D::Jsonl), F::Jsonl),
        ("json", Some(D::Jsonl), F::Jsonl),
        ("tsv", Some(D::Tsv), F::Tsv),
        ("tab", Some(D::Tsv), F::Text),
        ("ft", Some(D::Fasttext), F::Fasttext),
        ("fasttext", Some(D::Fasttext), F::Fasttext),
        ("txt", Some(D::Fasttext), F::Text),
        ("html", None, F::Html),
        ("htm", None, F::Html),
        ("xhtml", None, F::Html),
    ]
};

/// The row of [`EXTENSIONS`] for a file's extension.
fn extension_row(
    path: &Path,
) -> Option<&'static (&'static str, Option<DataFormat>, DocumentFormat)> {
    let ext = path.extension()?.to_str()?;
    EXTENSIONS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(ext))
}

/// What to do with a line that cannot be read: not valid UTF-8, holding NUL
/// bytes, longer than [`MAX_LINE_BYTES`], or (in JSONL, TSV and fastText
/// inputs) a malformed record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnInvalid {
    /// Skip the line and count it.
    #[default]
    Skip,
    /// Stop with an error naming the line.
    Error,
}

/// Lines longer than this are treated like binary junk (handled per
/// [`OnInvalid`]), so that a file without line ends is never read whole.
pub const MAX_LINE_BYTES: usize = 128 << 20;

/// What a reader passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Lines read, blank ones included.
    pub lines: usize,
    /// Lines skipped as invalid UTF-8 or binary (holding NUL bytes).
    pub skipped_invalid: usize,
    /// Lines skipped as longer than [`MAX_LINE_BYTES`] (JSONL records; text
    /// lines of any length are read in pieces).
    pub skipped_overlong: usize,
    /// Records skipped as malformed (bad JSON, no `text`, empty label, ...).
    pub skipped_malformed: usize,
    /// The line and the problem of the first line skipped, for the warning.
    pub first_skipped: Option<(usize, String)>,
}

impl ReadStats {
    /// Lines skipped for any reason.
    pub fn skipped(&self) -> usize {
        self.skipped_invalid + self.skipped_overlong + self.skipped_malformed
    }

    /// Adds the malformed records another pass over the same lines skipped.
    fn merge(&mut self, malformed: ReadStats) {
        self.skipped_malformed += malformed.skipped_malformed;
        if let Some((line, message)) = malformed.first_skipped
            && self.first_skipped.as_ref().is_none_or(|(l, _)| line < *l)
        {
            self.first_skipped = Some((line, message));
        }
    }

    fn skip(&mut self, line: usize, message: String, why: Skip) {
        *match why {
            Skip::Invalid => &mut self.skipped_invalid,
            Skip::Overlong => &mut self.skipped_overlong,
            Skip::Malformed => &mut self.skipped_malformed,
        } += 1;
        self.first_skipped.get_or_insert((line, message));
    }

    /// A one-line warning for stderr, or `None` when nothing was skipped.
    pub fn warning(&self, path: &Path) -> Option<String> {
        let (line, message) = self.first_skipped.as_ref()?;
        let overlong = match self.skipped_overlong {
            0 => String::new(),
            n => format!(", {n} too long"),
        };
        Some(format!(
            "{}: skipped {} of {} lines ({} not UTF-8 text, {} malformed records{overlong}); the first, line {line}: {message}. \
             Pass --on-invalid error to stop at the first bad line instead",
            path.display(),
            self.skipped(),
            self.lines,
            self.skipped_invalid,
            self.skipped_malformed,
        ))
    }
}

/// Why a line was skipped, for [`ReadStats`].
#[derive(Debug, Clone, Copy)]
enum Skip {
    Invalid,
    Overlong,
    Malformed,
}

/// Reads one line into `buf` (line end included), keeping at most `max` bytes:
/// returns the bytes consumed and whether the line was longer than `max`.
fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<(usize, bool)> {
    let (mut consumed, mut overlong) = (0, false);
    feed_line(reader, |bytes| {
        consumed += bytes.len();
        if !overlong {
            if buf.len() + bytes.len() > max {
                overlong = true;
                *buf = Vec::new();
            } else {
                buf.extend_from_slice(bytes);
            }
        }
        Ok(true)
    })?;
    Ok((consumed, overlong))
}

/// Calls `f(line_number, line)` for each line of `reader`, with `\r\n` handled,
/// a leading byte-order mark removed, and invalid lines handled per `policy`.
/// No more than one line (of at most [`MAX_LINE_BYTES`]) is held at a time.
pub fn for_each_line(
    path: &Path,
    reader: impl Read,
    policy: OnInvalid,
    f: impl FnMut(usize, &str) -> Result<()>,
) -> Result<ReadStats> {
    lines(path, reader, policy, MAX_LINE_BYTES, f)
}

/// [`for_each_line`] with lines longer than `max_line` bytes counted as invalid
/// (for the tests of the cap; the binaries reach it through `cli`).
#[cfg(feature = "cli")]
pub fn for_each_line_capped(
    path: &Path,
    reader: impl Read,
    policy: OnInvalid,
    max_line: usize,
    f: impl FnMut(usize, &str) -> Result<()>,
) -> Result<ReadStats> {
    lines(path, reader, policy, max_line, f)
}

/// [`for_each_line`] with lines longer than `max_line` bytes counted as
/// invalid, where `f` may stop the reading with an error of its own type `E`
/// (anything a reading [`Error`] converts into).
fn lines<E: From<Error>>(
    path: &Path,
    reader: impl Read,
    policy: OnInvalid,
    max_line: usize,
    mut f: impl FnMut(usize, &str) -> Result<(), E>,
) -> Result<ReadStats, E> {
    read_lines(path, reader, policy, Some(max_line), |n, line, _| {
        f(n, line)
    })
}

/// [`lines`] of text, where a line longer than [`PIECE_BYTES`] is not held
/// but read into a temporary file: `f` gets its head (see
/// [`crate::long::spill_line`]) and the [`LongText`].
fn text_lines<E: From<Error>>(
    path: &Path,
    reader: impl Read,
    policy: OnInvalid,
    f: impl FnMut(usize, &str, Option<LongText>) -> Result<(), E>,
) -> Result<ReadStats, E> {
    read_lines(path, reader, policy, None, f)
}

/// [`lines`] (`max_line` given) or [`text_lines`] (`None`).
fn read_lines<E: From<Error>>(
    path: &Path,
    reader: impl Read,
    policy: OnInvalid,
    max_line: Option<usize>,
    mut f: impl FnMut(usize, &str, Option<LongText>) -> Result<(), E>,
) -> Result<ReadStats, E> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut buf = Vec::new();
    let mut stats = ReadStats::default();
    let invalid = |stats: &mut ReadStats, line_no: usize, message: String, why: Skip| {
        if policy == OnInvalid::Skip {
            stats.skip(line_no, message, why);
            return Ok(());
        }
        Err(Error::parse(
            path,
            line_no,
            format!("{message}; re-encode the file as UTF-8 text or pass --on-invalid skip"),
        ))
    };
    loop {
        buf.clear();
        let io = |e| Error::io(path, e);
        let (n, overlong) = match max_line {
            Some(max) => read_line_capped(&mut reader, &mut buf, max).map_err(io)?,
            None => {
                let (n, ended) = read_line_upto(&mut reader, &mut buf, PIECE_BYTES).map_err(io)?;
                if !ended {
                    stats.lines += 1;
                    let line_no = stats.lines;
                    let spilled =
                        crate::long::spill_line(&mut reader, &buf, line_no == 1).map_err(io)?;
                    match spilled {
                        Ok((head, text)) => f(line_no, &head, Some(text))?,
                        Err(message) => invalid(&mut stats, line_no, message, Skip::Invalid)?,
                    }
                    continue;
                }
                (n, false)
            }
        };
        if n == 0 {
            return Ok(stats);
        }
        stats.lines += 1;
        let line_no = stats.lines;
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        let mut bytes = buf.as_slice();
        if line_no == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let problem = if overlong {
            Some(format!(
                "the line is longer than {} MiB (is this a binary file?)",
                max_line.unwrap_or(0) >> 20
            ))
        } else if memchr::memchr(0, bytes).is_some() {
            Some("holds NUL bytes (is this a binary file?)".to_string())
        } else {
            None
        };
        // Every line is checked once here, and std's check walks Chinese text
        // a character at a time: simdutf8 takes 32 bytes a step. Only a bad
        // line is checked again, by std, to say where it goes wrong.
        match (problem, simdutf8::basic::from_utf8(bytes)) {
            (None, Ok(text)) => f(line_no, text, None)?,
            (problem, _) => {
                let message = problem.unwrap_or_else(|| {
                    let e = std::str::from_utf8(bytes).expect_err("only invalid lines get here");
                    format!("not valid UTF-8 at byte {} of the line", e.valid_up_to())
                });
                let why = if overlong {
                    Skip::Overlong
                } else {
                    Skip::Invalid
                };
                invalid(&mut stats, line_no, message, why)?;
            }
        }
    }
}

/// Reads one line into `buf` (line end included) until its end or until
/// `buf` holds `max` bytes or more: returns the bytes consumed and whether
/// the line (or the input) ended.
fn read_line_upto(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<(usize, bool)> {
    let mut consumed = 0;
    let ended = feed_line(reader, |bytes| {
        buf.extend_from_slice(bytes);
        consumed += bytes.len();
        Ok(buf.len() < max)
    })?;
    Ok((consumed, ended))
}

/// Opens a file, or standard input for `-`.
pub fn open(path: &Path) -> Result<Box<dyn Read + Send>> {
    if path == Path::new("-") {
        return Ok(Box::new(io::stdin()));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(Box::new(file))
}

/// A labelled data set read from one file.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// The examples, in file order.
    pub examples: Vec<Example>,
    /// What was read and skipped, for a warning.
    pub stats: ReadStats,
}

/// Reads labelled examples from `path` in `format`, or the format its name
/// suggests, or (failing that) the format its first line looks like.
pub fn read_examples(
    path: &Path,
    format: Option<DataFormat>,
    policy: OnInvalid,
) -> Result<Examples> {
    let format = match format.or_else(|| DataFormat::from_path(path)) {
        Some(f) => f,
        None => sniff_format(path)?,
    };
    read_examples_from(path, open(path)?, format, policy)
}

/// Reads labelled examples in `format` from `reader`; `path` names it in
/// errors. A malformed record is skipped and counted, or an error, per `policy`.
pub fn read_examples_from(
    path: &Path,
    reader: impl Read,
    format: DataFormat,
    policy: OnInvalid,
) -> Result<Examples> {
    let mut examples = Vec::new();
    let mut malformed = ReadStats::default();
    let mut stats = for_each_line(path, reader, policy, |line_no, line| {
        if line.trim().is_empty() || (format == DataFormat::Tsv && is_tsv_header(line, line_no)) {
            return Ok(());
        }
        let parsed = match format {
            DataFormat::Jsonl => parse_jsonl_example(line),
            DataFormat::Tsv => parse_tsv_example(line),
            DataFormat::Fasttext => parse_fasttext_example(line),
        };
        match parsed {
            Ok(example) => examples.push(example),
            Err(m) if policy == OnInvalid::Skip => malformed.skip(line_no, m, Skip::Malformed),
            Err(m) => return Err(Error::parse(path, line_no, m)),
        }
        Ok(())
    })?;
    stats.merge(malformed);
    Ok(Examples { examples, stats })
}

fn sniff_format(path: &Path) -> Result<DataFormat> {
    // Looks at the first non-blank line, reading no more than 1 MiB of it.
    let mut first = Vec::new();
    let mut reader = BufReader::new(open(path)?);
    while first.trim_ascii().is_empty() {
        first.clear();
        let (n, _) =
            read_line_capped(&mut reader, &mut first, 1 << 20).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
    }
    let first = String::from_utf8_lossy(&first);
    let first = first.trim_start_matches('\u{FEFF}').trim_start();
    Ok(if first.starts_with('{') {
        DataFormat::Jsonl
    } else if first.starts_with("__label__") {
        DataFormat::Fasttext
    } else if first.contains('\t') {
        DataFormat::Tsv
    } else {
        return Err(Error::parse(
            path,
            1,
            "cannot tell the format (not JSON, `label<TAB>text` or `__label__x text`); pass --format",
        ));
    })
}

fn checked_label(label: &str) -> Result<Label, String> {
    let label = label.trim();
    if label.is_empty() {
        return Err("the label is empty".into());
    }
    Ok(Label(label.to_string()))
}

fn parse_jsonl_example(line: &str) -> Result<Example, String> {
    let mut fields: Map<String, Value> =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let label = match fields.remove("label") {
        Some(Value::String(s)) => checked_label(&s)?,
        Some(v @ (Value::Number(_) | Value::Bool(_))) => checked_label(&v.to_string())?,
        Some(other) => return Err(format!("\"label\" must be a string, found {other}")),
        None => return Err("the record has no \"label\" field".into()),
    };
    let text = text_field(&mut fields)?;
    Ok(Example {
        label,
        text,
        fields,
    })
}

fn text_field(fields: &mut Map<String, Value>) -> Result<String, String> {
    match fields.remove("text") {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "\"text\" must be a string, found {}",
            json_kind(&other)
        )),
        None => Err("the record has no \"text\" field".into()),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_tsv_example(line: &str) -> Result<Example, String> {
    let (label, text) = line
        .split_once('\t')
        .ok_or("expected `label<TAB>text`, found no tab")?;
    Ok(Example {
        label: checked_label(label)?,
        text: text.to_string(),
        fields: Map::new(),
    })
}

fn parse_fasttext_example(line: &str) -> Result<Example, String> {
    let mut labels = Vec::new();
    let mut rest = line.trim_start();
    while let Some(after) = rest.strip_prefix("__label__") {
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        labels.push(&after[..end]);
        rest = after[end..].trim_start();
    }
    match labels.as_slice() {
        [] => Err("expected `__label__NAME text`, found no label".into()),
        [label] => Ok(Example {
            label: checked_label(label)?,
            text: rest.to_string(),
            fields: Map::new(),
        }),
        _ => Err(format!(
            "{} labels on one line; newsbait gives each paragraph one label",
            labels.len()
        )),
    }
}

/// True for a TSV header row `label<TAB>text` on the first line: skipped by
/// every TSV reader, never learned as a label.
fn is_tsv_header(line: &str, line_no: usize) -> bool {
    line_no == 1
        && line.split_once('\t').is_some_and(|(l, t)| {
            l.trim().eq_ignore_ascii_case("label") && t.trim().eq_ignore_ascii_case("text")
        })
}

/// Where a document came from: a file, and for JSONL input its record.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The input file (`-` for standard input).
    pub path: PathBuf,
    /// 1-based line of the record in the input when a file holds several
    /// documents (JSONL, lines, blocks, TSV, fastText); `None` when the
    /// whole file is one document (text, HTML).
    pub record: Option<usize>,
    /// The record's other fields (an id, a url), carried to the output.
    pub fields: Map<String, Value>,
    /// The paragraphs to classify, in order. For HTML, a paragraph is a
    /// block and its `line` is the block's 1-based index.
    pub paragraphs: Vec<Paragraph>,
    /// One a paragraph: what the markup says about it (neutral for text).
    pub features: Vec<BlockFeatures>,
    /// One a paragraph for HTML documents: the block's tag path
    /// (`body>div#main>p`); empty for text documents.
    pub tag_paths: Vec<String>,
    /// The `<title>` of an HTML document (empty for text).
    pub title: String,
    /// The paragraphs too long to hold (longer than 1 MiB: their `text` is
    /// their head), by index, with the whole text in a temporary file.
    pub(crate) long: Vec<(usize, LongText)>,
    /// For a window of a long document, where it lies (see [`Document::window`]).
    pub(crate) window: Option<Window>,
    /// What was computed of the paragraphs ahead, one a paragraph, or
    /// nothing (see `Model::preparer`).
    pub(crate) prepared: Vec<Option<Prepared>>,
}

impl Document {
    /// A text document: paragraphs with neutral features.
    fn text(
        path: &Path,
        record: Option<usize>,
        fields: Map<String, Value>,
        paragraphs: Vec<Paragraph>,
    ) -> Document {
        Document {
            path: path.to_path_buf(),
            record,
            // Built in place, not cloned from one: a clone of each field (the tag
            // String among them) was 57 instructions a paragraph.
            features: std::iter::repeat_with(BlockFeatures::default)
                .take(paragraphs.len())
                .collect(),
            fields,
            paragraphs,
            tag_paths: Vec::new(),
            title: String::new(),
            long: Vec::new(),
            window: None,
            prepared: Vec::new(),
        }
    }

    /// Adds a paragraph of text, and its whole text when it is long.
    pub(crate) fn push(&mut self, paragraph: Paragraph, long: Option<LongText>) {
        if let Some(long) = long {
            self.long.push((self.paragraphs.len(), long));
        }
        self.paragraphs.push(paragraph);
        self.features.push(BlockFeatures::default());
    }

    /// For a text document too long to classify as one page (more than
    /// [`WINDOW_PARAGRAPHS`](crate::WINDOW_PARAGRAPHS) paragraphs or
    /// [`WINDOW_BYTES`](crate::WINDOW_BYTES) of text), which of its
    /// overlapping windows this is; `None` for a whole document. A reader
    /// hands on a long document's windows in order: each of its paragraphs
    /// is decided by the one window that has it outside its context.
    pub fn window(&self) -> Option<Window> {
        self.window
    }

    /// The indices of the paragraphs this document decides: all, or a
    /// window's without its context.
    pub fn decided(&self) -> std::ops::Range<usize> {
        match self.window {
            Some(w) => w.before..self.paragraphs.len() - w.after,
            None => 0..self.paragraphs.len(),
        }
    }

    /// A text document of this one's paragraphs from `from` on.
    pub(crate) fn tail(&self, from: usize) -> Document {
        let mut doc = Document::text(
            &self.path,
            self.record,
            self.fields.clone(),
            self.paragraphs[from..].to_vec(),
        );
        doc.long = self
            .long
            .iter()
            .filter(|(i, _)| *i >= from)
            .map(|(i, t)| (i - from, t.clone()))
            .collect();
        doc
    }

    /// The whole text of paragraph `i` when it is too long to hold (its
    /// `text` is then its first 64 KiB).
    pub fn long_text(&self, i: usize) -> Option<&LongText> {
        self.long
            .binary_search_by_key(&i, |(at, _)| *at)
            .ok()
            .map(|k| &self.long[k].1)
    }

    /// An HTML document: one paragraph a block, with its features and path.
    fn html(
        path: &Path,
        record: Option<usize>,
        fields: Map<String, Value>,
        page: HtmlPage,
    ) -> Document {
        let title = page.title().to_string();
        let blocks = page.into_blocks();
        let mut doc = Document {
            path: path.to_path_buf(),
            record,
            fields,
            paragraphs: Vec::with_capacity(blocks.len()),
            features: Vec::with_capacity(blocks.len()),
            tag_paths: Vec::with_capacity(blocks.len()),
            title,
            long: Vec::new(),
            window: None,
            prepared: Vec::new(),
        };
        for (i, block) in blocks.into_iter().enumerate() {
            let (text, tag_path, features) = block.into_parts();
            doc.paragraphs.push(Paragraph {
                line: i + 1,
                text: text.into(),
            });
            doc.features.push(features);
            doc.tag_paths.push(tag_path);
        }
        doc
    }

    /// Whether the paragraphs are HTML blocks (with tag paths).
    pub fn is_html(&self) -> bool {
        !self.tag_paths.is_empty() || self.fields.contains_key("html")
    }

    /// What the markup says about the paragraphs, for
    /// [`crate::Model::classify_html`]; `None` for a text document.
    pub fn layout(&self) -> Option<crate::page::HtmlLayout> {
        (!self.tag_paths.is_empty()).then(|| {
            crate::page::HtmlLayout::new(
                self.features.clone(),
                self.tag_paths.clone(),
                self.title.clone(),
            )
        })
    }
}

/// The layout of a file of documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    /// The whole file is one document; a paragraph a non-empty line.
    Text,
    /// Each non-empty line is its own document (fastText's convention).
    Lines,
    /// Documents separated by blank lines; a paragraph a non-empty line.
    Blocks,
    /// `label<TAB>text` a line, each line its own document; the label is
    /// ignored (a header row `label<TAB>text` is skipped).
    Tsv,
    /// `__label__x text` a line, each line its own document; the labels are
    /// ignored.
    Fasttext,
    /// One document a line: a JSON object with an `html` or a `text` field.
    Jsonl,
    /// The whole file is one HTML page, its charset detected.
    Html,
}

impl DocumentFormat {
    /// The format a file's extension says: `.jsonl`/`.ndjson`/`.json` JSONL,
    /// `.html`/`.htm`/`.xhtml` HTML, `.tsv` TSV, `.ft`/`.fasttext` fastText,
    /// anything else (`.txt` included) text, the whole file one document.
    pub fn from_path(path: &Path) -> DocumentFormat {
        extension_row(path).map_or(DocumentFormat::Text, |&(_, _, format)| format)
    }
}

/// A document as read, before its HTML (if any) is cut into blocks: the
/// cutting is the costly part, so a caller can run it on any thread
/// ([`RawDocument::parse`]) while reading goes on.
#[derive(Debug, Clone)]
pub struct RawDocument(Raw);

#[derive(Debug, Clone)]
enum Raw {
    Ready(Document),
    /// An HTML file's bytes (at most [`HtmlOptions::max_bytes`] + 1).
    HtmlBytes {
        path: PathBuf,
        bytes: Vec<u8>,
    },
    /// A JSONL record whose `html` field is the page.
    HtmlRecord {
        path: PathBuf,
        record: usize,
        fields: Map<String, Value>,
    },
}

impl RawDocument {
    /// The input file the document comes from.
    pub fn path(&self) -> &Path {
        match &self.0 {
            Raw::Ready(d) => &d.path,
            Raw::HtmlBytes { path, .. } | Raw::HtmlRecord { path, .. } => path,
        }
    }

    /// Bytes of text held (for batching).
    pub fn size(&self) -> usize {
        match &self.0 {
            Raw::Ready(d) => d.paragraphs.iter().map(|p| p.text.len()).sum(),
            Raw::HtmlBytes { bytes, .. } => bytes.len(),
            Raw::HtmlRecord { fields, .. } => fields
                .get("html")
                .and_then(Value::as_str)
                .map_or(0, str::len),
        }
    }

    /// The document when it is ready to score (text), not HTML still to be
    /// cut into blocks.
    #[cfg(feature = "cli")]
    pub(crate) fn ready_mut(&mut self) -> Option<&mut Document> {
        match &mut self.0 {
            Raw::Ready(d) => Some(d),
            Raw::HtmlBytes { .. } | Raw::HtmlRecord { .. } => None,
        }
    }

    /// The document, HTML cut into blocks. An HTML file that is binary is
    /// an error naming the file.
    pub fn parse(self) -> Result<Document> {
        let opts = HtmlOptions::default();
        match self.0 {
            Raw::Ready(d) => Ok(d),
            Raw::HtmlBytes { path, bytes } => {
                let page = HtmlPage::parse_with(&bytes, &opts)
                    .map_err(|e| Error::parse(&path, 1, e.to_string()))?;
                Ok(Document::html(&path, None, Map::new(), page))
            }
            Raw::HtmlRecord {
                path,
                record,
                fields,
            } => {
                let html = fields.get("html").and_then(Value::as_str).unwrap_or("");
                let page = HtmlPage::parse_str(html, &opts);
                Ok(Document::html(&path, Some(record), fields, page))
            }
        }
    }
}

/// [`for_each_document`] without cutting HTML: each document is handed to
/// `f` as soon as it is read, its HTML still to be cut by
/// [`RawDocument::parse`]. An HTML input is read up to
/// [`HtmlOptions::max_bytes`] (the rest is cut off), never whole.
pub fn for_each_raw_document(
    path: &Path,
    reader: impl Read,
    format: DocumentFormat,
    policy: OnInvalid,
    f: impl FnMut(RawDocument) -> Result<()>,
) -> Result<ReadStats> {
    documents(path, reader, format, policy, f)
}

/// [`for_each_document`] where `f` may stop the reading with an error of its
/// own type `E` (such as "the consumer has gone"), returned as it is.
pub(crate) fn documents<E: From<Error>>(
    path: &Path,
    reader: impl Read,
    format: DocumentFormat,
    policy: OnInvalid,
    mut f: impl FnMut(RawDocument) -> Result<(), E>,
) -> Result<ReadStats, E> {
    match format {
        DocumentFormat::Html => {
            let mut bytes = Vec::new();
            reader
                .take(HtmlOptions::default().max_bytes as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(path, e))?;
            f(RawDocument(Raw::HtmlBytes {
                path: path.to_path_buf(),
                bytes,
            }))?;
            Ok(ReadStats {
                lines: 1,
                ..ReadStats::default()
            })
        }
        DocumentFormat::Jsonl => {
            let mut malformed = ReadStats::default();
            let mut stats = lines(path, reader, policy, MAX_LINE_BYTES, |line_no, line| {
                if line.trim().is_empty() {
                    return Ok(());
                }
                let parsed = serde_json::from_str::<Map<String, Value>>(line)
                    .map_err(|e| format!("not a JSON object: {e}"))
                    .and_then(|mut fields| match fields.get("html") {
                        Some(Value::String(_)) => Ok(Raw::HtmlRecord {
                            path: path.to_path_buf(),
                            record: line_no,
                            fields,
                        }),
                        Some(other) => Err(format!(
                            "\"html\" must be a string, found {}",
                            json_kind(other)
                        )),
                        None => {
                            let text = text_field(&mut fields)
                                .map_err(|m| format!("{m} (nor an \"html\" field)"))?;
                            Ok(Raw::Ready(Document::text(
                                path,
                                Some(line_no),
                                fields,
                                paragraphs_of(text),
                            )))
                        }
                    });
                match parsed {
                    Ok(doc) => f(RawDocument(doc)),
                    Err(m) if policy == OnInvalid::Skip => {
                        malformed.skip(line_no, m, Skip::Malformed);
                        Ok(())
                    }
                    Err(m) => Err(Error::parse(path, line_no, m).into()),
                }
            })?;
            stats.merge(malformed);
            Ok(stats)
        }
        _ => read_text_formats(path, reader, format, policy, |d| {
            f(RawDocument(Raw::Ready(d)))
        }),
    }
}

/// Reads documents from `reader` and hands each to `f` as soon as it is read:
/// a text or HTML input gives one document, a JSONL input one a record, a
/// lines, TSV or fastText input one a line, a blocks input one a run of
/// non-blank lines.
///
/// A JSONL record with an `html` field is an HTML page (the field is already
/// text, so no charset detection); when it also has a `text` field, `html`
/// wins and `text` is kept among the record's fields (so `--keep` replaces
/// it with the cleaned article).
pub fn for_each_document(
    path: &Path,
    reader: impl Read,
    format: DocumentFormat,
    policy: OnInvalid,
    mut f: impl FnMut(Document) -> Result<()>,
) -> Result<ReadStats> {
    match format {
        DocumentFormat::Html | DocumentFormat::Jsonl => {
            for_each_raw_document(path, reader, format, policy, |raw| f(raw.parse()?))
        }
        _ => read_text_formats(path, reader, format, policy, f),
    }
}

/// The formats of plain text lines: text, lines, blocks, TSV, fastText.
fn read_text_formats<E: From<Error>>(
    path: &Path,
    reader: impl Read,
    format: DocumentFormat,
    policy: OnInvalid,
    mut f: impl FnMut(Document) -> Result<(), E>,
) -> Result<ReadStats, E> {
    match format {
        DocumentFormat::Html | DocumentFormat::Jsonl => {
            unreachable!("read by for_each_raw_document")
        }
        DocumentFormat::Lines | DocumentFormat::Tsv | DocumentFormat::Fasttext => {
            let mut malformed = ReadStats::default();
            let mut stats = text_lines::<E>(path, reader, policy, |line_no, line, long| {
                if line.trim().is_empty()
                    || (format == DocumentFormat::Tsv && is_tsv_header(line, line_no))
                {
                    return Ok(());
                }
                let text = match format {
                    DocumentFormat::Tsv => match line.split_once('\t') {
                        Some((_, text)) => text,
                        None if policy == OnInvalid::Skip => {
                            malformed.skip(
                                line_no,
                                "expected `label<TAB>text`, found no tab".into(),
                                Skip::Malformed,
                            );
                            return Ok(());
                        }
                        None => {
                            return Err(E::from(Error::parse(
                                path,
                                line_no,
                                "expected `label<TAB>text`, found no tab",
                            )));
                        }
                    },
                    DocumentFormat::Fasttext => strip_fasttext_labels(line),
                    _ => line,
                };
                let mut doc = Document::text(path, Some(line_no), Map::new(), Vec::new());
                if !(text.trim().is_empty() || crate::text::is_separator(text)) {
                    // A long line's text starts this far into it.
                    let label = text.as_ptr() as usize - line.as_ptr() as usize;
                    doc.push(
                        Paragraph {
                            line: line_no,
                            text: text.into(),
                        },
                        long.map(|l| l.skip(label)),
                    );
                }
                f(doc)
            })?;
            stats.merge(malformed);
            Ok(stats)
        }
        DocumentFormat::Blocks => {
            let mut doc: Option<Windows> = None;
            let stats = text_lines::<E>(path, reader, policy, |line_no, line, long| {
                if line.trim().is_empty() {
                    if let Some(doc) = doc.take() {
                        f(doc.finish())?;
                    }
                    return Ok(());
                }
                let doc = doc.get_or_insert_with(|| {
                    Windows::new(Document::text(path, Some(line_no), Map::new(), Vec::new()))
                });
                if !crate::text::is_separator(line) {
                    let paragraph = Paragraph {
                        line: line_no,
                        text: line.into(),
                    };
                    doc.push(paragraph, long, &mut f)?;
                }
                Ok(())
            })?;
            if let Some(doc) = doc {
                f(doc.finish())?;
            }
            Ok(stats)
        }
        DocumentFormat::Text => {
            let mut doc = Windows::new(Document::text(path, None, Map::new(), Vec::new()));
            let stats = text_lines::<E>(path, reader, policy, |line_no, line, long| {
                match Paragraph::from_line(line_no, line) {
                    Some(p) => doc.push(p, long, &mut f),
                    None => Ok(()),
                }
            })?;
            f(doc.finish())?;
            Ok(stats)
        }
    }
}

/// The text of a fastText line without its leading `__label__x` tokens.
fn strip_fasttext_labels(line: &str) -> &str {
    let mut rest = line.trim_start();
    while let Some(after) = rest.strip_prefix("__label__") {
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        rest = after[end..].trim_start();
    }
    rest
}

/// A whole page with a label for every line, as in `pages/netease.jsonl`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LabelledPage {
    /// The page's id.
    pub page: String,
    /// Its lines in page order.
    pub lines: Vec<LabelledLine>,
    /// For a page cut from HTML: what the markup says about each line.
    #[serde(skip)]
    pub layout: Option<crate::page::HtmlLayout>,
}

/// One labelled line of a [`LabelledPage`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LabelledLine {
    /// The line's label.
    pub label: Label,
    /// The line.
    pub text: String,
}

/// Reads labelled pages, one JSON object a line.
pub fn read_pages(path: &Path, policy: OnInvalid) -> Result<Vec<LabelledPage>> {
    let mut pages = Vec::new();
    for_each_line(path, open(path)?, policy, |line_no, line| {
        if !line.trim().is_empty() {
            let page = serde_json::from_str(line).map_err(|e| {
                Error::parse(
                    path,
                    line_no,
                    format!("not a page (`{{\"page\": ..., \"lines\": [{{\"label\", \"text\"}}]}}`): {e}"),
                )
            })?;
            pages.push(page);
        }
        Ok(())
    })?;
    Ok(pages)
}

/// The extensions read from directories by default (`--ext`).
pub const DEFAULT_EXTENSIONS: &[&str] = &[
    "txt", "text", "html", "htm", "xhtml", "jsonl", "ndjson", "json", "tsv", "ft", "fasttext",
];

/// The files to read, and what was passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Files in order (`-` for standard input).
    pub files: Vec<PathBuf>,
    /// Files of a directory skipped as binary (a NUL byte in their first 8 KiB).
    pub binary: Vec<PathBuf>,
}

impl Inputs {
    /// One warning for the binary files skipped, or `None`.
    pub fn warning(&self) -> Option<String> {
        let first = self.binary.first()?;
        Some(format!(
            "skipped {} binary file{} found in directories (the first: {})",
            self.binary.len(),
            if self.binary.len() == 1 { "" } else { "s" },
            first.display()
        ))
    }
}

/// Lists the files to read for the given paths with [`DEFAULT_EXTENSIONS`]:
/// see [`collect_inputs`].
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    Ok(collect_inputs(paths, DEFAULT_EXTENSIONS)?.files)
}

/// Lists the files to read for the given paths: a file is read whatever its
/// name; a directory is walked recursively (as ripgrep does: sorted, hidden
/// entries and symbolic links to directories skipped) for files whose
/// extension is one of `extensions` (case-insensitive), binary ones set
/// aside; `-` stands for standard input.
pub fn collect_inputs<S: AsRef<str>>(paths: &[PathBuf], extensions: &[S]) -> Result<Inputs> {
    let mut inputs = Inputs::default();
    for path in paths {
        if path != Path::new("-") && path.is_dir() {
            walk(path, extensions, &mut inputs)?;
        } else {
            inputs.files.push(path.clone());
        }
    }
    Ok(inputs)
}

fn walk<S: AsRef<str>>(dir: &Path, extensions: &[S], inputs: &mut Inputs) -> Result<()> {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|entry| entry.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        if kind.is_dir() {
            walk(&path, extensions, inputs)?;
            continue;
        }
        if !path.is_file() {
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !extensions
            .iter()
            .any(|x| x.as_ref().trim_start_matches('.').eq_ignore_ascii_case(ext))
        {
            continue;
        }
        if looks_binary(&path) {
            inputs.binary.push(path);
        } else {
            inputs.files.push(path);
        }
    }
    Ok(())
}

/// A NUL byte in the first 8 KiB, as ripgrep decides (UTF-16 with a byte
/// order mark is text).
fn looks_binary(path: &Path) -> bool {
    let mut head = [0u8; 8192];
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    let head = &head[..n];
    !(head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")) && head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(format: DataFormat, text: &str) -> Result<Examples> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::write(&path, text).unwrap();
        read_examples(&path, Some(format), OnInvalid::Error)
    }

    #[test]
    fn reads_each_training_format() {
        let jsonl = "{\"label\": \"news\", \"text\": \"国务院开会\", \"source\": \"x\"}\n\n{\"label\":\"bait\",\"text\":\"震惊\"}\n";
        let tsv = "news\t国务院开会\nbait\t震惊\n";
        let ft = "__label__news 国务院开会\n__label__bait 震惊\n";
        for (format, text) in [
            (DataFormat::Jsonl, jsonl),
            (DataFormat::Tsv, tsv),
            (DataFormat::Fasttext, ft),
        ] {
            let ex = parse_all(format, text).unwrap().examples;
            let got: Vec<(&str, &str)> = ex
                .iter()
                .map(|e| (e.label.0.as_str(), e.text.as_str()))
                .collect();
            assert_eq!(
                got,
                [("news", "国务院开会"), ("bait", "震惊")],
                "{format:?}"
            );
        }
        let ex = parse_all(DataFormat::Jsonl, jsonl).unwrap().examples;
        assert_eq!(ex[0].field("source"), Some("x"));
    }

    #[test]
    fn malformed_lines_name_their_line() {
        let cases = [
            (
                DataFormat::Jsonl,
                "{\"label\":\"a\",\"text\":\"x\"}\n{oops\n",
                2,
                "not a JSON object",
            ),
            (DataFormat::Jsonl, "{\"label\":\"a\"}\n", 1, "no \"text\""),
            (
                DataFormat::Jsonl,
                "{\"label\":\"a\",\"text\":5}\n",
                1,
                "must be a string",
            ),
            (
                DataFormat::Jsonl,
                "{\"label\":\" \",\"text\":\"x\"}\n",
                1,
                "label is empty",
            ),
            (DataFormat::Tsv, "a\tx\nno tab here\n", 2, "no tab"),
            (DataFormat::Fasttext, "just text\n", 1, "no label"),
            (
                DataFormat::Fasttext,
                "__label__a __label__b x\n",
                1,
                "2 labels",
            ),
        ];
        for (format, text, line, needle) in cases {
            let err = parse_all(format, text).unwrap_err();
            match &err {
                Error::Parse {
                    line: l, message, ..
                } => {
                    assert_eq!(*l, line, "{text:?}");
                    assert!(message.contains(needle), "{message} lacks {needle}");
                }
                other => panic!("expected a parse error, got {other}"),
            }
            assert!(err.to_string().contains(&format!("data:{line}:")));
        }
    }

    #[test]
    fn format_follows_extension_then_content() {
        assert_eq!(
            DataFormat::from_path(Path::new("a.jsonl")),
            Some(DataFormat::Jsonl)
        );
        assert_eq!(
            DataFormat::from_path(Path::new("a.TSV")),
            Some(DataFormat::Tsv)
        );
        assert_eq!(DataFormat::from_path(Path::new("a")), None);
        // One table for both readers: a `.txt` is fastText to train on and
        // text to classify; HTML is no training format.
        let both = |name: &str| {
            let path = Path::new(name);
            (DataFormat::from_path(path), DocumentFormat::from_path(path))
        };
        assert_eq!(
            both("a.txt"),
            (Some(DataFormat::Fasttext), DocumentFormat::Text)
        );
        assert_eq!(
            both("a.NDJSON"),
            (Some(DataFormat::Jsonl), DocumentFormat::Jsonl)
        );
        assert_eq!(
            both("a.ft"),
            (Some(DataFormat::Fasttext), DocumentFormat::Fasttext)
        );
        assert_eq!(both("a.tsv"), (Some(DataFormat::Tsv), DocumentFormat::Tsv));
        assert_eq!(both("a.Htm"), (None, DocumentFormat::Html));
        assert_eq!(both("a.md"), (None, DocumentFormat::Text));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("noext");
        std::fs::write(&path, "\n__label__a 文本\n").unwrap();
        let ex = read_examples(&path, None, OnInvalid::Error).unwrap();
        assert_eq!(ex.examples[0].label, Label::from("a"));
    }

    #[test]
    fn invalid_utf8_is_skipped_or_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.tsv");
        std::fs::write(
            &path,
            b"\xEF\xBB\xBFa\tok\r\nb\t\xFF\xFE\nc\tnul\0\na\tfine\n",
        )
        .unwrap();
        let ex = read_examples(&path, None, OnInvalid::Skip).unwrap();
        assert_eq!(ex.stats.skipped_invalid, 2);
        let labels: Vec<&str> = ex.examples.iter().map(|e| e.label.0.as_str()).collect();
        assert_eq!(labels, ["a", "a"]);
        assert_eq!(ex.examples[0].text, "ok");
        let err = read_examples(&path, None, OnInvalid::Error).unwrap_err();
        assert!(
            err.to_string().contains("d.tsv:2: not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn jsonl_documents_keep_their_fields() {
        let input = "{\"id\": 7, \"text\": \"标题\\n-\\n正文\"}\n\n{\"text\": \"\"}\n";
        let mut docs = Vec::new();
        for_each_document(
            Path::new("in.jsonl"),
            input.as_bytes(),
            DocumentFormat::Jsonl,
            OnInvalid::Error,
            |d| {
                docs.push(d);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].fields["id"], 7);
        assert_eq!(docs[0].record, Some(1));
        let texts: Vec<&str> = docs[0].paragraphs.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["标题", "正文"]);
        assert!(docs[1].paragraphs.is_empty());
    }

    #[test]
    fn text_documents_are_one_document() {
        let mut docs = Vec::new();
        for_each_document(
            Path::new("p.txt"),
            "标题\r\n-\n\n正文\n".as_bytes(),
            DocumentFormat::Text,
            OnInvalid::Error,
            |d| {
                docs.push(d);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(docs.len(), 1);
        let lines: Vec<usize> = docs[0].paragraphs.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 4]);
    }
}
