//! Large lookup tables on 2 MB pages.
//!
//! Scoring a paragraph reads one slot of the feature index and one row of the
//! weights per feature, at random places in tables of 10 to 20 MB. On 4 KB
//! pages nearly every such read also misses the TLB; on 2 MB pages the tables
//! need a handful of TLB entries. Linux backs memory with 2 MB pages when
//! asked (`madvise(MADV_HUGEPAGE)`) before the memory is first touched; other
//! systems, or a kernel with transparent huge pages off, simply ignore this.

/// Tables smaller than this are left on ordinary pages.
const MIN_BYTES: usize = 4 << 20;

/// An empty vector with room for `capacity` elements, whose memory the kernel
/// is asked to back with 2 MB pages. Fill it with `extend` or `resize`.
///
/// ```ignore
/// let mut slots: Vec<u64> = vec_on_huge_pages(1 << 21);
/// slots.resize(1 << 21, u64::MAX);
/// ```
pub(crate) fn vec_on_huge_pages<T>(capacity: usize) -> Vec<T> {
    let v: Vec<T> = Vec::with_capacity(capacity);
    #[cfg(target_os = "linux")]
    {
        let bytes = capacity.saturating_mul(std::mem::size_of::<T>());
        if bytes >= MIN_BYTES {
            const PAGE: usize = 4096;
            let start = v.as_ptr() as usize;
            let first = start.next_multiple_of(PAGE);
            let end = (start + bytes) / PAGE * PAGE;
            if end > first {
                // SAFETY: the range lies inside this vector's allocation, and
                // the advice changes how its pages are backed, never what they
                // hold. A failure (old kernel, no THP) leaves ordinary pages.
                unsafe {
                    libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
                }
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_an_ordinary_vector() {
        for n in [0usize, 10, 1 << 20] {
            let mut v: Vec<u64> = vec_on_huge_pages(n);
            assert!(v.capacity() >= n);
            v.resize(n, 7);
            assert!(v.iter().all(|&x| x == 7));
            assert_eq!(v.len(), n);
        }
    }
}
