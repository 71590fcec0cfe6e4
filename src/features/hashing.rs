//! Stable hashes of tokens and of features, the keys of the slot table.

use super::keys::Kind;

/// A stable 64-bit hash of a token's bytes (the same on every platform and
/// build, unlike `std`'s hasher), 8 bytes a step.
///
/// Most tokens are one to three CJK characters (3 to 9 bytes), so short
/// tokens are read in one step with overlapping loads instead of being copied
/// into a buffer; with the length mixed in, every byte still counts.
pub(super) fn hash_str(s: &str) -> u64 {
    const M: u64 = 0xbf58_476d_1ce4_e5b9;
    let step = |h: u64, x: u64| {
        let h = (h ^ x).wrapping_mul(M);
        h ^ (h >> 31)
    };
    let b = s.as_bytes();
    let n = b.len();
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            b[at..at + 4].try_into().expect("4 bytes"),
        ))
    };
    let mut h = 0x9e37_79b9_7f4a_7c15 ^ (n as u64).wrapping_mul(M);
    if n >= 8 {
        let mut at = 0;
        while at + 8 <= n {
            h = step(h, word(at));
            at += 8;
        }
        if at < n {
            h = step(h, word(n - 8));
        }
    } else if n >= 4 {
        h = step(h, half(0) | half(n - 4) << 32);
    } else if n > 0 {
        h = step(
            h,
            u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
        );
    }
    mix64(h)
}

/// The splitmix64 finaliser: every input bit reaches every output bit.
fn mix64(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The hash of a feature from the hashes of its tokens.
pub(super) fn feature_hash(kind: Kind, a: u64, b: u64) -> u64 {
    match kind {
        Kind::WordPair => mix64(a.rotate_left(23) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        // `a` is already well mixed: a different constant per kind keeps a
        // word, a character n-gram and a shape token with the same text apart.
        _ => a ^ (kind as u64).wrapping_mul(0xd6e8_feb8_6659_fd93),
    }
}
