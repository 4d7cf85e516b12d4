//! `fetch --out DIR`: every document as a file, and `manifest.json`. Each file is written to a
//! temporary name beside it and renamed over the old one (atomic), and only when its bytes
//! change, so re-running on an unchanged account touches nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::LivePolicies;

pub const MANIFEST: &str = "manifest.json";

/// Writes the documents and the manifest under `dir`; returns the paths written or kept.
pub fn write_out(live: &LivePolicies, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for d in &live.documents {
        let path = dir.join(&d.file);
        let mut text = d.document.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        write_atomic(&path, text.as_bytes())?;
        paths.push(path);
    }
    let manifest = serde_json::to_string_pretty(&live.manifest(false))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let path = dir.join(MANIFEST);
    write_atomic(&path, format!("{manifest}\n").as_bytes())?;
    paths.push(path);
    Ok(paths)
}

/// Replaces `path` with `bytes` atomically; leaves it alone when it already holds them.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_keeps_identical_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.json");
        write_atomic(&p, b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        let before = std::fs::metadata(&p).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_atomic(&p, b"one").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), before);
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }
}
