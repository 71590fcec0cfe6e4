//! Scoring: from paragraphs to labels and probabilities.
//!
//! A paragraph's score for class `c` is `log prior(c) + Σ x_j · w(c, j)` over
//! the features it has, so scoring costs one lookup and one add per feature.
//! Probabilities come from a log-sum-exp softmax, which stays finite for
//! paragraphs of any length.

#[cfg(feature = "cli")]
use rustc_hash::FxHashSet;
use serde::Serialize;

use rayon::prelude::*;

use super::Model;
use crate::cache::{Jll, Scored};
use crate::context::Headings;
use crate::data::{Document, Label};
use crate::features::LongScore;
use crate::long::LongText;
use crate::math::{softmax, softmax_at};
use crate::page::{BlockText, HtmlLayout, PageInput, PageModel, PageView};

/// Whether a paragraph is read with its neighbours on the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Context {
    /// Decode the page's paragraphs together with the model's page context
    /// (when it has learned one): list headings open teaser lists, labels
    /// follow each other as on real pages.
    #[default]
    Page,
    /// Score every paragraph on its own.
    Off,
}

/// What scoring a paragraph needs that jieba does not: its normalised text
/// and, on a page the page model reads, the counts of its text. Computed
/// ahead by a [`Preparer`] while jieba's dictionary builds,
/// when a core would otherwise wait.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    normalized: String,
    /// [`BlockText::scanned`], its naive Bayes part still to come.
    block: Option<BlockText>,
}

/// Computes ahead what [`Model::classify_document`] will need of documents'
/// paragraphs besides jieba ([`Prepared`]), for a reader to do while jieba's
/// dictionary builds. The predictions are the same, to the bit, with or
/// without it.
#[cfg(feature = "cli")]
pub(crate) struct Preparer<'m> {
    model: &'m Model,
    context: Context,
    /// The hashes of the texts prepared so far: a text met again is left
    /// alone, as the cache will most likely know it.
    seen: FxHashSet<u64>,
}

#[cfg(feature = "cli")]
impl Preparer<'_> {
    /// Prepares `doc`'s paragraphs (not those too long to hold or to score
    /// at once, nor texts prepared before).
    pub(crate) fn prepare(&mut self, doc: &mut Document) {
        let model = self.model;
        let headings = model
            .reading_page_model(doc.paragraphs.len(), self.context)
            .map(PageModel::headings);
        let long = |i: usize| doc.long.iter().any(|(at, _)| *at == i);
        doc.prepared = doc
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let text = p.text.as_str();
                let fits = text.len() <= model.piece_bytes && !long(i);
                (fits && self.seen.insert(crate::cache::hash(text))).then(|| Prepared {
                    normalized: model.settings.normalizer.normalize(text),
                    block: headings.as_ref().map(|h| BlockText::scanned(text, h)),
                })
            })
            .collect();
    }
}

/// A paragraph's label and the probability of every label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Index of the most probable label in [`Model::labels`].
    pub(crate) label: usize,
    /// Probability of each label, in the order of [`Model::labels`]; sums to 1.
    /// Inline up to two labels, the shipped model's: a crawl's output has a
    /// prediction for every paragraph, and each was an allocation and a free.
    pub(crate) probs: Probs,
    /// Index of the paragraph in its page.
    pub(crate) paragraph: usize,
}

/// The label of probabilities `probs` with a threshold `at` for label
/// `positive`: `positive` when its probability is at least `at`, else the most
/// probable other label (the first of equals). `--threshold` and a model's
/// default threshold both decide this way.
pub(crate) fn decide(probs: &[f64], positive: usize, at: f64) -> usize {
    if probs[positive] >= at {
        return positive;
    }
    (0..probs.len())
        .filter(|&c| c != positive)
        .max_by(|&a, &b| probs[a].total_cmp(&probs[b]).then(b.cmp(&a)))
        .unwrap_or(positive)
}

/// The probabilities of a [`Prediction`].
pub(crate) type Probs = smallvec::SmallVec<[f64; 2]>;

impl Prediction {
    fn from_probs(paragraph: usize, probs: Vec<f64>) -> Self {
        Prediction {
            label: crate::math::arg_max(&probs),
            probs: Probs::from_vec(probs),
            paragraph,
        }
    }

