//! What a block's markup says about it: [`BlockFeatures`], the one type the
//! page model reads for every paragraph, whatever the input format.
//!
//! HTML input fills every field (see [`crate::html`]); text input leaves them
//! at their neutral defaults ([`BlockFeatures::default`]), except
//! [`BlockFeatures::link_share`] when a text dump gives it (the `link` field
//! of a labelled page line).

/// The structural features of one block (paragraph) of a page.
///
/// Neutral values (the [`Default`]) mean "unknown": no links, depth 0, not in
/// a list, table or heading, no cues, empty tag. Construct it with
/// `BlockFeatures::default()` and set the fields you know.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct BlockFeatures {
    /// Share of the block's characters inside links, 0 to 1.
    pub link_share: f32,
    /// Number of distinct links that contributed text.
    pub links: u32,
    /// Depth of the block element among the elements present in the source
    /// (the outermost is 1; 0 when unknown).
    pub depth: u32,
    /// Inside `li`, `ul`, `ol`, `dl`, `dd` or `dt`.
    pub in_list: bool,
    /// Inside a table cell (`td`/`th`).
    pub in_table: bool,
    /// Level of the nearest enclosing heading `h1`–`h6`, 0 if none.
    pub heading: u8,
    /// Cues from the class/id tokens and semantic tags of the block element
    /// and all its ancestors.
    pub cues: CueSet,
    /// Tag name of the nearest block-level element holding the text (`p`,
    /// `li`, `td`, ...; `body` for text directly under the body; empty when
    /// unknown).
    pub tag: String,
}

impl BlockFeatures {
    /// Neutral features with only the link share known (text dumps).
    pub fn with_link_share(link_share: f32) -> BlockFeatures {
        BlockFeatures {
            link_share: if link_share.is_finite() {
                link_share.clamp(0.0, 1.0)
            } else {
                0.0
            },
            ..BlockFeatures::default()
        }
    }
}

/// A boolean cue derived from class/id tokens (and semantic tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Cue {
    /// Navigation (`nav`, `navbar`, `daohang`, ...).
    Nav,
    /// Menus, tabs and channel lists.
    Menu,
    /// Page footer.
    Footer,
    /// Page header, masthead, logo.
    Header,
    /// Related articles (`related`, `xgxw`, `more`, ...).
    Related,
    /// Recommendations (`recommend`, `tuijian`, ...).
    Recommend,
    /// Hot / popular lists.
    Hot,
    /// Rankings and top lists.
    Rank,
    /// Share buttons.
    Share,
    /// Comments and replies.
    Comment,
    /// Advertising, banners, sponsors.
    Ad,
    /// Side columns (`side`, `aside`, `right`, ...).
    Sidebar,
    /// Breadcrumbs and "you are here" lines.
    Breadcrumb,
    /// Copyright and licence lines (`copyright`, `icp`, ...).
    Copyright,
    /// article / content / text / main / body: the positive cue.
    Article,
    /// Titles and headlines.
    Title,
}

impl Cue {
    /// Every cue, in bit order.
    pub const ALL: [Cue; 16] = [
        Cue::Nav,
        Cue::Menu,
        Cue::Footer,
        Cue::Header,
        Cue::Related,
        Cue::Recommend,
        Cue::Hot,
        Cue::Rank,
        Cue::Share,
        Cue::Comment,
        Cue::Ad,
        Cue::Sidebar,
        Cue::Breadcrumb,
        Cue::Copyright,
        Cue::Article,
        Cue::Title,
    ];

