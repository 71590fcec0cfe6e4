//! Writing files whole or not at all.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `path` through `fill`, so that the file appears whole or not at all:
/// the bytes go to a temporary file in the same directory, which is flushed,
/// synced to disk and then renamed over `path`. On any error the temporary file
/// is removed and an existing file at `path` is left untouched.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.txt");
/// newsbait::io::write_atomically(&path, |w| w.write_all(b"hello")).unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"hello");
/// ```
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| Error::io(path, e);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".newsbait-").suffix(".tmp");
    // Temporary files are private by default; the result is an ordinary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let tmp = builder.tempfile_in(dir).map_err(fail)?;
    let mut writer = BufWriter::new(tmp);
    fill(&mut writer).map_err(fail)?;
    let tmp = writer.into_inner().map_err(|e| fail(e.into_error()))?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(write_atomically(&path, |w| w.write_all(b"new")).is_ok());
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
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
