//! Streaming driver: lol_html's tokenizer feeds the same [`Cutter`].
//!
//! lol_html builds no tree, so implied end tags (`<li>` after `<li>`, `<p>`
//! before a block) are approximated by [`implied_close`]. lol_html hands text
//! raw and may split a text node into chunks, so the chunks of a node are
//! joined before character references are decoded (html-escape, the full
//! HTML5 entity table).

use std::cell::RefCell;
use std::rc::Rc;

use html_escape::decode_html_entities;
use lol_html::html_content::TextType;
use lol_html::{HtmlRewriter, MemorySettings, Settings, doc_text, element, end_tag};

use super::cutter::{Cutter, is_block_tag};
use super::{HtmlOptions, HtmlPage};

/// Closes what a start tag implicitly closes (a subset of the HTML rules).
fn implied_close(c: &mut Cutter, tag: &str) {
    match tag {
        "li" => c.close_if_nearest("li", &["ul", "ol", "menu"]),
        "dt" | "dd" => {
            c.close_if_nearest("dt", &["dl"]);
            c.close_if_nearest("dd", &["dl"]);
        }
        "tr" => c.close_if_nearest("tr", &["table", "tbody", "thead", "tfoot"]),
        "td" | "th" => {
            c.close_if_nearest("td", &["tr", "table"]);
            c.close_if_nearest("th", &["tr", "table"]);
        }
        "option" => c.close_if_nearest("option", &["select", "datalist"]),
        _ => {}
    }
    if is_block_tag(tag) && tag != "br" {
        c.close_if_nearest(
            "p",
            &["div", "td", "th", "li", "table", "body", "button", "form"],
        );
    }
}

pub(crate) fn parse_str(text: &str, opts: &HtmlOptions) -> HtmlPage {
    let cut = Rc::new(RefCell::new(Cutter::new(opts.clone())));
    let (c_el, c_text) = (cut.clone(), cut.clone());
    // The chunks of a text node not yet handed to the cutter.
    let pending = RefCell::new(String::new());
    let settings = Settings::new()
        .with_strict(false)
        .with_memory_settings(MemorySettings::new().with_max_allowed_memory_usage(64 << 20))
        .append_element_content_handler(element!("*", move |el| {
            let name = el.tag_name();
            {
                let mut c = c_el.borrow_mut();
                implied_close(&mut c, &name);
                let (id, class) = (el.get_attribute("id"), el.get_attribute("class"));
                let href = name == "a" && el.has_attribute("href");
                c.open(&name, id.as_deref(), class.as_deref(), href);
            }
            if el.can_have_content() {
                let c_end = c_el.clone();
                el.on_end_tag(end_tag!(move |end| {
                    c_end.borrow_mut().close(&end.name());
                    Ok(())
                }))?;
            }
            Ok(())
        }))
        .append_document_content_handler(doc_text!(move |t| {
            if !matches!(t.text_type(), TextType::Data | TextType::RCData) {
                return Ok(());
            }
            let mut c = c_text.borrow_mut();
            let last = t.last_in_text_node();
            let mut pending = pending.borrow_mut();
            if pending.is_empty() && last {
                c.text(&decode_html_entities(t.as_str()));
            } else {
                pending.push_str(t.as_str());
                if last {
                    c.text(&decode_html_entities(pending.as_str()));
                    pending.clear();
                }
            }
            Ok(())
        }));
    let mut rw = HtmlRewriter::new(settings, |_: &[u8]| {});
    // Errors (memory limit) end the parse early: best effort.
    let _ = rw.write(text.as_bytes()).and_then(|_| rw.end());
    let cutter = match Rc::try_unwrap(cut) {
        Ok(c) => c.into_inner(),
        Err(_) => return HtmlPage::default(),
    };
    let (title, blocks, max_depth) = cutter.finish();
    HtmlPage {
        title,
        blocks,
        max_depth,
        ..HtmlPage::default()
    }
}
