use super::block::split_tokens;
use super::cutter::Cutter;
use super::*;
use std::time::{Duration, Instant};

fn texts(p: &HtmlPage) -> Vec<&str> {
    p.blocks().iter().map(|b| b.text()).collect()
}

fn page(html: &str) -> HtmlPage {
    HtmlPage::parse(html.as_bytes()).expect("valid html")
}

const SIMPLE: &str = r#"<!doctype html><html><head><meta charset="utf-8">
<title>  市政 会议
 召开 </title><style>p{color:red}</style><script>var x = "<p>不是正文</p>";</script></head>
<body><div id="topNav" class="nav-bar"><ul><li><a href="/a">首页</a></li><li><a href="/b">新闻</a></li></ul></div>
<div class="mainContent"><h1>市政府召开会议</h1>
<p>本月十二日，  市政府召开
会议。<a href="/x">详情</a></p><p>第二段<br>换行之后</p>
<table><tr><td>单元格一</td><td>单元格二</td></tr></table>
<noscript>请启用脚本</noscript><template><p>模板</p></template></div>
<div class="footer">版权所有 <span>2011</span></div></body></html>"#;

#[test]
fn cuts_blocks_like_the_text_dump() {
    let p = page(SIMPLE);
    assert_eq!(p.title(), "市政 会议 召开");
    assert_eq!(
        texts(&p),
        [
            "首页",
            "新闻",
            "市政府召开会议",
            "本月十二日， 市政府召开 会议。详情",
            "第二段",
            "换行之后",
            "单元格一",
            "单元格二",
            "版权所有 2011"
        ]
    );
    assert_eq!(p.charset_source(), Some(CharsetSource::Utf8));
    assert!(!p.truncated());
}

#[test]
fn block_context() {
    let p = page(SIMPLE);
    let nav = &p.blocks()[0];
    assert_eq!(nav.tag(), "li");
    assert!(nav.features().in_list && !nav.features().in_table);
    assert_eq!(nav.features().links, 1);
    assert_eq!(nav.features().link_share, 1.0);
    assert!(nav.features().cues.has(Cue::Nav));
    assert!(nav.tokens().contains(&"top".to_string()) && nav.tokens().contains(&"nav".to_string()));
    assert!(
        nav.path().ends_with("body>div#topNav>ul>li"),
        "{}",
        nav.path()
    );

    let h = &p.blocks()[2];
    assert_eq!((h.tag(), h.features().heading), ("h1", 1));
    assert!(
        h.features().cues.has(Cue::Article),
        "mainContent → main, content"
    );
    assert_eq!(h.tokens(), ["main", "content"]);

    let para = &p.blocks()[3];
    assert_eq!(para.tag(), "p");
    assert_eq!(para.features().links, 1);
    assert_eq!(para.link_chars(), 2);
    assert_eq!(para.chars(), 16);
    assert_eq!(para.features().depth, 4); // html>body>div>p

    let td = &p.blocks()[6];
    assert!(td.features().in_table && !td.features().in_list);
    assert_eq!(td.tag(), "td");

    let foot = p.blocks().last().unwrap();
    assert!(foot.features().cues.has(Cue::Footer) && !foot.features().cues.has(Cue::Article));
}

#[test]
fn tokens_split_camel_case_digits_and_punctuation() {
    let mut out = Vec::new();
    split_tokens("newsList hot_rank2 x 123 AD-box", &mut out);
    assert_eq!(out, ["news", "list", "hot", "rank", "ad", "box"]);
    assert_eq!(Cue::of_token("navigation"), Some(Cue::Nav));
    assert_eq!(Cue::of_token("relatednews"), Some(Cue::Related));
    assert_eq!(Cue::of_token("adress"), None);
}

#[test]
fn path_is_bounded() {
    let mut html = String::from("<body>");
    for i in 0..30 {
        html.push_str(&format!("<div class=\"c{i} wrapper\">"));
    }
    html.push_str("<p>深处</p>");
    let p = page(&html);
    let b = &p.blocks()[0];
    assert!(b.path().starts_with("…>"));
    assert_eq!(b.path().matches('>').count(), 8);
    assert!(b.path().ends_with(">p"));
    assert_eq!(b.features().depth, 32);
    assert!(b.tokens().len() <= HtmlOptions::default().max_tokens);
}

