//! Long documents in bounded memory: a text document of more than
//! [`WINDOW_PARAGRAPHS`] paragraphs or [`WINDOW_BYTES`] of text is handed on
//! as it is read, in overlapping windows, each classified as a page of its
//! own with [`WINDOW_CONTEXT`] paragraphs of context on either side, and the
//! writers stream their results out as one document (see docs/long-inputs.md).

use crate::data::Document;
use crate::long::LongText;
use crate::text::Paragraph;

/// A document with more paragraphs than this (or more text than
/// [`WINDOW_BYTES`]) is classified in windows of this many paragraphs.
pub const WINDOW_PARAGRAPHS: usize = 4096;

/// A window holds at most about this much text (besides its context).
pub const WINDOW_BYTES: usize = 1 << 20;

/// Paragraphs of context a window of a long document has on each side of
/// the paragraphs it decides.
pub const WINDOW_CONTEXT: usize = 64;

/// Where a window of a long document lies in it (see [`Document::window`]):
/// the window's paragraphs are its document's paragraphs from some point on,
/// the first `before` and the last `after` of them there as context only
/// (another window decides them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The document's first window.
    pub first: bool,
    /// Its last window.
    pub last: bool,
    /// Paragraphs at the start given as context only.
    pub before: usize,
    /// Paragraphs at the end given as context only.
    pub after: usize,
}

/// Cuts a text document into windows as its paragraphs are read: a document
/// within the bounds is handed on whole, as it always was.
pub(crate) struct Windows {
    doc: Document,
    /// Context paragraphs at the start of `doc`.
    before: usize,
    /// Bytes of text in `doc`.
    bytes: usize,
    /// Whether a window has been handed on.
    cut: bool,
}

impl Windows {
    /// Windows of `doc` (empty), to be filled by [`Windows::push`].
    pub(crate) fn new(doc: Document) -> Self {
        Windows {
            doc,
            before: 0,
            bytes: 0,
            cut: false,
        }
    }

    /// Adds a paragraph, and hands `f` a window when there are enough.
    pub(crate) fn push<E>(
        &mut self,
        paragraph: Paragraph,
        long: Option<LongText>,
        f: &mut impl FnMut(Document) -> Result<(), E>,
    ) -> Result<(), E> {
        self.bytes += paragraph.text.len();
        self.doc.push(paragraph, long);
        let core = self.doc.paragraphs.len() - self.before;
        if core >= WINDOW_PARAGRAPHS + WINDOW_CONTEXT
            || (self.bytes >= WINDOW_BYTES && core > WINDOW_CONTEXT)
        {
            let after = WINDOW_CONTEXT;
            let end = self.doc.paragraphs.len() - after;
            let from = end - WINDOW_CONTEXT.min(end);
            let next = self.doc.tail(from);
            let mut window = std::mem::replace(&mut self.doc, next);
            window.window = Some(Window {
                first: !self.cut,
                last: false,
                before: self.before,
                after,
            });
            self.before = end - from;
            self.bytes = self.doc.paragraphs.iter().map(|p| p.text.len()).sum();
            self.cut = true;
            f(window)?;
        }
        Ok(())
    }

    /// The document (when it was not cut) or its last window.
    pub(crate) fn finish(mut self) -> Document {
        if self.cut {
            self.doc.window = Some(Window {
                first: false,
                last: true,
                before: self.before,
                after: 0,
            });
        }
        self.doc
    }
}
