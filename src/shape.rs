//! Shape tokens: what a line looks like rather than what it says.
//!
//! Words tie a model to the sites and years it was trained on; the shape of a
//! line (short, tagged `栏目|`, ending in `?` or `…`) carries over to new sites.

use crate::features::hash_str;

/// The shape tokens of a normalised paragraph. They are fixed tokens hashed
/// when compiling, held in place, so a paragraph's shape costs neither an
/// allocation nor a hash.
pub(crate) fn shape_tokens(text: &str) -> Shapes {
    let mut scan = ShapeScan::default();
    scan.scan(text);
    scan.tokens_with_head(text)
}

/// A shape token: its text, which training interns, and its hash
/// ([`hash_str`] of the text), which scoring reads. The tokens are statics,
/// handed out by reference.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) text: &'static str,
    pub(crate) hash: u64,
    /// Where the token is in [`all_shapes`]: a scoring table keeps each
    /// shape token's slot by it, so that scoring a shape token needs no probe.
    pub(crate) id: u8,
}

impl Shape {
    const fn new(id: u8, text: &'static str) -> Shape {
        Shape {
            text,
            hash: hash_str(text),
            id,
        }
    }
}

/// How many shape tokens there are.
pub(crate) const SHAPE_COUNT: usize = 33;

/// Every shape token, each at its [`Shape::id`].
pub(crate) fn all_shapes() -> impl Iterator<Item = &'static Shape> {
    LENGTH
        .iter()
        .chain(&DIGITS)
        .chain(&LATIN)
        .chain(&PUNCT)
        .chain(&MARKS)
        .chain(&TAGS)
        .chain(&ENDINGS)
}

/// The most shape tokens a paragraph has: length, tag, ending, three shares,
/// five marks.
const MOST_SHAPES: usize = 11;

/// A paragraph's shape tokens, in order, held in place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shapes {
    tokens: [&'static Shape; MOST_SHAPES],
    len: usize,
}

impl Shapes {
    fn push(&mut self, token: &'static Shape) {
        self.tokens[self.len] = token;
        self.len += 1;
    }
}

impl std::ops::Deref for Shapes {
    type Target = [&'static Shape];

    fn deref(&self) -> &[&'static Shape] {
        &self.tokens[..self.len]
    }
}

/// Characters of a paragraph's start that [`leading_tag`] reads: its opening
/// bracket and the 15 characters after it.
const HEAD_CHARS: usize = 16;

/// The shape of a paragraph read a piece at a time, in order: what
/// [`shape_tokens`] gives for the whole, whatever the pieces (a long
/// paragraph is scored in pieces, its shape over all of it).
#[derive(Debug, Clone, Default)]
pub(crate) struct ShapeScan {
    n: usize,
    digits: usize,
    latin: usize,
    punct: usize,
    bang: bool,
    question: bool,
    ellipsis: bool,
    emoji: bool,
    last: Option<char>,
    dots: usize,
    // A space inside the line: whitespace with text before it and after it.
    text_before: bool,
    space_after_text: bool,
    inner_space: bool,
    /// The first [`HEAD_CHARS`] characters, for the leading tag.
    head: String,
}

impl ShapeScan {
    /// Reads the next piece of the paragraph.
    pub(crate) fn push(&mut self, text: &str) {
        if self.n < HEAD_CHARS {
            let more = text.chars().take(HEAD_CHARS - self.n);
            self.head.extend(more);
        }
        self.scan(text);
    }