    /// Index of the predicted label in [`Model::labels`]: the most probable,
    /// or for a paragraph scored on its own the one the model's default
    /// threshold gives ([`Model::threshold`]); [`Model::label`] gives its name.
    pub fn label_index(&self) -> usize {
        self.label
    }

    /// The probability of the predicted label.
    pub fn probability(&self) -> f64 {
        self.probs[self.label]
    }

    /// The probability of every label, in the order of [`Model::labels`]; sums to 1.
    pub fn probabilities(&self) -> &[f64] {
        &self.probs
    }

    /// Index of the paragraph in the page it was classified with.
    pub fn paragraph(&self) -> usize {
        self.paragraph
    }
}

/// One feature's push towards a label, for explaining a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The feature, written for people (a word, a word pair, a shape token).
    pub feature: String,
    /// How much the feature raised the log-odds of the label against the others.
    pub weight: f64,
}

impl Model {
    /// The sparse feature vector of a raw paragraph, as the model scores it:
    /// `(column, value)` pairs sorted by column, for [`Model::score_vector`] or
    /// for a learner of one's own. Unknown words are left out.
    pub fn vectorize(&self, text: &str) -> Vec<(u32, f64)> {
        let text = self.settings.normalizer.normalize(text);
        let words = self.segmenter().cut(&text);
        self.vocabulary
            .vectorize(&text, &words, &self.settings.features)
    }

    /// `log prior(c) + Σ x_j · w(c, j)` for each class `c`.
    ///
    /// For a multinomial model this is naive Bayes's joint log-likelihood, the
    /// quantity linfa-bayes computes on dense input.
    ///
    /// A paragraph longer than [`Model::set_piece_bytes`] is scored a piece
    /// at a time, with the same result.
    pub fn joint_log_likelihood(&self, text: &str) -> Vec<f64> {
        self.scored(text, None, None).jll.as_slice().to_vec()
    }

    /// What is known of a raw paragraph: its joint log-likelihoods and, with
    /// `headings` (a page model's), what the page model reads of its text (of
    /// a long paragraph, of its head). A paragraph seen before takes them
    /// from the model's cache; one longer than [`Model::set_piece_bytes`] is
    /// scored a piece at a time and not kept.
    fn scored(
        &self,
        text: &str,
        headings: Option<&Headings>,
        prepared: Option<&Prepared>,
    ) -> Scored {
        let block = |text: &str, jll: &Jll| {
            let h = headings?;
            Some(match prepared.and_then(|p| p.block) {
                Some(scanned) => scanned.with_nb(self.page_nb(jll.as_slice())),
                None => self.block_text(text, h, jll.as_slice()),
            })
        };
        if text.len() > self.piece_bytes {
            let mut jll = Jll::new(&self.log_priors);
            let mut long = self.long_scorer();
            long.push(text);
            long.finish(jll.as_mut_slice());
            let block = block(text, &jll);
            return Scored { jll, block };
        }
        self.cache.get(
            text,
            |s| headings.is_none() || s.block.is_some(),
            || {
                let normalized = match prepared {
                    Some(p) => std::borrow::Cow::Borrowed(p.normalized.as_str()),
                    None => std::borrow::Cow::Owned(self.settings.normalizer.normalize(text)),
                };
                let words = self.segmenter().cut(&normalized);
                let mut jll = Jll::new(&self.log_priors);
                self.vocabulary.score_into(
                    self.scoring_table(),
                    &normalized,
                    &words,
                    &self.settings.features,
                    jll.as_mut_slice(),
                );
                let block = block(text, &jll);
                Scored { jll, block }
            },
        )
    }

