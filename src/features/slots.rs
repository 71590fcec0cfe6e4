//! The slot table: open addressing from feature hash to column and payload.

/// Open addressing (linear probing, load ≤ 2/3) from feature hash to column,
/// with room in each slot for a payload (a scoring table's weights).
///
/// A slot is `stride` 32-bit words: the fingerprint (the hash's top 32 bits;
/// its low bits pick the slot), the column (`u32::MAX` when empty), then the
/// payload. A probe reads one cache line. An unknown feature matches a stored
/// one only if 32 more bits agree: about once in 10^9 lookups, adding one
/// feature's weight to one paragraph.
#[derive(Clone)]
pub(super) struct SlotTable {
    pub(super) mask: usize,
    pub(super) stride: usize,
    words: Vec<u32>,
}

impl SlotTable {
    const EMPTY: u32 = u32::MAX;

    /// The table of `hashes` (feature `i`'s hash at `hashes[i]`, its column
    /// `i`) with `extra` payload words per slot, filled by
    /// `fill(column, payload)` for every taken slot. Features are inserted in
    /// column order, so a table is laid out the same whatever its payload.
    pub(super) fn build(hashes: &[u64], extra: usize, fill: impl Fn(u32, &mut [u32])) -> Self {
        let n = hashes.len();
        let size = (n + n / 2).next_power_of_two().max(16);
        let stride = 2 + extra;
        let mut words = crate::memory::vec_on_huge_pages(size * stride);
        words.resize(size * stride, Self::EMPTY);
        let mut table = SlotTable {
            mask: size - 1,
            stride,
            words,
        };
        // Inserts land at random places in a table of megabytes: ask for the
        // slot of a feature a few places ahead so that the waits overlap.
        const AHEAD: usize = 16;
        for (column, &hash) in hashes.iter().enumerate() {
            if let Some(&later) = hashes.get(column + AHEAD) {
                table.prefetch(later);
            }
            if let Some(slot) = table.insert(hash, column as u32) {
                fill(
                    column as u32,
                    &mut table.words[slot * stride + 2..][..extra],
                );
            }
        }
        table
    }

    /// Adds a feature and returns its slot; one whose slot and fingerprint
    /// are already taken keeps the first column (`None`).
    ///
    /// Every feature of the vocabulary is inserted when a model is first
    /// used, before any paragraph is scored: its probes read as
    /// [`SlotTable::get`]'s do, without bounds checks.
    fn insert(&mut self, hash: u64, column: u32) -> Option<usize> {
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        debug_assert_eq!(self.words.len(), (self.mask + 1) * self.stride);
        loop {
            // SAFETY: as in `get`: `i <= mask`, and slot `i`'s two words
            // are in the table.
            let at = unsafe { self.words.as_mut_ptr().add(i * self.stride) };
            let (fingerprint, taken) = unsafe { (*at, *at.add(1)) };
            if taken == Self::EMPTY {
                // SAFETY: the same two words.
                unsafe {
                    *at = fp;
                    *at.add(1) = column;
                }
                return Some(i);
            }
            if fingerprint == fp {
                return None;
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
    ///
    /// Every feature of every paragraph scored is looked up here, most
    /// more than once (linear probing at a load near 0.6): the slot's words
    /// are read without bounds checks, which took a third of a probe's
    /// instructions.
    #[inline]
    pub(super) fn get(&self, hash: u64) -> Option<(u32, u32)> {
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        debug_assert_eq!(self.words.len(), (self.mask + 1) * self.stride);
        loop {
            // SAFETY: `i <= mask` and the table holds `mask + 1` slots of
            // `stride >= 2` words (`build`), so both words are in it.
            let (fingerprint, column) = unsafe {
                let at = self.words.as_ptr().add(i * self.stride);
                (*at, *at.add(1))
            };
            if column == Self::EMPTY {
                return None;
            }
            if fingerprint == fp {
                return Some((column, i as u32));
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The payload of slot `i` (of `i` modulo the table's size), read
    /// without bounds checks as [`SlotTable::get`] reads a slot.
    #[inline]
    pub(super) fn payload(&self, i: u32) -> &[u32] {
        let i = i as usize & self.mask;
        // SAFETY: `i <= mask`, and slot `i`'s `stride - 2` payload words
        // follow its two in the table (`build`).
        unsafe {
            std::slice::from_raw_parts(
                self.words.as_ptr().add(i * self.stride + 2),
                self.stride - 2,
            )
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