#[test]
fn gbk_declared_and_undeclared() {
    let body = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>中华人民共和国国务院今天发布通知，要求各地做好工作。</p></body></html>";
    let (bytes, _, _) = encoding_rs::GBK.encode(body);
    let p = HtmlPage::parse(&bytes).unwrap();
    assert_eq!(p.encoding(), "GBK");
    assert_eq!(p.charset_source(), Some(CharsetSource::Meta));
    assert_eq!(
        texts(&p),
        ["中华人民共和国国务院今天发布通知，要求各地做好工作。"]
    );

    // No declaration: the detector.
    let plain =
        "<p>中华人民共和国国务院今天发布通知，要求各地做好工作。经济社会发展取得新的成就。</p>";
    let (bytes, _, _) = encoding_rs::GBK.encode(plain);
    let p = HtmlPage::parse(&bytes).unwrap();
    assert_eq!(p.encoding(), "GBK");
    assert_eq!(p.charset_source(), Some(CharsetSource::Detected));
    assert_eq!(
        p.blocks()[0].text,
        "中华人民共和国国务院今天发布通知，要求各地做好工作。经济社会发展取得新的成就。"
    );
}

#[test]
fn big5_and_bom() {
    let text = "<meta charset=big5><p>臺灣行政院今日召開院會，討論經濟發展與民生議題。</p>";
    let (bytes, _, _) = encoding_rs::BIG5.encode(text);
    let p = HtmlPage::parse(&bytes).unwrap();
    assert_eq!(p.encoding(), "Big5");
    assert_eq!(
        p.blocks()[0].text,
        "臺灣行政院今日召開院會，討論經濟發展與民生議題。"
    );

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice("<p>新闻</p>".as_bytes());
    let p = HtmlPage::parse(&bom).unwrap();
    assert_eq!(p.charset_source(), Some(CharsetSource::Bom));
    assert_eq!(texts(&p), ["新闻"]);

    let mut u16 = vec![0xFF, 0xFE];
    for unit in "<p>新闻</p>".encode_utf16() {
        u16.extend_from_slice(&unit.to_le_bytes());
    }
    let p = HtmlPage::parse(&u16).unwrap();
    assert_eq!(p.encoding(), "UTF-16LE");
    assert_eq!(texts(&p), ["新闻"]);
}

#[test]
fn wrong_charset_declaration() {
    // Declares GBK, is UTF-8 (a re-encoded page): UTF-8 wins.
    let p = page("<meta charset=gbk><p>国务院发布通知</p>");
    assert_eq!(p.charset_source(), Some(CharsetSource::Utf8));
    assert_eq!(texts(&p), ["国务院发布通知"]);

    // Declares UTF-8, is GBK: the declaration fails, the detector decides.
    let (bytes, _, _) = encoding_rs::GBK
        .encode("<meta charset=utf-8><p>中华人民共和国国务院今天发布通知，要求各地做好工作。</p>");
    let p = HtmlPage::parse(&bytes).unwrap();
    assert_eq!(p.charset_source(), Some(CharsetSource::Detected));
    assert_eq!(p.encoding(), "GBK");
    assert!(p.blocks()[0].text.starts_with("中华人民共和国"));

    // An unknown label is ignored.
    let p = page("<meta charset=klingon><p>新闻</p>");
    assert_eq!(texts(&p), ["新闻"]);
}

#[test]
fn empty_and_text_only() {
    let p = HtmlPage::parse(b"").unwrap();
    assert!(p.blocks().is_empty() && p.title().is_empty());
    let p = page("   \n\t ");
    assert!(p.blocks().is_empty());
    let p = page("just text, no tags");
    assert_eq!(texts(&p), ["just text, no tags"]);
    assert_eq!(p.blocks()[0].tag(), "body");
}

#[test]
fn truncated_html_is_best_effort() {
    let full = SIMPLE;
    for cut in (0..full.len()).step_by(7) {
        let mut end = cut;
        while !full.is_char_boundary(end) {
            end -= 1;
        }
        let p = HtmlPage::parse(&full.as_bytes()[..end]).unwrap();
        for b in &p.blocks {
            assert!(!b.text().is_empty());
            assert!(b.link_chars() <= b.chars());
        }
    }
    // Cut inside a UTF-8 sequence and inside a tag.
    let bytes = "<div><p>国务院发布".as_bytes();
    let p = HtmlPage::parse(&bytes[..bytes.len() - 1]).unwrap();
    assert_eq!(p.blocks().len(), 1);
    let p = page("<div><p>正文</p><a href=\"x");
    assert_eq!(texts(&p), ["正文"]);
}

