//! HTML input: raw page bytes → a page of text blocks with the structure HTML
//! adds.
//!
//! A *block* is the text between two block-level tags (`p`, `div`, `li`,
//! `h1`–`h6`, `td`, `br`, ...), the same cut as the text dump of the DAnIEL
//! pages: scripts, styles and the document head are left out, whitespace is
//! collapsed, character references are decoded (the full HTML5 table, by
//! html-escape) and empty blocks are dropped. Each block carries what the
//! markup says about it as [`BlockFeatures`]: its tag, depth, the share of
//! its characters inside links, whether it sits in a list, a table cell or a
//! heading, and a [`CueSet`] from the class/id tokens of it and its ancestors.
//!
//! The entry points are [`HtmlPage::parse`] (raw bytes, charset detected:
//! byte order mark, valid UTF-8, `<meta charset>`, then chardetng's guess)
//! and [`HtmlPage::parse_str`] (already decoded text). Both accept any input:
//! truncated or malformed HTML is tokenized as a browser would (lol_html,
//! streaming, with the common implied end tags applied by the cutter), input
//! beyond [`HtmlOptions::max_bytes`] is cut and the cut is reported by
//! [`HtmlPage::truncated`], and no step recurses, so deep nesting cannot
//! overflow the stack or take quadratic time. Input that is clearly not text
//! (binary) is an [`HtmlError`].
//!
//! A page of blocks is classified with what its markup says
//! ([`crate::Model::classify_html`]: the page model's HTML weight set), or
//! like a page of text paragraphs ([`crate::Model::classify`]):
//!
//! ```
//! use newsbait::{Context, HtmlLayout, HtmlPage, Model};
//! let page = HtmlPage::parse(b"<body><p>\xe5\x9b\xbd\xe5\x8a\xa1\xe9\x99\xa2</p><ul><li><a href=x>AB</a></li></ul></body>").unwrap();
//! assert_eq!(page.blocks()[0].text(), "国务院");
//! assert_eq!(page.blocks()[1].features().link_share, 1.0);
//! let model = Model::shipped().unwrap();
//! let predictions = model.classify_html(page.blocks(), &HtmlLayout::of(&page), Context::Page);
//! assert_eq!(predictions.len(), 2);
//! ```

mod block;
mod charset;
mod cutter;
mod lol;
#[cfg(test)]
mod tests;

pub use block::{BlockFeatures, Cue, CueSet};

use encoding_rs::Encoding;

/// Limits that keep time and memory bounded on hostile input.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HtmlOptions {
    /// Input beyond this many bytes is cut off before parsing
    /// ([`HtmlPage::truncated`] tells). Default 8 MiB.
    pub max_bytes: usize,
    /// Elements kept in a block's [`Block::path`] (the nearest ones). Default 8.
    pub max_path: usize,
    /// Ancestor levels whose class/id tokens are collected. Default 12.
    pub max_token_levels: usize,
    /// Tokens kept per block. Default 24.
    pub max_tokens: usize,
    /// Characters kept of the page title. Default 512.
    pub max_title_chars: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            max_bytes: 8 << 20,
            max_path: 8,
            max_token_levels: 12,
            max_tokens: 24,
            max_title_chars: 512,
        }
    }
}

/// Why a page could not be read as HTML.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HtmlError {
    /// The bytes look binary (many NUL or control bytes), not text.
    #[error(
        "not HTML: {:.0}% of its first bytes are control bytes (is this a binary file?)",
        control_share * 100.0
    )]
    Binary {
        /// Share of control bytes in the sampled prefix.
        control_share: f32,
    },
}

/// How the character set of the input was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CharsetSource {
    /// A byte order mark.
    Bom,
    /// A `<meta charset>` or `http-equiv` declaration, and it decoded cleanly.
    Meta,
    /// The bytes are valid UTF-8 with non-ASCII text (a declaration, if any,
    /// was overruled: pages are often re-encoded with their meta tag kept).
    Utf8,
    /// Guessed by the detector (no declaration, or the declared one failed).
    Detected,
    /// The text was given already decoded ([`HtmlPage::parse_str`]).
    Given,
}

/// A page cut into blocks.
#[derive(Debug, Clone, Default)]
pub struct HtmlPage {
    title: String,
    blocks: Vec<Block>,
    encoding: &'static str,
    charset_source: Option<CharsetSource>,
    decode_errors: bool,
    truncated: bool,
    max_depth: u32,
}

impl HtmlPage {
    /// Cuts raw page bytes into blocks with default [`HtmlOptions`],
    /// detecting the charset.
    pub fn parse(html: &[u8]) -> Result<HtmlPage, HtmlError> {
        HtmlPage::parse_with(html, &HtmlOptions::default())
    }