    /// [`ShapeScan::push`] without keeping the paragraph's start.
    fn scan(&mut self, text: &str) {
        // One pass over the characters: this runs for every paragraph scored.
        let ShapeScan {
            mut n,
            mut digits,
            mut latin,
            mut punct,
            mut bang,
            mut question,
            mut ellipsis,
            mut emoji,
            mut last,
            mut dots,
            mut text_before,
            mut space_after_text,
            mut inner_space,
            ..
        } = *self;
        let bytes = text.as_bytes();
        // Where the last character read starts, when this piece has one.
        let mut last_at = None;
        let mut i = 0;
        while i < bytes.len() {
            last_at = Some(i);
            if let 0xE4..=0xE9 = bytes[i] {
                // Most characters are CJK ideographs: U+4000..U+9FFF (lead
                // bytes E4 to E9) are none of the below, so they are counted
                // without being decoded.
                n += 1;
                inner_space |= space_after_text;
                text_before = true;
                dots = 0;
                i += 3;
                continue;
            }
            let c = text[i..]
                .chars()
                .next()
                .expect("i is on a character boundary");
            i += c.len_utf8();
            if c.is_whitespace() {
                space_after_text |= text_before;
            } else {
                inner_space |= space_after_text;
                text_before = true;
            }
            n += 1;
            digits += usize::from(c.is_ascii_digit());
            latin += usize::from(c.is_ascii_alphabetic());
            punct += usize::from(is_punctuation(&c));
            bang |= c == '!';
            question |= c == '?';
            dots = if c == '.' { dots + 1 } else { 0 };
            ellipsis |= c == '…' || dots == 3;
            emoji |= is_emoji(c);
        }
        if let Some(at) = last_at {
            last = text[at..].chars().next();
        }
        let head = std::mem::take(&mut self.head);
        *self = ShapeScan {
            n,
            digits,
            latin,
            punct,
            bang,
            question,
            ellipsis,
            emoji,
            last,
            dots,
            text_before,
            space_after_text,
            inner_space,
            head,
        };
    }

    /// The shape tokens of everything read.
    pub(crate) fn tokens(&self) -> Shapes {
        self.tokens_with_head(&self.head)
    }

    /// The shape tokens of everything read, which starts with `head`.
    fn tokens_with_head(&self, head: &str) -> Shapes {
        let share = |count: usize| count as f64 / self.n.max(1) as f64;
        let mut out = Shapes {
            tokens: [&LENGTH[0]; MOST_SHAPES],
            len: 0,
        };
        out.push(length_bucket(self.n));
        if let Some(tag) = leading_tag(head) {
            out.push(tag);
        }
        out.push(ending(self.last));
        out.push(&DIGITS[share_bucket(share(self.digits))]);
        out.push(&LATIN[share_bucket(share(self.latin))]);
        out.push(&PUNCT[share_bucket(share(self.punct))]);
        let [bang, question, ellipsis, emoji, space] = &MARKS;
        if self.bang {
            out.push(bang);
        }
        if self.question {
            out.push(question);
        }
        if self.ellipsis {
            out.push(ellipsis);
        }
        if self.emoji {
            out.push(emoji);
        }
        // A space inside a line: two clauses of a headline set apart, as link
        // lists and entertainment titles do; the segmenter drops whitespace, so
        // no word carries it.
        if self.inner_space {
            out.push(space);
        }
        out
    }
}

/// The length buckets, in characters: up to 5, 10, 20, 40, 80, 160, more.
static LENGTH: [Shape; 7] = [
    Shape::new(0, "len:≤5"),
    Shape::new(1, "len:≤10"),
    Shape::new(2, "len:≤20"),
    Shape::new(3, "len:≤40"),
    Shape::new(4, "len:≤80"),
    Shape::new(5, "len:≤160"),
    Shape::new(6, "len:>160"),
];

/// The shares of digits, Latin letters and punctuation ([`share_bucket`]).
static DIGITS: [Shape; 3] = [
    Shape::new(7, "digits:0"),
    Shape::new(8, "digits:low"),
    Shape::new(9, "digits:high"),
];
static LATIN: [Shape; 3] = [
    Shape::new(10, "latin:0"),
    Shape::new(11, "latin:low"),
    Shape::new(12, "latin:high"),
];
static PUNCT: [Shape; 3] = [
    Shape::new(13, "punct:0"),
    Shape::new(14, "punct:low"),
    Shape::new(15, "punct:high"),
];

/// `!`, `?`, an ellipsis, an emoji, a space inside the line.
static MARKS: [Shape; 5] = [
    Shape::new(16, "has:!"),
    Shape::new(17, "has:?"),
    Shape::new(18, "has:…"),
    Shape::new(19, "has:emoji"),
    Shape::new(20, "has:space"),
];

/// A column tag at the start of a line ([`leading_tag`]): a bracket, a pipe.
static TAGS: [Shape; 2] = [Shape::new(21, "tag:bracket"), Shape::new(22, "tag:pipe")];

/// How a line ends ([`ending`]).
static ENDINGS: [Shape; 10] = [
    Shape::new(23, "end:none"),
    Shape::new(24, "end:。"),
    Shape::new(25, "end:!"),
    Shape::new(26, "end:?"),
    Shape::new(27, "end:…"),
    Shape::new(28, "end:digit"),
    Shape::new(29, "end:latin"),
    Shape::new(30, "end:punct"),
    Shape::new(31, "end:emoji"),
    Shape::new(32, "end:text"),
];

fn length_bucket(n: usize) -> &'static Shape {
    &LENGTH[match n {
        0..=5 => 0,
        6..=10 => 1,
        11..=20 => 2,
        21..=40 => 3,
        41..=80 => 4,
        81..=160 => 5,
        _ => 6,
    }]
}

