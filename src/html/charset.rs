//! Charset detection: byte order mark, valid UTF-8, `<meta>` declaration,
//! then chardetng's guess; encoding_rs decodes.

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::CharsetSource;

/// How many bytes are scanned for a `<meta>` charset declaration.
const META_SCAN: usize = 4096;
/// How many bytes the detector and the binary check look at.
const SNIFF: usize = 64 << 10;

/// Looks for `charset=` in the first bytes (`<meta charset>` or an
/// `http-equiv` content value) and returns the encoding it names.
pub(crate) fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_SCAN)];
    let mut i = 0;
    while let Some(off) = find_ci(&head[i..], b"charset") {
        let mut j = i + off + 7;
        i = j;
        while j < head.len() && head[j].is_ascii_whitespace() {
            j += 1;
        }
        if head.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while j < head.len()
            && (head[j].is_ascii_whitespace() || head[j] == b'"' || head[j] == b'\'')
        {
            j += 1;
        }
        let start = j;
        while j < head.len() && (head[j].is_ascii_alphanumeric() || b"-_.:".contains(&head[j])) {
            j += 1;
        }
        if let Some(enc) = Encoding::for_label(&head[start..j]) {
            // A page cannot declare UTF-16 in itself (HTML standard).
            if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                return Some(encoding_rs::UTF_8);
            }
            if enc == encoding_rs::X_USER_DEFINED {
                return Some(encoding_rs::WINDOWS_1252);
            }
            return Some(enc);
        }
    }
    None
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Decodes page bytes: BOM, else valid UTF-8 with non-ASCII text, else the
/// `<meta>` declaration if it decodes cleanly, else the detector's guess
/// (chardetng). Returns the text, the encoding, how it was chosen and
/// whether bytes had to be replaced.
pub(crate) fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static Encoding, CharsetSource, bool) {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text, enc, CharsetSource::Bom, errors);
    }
    let utf8 = std::str::from_utf8(bytes);
    let declared = meta_charset(bytes);
    if let Ok(s) = utf8
        && (!s.is_ascii() || declared.is_none_or(|e| e == encoding_rs::UTF_8))
    {
        let src = if declared == Some(encoding_rs::UTF_8) && s.is_ascii() {
            CharsetSource::Meta
        } else {
            CharsetSource::Utf8
        };
        return (Cow::Borrowed(s), encoding_rs::UTF_8, src, false);
    }
    if let Some(enc) = declared {
        let (text, errors) = enc.decode_without_bom_handling(bytes);
        if !errors {
            return (text, enc, CharsetSource::Meta, false);
        }
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(SNIFF)];
    det.feed(sample, sample.len() == bytes.len());
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let (text, errors) = enc.decode_without_bom_handling(bytes);
    (text, enc, CharsetSource::Detected, errors)
}

/// Share of control bytes (NUL and C0 controls other than tab, newline,
/// form feed, carriage return, escape) in a prefix of the input.
pub(crate) fn control_share(bytes: &[u8]) -> f32 {
    let sample = &bytes[..bytes.len().min(SNIFF)];
    if sample.is_empty() {
        return 0.0;
    }
    let bad = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    bad as f32 / sample.len() as f32
}

/// Above this share of control bytes the input is refused as binary.
pub(crate) const MAX_CONTROL_SHARE: f32 = 0.05;
