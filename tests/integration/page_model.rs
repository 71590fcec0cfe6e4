//! The page model: features by hand, behaviour on pages written for these
//! tests (never corpus text), save/load and thread-count reproducibility.

use newsbait::{
    Context, DEFAULT_LIST_MARKERS, Example, HtmlLayout, HtmlPage, ListMarkers, Model, PageInput,
    PageParams, TrainParams, page_features,
};

fn markers() -> ListMarkers {
    ListMarkers {
        label: 0,
        phrases: DEFAULT_LIST_MARKERS.iter().map(|s| s.to_string()).collect(),
    }
}

const BODY1: &str =
    "本报讯 市政府昨日召开常务会议，研究部署老旧小区改造工作，会议要求各区倒排工期，确保按时完成。";
const BODY2: &str = "会议指出，今年全市计划改造老旧小区两百个，涉及居民五万余户，各部门要压实责任，充分听取居民意见，做到改造前问需于民、改造中问计于民、改造后问效于民。";

#[test]
fn main_run_and_head_between_on_a_six_block_page() {
    let page = PageInput {
        texts: [
            "首页 新闻 体育",
            "市政府召开会议",
            BODY1,
            BODY2,
            "推荐阅读",
            "某某工作取得新进展",
        ]
        .map(String::from)
        .to_vec(),
        nb: vec![0.1, 0.9, 0.99, 0.99, 0.2, 0.8],
        hmm: Vec::new(),
        html: None,
    };
    let f = page_features(&page, &markers());
    assert_eq!(f.main, 3, "the longest block");
    // Block 2 is strong (long, punctuated); 1 and 0 are two weak blocks, then the page ends.
    assert_eq!(f.run, (2, 3));
    assert_eq!(f.column("inrun").unwrap(), [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    assert_eq!(f.column("head").unwrap(), [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    // Only the block after the heading, which is after the main block.
    assert_eq!(
        f.column("head_between").unwrap(),
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(
        f.column("head_above").unwrap(),
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    );
    let (l2, l3) = (1f64.ln_1p(), 2f64.ln_1p());
    let drun = f.column("drun").unwrap();
    for (got, want) in drun.iter().zip([-l3, -l2, 0.0, 0.0, l2, l3]) {
        assert!((got - want).abs() < 1e-12, "{drun:?}");
    }
    // Two runs of two short blocks without a stop: ln(1 + 2) each.
    assert_eq!(f.column("run").unwrap(), [l3, l3, 0.0, 0.0, l3, l3]);
    assert_eq!(f.column("run_after").unwrap(), [0.0, 0.0, 0.0, 0.0, l3, l3]);
    // The title candidate: the best naive Bayes logit just above the run.
    assert_eq!(f.column("tcand").unwrap(), [0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(f.column("stop").unwrap(), [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    let lens = [
        6.0f64,
        7.0,
        BODY1.chars().filter(|c| !c.is_whitespace()).count() as f64,
    ];
    assert!((f.column("ll").unwrap()[0] - lens[0].ln_1p()).abs() < 1e-12);
    assert!((f.column("pos").unwrap()[5] - 1.0).abs() < 1e-12);
    assert!((f.column("dmain").unwrap()[0] + 3.0 / 5.0).abs() < 1e-12);
    assert!(f.column("hmm").is_none() && f.column("link").is_none());
}

fn labels(model: &Model, page: &[&str]) -> Vec<String> {
    model
        .classify(page, Context::Page)
        .iter()
        .map(|p| model.label(p).as_str().to_string())
        .collect()
}

const ARTICLE: [&str; 5] = [
    "省政府召开全省春季农业生产工作会议",
    "本报讯 三月十日，省政府召开全省春季农业生产工作会议，总结去年农业农村工作，部署今年春耕备耕和粮食生产任务。",
    "会议指出，去年全省粮食总产量再创新高，农村居民人均可支配收入稳步增长，农业农村发展取得新的成效，为全省经济社会大局稳定提供了有力支撑。",
    "会议要求，各地各部门要压紧压实粮食安全责任，稳定粮食播种面积，加强农田水利建设，抓好种子、化肥、农药等农资供应，确保不误农时。",
    "会议强调，要持续深化农村改革，发展壮大县域经济，扎实推进乡村建设行动，不断提高农民收入水平，加快建设农业强省。",
];

const SOBER_LIST: [&str; 8] = [
    "国务院常务会议部署进一步稳就业措施",
    "财政部下达今年第一批农业生产资金",
    "国家发展改革委召开新闻发布会介绍经济运行情况",
    "教育部印发义务教育课程方案",
    "交通运输部推进农村公路建设",
    "商务部发布一季度外贸数据",
    "生态环境部通报重点区域空气质量",
    "水利部部署今年防汛抗旱工作",
];

#[test]
fn a_sober_list_after_a_list_heading_is_removed() {
    let model = Model::shipped().unwrap();
    let mut page: Vec<&str> = ARTICLE.to_vec();
    page.push("推荐阅读");
    page.extend(SOBER_LIST);
    let got = labels(&model, &page);
    assert!(got[..5].iter().all(|l| l == "news"), "{got:?}");
    assert!(got[5..].iter().all(|l| l == "clickbait"), "{got:?}");
}

#[test]
fn a_list_with_no_heading_after_the_article_is_removed() {
    let model = Model::shipped().unwrap();
    let mut page: Vec<&str> = ARTICLE.to_vec();
    page.extend(SOBER_LIST);
    let got = labels(&model, &page);
    assert!(got[..5].iter().all(|l| l == "news"), "{got:?}");
    assert!(got[5..].iter().all(|l| l == "clickbait"), "{got:?}");
}

#[test]
fn short_lines_inside_the_article_are_kept() {
    let model = Model::shipped().unwrap();
    let page = [
        "首页 | 新闻 | 财经 | 体育 | 娱乐",
        "本报南昌3月11日讯",
        ARTICLE[1],
        ARTICLE[2],
        "“绿色是江西最大的财富。”",
        ARTICLE[3],
        ARTICLE[4],
        "会议为期一天。",
        "责任编辑：张三",
        "分享到： 微信 微博 QQ空间",
        "版权所有 © 2024 某某网 京ICP备00000000号",
    ];
    let got = labels(&model, &page);
    for i in 1..=7 {
        assert_eq!(got[i], "news", "line {i} {:?}: {got:?}", page[i]);
    }
    for i in [0, 8, 9, 10] {
        assert_eq!(got[i], "clickbait", "line {i} {:?}: {got:?}", page[i]);
    }
}

#[test]
fn the_dateline_below_a_headline_is_kept() {
    let model = Model::shipped().unwrap();
    // The page of `html_short_lines_inside_the_article_are_kept` as a text
    // dump shows it: the site menu, the headline, the dateline below it.
    let page = [
        "首页 | 新闻 | 财经 | 体育 | 娱乐",
        ARTICLE[0],
        "新华社南昌3月11日电（记者 李四）",
        ARTICLE[2],
        ARTICLE[3],
        ARTICLE[4],
        "责任编辑：张三",
        "版权所有 © 2024 某某网 京ICP备00000000号",
    ];
    let got = labels(&model, &page);
    for i in 1..=5 {
        assert_eq!(got[i], "news", "line {i} {:?}: {got:?}", page[i]);
    }
    for i in [0, 6, 7] {
        assert_eq!(got[i], "clickbait", "line {i} {:?}: {got:?}", page[i]);
    }
}

/// An HTML page written for these tests: a site header and menu, the
/// article's `<h1>` and paragraphs (`body`, raw HTML) in a content block, then
/// `after` (raw HTML) and a footer.
fn html_page(body: &str, after: &str) -> String {
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>省政府召开全省春季农业生产工作会议_某某网</title></head>
<body><div id="header" class="top"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/n">新闻</a></li><li><a href="/c">财经</a></li><li><a href="/s">体育</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/n">新闻</a> &gt; 正文</div>
<div class="wrap"><div class="article"><h1>{}</h1>{body}</div>{after}</div>
<div class="footer"><p>关于我们 | 联系我们 | 广告服务</p><p>版权所有 © 2024 某某网 京ICP备00000000号</p></div></body></html>"#,
        ARTICLE[0]
    )
}

fn article_paragraphs() -> String {
    ARTICLE[1..].iter().map(|p| format!("<p>{p}</p>")).collect()
}

fn link_list(heading: Option<&str>) -> String {
    let items: String = SOBER_LIST
        .iter()
        .enumerate()
        .map(|(i, t)| format!(r#"<li><a href="/news/{i}.html">{t}</a></li>"#))
        .collect();
    let heading = heading.map_or(String::new(), |h| format!("<h3>{h}</h3>"));
    format!(r#"<div class="box">{heading}<ul>{items}</ul></div>"#)
}

/// The blocks of an HTML page and the labels the shipped model gives them
/// through the HTML path.
fn html_labels(html: &str) -> (Vec<String>, Vec<String>) {
    let model = Model::shipped().unwrap();
    let page = HtmlPage::parse(html.as_bytes()).unwrap();
    let preds = model.classify_html(page.blocks(), &HtmlLayout::of(&page), Context::Page);
    let texts = page.blocks().iter().map(|b| b.text().to_string()).collect();
    let labels = preds
        .iter()
        .map(|p| model.label(p).as_str().to_string())
        .collect();
    (texts, labels)
}

/// Each block's label by its text, checked against what the test expects:
/// `news` for the blocks in `news`, `clickbait` for every other block.
fn assert_kept(texts: &[String], labels: &[String], news: &[&str]) {
    assert_eq!(texts.len(), labels.len());
    for (t, l) in texts.iter().zip(labels) {
        let want = if news.contains(&t.as_str()) {
            "news"
        } else {
            "clickbait"
        };
        assert_eq!(
            l,
            want,
            "{t:?} in {:?}",
            texts.iter().zip(labels).collect::<Vec<_>>()
        );
    }
    for n in news {
        assert!(texts.iter().any(|t| t == n), "no block {n:?} in {texts:?}");
    }
}

#[test]
fn html_features_by_hand() {
    let html = html_page(&article_paragraphs(), &link_list(Some("推荐阅读")));
    let page = HtmlPage::parse(html.as_bytes()).unwrap();
    let model = Model::shipped().unwrap();
    let texts: Vec<&str> = page.blocks().iter().map(|b| b.text()).collect();
    let input = model.page_input(&texts, Some(&HtmlLayout::of(&page)), 1);
    let f = page_features(&input, &markers());
    let at = |t: &str| texts.iter().position(|x| *x == t).unwrap();
    let (nav, body, head, item) = (
        at("首页"),
        at(ARTICLE[2]),
        at("推荐阅读"),
        at(SOBER_LIST[0]),
    );
    assert_eq!(f.main, body, "the longest block that ends a sentence");
    let col = |name: &str| f.column(name).unwrap();
    assert_eq!(
        (col("link")[nav], col("link")[body], col("link")[item]),
        (1.0, 0.0, 1.0)
    );
    assert_eq!((col("cue_nav")[nav], col("cue_nav")[body]), (1.0, 0.0));
    assert_eq!(
        (col("cue_article")[body], col("cue_article")[item]),
        (1.0, 0.0)
    );
    assert_eq!(
        (col("tag_li")[item], col("tag_p")[body], col("tag_h")[head]),
        (1.0, 1.0, 1.0)
    );
    assert_eq!((col("in_list")[item], col("in_list")[body]), (1.0, 0.0));
    assert_eq!((col("heading")[head], col("heading")[body]), (1.0, 0.0));
    // The article's paragraphs share the main block's parent; the list does not.
    assert_eq!(
        (col("same_parent")[at(ARTICLE[1])], col("same_parent")[item]),
        (1.0, 0.0)
    );
    // The <h1> repeats the <title>: all of its bigrams are in it.
    assert_eq!(col("title_sim")[at(ARTICLE[0])], 1.0);
    // 国务院常务会议部署进一步稳就业措施: 16 bigrams, of which only 会议 is in the title.
    assert_eq!(col("title_sim")[item], 1.0 / 16.0);
    // The same page as text has none of the HTML features.
    let plain = model.page_input(&texts, None, 1);
    assert!(
        page_features(&plain, &markers())
            .column("cue_nav")
            .is_none()
    );
}

#[test]
fn html_a_sober_list_after_a_list_heading_is_removed() {
    let (texts, labels) = html_labels(&html_page(
        &article_paragraphs(),
        &link_list(Some("推荐阅读")),
    ));
    assert_kept(&texts, &labels, &ARTICLE);
}

#[test]
fn html_a_list_with_no_heading_after_the_article_is_removed() {
    let (texts, labels) = html_labels(&html_page(&article_paragraphs(), &link_list(None)));
    assert_kept(&texts, &labels, &ARTICLE);
}

#[test]
fn html_short_lines_inside_the_article_are_kept() {
    let body = format!(
        "<p>本报南昌3月11日讯</p><p>{}</p><p>{}</p><p>“绿色是江西最大的财富。”</p><p>{}</p><p>{}</p><p>会议为期一天。</p><p class=\"editor\">责任编辑：张三</p>",
        ARTICLE[1], ARTICLE[2], ARTICLE[3], ARTICLE[4]
    );
    let share = r#"<div class="share">分享到： <a href="/s/wx">微信</a> <a href="/s/wb">微博</a> <a href="/s/qq">QQ空间</a></div>"#;
    let (texts, labels) = html_labels(&html_page(&body, share));
    let mut news = ARTICLE.to_vec();
    news.extend([
        "本报南昌3月11日讯",
        "“绿色是江西最大的财富。”",
        "会议为期一天。",
    ]);
    assert_kept(&texts, &labels, &news);
}

#[test]
fn the_shipped_model_has_a_text_page_model_and_round_trips() {
    let model = Model::shipped().unwrap();
    let pm = model
        .page_model()
        .expect("the shipped model has a page model");
    assert!(pm.text.is_some() && pm.html.is_some());
    let back = Model::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(back, model);
    let mut page: Vec<&str> = ARTICLE.to_vec();
    page.push("推荐阅读");
    page.extend(SOBER_LIST);
    assert_eq!(
        back.classify(&page, Context::Page),
        model.classify(&page, Context::Page)
    );
    assert_eq!(
        back.classify(&page, Context::Off),
        model.classify(&page, Context::Off)
    );
}

fn tiny_model() -> Model {
    let mut examples = Vec::new();
    for (i, t) in ARTICLE.iter().chain(&SOBER_LIST).enumerate() {
        examples.push(Example::new(if i < 5 { "news" } else { "clickbait" }, *t));
    }
    for t in [
        "震惊!她竟然这样做",
        "生活|冰箱里放一物",
        "猜你喜欢",
        "明星离婚内幕曝光",
    ] {
        examples.push(Example::new("clickbait", t));
    }
    let mut model = TrainParams::new().fit(examples).unwrap();
    let mut lines: Vec<serde_json::Value> = ARTICLE
        .iter()
        .map(|t| serde_json::json!({"label": "news", "text": t}))
        .collect();
    lines.push(serde_json::json!({"label": "clickbait", "text": "推荐阅读"}));
    lines.extend(
        SOBER_LIST
            .iter()
            .map(|t| serde_json::json!({"label": "clickbait", "text": t})),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pages.jsonl");
    let mut text = String::new();
    for k in 0..4 {
        let mut l = lines.clone();
        l.rotate_left(k);
        text += &serde_json::json!({"page": format!("p{k}"), "lines": l}).to_string();
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let pages = newsbait::read_pages(&path, newsbait::OnInvalid::Error).unwrap();
    model.learn_page_context(&pages, &path, None).unwrap();
    let params = PageParams {
        hmm_feature: true,
        ..Default::default()
    };
    model.learn_page_model(&pages, &path, &params).unwrap();
    model
}

#[test]
fn the_page_model_is_the_same_for_one_and_many_threads() {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let a = one.install(tiny_model);
    let b = many.install(tiny_model);
    assert!(a.page_model().unwrap().text.is_some());
    assert_eq!(a.to_bytes(), b.to_bytes());
}

#[test]
fn old_model_files_give_the_format_version_error() {
    let mut bytes = Model::shipped().unwrap().to_bytes();
    bytes[8..12].copy_from_slice(&4u32.to_le_bytes());
    let err = Model::from_bytes(&bytes).unwrap_err();
    assert!(err.to_string().contains("model format version 4"), "{err}");
}

#[test]
fn on_a_short_page_the_headline_is_not_the_main_block() {
    // The headline (17 characters) is longer than the one body sentence (16):
    // the main block is still the sentence, the headline the title candidate.
    let page = PageInput {
        texts: [
            "市政府召开全体会议 部署今年民生工作",
            "会议要求各区各部门抓好落实。",
            "推荐阅读",
            "震惊！她每天早上喝一杯这个",
        ]
        .map(String::from)
        .to_vec(),
        nb: vec![0.99, 0.99, 0.7, 0.05],
        hmm: Vec::new(),
        html: None,
    };
    let f = page_features(&page, &markers());
    assert_eq!(f.main, 1);
    assert_eq!(f.run, (1, 1));
    assert_eq!(f.column("tcand").unwrap(), [1.0, 0.0, 0.0, 0.0]);
    let (l1, l2, l3) = (1f64.ln_1p(), 2f64.ln_1p(), 3f64.ln_1p());
    assert_eq!(f.column("above").unwrap(), [0.0, l1, l2, l3]);
    assert_eq!(f.column("below").unwrap(), [l3, l2, l1, 0.0]);
    // body_sim: bigrams of the block found in the main run. The headline's 16
    // distinct bigrams (the space left out) share 会议 with the sentence; the
    // sentence itself is the run, so nothing else holds its bigrams.
    let sim = f.column("body_sim").unwrap();
    assert!((sim[0] - 1.0 / 16.0).abs() < 1e-12, "{sim:?}");
    assert_eq!(sim[1], 0.0);
    assert_eq!(sim[2], 0.0, "{sim:?}");
}

#[test]
fn a_short_page_keeps_its_headline() {
    let model = Model::shipped().unwrap();
    for page in [
        vec![
            "市政府召开全体会议 部署今年民生工作",
            "会议要求各区各部门抓好落实。",
            "推荐阅读",
            "震惊！她每天早上喝一杯这个",
        ],
        vec![
            ARTICLE[0],
            ARTICLE[1],
            ARTICLE[2],
            "相关推荐",
            "明星夫妻同框秀恩爱，网友：太甜了！",
        ],
        vec![ARTICLE[0], ARTICLE[3]],
    ] {
        let got = labels(&model, &page);
        assert_eq!(got[0], "news", "{page:?}: {got:?}");
        assert_eq!(got[1], "news", "{page:?}: {got:?}");
        assert_eq!(
            got.last().unwrap(),
            if page.len() > 2 { "clickbait" } else { "news" }
        );
    }
}

#[test]
fn a_headline_between_chrome_and_a_date_line_is_kept() {
    let model = Model::shipped().unwrap();
    let page = [
        "首页 | 新闻 | 财经 | 体育 | 娱乐",
        "当前位置：首页 > 新闻 > 本省",
        "全省春季农业生产工作会议在省城召开",
        "2024-03-11 09:30 来源：某某日报",
        ARTICLE[1],
        ARTICLE[2],
        ARTICLE[3],
        "责任编辑：张三",
        "分享到： 微信 微博 QQ空间",
    ];
    let got = labels(&model, &page);
    assert_eq!(got[2], "news", "{got:?}");
    for i in 4..=6 {
        assert_eq!(got[i], "news", "line {i}: {got:?}");
    }
    for i in [0, 1, 7, 8] {
        assert_eq!(got[i], "clickbait", "line {i}: {got:?}");
    }
}

#[test]
fn a_page_of_bait_alone_keeps_no_headline() {
    // No block ends a sentence and none reads as news: the first block is
    // the title candidate, but there is no article under it to head.
    let model = Model::shipped().unwrap();
    let page = [
        "太离谱了！这个小窍门让你的电脑快十倍",
        "她只穿了一双拖鞋出门，邻居看了都说好",
        "点击领取新人礼包，最高可得九十九元",
    ];
    let got = labels(&model, &page);
    assert!(got.iter().all(|l| l == "clickbait"), "{got:?}");
}
