//! Writing a state or a report: whole or not at all.
//!
//! A file is written to a temporary file in the target's folder, flushed and
//! synced, then renamed over the target, and the folder is synced: a crash
//! at any moment leaves either the old file or the new one, never a part.
//! On an error the temporary file is removed and an existing target is left
//! as it was. `-` is standard output.

use std::io::Write;
use std::path::Path;

use crate::Failure;

/// Writes `bytes` to `path` atomically, or to standard output for `-`.
pub fn output(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if path == Path::new("-") {
        return std::io::stdout()
            .lock()
            .write_all(bytes)
            .and_then(|()| std::io::stdout().lock().flush())
            .map_err(|e| Failure(format!("writing to standard output: {}", lower(&e))));
    }
    replace(path, bytes).map_err(|e| Failure(format!("{}: {}", path.display(), lower(&e))))
}

fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    // Dropped on any error below: the temporary file is then removed.
    let mut builder = tempfile::Builder::new();
    // A new file gets the permissions of any file the tool creates (0666
    // less the umask), a replaced one keeps its own.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temporary = builder
        .prefix(&{
            let mut prefix = std::ffi::OsString::from(".");
            prefix.push(name);
            prefix.push(".");
            prefix
        })
        .suffix(".partial")
        .tempfile_in(folder)?;
    if let Ok(existing) = std::fs::metadata(path) {
        temporary
            .as_file()
            .set_permissions(existing.permissions())?;
    }
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    // The rename itself reaches the disk once the folder is synced (not
    // every system can open a folder for that: then the rename stands).
    if let Ok(folder) = std::fs::File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// An I/O error's message in the tool's lower-case style.
fn lower(error: &std::io::Error) -> String {
    error.to_string().to_lowercase()
}
