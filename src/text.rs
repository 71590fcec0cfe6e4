//! Text normalisation and paragraph splitting: the first stage of the pipeline.
//!
//! Training and classification both call [`Normalizer::normalize`], and the model
//! stores the [`Normalizer`] it was trained with, so the two can never disagree.

use arcstr::{ArcStr, Substr};

use serde::{Deserialize, Serialize};

/// How raw text is folded before segmentation. Stored in every model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Normalizer {
    /// Fold full-width ASCII (`ＡＢＣ１２３！`) and the ideographic space to their
    /// half-width forms, so that `１９９８` and `1998` are one token.
    pub fold_full_width: bool,
    /// Collapse every run of whitespace to one ASCII space and trim the ends.
    pub collapse_whitespace: bool,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer {
            fold_full_width: true,
            collapse_whitespace: true,
        }
    }
}

impl Normalizer {
    /// Normalises one paragraph.
    ///
    /// ```
    /// use newsbait::Normalizer;
    /// let n = Normalizer::default();
    /// assert_eq!(n.normalize("  ＧＤＰ增长７％！\t\n好 "), "GDP增长7%! 好");
    /// ```
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        // Starts true so that leading whitespace is dropped.
        let mut after_space = true;
        // Characters kept as they are are copied a run at a time, from `run`.
        let mut run = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Printable ASCII and U+4000..U+9FFF (lead bytes E4 to E9: CJK
            // ideographs, most of the text) are neither whitespace nor
            // full-width forms; they are skipped without decoding.
            match bytes[i] {
                0x21..=0x7E => {
                    after_space = false;
                    i += 1;
                    continue;
                }
                0xE4..=0xE9 => {
                    after_space = false;
                    i += 3;
                    continue;
                }
                _ => {}
            }
            let c = text[i..]
                .chars()
                .next()
                .expect("i is on a character boundary");
            let start = i;
            i += c.len_utf8();
            let folded = if self.fold_full_width {
                fold_full_width(c)
            } else {
                c
            };
            let space = self.collapse_whitespace && folded.is_whitespace();
            if folded == c && !space {
                after_space = false;
                continue;
            }
            out.push_str(&text[run..start]);
            run = i;
            if !space {
                out.push(folded);
                after_space = false;
            } else if !after_space {
                out.push(' ');
                after_space = true;
            }
        }
        out.push_str(&text[run..]);
        if self.collapse_whitespace && out.ends_with(' ') {
            out.pop();
        }
        out
    }
}

impl Normalizer {
    /// A character as [`Normalizer::normalize`] folds it.
    pub(crate) fn fold(&self, c: char) -> char {
        if self.fold_full_width {
            fold_full_width(c)
        } else {
            c
        }
    }
}

/// Maps U+FF01..=U+FF5E to ASCII and U+3000 to a space; other characters pass.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// One paragraph of a document, with the 1-based line it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// Line number in the document (1-based), so users can find it again.
    pub line: usize,
    /// The paragraph's text as it stood in the input, untrimmed of inner spaces.
    pub text: Text,
}

impl Paragraph {
    /// The paragraph a line of a document makes, if any: `None` for a blank
    /// line or one of separators only. The one place where a line becomes a
    /// paragraph, for text in memory and for files read line by line.
    pub(crate) fn from_line(line: usize, text: &str) -> Option<Paragraph> {
        // A blank line holds no letter or digit either: one test for both.
        (!is_separator(text)).then(|| Paragraph {
            line,
            text: Text::from(text),
        })
    }
}

/// A paragraph's text: a stretch of its document's text that all the
/// document's paragraphs share (an [`arcstr::Substr`]), so that cutting a
/// document into paragraphs allocates nothing a paragraph (on a crawl, each
/// paragraph's string was an allocation, a copy and a free on another
/// thread). It reads as a `&str`: [`Text::as_str`], or through `Deref`.
///
/// ```
/// use newsbait::{Text, split_paragraphs};
/// let ps = split_paragraphs("标题\n正文。");
/// let text: &Text = &ps[1].text;
/// assert_eq!(text.as_str(), "正文。");
/// assert_eq!(text.len(), "正文。".len());
/// assert_eq!(String::from(text.clone()), "正文。");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(Substr);

impl Text {
    /// Bytes `range` of `whole`, shared with it; panics off a character
    /// boundary, as slicing a `str` does.
    fn shared(whole: &ArcStr, range: std::ops::Range<usize>) -> Text {
        Text(whole.substr(range))
    }

