//! Key packing: a feature as one `u64` of its kind and token ids.

/// What a feature is made of; the tag in the top bits of a [`FeatureKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Kind {
    Word = 1,
    WordPair = 2,
    CharGram = 3,
    Shape = 4,
}

/// A feature packed as `kind (4 bits) | token a (30 bits) | token b (30 bits)`.
///
/// Tokens are ids in a token table; a character n-gram and a shape token are
/// tokens of their own, told apart from words by the kind.
pub type FeatureKey = u64;

const ID_BITS: u32 = 30;
const ID_MASK: u64 = (1 << ID_BITS) - 1;

pub(super) fn pack(kind: Kind, a: u32, b: u32) -> FeatureKey {
    ((kind as u64) << (2 * ID_BITS)) | ((a as u64 & ID_MASK) << ID_BITS) | (b as u64 & ID_MASK)
}

pub(super) fn unpack(key: FeatureKey) -> (u8, u32, u32) {
    (
        (key >> (2 * ID_BITS)) as u8,
        ((key >> ID_BITS) & ID_MASK) as u32,
        (key & ID_MASK) as u32,
    )
}

pub(super) fn kind_from_tag(tag: u8) -> Kind {
    match tag {
        1 => Kind::Word,
        2 => Kind::WordPair,
        3 => Kind::CharGram,
        _ => Kind::Shape,
    }
}

/// The token ids in a key: one, or two for a word pair.
pub(crate) fn key_tokens(key: FeatureKey) -> Vec<u32> {
    let (kind, a, b) = unpack(key);
    if kind_from_tag(kind) == Kind::WordPair {
        vec![a, b]
    } else {
        vec![a]
    }
}

/// Replaces the token ids in a key through `map`, keeping its kind; the second
/// token of a key that is not a word pair is no token and stays 0. A word
/// pair's second token is mapped first, then the first.
pub fn remap_key(key: FeatureKey, mut map: impl FnMut(u32) -> u32) -> FeatureKey {
    let (kind, a, b) = unpack(key);
    let kind = kind_from_tag(kind);
    let b = if kind == Kind::WordPair { map(b) } else { 0 };
    pack(kind, map(a), b)
}
