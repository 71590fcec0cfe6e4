//! Small inputs for the reliability tests, written for them (no corpus text).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const NEWS: &[&str] = &[
    "市政府召开常务会议，研究部署今年的防汛抗旱工作。",
    "统计局发布数据，前三季度全市工业增加值同比增长百分之五。",
    "教育部门要求各地做好秋季学期开学准备，保障校园安全。",
    "省人大常委会审议通过了关于加强生态环境保护的决定。",
    "交通运输部表示，将加快推进农村公路建设和养护。",
    "人民银行宣布下调存款准备金率，释放长期资金支持实体经济。",
    "卫生健康委员会通报近期传染病疫情形势和防控措施。",
    "商务部新闻发言人就外贸形势回答记者提问。",
    "国务院办公厅印发通知，部署进一步优化营商环境。",
    "水利部启动防汛四级应急响应，派出工作组赴一线指导。",
];

pub const CLICKBAIT: &[&str] = &[
    "震惊！这个东西千万别再吃了，看完吓出一身冷汗",
    "她只做了一件事，三个月瘦了二十斤，网友都惊呆了",
    "不看后悔！月薪三千的人都在偷偷做这件事",
    "男子在路边捡到一个箱子，打开后彻底傻眼了",
    "99%的人都不知道的秘密，赶紧转给家人看看",
    "明星素颜照曝光，网友直呼认不出来！",
    "这三种人最容易发财，看看你是不是其中之一？",
    "医生提醒：晚上千万不要做这件事，很多人还不知道",
    "刚刚，一条消息刷屏朋友圈，太感人了……",
    "猜你喜欢：这些小窍门让你的生活轻松一半",
];

/// JSONL training data: every line `repeat` times, news and clickbait interleaved.
pub fn training_jsonl(repeat: usize) -> String {
    let mut out = String::new();
    for i in 0..repeat {
        for (n, c) in NEWS.iter().zip(CLICKBAIT) {
            out.push_str(&format!(
                "{{\"label\":\"news\",\"text\":\"{n}（{i}）\"}}\n{{\"label\":\"clickbait\",\"text\":\"{c}{i}\"}}\n"
            ));
        }
    }
    out
}

/// JSONL documents to classify: `n` pages, each with news and clickbait lines.
pub fn documents_jsonl(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let page = [
            NEWS[i % NEWS.len()],
            NEWS[(i + 3) % NEWS.len()],
            "推荐阅读",
            CLICKBAIT[i % CLICKBAIT.len()],
            CLICKBAIT[(i + 5) % CLICKBAIT.len()],
        ]
        .join("\n");
        out.push_str(&serde_json::json!({"id": i, "text": page}).to_string());
        out.push('\n');
    }
    out
}

pub fn train_bin() -> &'static str {
    env!("CARGO_BIN_EXE_newsbait-train")
}

pub fn classify_bin() -> &'static str {
    env!("CARGO_BIN_EXE_newsbait-classify")
}

pub fn eval_bin() -> &'static str {
    env!("CARGO_BIN_EXE_newsbait-eval")
}

/// Runs `bin ARGS...` (see [`run`]).
pub fn run_args(bin: &str, args: &[&str]) -> Output {
    run(Command::new(bin).args(args))
}

/// Runs `newsbait-classify ARGS...` with `input` on its standard input (fed
/// from a thread, so that a big input and a big output do not block).
pub fn classify_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(classify_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let o = child.wait_with_output().unwrap();
    // A command that stops reading early (an error) may close the pipe.
    let _ = feeder.join().unwrap();
    o
}

/// The documents `for_each_document` reads from `input`, and its statistics.
pub fn read_documents(
    path: &str,
    input: &[u8],
    format: newsbait::DocumentFormat,
    policy: newsbait::OnInvalid,
) -> newsbait::Result<(Vec<newsbait::Document>, newsbait::ReadStats)> {
    let mut docs = Vec::new();
    let stats = newsbait::for_each_document(Path::new(path), input, format, policy, |d| {
        docs.push(d);
        Ok(())
    })?;
    Ok((docs, stats))
}

/// Runs a command and returns its output; never waits on standard input.
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(std::process::Stdio::null())
        .output()
        .expect("the binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The output of a command that must succeed, as text.
pub fn out_ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", stderr(o));
    stdout(o)
}

/// Runs `newsbait-train --data DATA --out OUT EXTRA...`.
pub fn train(data: &Path, out: &Path, extra: &[&str]) -> Output {
    run(Command::new(train_bin())
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra))
}

/// Runs `newsbait-classify --model MODEL ARGS... INPUT`.
pub fn classify_with(model: &Path, args: &[&str], input: &Path) -> Output {
    run(Command::new(classify_bin())
        .arg("--model")
        .arg(model)
        .args(args)
        .arg(input))
}

/// Writes `lines`, one a line, to `dir/doc.txt` and returns its path.
pub fn write_doc(dir: &Path, lines: &[&str]) -> PathBuf {
    let doc = dir.join("doc.txt");
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&doc, text).unwrap();
    doc
}

/// Trains a small model into `dir` with the binary and returns its path.
pub fn train_small_model(dir: &Path) -> PathBuf {
    let data = dir.join("train.jsonl");
    std::fs::write(&data, training_jsonl(2)).unwrap();
    let out = dir.join("small.model");
    out_ok(&train(&data, &out, &[]));
    out
}

/// Files in `dir` whose name starts with `.newsbait-` (temporaries).
pub fn temporaries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".newsbait-"))
        })
        .collect()
}
