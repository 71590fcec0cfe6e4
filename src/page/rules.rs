//! Segmentation rules around the page's main run of body text, applied to the
//! stacked model's keep decisions: they say how a list heading holds a list.

use super::features::PageFeatures;

/// The rules, in order, on `keep` (the model's P(news) > 0.5):
///
/// - R1, article sentences stay: a block inside the main run that ends a
///   sentence and is not mostly link text is kept;
/// - R2, trailing lists go: a block of a run of three or more short blocks
///   without a sentence stop, below the main run, is dropped;
/// - R4, a heading holds its list: below the main run, every block after a
///   list heading that is itself below the main block is dropped, however
///   sober it reads;
/// - R5, a page's headline stays: the title candidate (the likeliest
///   headline just above the main run) is kept when it is the page's first
///   block, with nothing above it that could be the site's chrome, and the
///   main block is kept (a page of bait alone has no headline);
/// - R6 (HTML only), below;
/// - R7, the dateline stays: a dateline (`本报南昌3月11日讯`, see
///   `is_dateline` in features.rs) just above or inside the main run, not
///   mostly link text, is kept: it opens the article, while the short date
///   and source lines around it, which the references drop, stay the
///   model's to judge.
pub fn apply(features: &PageFeatures, keep: &mut [bool]) {
    let col = |name| {
        features
            .column(name)
            .expect("the rules' features are always computed")
    };
    let (inrun, stop, run_after, head_between, tcand) = (
        col("inrun"),
        col("stop"),
        col("run_after"),
        col("head_between"),
        col("tcand"),
    );
    let no_link = |i: usize| features.column("link").is_none_or(|l| l[i] < 0.5);
    let (_, b) = features.run;
    for (i, k) in keep.iter_mut().enumerate() {
        if inrun[i] == 1.0 && stop[i] == 1.0 && no_link(i) {
            *k = true;
        }
        if run_after[i] >= 4f64.ln() - 1e-9 {
            *k = false;
        }
        if head_between[i] == 1.0 && i > b {
            *k = false;
        }
    }
    // R6 (HTML), the article's container holds its short lines: above the
    // end of the main run, a single dropped block between two kept ones, all
    // three under the main block's parent element and not mostly link text,
    // stays (a dateline under the headline, a one-line quote).
    if let Some(same_parent) = features.column("same_parent") {
        let inside = |i: usize| same_parent[i] == 1.0 && no_link(i);
        for i in 1..b.min(keep.len().saturating_sub(1)) {
            if !keep[i] && keep[i - 1] && keep[i + 1] && inside(i - 1) && inside(i) && inside(i + 1)
            {
                keep[i] = true;
            }
        }
    }
    let dateline = col("dateline");
    let (a, _) = features.run;
    for i in a.saturating_sub(2)..(b + 1).min(keep.len()) {
        if dateline[i] == 1.0 && no_link(i) {
            keep[i] = true;
        }
    }
    // R5 reads the decisions above: a headline needs an article below it.
    if !keep.is_empty() && tcand[0] == 1.0 && keep[features.main] {
        keep[0] = true;
    }
}