    /// Lowercase name, stable (used as a feature name).
    pub fn name(self) -> &'static str {
        match self {
            Cue::Nav => "nav",
            Cue::Menu => "menu",
            Cue::Footer => "footer",
            Cue::Header => "header",
            Cue::Related => "related",
            Cue::Recommend => "recommend",
            Cue::Hot => "hot",
            Cue::Rank => "rank",
            Cue::Share => "share",
            Cue::Comment => "comment",
            Cue::Ad => "ad",
            Cue::Sidebar => "sidebar",
            Cue::Breadcrumb => "breadcrumb",
            Cue::Copyright => "copyright",
            Cue::Article => "article",
            Cue::Title => "title",
        }
    }

    fn bit(self) -> u32 {
        1 << self as u8
    }

    /// The cue a single lowercase token signals, if any.
    pub fn of_token(tok: &str) -> Option<Cue> {
        // Exact tokens first (short abbreviations would be too loose as
        // prefixes), then prefixes.
        let exact = match tok {
            "nav" | "navi" | "navbar" | "daohang" | "dh" => Some(Cue::Nav),
            "menu" | "menus" | "submenu" | "tab" | "tabs" | "channel" => Some(Cue::Menu),
            "footer" | "foot" | "ft" | "bottom" | "btm" => Some(Cue::Footer),
            "header" | "head" | "hd" | "topbar" | "masthead" | "logo" => Some(Cue::Header),
            "related" | "relate" | "relative" | "xg" | "xgxw" | "xiangguan" | "more" => {
                Some(Cue::Related)
            }
            "recommend" | "rec" | "tuijian" | "tj" | "tui" | "jc" | "jingcai" => {
                Some(Cue::Recommend)
            }
            "hot" | "hots" | "remen" | "rm" | "popular" | "focus" => Some(Cue::Hot),
            "rank" | "ranking" | "top" | "paihang" | "phb" | "toplist" | "billboard" => {
                Some(Cue::Rank)
            }
            "share" | "fenxiang" | "fx" | "bshare" | "jiathis" | "bdshare" | "social" => {
                Some(Cue::Share)
            }
            "comment" | "comments" | "cmt" | "pinglun" | "pl" | "reply" | "discuss" | "review" => {
                Some(Cue::Comment)
            }
            "ad" | "ads" | "gg" | "guanggao" | "banner" | "sponsor" | "adv" | "promo" => {
                Some(Cue::Ad)
            }
            "side" | "sidebar" | "aside" | "sider" | "right" | "rightbar" | "col2" => {
                Some(Cue::Sidebar)
            }
            "breadcrumb" | "crumb" | "crumbs" | "location" | "position" | "weizhi" | "dqwz"
            | "path" | "where" => Some(Cue::Breadcrumb),
            "copyright" | "copy" | "banquan" | "bq" | "icp" => Some(Cue::Copyright),
            "article" | "content" | "contents" | "text" | "main" | "body" | "con" | "cont"
            | "zw" | "zhengwen" | "detail" | "story" | "post" | "entry" | "artibody"
            | "endtext" | "newstext" => Some(Cue::Article),
            "title" | "tit" | "headline" | "biaoti" | "bt" => Some(Cue::Title),
            _ => None,
        };
        if exact.is_some() {
            return exact;
        }
        const PREFIXES: &[(&str, Cue)] = &[
            ("navig", Cue::Nav),
            ("nav", Cue::Nav),
            ("menu", Cue::Menu),
            ("footer", Cue::Footer),
            ("header", Cue::Header),
            ("relat", Cue::Related),
            ("recomm", Cue::Recommend),
            ("hot", Cue::Hot),
            ("rank", Cue::Rank),
            ("share", Cue::Share),
            ("comment", Cue::Comment),
            ("advert", Cue::Ad),
            ("sidebar", Cue::Sidebar),
            ("bread", Cue::Breadcrumb),
            ("crumb", Cue::Breadcrumb),
            ("copyright", Cue::Copyright),
            ("article", Cue::Article),
            ("content", Cue::Article),
            ("artibody", Cue::Article),
            ("title", Cue::Title),
        ];
        PREFIXES
            .iter()
            .find(|(p, _)| tok.starts_with(p))
            .map(|&(_, c)| c)
    }

    /// The cue a semantic tag name signals (`nav`, `footer`, `aside`, ...).
    pub fn of_tag(tag: &str) -> Option<Cue> {
        match tag {
            "nav" => Some(Cue::Nav),
            "menu" => Some(Cue::Menu),
            "footer" => Some(Cue::Footer),
            "header" => Some(Cue::Header),
            "aside" => Some(Cue::Sidebar),
            "article" | "main" => Some(Cue::Article),
            _ => None,
        }
    }
}

/// A set of [`Cue`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CueSet(u32);

impl CueSet {
    /// Whether the set holds `cue`.
    pub fn has(self, cue: Cue) -> bool {
        self.0 & cue.bit() != 0
    }
    /// Adds `cue`.
    pub fn insert(&mut self, cue: Cue) {
        self.0 |= cue.bit();
    }
    /// The cues held, in [`Cue::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Cue> {
        Cue::ALL.into_iter().filter(move |c| self.has(*c))
    }
    /// Bit set (bit `i` is `Cue::ALL[i]`).
    pub fn bits(self) -> u32 {
        self.0
    }
}

/// Splits a class or id value into lowercase tokens: on non-alphanumerics,
/// camelCase (`newsList` → `news`, `list`) and letter/digit boundaries
/// (`nav2` → `nav`). Pure numbers and one-letter pieces are dropped.
pub(crate) fn split_tokens(value: &str, out: &mut Vec<String>) {
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if cur.chars().count() >= 2 && !cur.chars().all(|c| c.is_ascii_digit()) && cur.len() <= 40 {
            out.push(std::mem::take(cur));
        } else {
            cur.clear();
        }
    };
    for c in value.chars() {
        if !c.is_alphanumeric() {
            flush(&mut cur, out);
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let camel = p.is_lowercase() && c.is_uppercase();
            let digit_edge = p.is_ascii_digit() != c.is_ascii_digit();
            if camel || digit_edge {
                flush(&mut cur, out);
            }
        }
        cur.extend(c.to_lowercase());
        prev = Some(c);
    }
    flush(&mut cur, out);
}
