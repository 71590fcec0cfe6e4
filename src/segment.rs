//! Word segmentation with jieba-rs: the second stage of the pipeline.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};

/// How text is cut into words. Stored in every model, user words included, so a
/// model always segments the way it was trained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerSettings {
    /// Let jieba's HMM join characters its dictionary does not know.
    pub hmm: bool,
    /// Extra dictionary words (from `--user-dict`), added to jieba's default dictionary.
    pub user_words: Vec<UserWord>,
}

impl Default for TokenizerSettings {
    fn default() -> Self {
        TokenizerSettings {
            hmm: true,
            user_words: Vec::new(),
        }
    }
}

/// One line of a jieba user dictionary: a word and an optional frequency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserWord {
    /// The word jieba should keep whole.
    pub word: String,
    /// Its frequency, if given (jieba picks one otherwise).
    pub freq: Option<usize>,
}

/// A ready-to-use jieba instance with its settings.
///
/// Building jieba's default dictionary takes 130 to 200 ms and about 32 MB, so
/// segmenters without user words share one process-wide instance.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
    hmm: bool,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter").field("hmm", &self.hmm).finish()
    }
}

/// Jieba with its default dictionary, built once a process.
static DEFAULT: OnceLock<Arc<Jieba>> = OnceLock::new();

fn shared_default() -> Arc<Jieba> {
    DEFAULT.get_or_init(|| Arc::new(Jieba::new())).clone()
}

/// Whether jieba's default dictionary is built: until then, a segmenter's
/// first use waits for it (see [`warm_up`]).
#[cfg(feature = "cli")]
pub(crate) fn default_built() -> bool {
    DEFAULT.get().is_some()
}

/// Builds the shared default dictionary now (for instance on a thread while a
/// model loads), so that the first [`Segmenter::new`] finds it ready. For the
/// binaries (`newsbait-classify`).
#[cfg(feature = "cli")]
pub fn warm_up() {
    shared_default();
}

impl Segmenter {
    /// Builds a segmenter for these settings.
    pub fn new(settings: &TokenizerSettings) -> Self {
        let jieba = if settings.user_words.is_empty() {
            shared_default()
        } else {
            // Cloning the shared dictionary is cheaper than building another.
            let mut jieba = Jieba::clone(&shared_default());
            for w in &settings.user_words {
                jieba.add_word(&w.word, w.freq, None);
            }
            Arc::new(jieba)
        };
        Segmenter {
            jieba,
            hmm: settings.hmm,
        }
    }

    /// Cuts normalised text into words, dropping whitespace-only tokens.
    ///
    /// ```
    /// use newsbait::{Segmenter, TokenizerSettings};
    /// let s = Segmenter::new(&TokenizerSettings::default());
    /// assert_eq!(s.cut("国务院 召开会议"), ["国务院", "召开", "会议"]);
    /// ```
    pub fn cut<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba
            .cut(text, self.hmm)
            .into_iter()
            .map(|t| t.word)
            // `all` stops at a word's first character; `trim` would look at both ends.
            .filter(|w| !w.chars().all(char::is_whitespace))
            .collect()
    }
}

/// Parses a jieba user dictionary: `word [freq] [tag]` a line, `#` comments.
///
/// Returns the words, or the 1-based number and text of the first bad line.
pub fn parse_user_dict(text: &str) -> Result<Vec<UserWord>, (usize, String)> {
    let mut words = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let word = parts.next().unwrap_or_default().to_string();
        let freq = match parts.next() {
            None => None,
            Some(f) => Some(f.parse::<usize>().map_err(|_| {
                (
                    i + 1,
                    format!("frequency {f:?} is not a whole number (expected `word [freq] [tag]`)"),
                )
            })?),
        };
        words.push(UserWord { word, freq });
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_whitespace_tokens() {
        let s = Segmenter::new(&TokenizerSettings::default());
        let words = s.cut("经济 增长 ,  稳定");
        assert!(words.iter().all(|w| !w.trim().is_empty()));
        assert_eq!(words.concat(), "经济增长,稳定");
    }

    #[test]
    fn user_words_change_the_cut() {
        let plain = Segmenter::new(&TokenizerSettings::default());
        assert!(!plain.cut("新冠肺炎防控").contains(&"新冠肺炎防控"));
        let settings = TokenizerSettings {
            hmm: true,
            user_words: vec![UserWord {
                word: "新冠肺炎防控".into(),
                freq: Some(100_000),
            }],
        };
        let custom = Segmenter::new(&settings);
        assert_eq!(custom.cut("新冠肺炎防控"), ["新冠肺炎防控"]);
    }

    #[test]
    fn parses_user_dict_lines() {
        let words = parse_user_dict("# comment\n大排查 500 n\n交卷\n\n").unwrap();
        assert_eq!(
            words,
            [
                UserWord {
                    word: "大排查".into(),
                    freq: Some(500)
                },
                UserWord {
                    word: "交卷".into(),
                    freq: None
                }
            ]
        );
        assert_eq!(parse_user_dict("好\n坏 x\n").unwrap_err().0, 2);
    }
}
