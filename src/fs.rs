//! Files written so that a failure never leaves half a file or loses the one before.

use std::fs::File;
use std::io::{self, Write as _};
use std::path::Path;

/// A file that could not be written, and why.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

impl WriteError {
    pub fn new(path: &Path, source: io::Error) -> Self {
        Self {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`, so a failed or
/// interrupted write never leaves a half-written file and never destroys the previous one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomic`], for callers that produce the content while writing: `write` fills a
/// temporary file beside `path` (`.NAME.PID.tmp`, in the same directory so the rename cannot
/// cross file systems), which is synced and then renamed over `path`. If `write`, the sync or the
/// rename fails, the temporary file is removed and `path` keeps its previous content.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), WriteError> {
    let error = |source| WriteError {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = File::create(&temp)?;
        write(&mut file)?;
        // Synced before the rename: otherwise a crash soon after could leave the new name
        // pointing at a file whose data never reached the disk.
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(error)
}