/// 0 for none, 1 for under a tenth, 2 for more.
fn share_bucket(share: f64) -> usize {
    if share == 0.0 {
        0
    } else if share < 0.1 {
        1
    } else {
        2
    }
}

/// A column tag at the start of a line: `【...】`, `[...]`, `『...』`, `「...」`,
/// or a short name followed by `|` (`娱乐|`, `生活|`).
fn leading_tag(text: &str) -> Option<&'static Shape> {
    let mut chars = text.chars();
    let close = match chars.next()? {
        '【' => Some('】'),
        '[' => Some(']'),
        '『' => Some('』'),
        '「' => Some('」'),
        _ => None,
    };
    if let Some(close) = close {
        return chars.take(15).any(|c| c == close).then_some(&TAGS[0]);
    }
    // `|` is one byte that no other character's bytes hold: the first one in
    // the first 12 characters' bytes (at most 48), if fewer than 12
    // characters come before it, without decoding them.
    let bytes = &text.as_bytes()[..text.len().min(48)];
    let pipe = bytes.iter().position(|&b| b == b'|')?;
    let before = bytes[..pipe].iter().filter(|&&b| b & 0xC0 != 0x80).count();
    (before < 12).then_some(&TAGS[1])
}

fn ending(last: Option<char>) -> &'static Shape {
    &ENDINGS[match last {
        None => 0,
        Some('。') => 1,
        Some('!') => 2,
        Some('?') => 3,
        Some('…') | Some('.') => 4,
        Some(c) if c.is_ascii_digit() => 5,
        Some(c) if c.is_ascii_alphabetic() => 6,
        Some(c) if is_punctuation(&c) => 7,
        Some(c) if is_emoji(c) => 8,
        Some(_) => 9,
    }]
}

fn is_punctuation(c: &char) -> bool {
    c.is_ascii_punctuation()
        || matches!(*c, '\u{3000}'..='\u{303F}' | '\u{2010}'..='\u{205E}' | '\u{FF00}'..='\u{FF65}')
}

