//! The slot table: open addressing from feature hash to column and payload.

/// Open addressing (linear probing, load ≤ 2/3) from feature hash to column,
/// with room in each slot for a payload (a scoring table's weights).
///
/// A slot is `stride` 32-bit words: the fingerprint (the hash's top 32 bits;
/// its low bits pick the slot), the column (`u32::MAX` when empty), then the
/// payload. A probe reads one cache line. An unknown feature matches a stored
/// one only if 32 more bits agree: about once in 10^9 lookups, adding one
/// feature's weight to one paragraph.
#[derive(Clone, Default)]
pub(super) struct SlotTable {
    pub(super) mask: usize,
    pub(super) stride: usize,
    words: Vec<u32>,
}

impl SlotTable {
    const EMPTY: u32 = u32::MAX;

    /// An empty table for `n` features, no payload.
    pub(super) fn with_capacity(n: usize) -> Self {
        let size = (n + n / 2).next_power_of_two().max(16);
        let mut words = crate::memory::vec_on_huge_pages(size * 2);
        words.resize(size * 2, Self::EMPTY);
        SlotTable {
            mask: size - 1,
            stride: 2,
            words,
        }
    }

    /// Adds a feature; one whose slot and fingerprint are already taken keeps
    /// the first column.
    pub(super) fn insert(&mut self, hash: u64, column: u32) {
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        loop {
            let slot = &mut self.words[i * self.stride..][..2];
            if slot[1] == Self::EMPTY {
                slot.copy_from_slice(&[fp, column]);
                return;
            }
            if slot[0] == fp {
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    #[inline]
    pub(super) fn prefetch(&self, hash: u64) {
        prefetch(
            self.words
                .as_ptr()
                .wrapping_add((hash as usize & self.mask) * self.stride),
        );
    }

    /// The column of a feature hash and the index of its slot.
    #[inline]
    pub(super) fn get(&self, hash: u64) -> Option<(u32, u32)> {
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        loop {
            let slot = &self.words[i * self.stride..][..2];
            if slot[1] == Self::EMPTY {
                return None;
            }
            if slot[0] == fp {
                return Some((slot[1], i as u32));
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The payload of slot `i`.
    #[inline]
    pub(super) fn payload(&self, i: u32) -> &[u32] {
        &self.words[i as usize * self.stride + 2..][..self.stride - 2]
    }

    /// A copy with `extra` payload words per slot, filled by `fill(column, payload)`
    /// for every taken slot (empty slots get zeros). Slots stay where they are,
    /// so lookups probe exactly as here.
    pub(super) fn widened(&self, extra: usize, fill: impl Fn(u32, &mut [u32])) -> SlotTable {
        let stride = 2 + extra;
        let slots = self.mask + 1;
        let mut words = crate::memory::vec_on_huge_pages(slots * stride);
        words.resize(slots * stride, 0);
        for (i, new) in words.chunks_exact_mut(stride).enumerate() {
            let old = &self.words[i * self.stride..][..2];
            new[..2].copy_from_slice(old);
            if old[1] != Self::EMPTY {
                fill(old[1], &mut new[2..]);
            }
        }
        SlotTable {
            mask: self.mask,
            stride,
            words,
        }
    }
}

/// Asks the CPU to start loading the cache line at `p`, so that a paragraph's
/// lookups wait for memory together rather than one after another.
#[inline]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
