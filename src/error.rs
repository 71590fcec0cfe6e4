//! The library's error type: every message names the file, and the line where
//! there is one, and says what to do.

use std::path::PathBuf;

/// Everything that can go wrong in newsbait.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    // The cause is in the message, not a `source`, so that it is not printed
    // twice ("Caused by: ...") by error reporters that walk the chain.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        cause: std::io::Error,
    },

    /// An output file could not be written (no such directory, no permission,
    /// disk full); nothing was left at the path.
    #[error(
        "{}: cannot write: {cause}; check that the directory exists, is writable and has room, or choose another path",
        path.display()
    )]
    Write {
        /// The output path.
        path: PathBuf,
        /// What the system said.
        cause: std::io::Error,
    },

    /// A line or record of an input file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The input file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },

    /// The training set cannot give a model (empty, one label, no usable text).
    #[error("{}: {message}", path.display())]
    TrainingData {
        /// The training file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// A model file is not a model, is damaged, or is of another format version.
    #[error("{}: {message}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// A setting is out of range.
    #[error("invalid setting: {0}")]
    Settings(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause: source,
        }
    }

    /// A parse error at 1-based `line` of `path`.
    pub fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