    /// Cuts raw page bytes into blocks: refuses binary input, cuts at
    /// [`HtmlOptions::max_bytes`], detects the charset and streams the text
    /// through lol_html's tokenizer into the block cutter.
    pub fn parse_with(html: &[u8], opts: &HtmlOptions) -> Result<HtmlPage, HtmlError> {
        let utf16 = matches!(Encoding::for_bom(html), Some((e, _)) if e != encoding_rs::UTF_8);
        let share = charset::control_share(html);
        if !utf16 && share > charset::MAX_CONTROL_SHARE {
            return Err(HtmlError::Binary {
                control_share: share,
            });
        }
        let truncated = html.len() > opts.max_bytes;
        let input = if truncated {
            cut_bytes(html, opts.max_bytes)
        } else {
            html
        };
        if input.is_empty() {
            return Ok(HtmlPage {
                encoding: "UTF-8",
                ..HtmlPage::default()
            });
        }
        let (text, enc, source, errors) = charset::decode(input);
        let mut page = lol::parse_str(&text, opts);
        page.encoding = enc.name();
        page.charset_source = Some(source);
        page.decode_errors = errors;
        page.truncated = truncated;
        Ok(page)
    }

    /// Cuts already decoded text into blocks (no charset detection, no
    /// binary check).
    pub fn parse_str(html: &str, opts: &HtmlOptions) -> HtmlPage {
        let truncated = html.len() > opts.max_bytes;
        let input = if truncated {
            cut_str(html, opts.max_bytes)
        } else {
            html
        };
        let mut page = lol::parse_str(input, opts);
        page.encoding = "UTF-8";
        page.charset_source = Some(CharsetSource::Given);
        page.truncated = truncated;
        page
    }

    /// The `<title>` text, whitespace collapsed (empty if none).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The blocks in document order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The blocks, owned.
    pub fn into_blocks(self) -> Vec<Block> {
        self.blocks
    }

    /// Name of the encoding used (`"UTF-8"`, `"GBK"`, `"Big5"`, ...).
    pub fn encoding(&self) -> &'static str {
        self.encoding
    }

    /// How the encoding was chosen; `None` for an empty input.
    pub fn charset_source(&self) -> Option<CharsetSource> {
        self.charset_source
    }

    /// Some bytes could not be decoded and were replaced by U+FFFD.
    pub fn decode_errors(&self) -> bool {
        self.decode_errors
    }

    /// The input was longer than [`HtmlOptions::max_bytes`] and was cut.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Greatest element depth seen.
    pub fn max_depth(&self) -> u32 {
        self.max_depth
    }
}

/// One block of text and its markup context. Its text is what
/// [`crate::Model::classify`] scores (`Block: AsRef<str>`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    text: String,
    path: String,
    chars: u32,
    link_chars: u32,
    tokens: Vec<String>,
    features: BlockFeatures,
}

impl Block {
    /// Text with whitespace collapsed and trimmed; never empty.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Path of the nearest [`HtmlOptions::max_path`] elements down to the
    /// block element, e.g. `body>div#main>div.content>p`; starts with `…>`
    /// when cut. An element is shown as `tag`, `tag#id` or `tag.firstclass`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Tag name of the block element (as [`BlockFeatures::tag`]).
    pub fn tag(&self) -> &str {
        &self.features.tag
    }

    /// Characters of the text (whitespace not counted).
    pub fn chars(&self) -> u32 {
        self.chars
    }

    /// Of those, characters inside `<a href>`.
    pub fn link_chars(&self) -> u32 {
        self.link_chars
    }

    /// Class/id tokens of the block element and its nearest ancestors,
    /// nearest first, distinct, lowercased, split on non-alphanumerics,
    /// camelCase and letter/digit boundaries.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The structural features the page model reads.
    pub fn features(&self) -> &BlockFeatures {
        &self.features
    }

    /// Splits the block into its text, tag path and features.
    pub fn into_parts(self) -> (String, String, BlockFeatures) {
        (self.text, self.path, self.features)
    }
}

impl AsRef<str> for Block {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Cuts at `max` bytes, backing off to a UTF-8 boundary when the cut falls
/// inside a UTF-8 sequence (harmless for other encodings: at most 3 bytes).
fn cut_bytes(b: &[u8], max: usize) -> &[u8] {
    if max >= b.len() {
        return b;
    }
    let mut end = max;
    let mut back = 0;
    while end > 0 && back < 3 && (b[end] & 0xC0) == 0x80 {
        end -= 1;
        back += 1;
    }
    &b[..end]
}

fn cut_str(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
