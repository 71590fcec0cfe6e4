//! Resident memory after each start-up stage of newsbait-classify, for
//! finding where the baseline RSS goes (Linux: /proc/self/status).
//!
//!   cargo run --release --example rss [PAGE.txt]

#[global_allocator]
static ALLOCATOR: newsbait::cli::MiMalloc = newsbait::cli::MiMalloc;

fn status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn report(stage: &str) {
    println!(
        "{stage:<28} RSS {:>7.1} MB  peak {:>7.1} MB",
        status("VmRSS:") as f64 / 1024.0,
        status("VmHWM:") as f64 / 1024.0
    );
}

fn main() -> anyhow::Result<()> {
    report("start");
    let model = newsbait::Model::shipped()?;
    report("model decoded");
    model.prepare();
    report("scoring table built");
    newsbait::cli::warm_up();
    report("jieba built");
    let page = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path)?,
        None => "国务院召开常务会议,部署稳就业工作。\n推荐阅读\n".to_string(),
    };
    let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
    let predictions = model.classify(&lines, newsbait::Context::Page);
    report(&format!("{} paragraphs classified", predictions.len()));
    Ok(())
}
