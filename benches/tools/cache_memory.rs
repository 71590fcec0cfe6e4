//! What the paragraph cache's entries really take: the heap bytes live after
//! filling a model's cache with distinct paragraphs of about 88 bytes,
//! against what the cache counts (`Model::cache_stats`). Calibrates
//! `ENTRY_OVERHEAD` in src/cache.rs.
//!
//!   cargo run --release --example cache_memory [MIB]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

/// mimalloc, counting the bytes it was asked for and the bytes its size
/// classes round them to.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ROUNDED: AtomicIsize = AtomicIsize::new(0);

fn rounded(size: usize) -> isize {
    // mimalloc's size classes: 8-byte steps to 64, then four a power of two.
    if size <= 64 {
        size.next_multiple_of(8) as isize
    } else {
        let step = (size.next_power_of_two() / 8).max(8);
        size.next_multiple_of(step) as isize
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ROUNDED.fetch_add(rounded(layout.size()), Ordering::Relaxed);
        unsafe { newsbait::cli::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        ROUNDED.fetch_sub(rounded(layout.size()), Ordering::Relaxed);
        unsafe { newsbait::cli::MiMalloc.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() -> anyhow::Result<()> {
    let mib: usize = std::env::args().nth(1).map_or(Ok(32), |a| a.parse())?;
    let mut model = newsbait::Model::shipped()?;
    model.set_cache_bytes(mib << 20);
    model.prepare();
    newsbait::cli::warm_up();
    // Warm every lazily built table with a page that is then forgotten.
    model.classify(
        &["国务院召开常务会议。", "推荐阅读"],
        newsbait::Context::Page,
    );
    model.set_cache_bytes(mib << 20);
    let (live, round) = (
        LIVE.load(Ordering::Relaxed),
        ROUNDED.load(Ordering::Relaxed),
    );
    // Distinct paragraphs of about 85 bytes (the pages input's mean), in
    // pages of ten, until the cache is full and evicts. Each page is read
    // twice, so that the cache, finding hits, lets every paragraph in.
    let target = (mib << 20) / 200 * 2;
    let mut page = Vec::with_capacity(10);
    let mut text_bytes = 0;
    for i in 0..target {
        page.push(format!(
            "第{i}期：国务院会议部署稳就业保民生工作，推动经济持续回升{}",
            i % 97
        ));
        text_bytes += page[page.len() - 1].len();
        if page.len() == 10 {
            model.classify(&page, newsbait::Context::Page);
            model.classify(&page, newsbait::Context::Page);
            page.clear();
        }
    }
    let stats = model.cache_stats();
    let (live, round) = (
        LIVE.load(Ordering::Relaxed) - live,
        ROUNDED.load(Ordering::Relaxed) - round,
    );
    let per = |b: isize| b as f64 / stats.entries() as f64;
    println!(
        "{stats}; paragraphs of {:.1} bytes",
        text_bytes as f64 / target as f64
    );
    println!(
        "an entry: counted {:.1} B; heap asked {:.1} B, {:.1} B rounded to size classes \
         (the tables' growth slack included, which is not all resident)",
        per(stats.bytes() as isize),
        per(live),
        per(round)
    );
    Ok(())
}
