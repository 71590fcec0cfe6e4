//! The block cutter: element opens, closes and text in document order in,
//! blocks out. Independent of the parser, so a streaming tokenizer drives it.

use super::block::{BlockFeatures, Cue, CueSet, split_tokens};
use super::{Block, HtmlOptions};

// Tags

/// Tags whose start and end cut a block.
pub(crate) fn is_block_tag(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "li"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "td"
            | "th"
            | "br"
            | "tr"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "caption"
            | "ul"
            | "ol"
            | "dl"
            | "dd"
            | "dt"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "blockquote"
            | "pre"
            | "form"
            | "fieldset"
            | "legend"
            | "address"
            | "figure"
            | "figcaption"
            | "hr"
            | "center"
            | "body"
            | "html"
            | "option"
            | "select"
            | "button"
            | "label"
            | "input"
            | "textarea"
            | "menu"
            | "details"
            | "summary"
            | "dir"
            | "frameset"
            | "frame"
            | "noframes"
            | "marquee"
    )
}

/// Tags whose content is never page text.
pub(crate) fn is_skipped_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "textarea"
            | "select"
            | "title"
    )
}

/// Elements that have no content and no end tag.
pub(crate) fn is_void_tag(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "frame"
    )
}

fn heading_level(tag: &str) -> u8 {
    match tag {
        "h1" => 1,
        "h2" => 2,
        "h3" => 3,
        "h4" => 4,
        "h5" => 5,
        "h6" => 6,
        _ => 0,
    }
}

// The cutter

#[derive(Debug)]
struct Frame {
    tag: String,
    /// `tag`, `tag#id` or `tag.class` (bounded length).
    label: String,
    block: bool,
    /// Tokens of this element's class and id.
    tokens: Vec<String>,
    /// CueSet of this element and all its ancestors.
    cues: CueSet,
    in_list: bool,
    in_table: bool,
    heading: u8,
    /// Inside a skipped element (script, style, ...).
    skip: bool,
    /// Index of the nearest block-level frame at or above this one.
    block_frame: Option<usize>,
    /// Link id if this element is or is inside an `<a href>`.
    link: Option<u32>,
    title: bool,
}

/// The block in progress.
#[derive(Debug, Default)]
struct Pending {
    text: String,
    space: bool,
    chars: u32,
    link_chars: u32,
    links: u32,
    last_link: Option<u32>,
    /// Context captured at the first character.
    ctx: Option<Block>,
}

/// Parser-independent block cutter: feed it element opens, closes and text
/// in document order, then call [`Cutter::finish`].
///
/// Closes need not match opens exactly: [`Cutter::close`] pops up to the
/// nearest open element of that name (within a bounded search) and ignores
/// a stray end tag, so a streaming tokenizer can drive it.
#[derive(Debug)]
pub(crate) struct Cutter {
    opts: HtmlOptions,
    stack: Vec<Frame>,
    blocks: Vec<Block>,
    cur: Pending,
    title: String,
    title_space: bool,
    title_done: bool,
    next_link: u32,
    max_depth: u32,
}

/// How far up [`Cutter::close`] searches for the element an end tag closes.
const CLOSE_SEARCH: usize = 64;

impl Cutter {
    /// A cutter with the given limits.
    pub(crate) fn new(opts: HtmlOptions) -> Self {
        Cutter {
            opts,
            stack: Vec::new(),
            blocks: Vec::new(),
            cur: Pending::default(),
            title: String::new(),
            title_space: false,
            title_done: false,
            next_link: 0,
            max_depth: 0,
        }
    }

    /// An element opens. `tag` must be lowercase (HTML parsers give it so).
    pub(crate) fn open(&mut self, tag: &str, id: Option<&str>, class: Option<&str>, href: bool) {
        let block = is_block_tag(tag);
        if block {
            self.flush();
        }
        let parent = self.stack.last();
        let mut tokens = Vec::new();
        let mut cues = parent.map_or(CueSet::default(), |p| p.cues);
        if let Some(c) = Cue::of_tag(tag) {
            cues.insert(c);
        }
        if let Some(v) = class {
            split_tokens(v, &mut tokens);
        }
        if let Some(v) = id {
            split_tokens(v, &mut tokens);
        }
        for t in &tokens {
            if let Some(c) = Cue::of_token(t) {
                cues.insert(c);
            }
        }
        let mut label = String::with_capacity(tag.len() + 8);
        push_bounded(&mut label, tag, 16);
        if let Some(v) = id.map(str::trim).filter(|v| !v.is_empty()) {
            label.push('#');
            push_bounded(&mut label, v, 24);
        } else if let Some(v) = class.and_then(|c| c.split_ascii_whitespace().next()) {
            label.push('.');
            push_bounded(&mut label, v, 24);
        }
        let depth = self.stack.len();
        let level = heading_level(tag);
        let link = if tag == "a" && href {
            self.next_link += 1;
            Some(self.next_link)
        } else {
            parent.and_then(|p| p.link)
        };
        let frame = Frame {
            tag: tag.to_owned(),
            label,
            block,
            tokens,
            cues,
            in_list: parent.is_some_and(|p| p.in_list)
                || matches!(tag, "li" | "ul" | "ol" | "dl" | "dd" | "dt"),
            in_table: parent.is_some_and(|p| p.in_table) || matches!(tag, "td" | "th"),
            heading: if level > 0 {
                level
            } else {
                parent.map_or(0, |p| p.heading)
            },
            skip: parent.is_some_and(|p| p.skip) || is_skipped_tag(tag),
            block_frame: if block {
                Some(depth)
            } else {
                parent.and_then(|p| p.block_frame)
            },
            link,
            title: tag == "title" && !parent.is_some_and(|p| p.skip && p.tag != "head"),
        };
        self.stack.push(frame);
        self.max_depth = self.max_depth.max(self.stack.len() as u32);
        if is_void_tag(tag) {
            // Void elements never get a close event from some drivers.
            self.close(tag);
        }
    }

