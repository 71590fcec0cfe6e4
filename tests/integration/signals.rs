//! An interrupted training run (SIGINT, SIGTERM) leaves no partial model or
//! temporary file, and an existing model at the output path is untouched.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const OLD: &[u8] = b"the model that was here before";

fn spawn_training(dir: &Path, data: &str, pause_ms: Option<u64>) -> Child {
    let path = dir.join("train.jsonl");
    std::fs::write(&path, data).unwrap();
    std::fs::write(dir.join("out.model"), OLD).unwrap();
    let mut cmd = Command::new(train_bin());
    cmd.arg("--data")
        .arg(&path)
        .arg("--out")
        .arg(dir.join("out.model"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(ms) = pause_ms {
        cmd.env("NEWSBAIT_TEST_PAUSE_BEFORE_RENAME_MS", ms.to_string());
    }
    cmd.spawn().unwrap()
}

fn send(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{signal} failed");
}

fn assert_interrupted_cleanly(dir: &Path, child: Child, code: i32) {
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "the handler exits 128 + signal; stderr: {err}"
    );
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(
        std::fs::read(dir.join("out.model")).unwrap(),
        OLD,
        "old model changed"
    );
    assert!(
        temporaries(dir).is_empty(),
        "left behind: {:?}",
        temporaries(dir)
    );
}

#[test]
fn sigterm_during_training_leaves_the_old_model() {
    let dir = tempfile::tempdir().unwrap();
    // Big enough (400,000 paragraphs) to take seconds even with parallel
    // counting in a release build; the signal comes half a second in.
    let child = spawn_training(dir.path(), &training_jsonl(20_000), None);
    std::thread::sleep(Duration::from_millis(500));
    assert!(temporaries(dir.path()).is_empty());
    send(&child, "TERM");
    assert_interrupted_cleanly(dir.path(), child, 128 + 15);
}

#[test]
fn sigint_while_the_model_is_being_written_removes_the_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_training(dir.path(), &training_jsonl(2), Some(20_000));
    // Wait until the temporary file is there, fully written, before the rename.
    let start = Instant::now();
    while temporaries(dir.path()).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    send(&child, "INT");
    assert_interrupted_cleanly(dir.path(), child, 128 + 2);
}

#[test]
fn an_uninterrupted_run_replaces_the_model_whole() {
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_training(dir.path(), &training_jsonl(2), None);
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let model = newsbait::Model::load(dir.path().join("out.model")).unwrap();
    assert_eq!(model.labels().len(), 2);
    assert!(temporaries(dir.path()).is_empty());
    // The model gets the usual file mode, not a temporary's 0600.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("out.model"))
        .unwrap()
        .permissions()
        .mode();
    assert_ne!(mode & 0o044, 0, "mode {mode:o}");
}