fn is_emoji(c: char) -> bool {
    matches!(c, '\u{1F300}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_tokens_mark_tags_and_ends() {
        let t = texts(&shape_tokens("娱乐|她竟然这样做?"));
        assert!(t.contains(&"tag:pipe"));
        assert!(t.contains(&"end:?"));
    }

    fn texts(shapes: &[&Shape]) -> Vec<&'static str> {
        shapes.iter().map(|s| s.text).collect()
    }

    fn has(text: &str, token: &str) -> bool {
        texts(&shape_tokens(text)).contains(&token)
    }

    #[test]
    fn a_shape_token_s_hash_taken_when_compiling_is_its_text_s() {
        for (i, s) in all_shapes().enumerate() {
            assert_eq!(s.hash, std::hint::black_box(hash_str)(s.text), "{}", s.text);
            assert_eq!(usize::from(s.id), i, "{}", s.text);
        }
        assert_eq!(all_shapes().count(), SHAPE_COUNT);
        let shapes = shape_tokens("【快讯】某地发布通知?");
        assert_eq!(
            texts(&shapes),
            [
                "len:≤20",
                "tag:bracket",
                "end:?",
                "digits:0",
                "latin:0",
                "punct:high",
                "has:?"
            ]
        );
        for s in shapes.iter() {
            assert_eq!(s.hash, std::hint::black_box(hash_str)(s.text), "{}", s.text);
        }
    }

    /// The definition, one rule at a time, as the tokens were first written.
    fn reference(text: &str) -> Vec<&'static str> {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let share =
            |p: fn(&char) -> bool| chars.iter().filter(|c| p(c)).count() as f64 / n.max(1) as f64;
        let mut out = vec![length_bucket(n).text];
        out.extend(leading_tag(text).map(|s| s.text));
        out.push(ending(chars.last().copied()).text);
        out.push(
            ["digits:0", "digits:low", "digits:high"][share_bucket(share(char::is_ascii_digit))],
        );
        out.push(
            ["latin:0", "latin:low", "latin:high"][share_bucket(share(char::is_ascii_alphabetic))],
        );
        out.push(["punct:0", "punct:low", "punct:high"][share_bucket(share(is_punctuation))]);
        let checks = [
            (chars.contains(&'!'), "has:!"),
            (chars.contains(&'?'), "has:?"),
            (text.contains('…') || text.contains("..."), "has:…"),
            (chars.iter().any(|&c| is_emoji(c)), "has:emoji"),
            (text.trim().contains(char::is_whitespace), "has:space"),
        ];
        out.extend(checks.iter().filter(|(yes, _)| *yes).map(|&(_, t)| t));
        out
    }

    proptest::proptest! {
        #[test]
        fn one_pass_matches_the_definition(text in "[a-z0-9 .!?…|\\[\\]【】『』，。\u{3000}\u{4000}\u{4dbf}\u{4e00}-\u{4e0f}\u{9fff}\u{a000}😂]{0,40}") {
            proptest::prop_assert_eq!(texts(&shape_tokens(&text)), reference(&text));
        }
    }

    proptest::proptest! {
        #[test]
        fn pieces_give_the_shape_of_the_whole(text in "[a-z0-9 .!?…|\\[\\]【】『』，。\u{3000}\u{4000}\u{4dbf}\u{4e00}-\u{4e0f}\u{9fff}\u{a000}😂]{0,40}", cuts in proptest::collection::vec(0usize..40, 0..4)) {
            let chars: Vec<char> = text.chars().collect();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(chars.len())).collect();
            cuts.sort_unstable();
            let mut scan = ShapeScan::default();
            let mut from = 0;
            for to in cuts.into_iter().chain([chars.len()]) {
                scan.push(&chars[from..to].iter().collect::<String>());
                from = to;
            }
            proptest::prop_assert_eq!(&*scan.tokens(), &*shape_tokens(&text));
        }
    }

    proptest::proptest! {
        /// The pipe tag as first written, a character at a time: "one of the
        /// first 12 characters is `|`" (the bracket tag, read first, is not
        /// what the byte scan changed).
        #[test]
        fn leading_tag_matches_the_definition(text in "[a|【】\u{4e00}é😂 ]{0,30}") {
            proptest::prop_assume!(!text.starts_with(['【', '[', '『', '「']));
            let pipe = text.chars().take(12).any(|c| c == '|');
            proptest::prop_assert_eq!(leading_tag(&text).map(|s| s.text), pipe.then_some("tag:pipe"));
        }
    }

    #[test]
    fn length_buckets() {
        assert!(has("推荐阅读", "len:≤5"));
        assert!(has(&"字".repeat(200), "len:>160"));
        assert!(has("", "len:≤5"));
    }

    #[test]
    fn leading_tags() {
        assert!(has("【快讯】某地发布通知", "tag:bracket"));
        assert!(has("『英国』哈里的新房子", "tag:bracket"));
        assert!(has("生活|牙膏的妙用", "tag:pipe"));
        assert!(!has("国务院召开常务会议", "tag:pipe"));
        assert!(!has(
            "【没有闭合的括号后面是很长很长很长很长的文字",
            "tag:bracket"
        ));
    }

    #[test]
    fn endings_and_marks() {
        assert!(has("会议强调。", "end:。"));
        assert!(has("太好用了!", "end:!"));
        assert!(has("太好用了!", "has:!"));
        assert!(has("真相是...", "has:…"));
        assert!(has("笑死😂", "has:emoji"));
        assert!(has("增长7%", "end:punct"));
        assert!(has("2020", "digits:high"));
        assert!(has("某地发布通知 居民可申请补贴", "has:space"));
        assert!(!has(" 某地发布通知 ", "has:space"));
    }
}
