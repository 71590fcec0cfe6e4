//! Stable hashes of tokens and of features, the keys of the slot table.

use super::keys::Kind;

/// A stable 64-bit hash of a token's bytes (the same on every platform and
/// build, unlike `std`'s hasher), 8 bytes a step.
///
/// Most tokens are one to three CJK characters (3 to 9 bytes), so short
/// tokens are read in one step with overlapping loads instead of being copied
/// into a buffer; with the length mixed in, every byte still counts.
///
/// A `const fn`, so that fixed tokens (the shape tokens) are hashed when
/// compiling.
pub(crate) const fn hash_str(s: &str) -> u64 {
    let b = s.as_bytes();
    let n = b.len();
    let mut h = 0x9e37_79b9_7f4a_7c15 ^ (n as u64).wrapping_mul(STEP);
    if n >= 8 {
        let mut at = 0;
        while at + 8 <= n {
            h = step(h, word(b, at));
            at += 8;
        }
        if at < n {
            h = step(h, word(b, n - 8));
        }
    } else if n >= 4 {
        h = step(h, half(b, 0) | half(b, n - 4) << 32);
    } else if n > 0 {
        h = step(
            h,
            b[0] as u64 | (b[n / 2] as u64) << 8 | (b[n - 1] as u64) << 16,
        );
    }
    mix64(h)
}

/// The multiplier of a step of [`hash_str`].
const STEP: u64 = 0xbf58_476d_1ce4_e5b9;

/// One step of [`hash_str`]: 8 bytes mixed in.
const fn step(h: u64, x: u64) -> u64 {
    let h = (h ^ x).wrapping_mul(STEP);
    h ^ (h >> 31)
}

/// The 8 bytes of `b` from `at`, little-endian.
const fn word(b: &[u8], at: usize) -> u64 {
    match b.split_at(at).1.first_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w),
        None => panic!("8 bytes"),
    }
}

/// The 4 bytes of `b` from `at`, little-endian.
const fn half(b: &[u8], at: usize) -> u64 {
    match b.split_at(at).1.first_chunk::<4>() {
        Some(w) => u32::from_le_bytes(*w) as u64,
        None => panic!("4 bytes"),
    }
}

/// The splitmix64 finaliser: every input bit reaches every output bit.
const fn mix64(mut h: u64) -> u64 {
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
