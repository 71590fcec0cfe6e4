//! Long paragraphs in bounded memory.
//!
//! A paragraph longer than [`PIECE_BYTES`] is never held whole: a reader
//! keeps its first [`HEAD_BYTES`] in the [`Paragraph`](crate::Paragraph) and
//! the whole of it in an anonymous temporary file (a [`LongText`]), and the
//! model scores it a piece at a time, cut by [`cut_point`] where neither the
//! normaliser nor jieba-rs would join across the cut, adding the pieces'
//! feature counts before the length norm (see `Vocabulary::score_piece`), so
//! that its scores are those of the paragraph uncut.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek, Write};
use std::sync::Arc;

use crate::text::Normalizer;

/// Paragraphs longer than this many bytes are scored in pieces of at most
/// this many, and read into a temporary file rather than into memory.
pub const PIECE_BYTES: usize = 1 << 20;

/// How much of a long paragraph is kept in memory as its text: what the page
/// model, the heading check, `--explain` and text output's preview read of it.
pub const HEAD_BYTES: usize = 64 << 10;

/// The start of `text`, at most `max` bytes, cut at a character boundary.
pub(crate) fn head(text: &str, max: usize) -> &str {
    &text[..text.floor_char_boundary(max.min(text.len()))]
}

/// Where to cut raw text into a first piece of at most `max` bytes (`max` of
/// 4 or more): all of it when it fits; else at the last boundary between two
/// characters that are not whitespace, one of which jieba-rs makes a word of
/// its own (punctuation, symbols: not a letter, digit or `+#&._%-` once
/// folded), so that the pieces normalise and segment as the whole does;
/// failing that, the last boundary between two characters that are not
/// whitespace (the normalisation is still the same, the words around the cut
/// may not be); failing that, the last character boundary.
pub(crate) fn cut_point(text: &str, max: usize, normalizer: &Normalizer) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let end = text.floor_char_boundary(max).max(first_char_len(text));
    let alone = |c: char| {
        let c = normalizer.fold(c);
        !(c.is_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-'))
    };
    let mut next = text[end..].chars().next();
    let mut fallback = None;
    for (i, c) in text[..end].char_indices().rev() {
        let after = i + c.len_utf8();
        let n = next.replace(c);
        let Some(n) = n.filter(|n| !n.is_whitespace()) else {
            continue;
        };
        if c.is_whitespace() {
            continue;
        }
        if alone(c) || alone(n) {
            return after;
        }
        fallback.get_or_insert(after);
    }
    fallback.unwrap_or(end)
}

fn first_char_len(text: &str) -> usize {
    text.chars().next().map_or(0, char::len_utf8)
}

/// A long paragraph held in an anonymous temporary file (deleted when the
/// last clone is dropped), read back a piece at a time. Always UTF-8.
#[derive(Debug, Clone)]
pub struct LongText {
    file: Arc<File>,
    /// Where the text starts in the file, and its length.
    start: u64,
    len: u64,
}

impl PartialEq for LongText {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.file, &other.file)
    }
}

impl LongText {
    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it is empty (never, for a paragraph read as long).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text without its first `bytes` bytes (a character boundary), such
    /// as a TSV line's label column.
    pub(crate) fn skip(&self, bytes: usize) -> LongText {
        let bytes = (bytes as u64).min(self.len);
        LongText {
            file: self.file.clone(),
            start: self.start + bytes,
            len: self.len - bytes,
        }
    }

    /// Calls `f` with the text in order, in pieces of at most [`PIECE_BYTES`]
    /// (cut at character boundaries).
    pub fn for_each_piece(&self, mut f: impl FnMut(&str) -> io::Result<()>) -> io::Result<()> {
        let mut file = self.file.try_clone()?;
        file.seek(io::SeekFrom::Start(self.start))?;
        let mut reader = io::BufReader::new(file.take(self.len));
        let mut buf = vec![0u8; PIECE_BYTES];
        let mut filled = 0;
        loop {
            let n = reader.read(&mut buf[filled..])?;
            filled += n;
            if n == 0 && filled == 0 {
                return Ok(());
            }
            let valid = match std::str::from_utf8(&buf[..filled]) {
                Ok(s) => s.len(),
                Err(e) if e.error_len().is_none() && n > 0 => e.valid_up_to(),
                Err(e) => {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, e));
                }
            };
            f(std::str::from_utf8(&buf[..valid]).expect("checked"))?;
            buf.copy_within(valid..filled, 0);
            filled -= valid;
        }
    }
}

