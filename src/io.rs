//! Writing files whole or not at all, even when the run is interrupted.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Temporary files being written now, removed by [`remove_temporaries`] when a
/// signal stops the run.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Keeps a temporary file's path registered while it lives.
struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Self {
        lock_temporaries().push(path.to_path_buf());
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock_temporaries().retain(|p| p != &self.0);
    }
}

fn lock_temporaries() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file that [`write_atomically`] is writing now. Once
/// it has run, no temporary can be renamed into place until the process ends,
/// so call it only on the way out (from the binaries' signal handler).
#[cfg(feature = "cli")]
pub fn remove_temporaries() {
    let held = lock_temporaries();
    for path in held.iter() {
        let _ = std::fs::remove_file(path);
    }
    // Keep the lock: a writer must not rename a file that is gone.
    std::mem::forget(held);
}

/// Checks, before a long run, that `path` can be written: its directory
/// exists and takes new files (or `path` is a device or pipe that opens for
/// writing). Leaves nothing behind. For the binaries (`newsbait-train`).
#[cfg(feature = "cli")]
pub fn check_writable(path: &Path) -> Result<()> {
    let fail = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        cause: e,
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(fail(std::io::Error::other(
            "it is a directory; give a file name",
        ))),
        Ok(meta) if !meta.is_file() => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map(drop)
            .map_err(fail),
        _ => temporary_in(directory_of(path)).map(drop).map_err(fail),
    }
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temporary_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".newsbait-").suffix(".tmp");
    // The file we rename into place gets the usual mode (0666 less the umask),
    // not the owner-only mode of a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir)
}

/// Writes `path` through `fill`, so that the file appears whole or not at all:
/// the bytes go to a temporary file in the same directory, which is flushed,
/// synced to disk and then renamed over `path`. On any error, and on a signal
/// once [`clean_up_on_signals`] is installed, the temporary file is removed and
/// an existing file at `path` is left untouched.
///
/// A path that is a device or a pipe (`/dev/stdout`, `/dev/full`, a FIFO)
/// cannot be replaced by a rename; it is written directly.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let fail = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        cause: e,
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(fail(std::io::Error::other(
                "it is a directory; give a file name",
            )));
        }
        Ok(meta) if !meta.is_file() => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(fail)?;
            let mut writer = BufWriter::new(file);
            fill(&mut writer).map_err(fail)?;
            return writer.flush().map_err(fail);
        }
        _ => {}
    }
    let dir = directory_of(path);
    let tmp = temporary_in(dir).map_err(fail)?;
    // Declared after `tmp`, so dropped before it: on an error the file is
    // removed first, while still registered.
    let registered = Registered::new(tmp.path());
    let mut writer = BufWriter::new(tmp);
    fill(&mut writer).map_err(fail)?;
    let tmp = writer.into_inner().map_err(|e| fail(e.into_error()))?;
    tmp.as_file().sync_all().map_err(fail)?;
    pause_for_tests();
    {
        // A signal handler holds this lock from the moment it removes the
        // temporaries, so the rename happens whole before it or never.
        let _no_signal_now = lock_temporaries();
        tmp.persist(path).map_err(|e| fail(e.error))?;
    }
    drop(registered);
    // Make the rename itself durable; not every file system can sync a directory.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Lets tests interrupt a run while the temporary file exists:
/// `NEWSBAIT_TEST_PAUSE_BEFORE_RENAME_MS` sleeps that long before the rename.
fn pause_for_tests() {
    if let Some(ms) = std::env::var_os("NEWSBAIT_TEST_PAUSE_BEFORE_RENAME_MS")
        .and_then(|v| v.to_str().and_then(|v| v.parse::<u64>().ok()))
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomically_writes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomically(&path, |w| w.write_all(b"hello")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
    }

    #[test]
    fn failed_write_leaves_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model");
        std::fs::write(&path, b"old").unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk on fire"));
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary file left behind");
    }

    #[test]
    fn unwritable_directory_names_the_path() {
        let err = write_atomically(Path::new("/nonexistent-dir/x.model"), |_| Ok(())).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent-dir/x.model:"),
            "{err}"
        );
    }
}