#[test]
fn binary_garbage() {
    // Pseudo-random bytes (xorshift): either an error or blocks, no panic.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(200_000);
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push(x as u8);
    }
    match HtmlPage::parse(&bytes) {
        Err(HtmlError::Binary { control_share }) => assert!(control_share > 0.05),
        Ok(_) => panic!("random bytes should be refused"),
    }
    let mut zeros = b"<p>x</p>".to_vec();
    zeros.extend(std::iter::repeat_n(0u8, 1000));
    assert!(HtmlPage::parse(&zeros).is_err());
    assert!(
        HtmlError::Binary { control_share: 0.5 }
            .to_string()
            .contains("50%")
    );

    // High bytes without control bytes: decoded as best effort.
    let high: Vec<u8> = (0..100_000u32)
        .map(|i| 0x80 + (i * 7919 % 128) as u8)
        .collect();
    let p = HtmlPage::parse(&high).unwrap();
    assert!(p.decode_errors() || !p.blocks().is_empty());
}

#[test]
fn huge_page_is_cut_and_reported() {
    // 100 MB of paragraphs; only the first max_bytes are parsed.
    let para = "<p>国务院常务会议研究部署相关工作。</p>\n";
    let n = 100_000_000 / para.len() + 1;
    let html = para.repeat(n);
    assert!(html.len() >= 100_000_000);
    let opts = HtmlOptions {
        max_bytes: 4 << 20,
        ..HtmlOptions::default()
    };
    let start = Instant::now();
    let p = HtmlPage::parse_with(html.as_bytes(), &opts).unwrap();
    assert!(p.truncated());
    let kept = p.blocks().len();
    assert!(
        kept > 10_000 && kept <= (4 << 20) / para.len() + 1,
        "{kept}"
    );
    assert!(start.elapsed() < Duration::from_secs(20));
    let p = HtmlPage::parse_str(&html, &opts);
    assert!(p.truncated() && p.blocks().len() == kept);
}

fn nested(open: &str, close: &str, depth: usize, inner: &str) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

#[test]
fn nesting_100000_deep() {
    for (open, close) in [
        ("<div>", "</div>"),
        ("<span>", "</span>"),
        ("<b>", "</b>"),
        ("<a href=x>", "</a>"),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<ul><li>", "</li></ul>"),
        ("<div>", ""),
        ("<li>", ""),
        ("<p>", ""),
    ] {
        let html = nested(open, close, 100_000, "<p>最深处的正文</p>");
        let start = Instant::now();
        let p = HtmlPage::parse(html.as_bytes()).unwrap();
        let t = start.elapsed();
        assert!(t < Duration::from_secs(10), "{open}: {t:?}");
        assert!(
            p.blocks().iter().any(|b| b.text() == "最深处的正文"),
            "{open}"
        );
        for b in &p.blocks {
            assert!(b.path().chars().count() < 400);
        }
    }
}

#[test]
fn cutter_tolerates_unbalanced_events() {
    let mut c = Cutter::new(HtmlOptions::default());
    c.close("div");
    c.text("孤立");
    c.open("div", None, Some("nav"), false);
    c.open("li", None, None, false);
    c.text("一");
    c.open("li", None, None, false);
    c.text("二");
    c.close("ul");
    c.close("div");
    c.close("div");
    c.text("尾");
    let (_, blocks, _) = c.finish();
    let t: Vec<_> = blocks.iter().map(|b| b.text()).collect();
    assert_eq!(t, ["孤立", "一", "二", "尾"]);
}

#[test]
fn entities_use_the_full_table() {
    let p = page(
        "<p>a&nbsp;b&amp;c&#20013;&#x6587;&hellip;&frac12;&lsaquo;&sup2;&bogus;&</p><p>&#xFFFFFFFF;&#;</p>",
    );
    assert_eq!(texts(&p), ["a b&c中文…½‹²&bogus;&", "&#xFFFFFFFF;&#;"]);
    // In attributes-free titles too.
    let p = page("<title>A&amp;B</title><p>x</p>");
    assert_eq!(p.title(), "A&B");
}

#[cfg(feature = "shipped-model")]
#[test]
fn blocks_classify_through_the_model_path() {
    let p = page(SIMPLE);
    let model = crate::Model::shipped().unwrap();
    let preds = model.classify(p.blocks(), crate::Context::Page);
    assert_eq!(preds.len(), p.blocks().len());
}