    /// The text as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Substr::from(ArcStr::from(s)))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Substr::from(s))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0.as_str().to_string()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// True for a line that holds no letter or digit of any script: `-`, `——`, `***`,
/// `· · ·`. Such lines separate list items on scraped pages and carry no text.
pub fn is_separator(line: &str) -> bool {
    // Most lines start with a letter, a digit or an ideograph: answered from
    // the first bytes, without decoding. E5 to E9 start U+5000 to U+9FFF and
    // E4 B8 to E4 BF start U+4E00 to U+4FFF, all common CJK ideographs (the
    // rest of E4 holds the Yijing symbols, which are not letters).
    match line.as_bytes() {
        [b, ..] if b.is_ascii_alphanumeric() => false,
        [0xE5..=0xE9, ..] | [0xE4, 0xB8..=0xBF, ..] => false,
        _ => !line.chars().any(|c| is_letter_or_digit(&c)),
    }
}

/// `char::is_alphanumeric`, with the common CJK ideographs answered before
/// the Unicode table lookup: it runs on every line read and every paragraph
/// of every page.
pub(crate) fn is_letter_or_digit(c: &char) -> bool {
    matches!(*c, '\u{4E00}'..='\u{9FFF}') || c.is_alphanumeric()
}

/// Splits a document into paragraphs: one a non-empty line, separator-only lines
/// skipped. Handles `\n` and `\r\n` line ends and a leading byte-order mark.
///
/// ```
/// use newsbait::split_paragraphs;
/// let ps = split_paragraphs("标题\n\n正文。\r\n-\n推荐阅读\n");
/// let lines: Vec<usize> = ps.iter().map(|p| p.line).collect();
/// assert_eq!(lines, [1, 3, 5]);
/// ```
pub fn split_paragraphs(document: &str) -> Vec<Paragraph> {
    // One copy of the document, which its paragraphs share.
    paragraphs_of(document.to_string())
}

/// [`split_paragraphs`] of a document already in a `String` of its own (a
/// JSONL record's text), which its paragraphs then share: no copy at all.
pub(crate) fn paragraphs_of(document: String) -> Vec<Paragraph> {
    let whole = ArcStr::from(document);
    // Room for every line at once (counting them is one vectorised pass), not
    // a vector grown by doubling; the reader thread allocates all of it.
    let mut paragraphs =
        Vec::with_capacity(memchr::memchr_iter(b'\n', whole.as_bytes()).count() + 1);
    for_each_paragraph(&whole, |line, range| {
        paragraphs.push(Paragraph {
            line,
            text: Text::shared(&whole, range),
        })
    });
    paragraphs
}

/// Calls `f` with the line and byte range of each paragraph of `document`.
fn for_each_paragraph(document: &str, mut f: impl FnMut(usize, std::ops::Range<usize>)) {
    let skip = if document.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        0
    };
    let mut keep = |line: usize, start: usize, end: usize| {
        if !is_separator(&document[start..end]) {
            f(line, start..end);
        }
    };
    // The lines `str::lines` gives (a `\r` before a `\n` dropped, no line
    // after a final `\n`), found by memchr's vectorised search rather than
    // the standard library's, which was a third of the cost of splitting.
    let bytes = document.as_bytes();
    let mut start = skip;
    let mut line = 0;
    for end in memchr::memchr_iter(b'\n', &bytes[skip..]).map(|at| skip + at) {
        line += 1;
        let cr = usize::from(end > start && bytes[end - 1] == b'\r');
        keep(line, start, end - cr);
        start = end + 1;
    }
    if start < document.len() {
        keep(line + 1, start, document.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_have_no_letter_or_digit() {
        assert!(is_separator("-"));
        assert!(is_separator(" —— "));
        assert!(!is_separator("推荐阅读"));
    }

    #[test]
    fn folds_full_width_letters_digits_and_punctuation() {
        let n = Normalizer::default();
        assert_eq!(n.normalize("ＡＺａｚ０９！～"), "AZaz09!~");
        // Chinese punctuation outside the full-width ASCII block is kept.
        assert_eq!(n.normalize("你好，世界。"), "你好,世界。");
    }

    #[test]
    fn collapses_every_kind_of_whitespace() {
        let n = Normalizer::default();
        assert_eq!(n.normalize("\u{3000}a \t\u{3000} b\r\n"), "a b");
        assert_eq!(n.normalize("   "), "");
        assert_eq!(n.normalize(""), "");
    }

    #[test]
    fn settings_switch_steps_off() {
        let n = Normalizer {
            fold_full_width: false,
            collapse_whitespace: false,
        };
        assert_eq!(n.normalize(" ＡＢ  c "), " ＡＢ  c ");
        let fold_only = Normalizer {
            fold_full_width: true,
            collapse_whitespace: false,
        };
        assert_eq!(fold_only.normalize("Ａ\u{3000}Ｂ"), "A B");
    }

    /// The definition, a character at a time.
    fn reference(n: &Normalizer, text: &str) -> String {
        let mut out = String::new();
        let mut after_space = true;
        for c in text.chars() {
            let c = if n.fold_full_width {
                fold_full_width(c)
            } else {
                c
            };
            if n.collapse_whitespace && c.is_whitespace() {
                if !after_space {
                    out.push(' ');
                    after_space = true;
                }
                continue;
            }
            after_space = false;
            out.push(c);
        }
        if n.collapse_whitespace && out.ends_with(' ') {
            out.pop();
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn run_copying_matches_the_definition(
            text in "[ a!~\\t\\n\u{85}\u{a0}\u{2000}\u{3000}\u{3001}\u{3fff}\u{4000}你\u{9fff}\u{a000}。\u{ff01}\u{ff5e}\u{ff5f}\u{ff00}😂]{0,24}",
            fold: bool,
            collapse: bool,
        ) {
            let n = Normalizer { fold_full_width: fold, collapse_whitespace: collapse };
            proptest::prop_assert_eq!(n.normalize(&text), reference(&n, &text));
        }
    }

    #[test]
    fn normalize_is_idempotent() {
        let n = Normalizer::default();
        for s in ["ＧＤＰ　增长", " a  b ", "推荐阅读\n-", "—— ！"] {
            let once = n.normalize(s);
            assert_eq!(n.normalize(&once), once);
        }
    }

    #[test]
    fn separators_are_lines_without_letters_or_digits() {
        for s in ["-", "—", "*", "***", "- - -", "——", "·", "=====", "…"] {
            assert!(is_separator(s), "{s:?} should be a separator");
        }
        for s in ["1", "a", "推", "- 推荐 -", "【广告】"] {
            assert!(!is_separator(s), "{s:?} should be text");
        }
    }

    #[test]
    fn splits_lines_skipping_blanks_and_separators() {
        let doc = "\u{FEFF}标题\r\n\r\n  \n正文第一段。\n-\n—\n推荐阅读\n第一条\n";
        let ps = split_paragraphs(doc);
        let got: Vec<(usize, &str)> = ps.iter().map(|p| (p.line, p.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (1, "标题"),
                (4, "正文第一段。"),
                (7, "推荐阅读"),
                (8, "第一条")
            ]
        );
    }

    /// Lines as `str::lines` cuts them, separators as their definition says.
    fn reference_split(document: &str) -> Vec<(usize, String)> {
        let document = document.strip_prefix('\u{FEFF}').unwrap_or(document);
        document
            .lines()
            .enumerate()
            .filter(|(_, l)| l.chars().any(|c| c.is_alphanumeric()))
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn splitting_matches_str_lines(
            doc in "[\u{FEFF}\r\n a1-—·䷀䷿〇你\u{4dff}\u{4e00}\u{4fff}\u{5000}\u{9fff}\u{a000}é😂]{0,30}",
        ) {
            let got: Vec<(usize, String)> =
                split_paragraphs(&doc).into_iter().map(|p| (p.line, p.text.into())).collect();
            proptest::prop_assert_eq!(got, reference_split(&doc));
        }
    }

    /// A shared text and an owned one of the same string are one text to
    /// every trait that compares, hashes, prints or serialises it.
    #[test]
    fn shared_and_owned_texts_are_the_same_text() {
        use std::hash::BuildHasher;
        let shared = split_paragraphs("\u{FEFF}标题\r\n-\n正文。")
            .into_iter()
            .map(|p| p.text)
            .collect::<Vec<_>>();
        let owned = [Text::from("标题"), Text::from("正文。".to_string())];
        assert_eq!(shared, owned);
        let hasher = std::collections::hash_map::RandomState::new();
        for (s, o) in shared.iter().zip(&owned) {
            assert_eq!(s.len(), o.as_str().len());
            assert_eq!(s.len(), s.as_str().len());
            assert_eq!(hasher.hash_one(s), hasher.hash_one(o));
            assert_eq!(format!("{s} {s:?}"), format!("{o} {o:?}"));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, serde_json::to_string(o.as_str()).unwrap());
            assert_eq!(&serde_json::from_str::<Text>(&json).unwrap(), s);
        }
        assert_eq!(String::from(shared[1].clone()), "正文。");
        assert!(Text::default().is_empty() && !shared[0].is_empty());
    }

    #[test]
    fn paragraphs_of_a_string_share_it() {
        let doc = "第一段\n\n第二段\r\n".to_string();
        let ps = paragraphs_of(doc.clone());
        let got: Vec<(usize, &str)> = ps.iter().map(|p| (p.line, p.text.as_str())).collect();
        assert_eq!(got, [(1, "第一段"), (3, "第二段")]);
        assert_eq!(ps, split_paragraphs(&doc));
        assert!(paragraphs_of("-\n\n".to_string()).is_empty());
    }

    #[test]
    fn a_bare_carriage_return_stays_in_its_line() {
        let got: Vec<(usize, String)> = split_paragraphs("a\r\nb\rc\r")
            .into_iter()
            .map(|p| (p.line, p.text.into()))
            .collect();
        assert_eq!(got, [(1, "a".to_string()), (2, "b\rc\r".to_string())]);
    }

    #[test]
    fn yijing_symbols_are_not_letters() {
        // Lead byte E4 like the ideographs from U+4E00, but symbols.
        assert!(is_separator("䷀ ䷿"));
        assert!(!is_separator("䷀一"));
        assert!(!is_separator("〇"));
    }

    #[test]
    fn empty_document_has_no_paragraphs() {
        assert!(split_paragraphs("").is_empty());
        assert!(split_paragraphs("\n\n-\n").is_empty());
    }
}