/// Builds a [`LongText`]: the bytes of a line as they are read.
pub(crate) struct LongWriter {
    file: io::BufWriter<File>,
    len: u64,
}

impl LongWriter {
    /// A new, empty temporary file.
    pub(crate) fn new() -> io::Result<Self> {
        Ok(LongWriter {
            file: io::BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            len: 0,
        })
    }

    /// Appends bytes.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.len += bytes.len() as u64;
        self.file.write_all(bytes)
    }

    /// The text written, without its last `trim` bytes (a line end).
    pub(crate) fn finish(self, trim: u64) -> io::Result<LongText> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        Ok(LongText {
            file: Arc::new(file),
            start: 0,
            len: self.len - trim.min(self.len),
        })
    }
}

/// Hands `f` the bytes of one line of `reader` as they are buffered (its
/// `\n` included, nothing after it) and consumes them, until the line or the
/// input ends (then `true`) or `f` says to stop (`false`).
pub(crate) fn feed_line(
    reader: &mut impl BufRead,
    mut f: impl FnMut(&[u8]) -> io::Result<bool>,
) -> io::Result<bool> {
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(true);
        }
        let (done, used) = match memchr::memchr(b'\n', available) {
            Some(i) => (true, i + 1),
            None => (false, available.len()),
        };
        let more = f(&available[..used])?;
        reader.consume(used);
        if done {
            return Ok(true);
        }
        if !more {
            return Ok(false);
        }
    }
}

/// A long line as [`spill_line`] read it: its head and the whole text, or
/// what is wrong with it.
pub(crate) type Spilled = Result<(String, LongText), String>;

/// Reads the rest of a line too long to hold (its first bytes, `start`, were
/// read, its end was not) into a [`LongText`], checking as it goes that it
/// is UTF-8 text without NUL bytes: its head (the first [`HEAD_BYTES`], cut
/// at a character boundary) and the text, its line end and a leading
/// byte-order mark (on the first line) left out; or what is wrong with it.
/// The line end is consumed from `reader`.
pub(crate) fn spill_line(
    reader: &mut impl BufRead,
    start: &[u8],
    first_line: bool,
) -> io::Result<Spilled> {
    let start = match first_line {
        true => start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start),
        false => start,
    };
    let mut line = LineSpill {
        writer: LongWriter::new()?,
        head: Vec::with_capacity(HEAD_BYTES),
        carry: Vec::new(),
        checked: 0,
        trailing_cr: 0,
        problem: None,
    };
    line.feed(start)?;
    feed_line(reader, |bytes| {
        line.feed(bytes.strip_suffix(b"\n").unwrap_or(bytes))?;
        Ok(true)
    })?;
    if line.problem.is_none() && !line.carry.is_empty() {
        line.problem = Some(format!(
            "not valid UTF-8 at byte {} of the line",
            line.checked
        ));
    }
    if let Some(problem) = line.problem {
        return Ok(Err(problem));
    }
    let valid = match std::str::from_utf8(&line.head) {
        Ok(s) => s.len(),
        Err(e) => e.valid_up_to(),
    };
    line.head.truncate(valid);
    let head = String::from_utf8(line.head).expect("cut at a character boundary");
    let text = line.writer.finish(line.trailing_cr)?;
    Ok(Ok((head, text)))
}