    /// Closes the nearest open `tag` if it is nearer than any of `scope`
    /// (for drivers without tree construction: implied end tags).
    pub(crate) fn close_if_nearest(&mut self, tag: &str, scope: &[&str]) {
        let n = self.stack.len();
        for f in self.stack[n.saturating_sub(CLOSE_SEARCH)..].iter().rev() {
            if f.tag == tag {
                self.close(tag);
                return;
            }
            if scope.contains(&f.tag.as_str()) {
                return;
            }
        }
    }

    /// An element closes (pops up to the nearest open element named `tag`).
    pub(crate) fn close(&mut self, tag: &str) {
        let n = self.stack.len();
        let Some(pos) = self.stack[n.saturating_sub(CLOSE_SEARCH)..]
            .iter()
            .rposition(|f| f.tag == tag)
            .map(|i| i + n.saturating_sub(CLOSE_SEARCH))
        else {
            return;
        };
        if self.stack[pos..].iter().any(|f| f.block) {
            self.flush();
        }
        if self.stack[pos..].iter().any(|f| f.title) && !self.title.is_empty() {
            self.title_done = true;
        }
        self.stack.truncate(pos);
    }

    /// Text inside the current element (entities already decoded).
    pub(crate) fn text(&mut self, text: &str) {
        if self.stack.is_empty() {
            if text.chars().all(char::is_whitespace) {
                return;
            }
            // Text outside any element: as if under an implied body.
            self.open("body", None, None, false);
        }
        let Some(top) = self.stack.last() else {
            return;
        };
        if top.title {
            if !self.title_done {
                let max = self.opts.max_title_chars;
                append_collapsed(&mut self.title, &mut self.title_space, text, max);
            }
            return;
        }
        if top.skip {
            return;
        }
        let link = top.link;
        for c in text.chars() {
            if c.is_whitespace() {
                self.cur.space = !self.cur.text.is_empty();
                continue;
            }
            if self.cur.ctx.is_none() {
                self.cur.ctx = Some(self.context());
            }
            if self.cur.space {
                self.cur.text.push(' ');
                self.cur.space = false;
            }
            self.cur.text.push(c);
            self.cur.chars += 1;
            if let Some(l) = link {
                self.cur.link_chars += 1;
                if self.cur.last_link != Some(l) {
                    self.cur.links += 1;
                    self.cur.last_link = Some(l);
                }
            }
        }
    }

    /// Ends the document and returns the title and blocks.
    pub(crate) fn finish(mut self) -> (String, Vec<Block>, u32) {
        self.flush();
        (self.title, self.blocks, self.max_depth)
    }

    fn flush(&mut self) {
        let cur = std::mem::take(&mut self.cur);
        if let Some(mut b) = cur.ctx {
            b.text = cur.text;
            b.chars = cur.chars;
            b.link_chars = cur.link_chars;
            b.features.links = cur.links;
            b.features.link_share = if cur.chars == 0 {
                0.0
            } else {
                cur.link_chars as f32 / cur.chars as f32
            };
            self.blocks.push(b);
        }
    }

    /// Context of a block starting now: from the nearest block-level element.
    fn context(&self) -> Block {
        let bi = match self.stack.last() {
            Some(top) => top.block_frame.unwrap_or(self.stack.len() - 1),
            None => return Block::default(),
        };
        let f = &self.stack[bi];
        let first = (bi + 1).saturating_sub(self.opts.max_path);
        let mut path = String::new();
        if first > 0 {
            path.push_str("…>");
        }
        for (i, fr) in self.stack[first..=bi].iter().enumerate() {
            if i > 0 {
                path.push('>');
            }
            path.push_str(&fr.label);
        }
        let mut tokens: Vec<String> = Vec::new();
        let lowest = (bi + 1).saturating_sub(self.opts.max_token_levels);
        'outer: for fr in self.stack[lowest..=bi].iter().rev() {
            for t in &fr.tokens {
                if tokens.len() >= self.opts.max_tokens {
                    break 'outer;
                }
                if !tokens.contains(t) {
                    tokens.push(t.clone());
                }
            }
        }
        Block {
            text: String::new(),
            path,
            chars: 0,
            link_chars: 0,
            tokens,
            features: BlockFeatures {
                link_share: 0.0,
                links: 0,
                depth: bi as u32 + 1,
                in_list: f.in_list,
                in_table: f.in_table,
                heading: f.heading,
                cues: f.cues,
                tag: f.tag.clone(),
            },
        }
    }
}

fn push_bounded(out: &mut String, s: &str, max_chars: usize) {
    out.extend(s.chars().take(max_chars));
}

fn append_collapsed(out: &mut String, space: &mut bool, text: &str, max_chars: usize) {
    for c in text.chars() {
        if c.is_whitespace() {
            *space = !out.is_empty();
            continue;
        }
        if out.len() >= max_chars * 4 {
            return;
        }
        if *space {
            out.push(' ');
            *space = false;
        }
        out.push(c);
    }
}