    /// What the page model, the heading check and [`Model::explain`] read of
    /// a paragraph: all of it, or of one longer than the piece size its
    /// first [`HEAD_BYTES`](crate::long::HEAD_BYTES).
    fn head<'a>(&self, text: &'a str) -> &'a str {
        if text.len() <= self.piece_bytes {
            text
        } else {
            crate::long::head(text, crate::long::HEAD_BYTES)
        }
    }

    /// A scorer of one long paragraph read a piece at a time.
    pub(crate) fn long_scorer(&self) -> LongScorer<'_> {
        LongScorer {
            model: self,
            raw: String::new(),
            score: LongScore::default(),
        }
    }

    /// The joint log-likelihoods of a long paragraph held in a file.
    fn long_text_jll(&self, text: &LongText) -> std::io::Result<Vec<f64>> {
        let mut long = self.long_scorer();
        text.for_each_piece(|piece| {
            long.push(piece);
            Ok(())
        })?;
        let mut jll = vec![0.0; self.log_priors.len()];
        long.finish(&mut jll);
        Ok(jll)
    }

    /// `log prior(c) + Σ x_j · w(c, j)` for each class `c`, of a feature vector
    /// from [`Model::vectorize`]. Panics on a column
    /// outside the vocabulary.
    pub fn score_vector(&self, x: &[(u32, f64)]) -> Vec<f64> {
        self.log_priors
            .iter()
            .zip(&self.weights)
            .map(|(prior, w)| prior + x.iter().map(|&(j, v)| v * w[j as usize]).sum::<f64>())
            .collect()
    }

    /// Label and probabilities of one paragraph on its own (no page context).
    ///
    /// ```
    /// let model = newsbait::Model::shipped().unwrap();
    /// let p = model.predict("国务院召开常务会议,部署稳就业工作。");
    /// assert_eq!(model.label(&p).as_str(), "news");
    /// assert!((p.probabilities().iter().sum::<f64>() - 1.0).abs() < 1e-9);
    /// ```
    pub fn predict(&self, paragraph: &str) -> Prediction {
        self.alone(0, &self.joint_log_likelihood(paragraph))
    }

    /// The prediction of a paragraph scored on its own from its joint
    /// log-likelihoods: tempered probabilities, and the label the model's
    /// default threshold ([`Model::threshold`]) gives, else the most probable.
    fn alone(&self, paragraph: usize, jll: &[f64]) -> Prediction {
        let mut p = Prediction::from_probs(paragraph, self.probabilities(jll));
        if let Some(t) = &self.threshold {
            p.label = decide(&p.probs, t.label(), t.at());
        }
        p
    }

    /// Labels the paragraphs of one page, in order. With [`Context::Page`] and
    /// a model that has learned page context, each paragraph's probabilities
    /// take its neighbours into account; otherwise each is scored on its own.
    ///
    /// ```
    /// use newsbait::{Context, Model};
    /// let model = Model::shipped().unwrap();
    /// let page = ["国务院召开常务会议,部署稳就业工作。", "推荐阅读", "震惊!她竟然这样做,看完惊呆了"];
    /// let labels: Vec<&str> = model
    ///     .classify(&page, Context::Page)
    ///     .iter()
    ///     .map(|p| model.label(p).as_str())
    ///     .collect();
    /// assert_eq!(labels, ["news", "clickbait", "clickbait"]);
    /// ```
    pub fn classify<S: AsRef<str>>(&self, page: &[S], context: Context) -> Vec<Prediction> {
        self.classify_with(page, None, context, &[], &[])
    }

    /// [`Model::classify`] of the blocks of an HTML page with what their
    /// markup says (`layout`, one entry a block, [`HtmlLayout::of`]): the page
    /// model reads them with its HTML weight set when it has one (the shipped
    /// model does), else as plain text.
    ///
    /// ```
    /// use newsbait::{Context, HtmlLayout, HtmlPage, Model};
    /// let page = HtmlPage::parse("<p>国务院召开常务会议，部署稳就业工作。</p><ul><li><a href=x>震惊!她竟然这样做</a></li></ul>".as_bytes()).unwrap();
    /// let model = Model::shipped().unwrap();
    /// let predictions = model.classify_html(page.blocks(), &HtmlLayout::of(&page), Context::Page);
    /// assert_eq!(predictions.len(), 2);
    /// ```
    pub fn classify_html<S: AsRef<str>>(
        &self,
        page: &[S],
        layout: &HtmlLayout,
        context: Context,
    ) -> Vec<Prediction> {
        self.classify_with(page, Some(layout), context, &[], &[])
    }

    /// [`Model::classify`] (or [`Model::classify_html`], for an HTML
    /// document) of a document as a reader gives it: a paragraph too long to
    /// hold in memory is scored from its file, a piece at a time. An error if
    /// such a file cannot be read back.
    pub fn classify_document(
        &self,
        doc: &Document,
        context: Context,
    ) -> crate::Result<Vec<Prediction>> {
        let scored = doc
            .long
            .iter()
            .map(|(i, text)| {
                self.long_text_jll(text)
                    .map(|jll| (*i, jll))
                    .map_err(|e| crate::Error::io(&doc.path, e))
            })
            .collect::<crate::Result<Vec<_>>>()?;
        let texts: Vec<&str> = doc.paragraphs.iter().map(|p| p.text.as_str()).collect();
        let layout = doc.layout();
        Ok(self.classify_with(&texts, layout.as_ref(), context, &scored, &doc.prepared))
    }

    /// Whether a segmenter is ready to cut at once: until jieba's default
    /// dictionary is built, the first cut waits for it.
    #[cfg(feature = "cli")]
    pub(crate) fn segmenter_ready(&self) -> bool {
        self.segmenter.get().is_some() || crate::segment::default_built()
    }

    /// A [`Preparer`] of the documents to classify in `context`.
    #[cfg(feature = "cli")]
    pub(crate) fn preparer(&self, context: Context) -> Preparer<'_> {
        Preparer {
            model: self,
            context,
            seen: FxHashSet::default(),
        }
    }

    /// The page model that reads a page of `paragraphs` in `context`: none
    /// without page context, and none for a page of one paragraph, which has
    /// no page to read (naive Bayes alone).
    fn reading_page_model(&self, paragraphs: usize, context: Context) -> Option<&PageModel> {
        match (&self.page, context) {
            (Some(page), Context::Page) if paragraphs > 1 => Some(page),
            _ => None,
        }
    }

    /// [`Model::classify`] with the scores of some paragraphs given (their
    /// index and joint log-likelihoods, in order of index): long paragraphs
    /// whose text is only their head; and what was prepared of them (one
    /// a paragraph, or none: [`Preparer`]).
    fn classify_with<S: AsRef<str>>(
        &self,
        page: &[S],
        layout: Option<&HtmlLayout>,
        context: Context,
        scored: &[(usize, Vec<f64>)],
        prepared: &[Option<Prepared>],
    ) -> Vec<Prediction> {
        let paragraphs = page;
        let k = self.log_priors.len();
        let page_model = self.reading_page_model(paragraphs.len(), context);
        let headings = page_model.map(PageModel::headings);
        let (known, jll) = self.page_scores(paragraphs, scored, headings.as_ref(), prepared);
        if let (Some(page), Some(headings)) = (page_model, &headings) {
            let hmm = self.page_hmm(paragraphs, scored, &jll, page.positive, page.needs_hmm());
            let texts: Vec<&str> = paragraphs.iter().map(|p| self.head(p.as_ref())).collect();
            let input = PageView {
                texts: &texts,
                hmm: &hmm,
                html: layout,
            };
            let blocks: Vec<BlockText> = known
                .iter()
                .zip(paragraphs)
                .map(|(s, p)| {
                    s.block
                        .unwrap_or_else(|| self.block_text(p.as_ref(), headings, s.jll.as_slice()))
                })
                .collect();
            if let Some(decided) = page.decide_with(&input, &blocks) {
                return self.page_predictions(page.positive, decided);
            }
        }
        match (&self.context, context) {
            (Some(ctx), Context::Page) if paragraphs.len() > 1 => {
                let mut emissions = self.emissions(&jll);
                ctx.mark_headings(&self.normalized(paragraphs, scored), &mut emissions);
                ctx.posteriors(&emissions)
                    .into_iter()
                    .enumerate()
                    .map(|(i, probs)| Prediction::from_probs(i, probs))
                    .collect()
            }
            _ => jll
                .chunks_exact(k)
                .enumerate()
                .map(|(i, s)| self.alone(i, s))
                .collect(),
        }
    }

    /// The probabilities of a paragraph on its own from its joint
    /// log-likelihoods: a softmax of them divided by the temperature.
    fn probabilities(&self, jll: &[f64]) -> Vec<f64> {
        let scaled: Vec<f64> = jll.iter().map(|s| s / self.temperature).collect();
        softmax(&scaled)
    }

    /// What is known of a page's paragraphs ([`Model::scored`]) and their
    /// joint log-likelihoods in one flat table (`[t * k + c]` for paragraph
    /// `t` and class `c`): no vector per paragraph. Paragraphs in `scored`
    /// (index and scores, by index: long ones whose text is their head) take
    /// the scores given.
    fn page_scores<S: AsRef<str>>(
        &self,
        page: &[S],
        scored: &[(usize, Vec<f64>)],
        headings: Option<&Headings>,
        prepared: &[Option<Prepared>],
    ) -> (Vec<Scored>, Vec<f64>) {
        let mut scored = scored.iter().peekable();
        let known: Vec<Scored> = page
            .iter()
            .enumerate()
            .map(|(i, p)| match scored.next_if(|(at, _)| *at == i) {
                Some((_, given)) => Scored {
                    jll: Jll::new(given),
                    block: headings.map(|h| self.block_text(p.as_ref(), h, given)),
                },
                None => self.scored(
                    p.as_ref(),
                    headings,
                    prepared.get(i).and_then(Option::as_ref),
                ),
            })
            .collect();
        let jll = known
            .iter()
            .flat_map(|s| s.jll.as_slice().iter().copied())
            .collect();
        (known, jll)
    }

    /// A page's paragraphs normalised (of a long one held in memory, its
    /// head; those in `scored` are their head already), for the list-heading
    /// check of the HMM.
    fn normalized<S: AsRef<str>>(&self, page: &[S], scored: &[(usize, Vec<f64>)]) -> Vec<String> {
        let mut scored = scored.iter().peekable();
        page.iter()
            .enumerate()
            .map(|(i, p)| {
                let p = p.as_ref();
                let text = match scored.next_if(|(at, _)| *at == i) {
                    Some(_) => p,
                    None => self.head(p),
                };
                self.settings.normalizer.normalize(text)
            })
            .collect()
    }

    /// The HMM's emissions of a flat table of joint log-likelihoods: priors
    /// removed, tempered.
    fn emissions(&self, jll: &[f64]) -> Vec<Vec<f64>> {
        jll.chunks_exact(self.log_priors.len())
            .map(|s| {
                s.iter()
                    .zip(&self.log_priors)
                    .map(|(s, prior)| (s - prior) / self.temperature)
                    .collect()
            })
            .collect()
    }

    /// What the page model reads of a page: its blocks, their naive Bayes
    /// probability of the page model's label (`news`), when the model has
    /// page context the HMM's posterior of it, and for an HTML page what its
    /// markup says (`layout`). Training and cross-validation compute it once
    /// per page.
    pub fn page_input<S: AsRef<str>>(
        &self,
        page: &[S],
        layout: Option<&HtmlLayout>,
        positive: usize,
    ) -> PageInput {
        let (_, jll) = self.page_scores(page, &[], None, &[]);
        let nb = jll
            .chunks_exact(self.log_priors.len())
            .map(|s| self.nb_probability(s, positive))
            .collect();
        let hmm = self.page_hmm(page, &[], &jll, positive, self.context.is_some());
        PageInput {
            texts: page
                .iter()
                .map(|p| self.head(p.as_ref()).to_string())
                .collect(),
            nb,
            hmm,
            html: layout.cloned(),
        }
    }

    /// What the page model reads of a raw paragraph (of a long one, of its
    /// head), given its joint log-likelihoods.
    fn block_text(&self, text: &str, headings: &Headings, jll: &[f64]) -> BlockText {
        BlockText::of(self.head(text), headings, self.page_nb(jll))
    }

    /// The naive Bayes probability of the page model's positive label of one
    /// paragraph, from its joint log-likelihoods: taken once per paragraph
    /// kept in the cache (in its [`BlockText`]) rather than once per page.
    fn page_nb(&self, jll: &[f64]) -> f64 {
        self.nb_probability(jll, self.page.as_ref().map_or(0, |p| p.positive))
    }

    /// The calibrated naive Bayes probability of label `positive` of one
    /// paragraph, from its joint log-likelihoods.
    fn nb_probability(&self, jll: &[f64], positive: usize) -> f64 {
        softmax_at(jll.len(), |c| jll[c] / self.temperature, positive)
    }

    /// The HMM's posterior of label `positive` of a page's blocks (`jll`, a
    /// flat table), with `hmm` and a model that has page context; else empty.
    fn page_hmm<S: AsRef<str>>(
        &self,
        page: &[S],
        scored: &[(usize, Vec<f64>)],
        jll: &[f64],
        positive: usize,
        hmm: bool,
    ) -> Vec<f64> {
        match (&self.context, hmm) {
            (Some(ctx), true) => crate::page::hmm_posteriors(
                ctx,
                &self.normalized(page, scored),
                self.emissions(jll),
                positive,
            ),
            _ => Vec::new(),
        }
    }

    /// Predictions from the page model's decisions (two labels).
    fn page_predictions(&self, positive: usize, decided: Vec<(bool, f64)>) -> Vec<Prediction> {
        decided
            .into_iter()
            .enumerate()
            .map(|(i, (keep, p))| {
                let mut probs = smallvec::smallvec![1.0 - p; 2];
                probs[positive] = p;
                Prediction {
                    label: if keep { positive } else { 1 - positive },
                    probs,
                    paragraph: i,
                }
            })
            .collect()
    }

    /// [`Model::classify`] of many pages, in parallel on rayon's pool; the
    /// result is in the order of `pages` and the same for any number of threads.
    ///
    /// ```
    /// use newsbait::{Context, Model};
    /// let model = Model::shipped().unwrap();
    /// let pages = vec![vec!["国务院召开常务会议,部署稳就业工作。"], vec!["推荐阅读", "生活|牙膏的妙用"]];
    /// let out = model.classify_batch(&pages, Context::Page);
    /// assert_eq!(out.len(), 2);
    /// assert_eq!(out[1][1].paragraph(), 1);
    /// ```
    pub fn classify_batch<P, S>(&self, pages: &[P], context: Context) -> Vec<Vec<Prediction>>
    where
        P: AsRef<[S]> + Sync,
        S: AsRef<str>,
    {
        pages
            .par_iter()
            .map(|page| self.classify(page.as_ref(), context))
            .collect()
    }

    /// What `newsbait-classify --keep LABEL` writes for a plain-text document:
    /// its paragraphs (non-empty lines, separators skipped) that get the label
    /// `keep`, in order, one a line. An error if the model has no such label.
    ///
    /// ```
    /// use newsbait::{Context, Model};
    /// let model = Model::shipped().unwrap();
    /// let page = "国务院召开常务会议,部署稳就业工作。\n推荐阅读\n震惊!她竟然这样做,看完惊呆了\n";
    /// assert_eq!(model.clean(page, "news", Context::Page).unwrap(), "国务院召开常务会议,部署稳就业工作。");
    /// assert!(model.clean(page, "sports", Context::Page).is_err());
    /// ```
    pub fn clean(&self, text: &str, keep: &str, context: Context) -> crate::Result<String> {
        let paragraphs = crate::text::split_paragraphs(text);
        let texts: Vec<&str> = paragraphs.iter().map(|p| p.text.as_str()).collect();
        self.clean_paragraphs(&texts, keep, context)
    }

    /// [`Model::clean`] of a page already cut into paragraphs: those that get
    /// the label `keep`, in order, one a line.
    pub fn clean_paragraphs<S: AsRef<str>>(
        &self,
        paragraphs: &[S],
        keep: &str,
        context: Context,
    ) -> crate::Result<String> {
        self.clean_with(paragraphs, None, keep, context)
    }

    /// [`Model::clean`] of an HTML page: its blocks that get the label `keep`,
    /// classified with their markup ([`Model::classify_html`]), in order, one
    /// a line (what `newsbait-classify --keep` writes for an HTML file).
    pub fn clean_html(
        &self,
        page: &crate::HtmlPage,
        keep: &str,
        context: Context,
    ) -> crate::Result<String> {
        self.clean_with(page.blocks(), Some(&HtmlLayout::of(page)), keep, context)
    }

    fn clean_with<S: AsRef<str>>(
        &self,
        paragraphs: &[S],
        layout: Option<&HtmlLayout>,
        keep: &str,
        context: Context,
    ) -> crate::Result<String> {
        let keep = self.keep_index(keep)?;
        let preds = self.classify_with(paragraphs, layout, context, &[], &[]);
        Ok(kept(paragraphs, &preds, keep)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// The index of label `keep`, or an error that lists the model's labels.
    pub(crate) fn keep_index(&self, keep: &str) -> crate::Result<usize> {
        self.label_index(keep).ok_or_else(|| {
            crate::Error::Settings(format!(
                "--keep {keep:?}: the model's labels are {}",
                self.labels
                    .iter()
                    .map(|l| l.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// The `top` features that pushed `text` most towards `label` against the
    /// other labels (their weight is `x_j · (w(label, j) − mean of the others)`).
    pub fn explain(&self, text: &str, label: usize, top: usize) -> Vec<Contribution> {
        let others = (self.labels.len() - 1).max(1) as f64;
        let mut out: Vec<Contribution> = self
            .vectorize(self.head(text))
            .into_iter()
            .map(|(j, v)| {
                let own = self.weights[label][j as usize];
                let rest: f64 = (0..self.labels.len())
                    .filter(|&c| c != label)
                    .map(|c| self.weights[c][j as usize])
                    .sum::<f64>()
                    / others;
                Contribution {
                    feature: self.vocabulary.describe(j),
                    weight: v * (own - rest),
                }
            })
            .collect();
        out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        out.truncate(top);
        out
    }

    /// The label of a prediction.
    pub fn label(&self, p: &Prediction) -> &Label {
        &self.labels[p.label]
    }
}

/// A long paragraph scored a piece at a time ([`Model::long_scorer`]): raw
/// text is pushed in any pieces, and cut again where segmentation does not
/// change ([`crate::long::cut_point`]) into pieces of at most the model's
/// piece size, each normalised, segmented and counted.
pub(crate) struct LongScorer<'m> {
    model: &'m Model,
    /// Raw text not yet scored: less than two pieces.
    raw: String,
    score: LongScore,
}

impl LongScorer<'_> {
    /// Reads the next raw text of the paragraph.
    pub(crate) fn push(&mut self, mut text: &str) {
        let max = self.model.piece_bytes;
        while !text.is_empty() {
            let take =
                crate::long::head(text, max.max(text.chars().next().map_or(0, char::len_utf8)));
            self.raw.push_str(take);
            text = &text[take.len()..];
            while self.raw.len() > max {
                let at = crate::long::cut_point(&self.raw, max, &self.model.settings.normalizer);
                self.score_piece(at);
            }
        }
    }

    /// Scores the first `at` bytes of the raw text held, and drops them.
    fn score_piece(&mut self, at: usize) {
        let m = self.model;
        let normalized = m.settings.normalizer.normalize(&self.raw[..at]);
        let words = m.segmenter().cut(&normalized);
        m.vocabulary.score_piece(
            m.scoring_table(),
            &normalized,
            &words,
            &m.settings.features,
            &mut self.score,
        );
        self.raw.drain(..at);
    }

    /// The paragraph's joint log-likelihoods, written into `jll`.
    pub(crate) fn finish(mut self, jll: &mut [f64]) {
        while !self.raw.is_empty() {
            let at = crate::long::cut_point(
                &self.raw,
                self.model.piece_bytes,
                &self.model.settings.normalizer,
            );
            self.score_piece(at);
        }
        let m = self.model;
        jll.copy_from_slice(&m.log_priors);
        m.vocabulary
            .finish_pieces(m.scoring_table(), &m.settings.features, self.score, jll);
    }
}

/// The paragraphs whose prediction is label `keep`, in order.
pub(crate) fn kept<'a, S: AsRef<str>>(
    paragraphs: &'a [S],
    preds: &'a [Prediction],
    keep: usize,
) -> impl Iterator<Item = &'a str> {
    paragraphs
        .iter()
        .zip(preds)
        .filter(move |(_, p)| p.label == keep)
        .map(|(para, _)| para.as_ref())
}