/// The state of [`spill_line`].
struct LineSpill {
    writer: LongWriter,
    head: Vec<u8>,
    /// The start of a character cut by the end of the last bytes fed.
    carry: Vec<u8>,
    /// Bytes checked as UTF-8 so far (up to `carry`).
    checked: usize,
    /// `\r` bytes at the end of what was written, left out at the end.
    trailing_cr: u64,
    problem: Option<String>,
}

impl LineSpill {
    fn feed(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.problem.is_some() || bytes.is_empty() {
            return Ok(());
        }
        if bytes.contains(&0) {
            self.problem = Some("holds NUL bytes (is this a binary file?)".to_string());
            return Ok(());
        }
        // A character cut by the last chunk is completed from this one.
        let mut rest = bytes;
        if !self.carry.is_empty() {
            let take = rest.len().min(4 - self.carry.len());
            let mut joined = self.carry.clone();
            joined.extend_from_slice(&rest[..take]);
            let valid = match std::str::from_utf8(&joined) {
                Ok(_) => Some(joined.len()),
                Err(e) if e.valid_up_to() > 0 => Some(e.valid_up_to()),
                Err(e) if e.error_len().is_none() => None,
                Err(_) => {
                    self.problem = Some(format!(
                        "not valid UTF-8 at byte {} of the line",
                        self.checked
                    ));
                    return Ok(());
                }
            };
            let Some(valid) = valid else {
                // Still short of a whole character.
                self.carry = joined;
                return self.write(bytes);
            };
            self.checked += valid;
            rest = &rest[valid - self.carry.len()..];
            self.carry.clear();
        }
        match std::str::from_utf8(rest) {
            Ok(_) => self.checked += rest.len(),
            Err(e) if e.error_len().is_none() => {
                self.checked += e.valid_up_to();
                self.carry = rest[e.valid_up_to()..].to_vec();
            }
            Err(e) => {
                self.problem = Some(format!(
                    "not valid UTF-8 at byte {} of the line",
                    self.checked + e.valid_up_to()
                ));
                return Ok(());
            }
        }
        self.write(bytes)
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let room = HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
        let crs = bytes.iter().rev().take_while(|&&b| b == b'\r').count() as u64;
        self.trailing_cr = if crs as usize == bytes.len() {
            self.trailing_cr + crs
        } else {
            crs
        };
        self.writer.write(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_punctuation_before_text() {
        let n = Normalizer::default();
        let text = "政府。工作，会议 开始";
        assert_eq!(&text[..cut_point(text, 18, &n)], "政府。工作，");
        assert_eq!(&text[..cut_point(text, 17, &n)], "政府。工作");
        assert_eq!(&text[..cut_point(text, 14, &n)], "政府。");
        // Before punctuation too, but not next to whitespace.
        assert_eq!(&"增长7%! 第"[..cut_point("增长7%! 第", 10, &n)], "增长7%");
        // Not before whitespace: the normaliser would drop it at a piece's end.
        assert_eq!(cut_point("会议 开始", 8, &n), 3);
        // Full-width letters fold to letters: no cut after them.
        let text = "ＡＢＣＤ";
        assert_eq!(cut_point(text, 7, &n), 6);
        // No safe point, no whitespace: the last boundary.
        assert_eq!(cut_point("政府政府", 7, &n), 6);
        // Fits: all of it.
        assert_eq!(cut_point("政府", 6, &n), 6);
    }

    #[test]
    fn long_text_reads_back_in_pieces() {
        let mut w = LongWriter::new().unwrap();
        let text = "新闻联播。".repeat(100_000);
        for chunk in text.as_bytes().chunks(1000) {
            w.write(chunk).unwrap();
        }
        w.write(b"\r\n").unwrap();
        let long = w.finish(2).unwrap();
        assert_eq!(long.len(), text.len() as u64);
        let mut back = String::new();
        let mut pieces = 0;
        long.for_each_piece(|p| {
            assert!(p.len() <= PIECE_BYTES);
            pieces += 1;
            back.push_str(p);
            Ok(())
        })
        .unwrap();
        assert_eq!(back, text);
        assert!(pieces > 1);
    }
}
