//! Shape tokens: what a line looks like rather than what it says.
//!
//! Words tie a model to the sites and years it was trained on; the shape of a
//! line (short, tagged `栏目|`, ending in `?` or `…`) carries over to new sites.

/// The shape tokens of a normalised paragraph. They are static strings, so a
/// paragraph's shape costs no allocation beyond its characters.
pub fn shape_tokens(text: &str) -> Vec<&'static str> {
    let mut scan = ShapeScan::default();
    scan.scan(text);
    scan.tokens_with_head(text)
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
    pub(crate) fn tokens(&self) -> Vec<&'static str> {
        self.tokens_with_head(&self.head)
    }

    /// The shape tokens of everything read, which starts with `head`.
    fn tokens_with_head(&self, head: &str) -> Vec<&'static str> {
        let share = |count: usize| count as f64 / self.n.max(1) as f64;
        let mut out = Vec::with_capacity(10);
        out.push(length_bucket(self.n));
        if let Some(tag) = leading_tag(head) {
            out.push(tag);
        }
        out.push(ending(self.last));
        out.push(["digits:0", "digits:low", "digits:high"][share_bucket(share(self.digits))]);
        out.push(["latin:0", "latin:low", "latin:high"][share_bucket(share(self.latin))]);
        out.push(["punct:0", "punct:low", "punct:high"][share_bucket(share(self.punct))]);
        if self.bang {
            out.push("has:!");
        }
        if self.question {
            out.push("has:?");
        }
        if self.ellipsis {
            out.push("has:…");
        }
        if self.emoji {
            out.push("has:emoji");
        }
        // A space inside a line: two clauses of a headline set apart, as link
        // lists and entertainment titles do; the segmenter drops whitespace, so
        // no word carries it.
        if self.inner_space {
            out.push("has:space");
        }
        out
    }
}

fn length_bucket(n: usize) -> &'static str {
    match n {
        0..=5 => "len:≤5",
        6..=10 => "len:≤10",
        11..=20 => "len:≤20",
        21..=40 => "len:≤40",
        41..=80 => "len:≤80",
        81..=160 => "len:≤160",
        _ => "len:>160",
    }
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
fn leading_tag(text: &str) -> Option<&'static str> {
    let mut chars = text.chars();
    let close = match chars.next()? {
        '【' => Some('】'),
        '[' => Some(']'),
        '『' => Some('』'),
        '「' => Some('」'),
        _ => None,
    };
    if let Some(close) = close {
        return chars.take(15).any(|c| c == close).then_some("tag:bracket");
    }
    text.chars()
        .take(12)
        .any(|c| c == '|')
        .then_some("tag:pipe")
}

fn ending(last: Option<char>) -> &'static str {
    match last {
        None => "end:none",
        Some('。') => "end:。",
        Some('!') => "end:!",
        Some('?') => "end:?",
        Some('…') | Some('.') => "end:…",
        Some(c) if c.is_ascii_digit() => "end:digit",
        Some(c) if c.is_ascii_alphabetic() => "end:latin",
        Some(c) if is_punctuation(&c) => "end:punct",
        Some(c) if is_emoji(c) => "end:emoji",
        Some(_) => "end:text",
    }
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
        let t = shape_tokens("娱乐|她竟然这样做?");
        assert!(t.contains(&"tag:pipe"));
        assert!(t.contains(&"end:?"));
    }

    fn has(text: &str, token: &str) -> bool {
        shape_tokens(text).contains(&token)
    }

    /// The definition, one rule at a time, as the tokens were first written.
    fn reference(text: &str) -> Vec<&'static str> {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let share =
            |p: fn(&char) -> bool| chars.iter().filter(|c| p(c)).count() as f64 / n.max(1) as f64;
        let mut out = vec![length_bucket(n)];
        out.extend(leading_tag(text));
        out.push(ending(chars.last().copied()));
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
            proptest::prop_assert_eq!(shape_tokens(&text), reference(&text));
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
            proptest::prop_assert_eq!(scan.tokens(), shape_tokens(&text));
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
