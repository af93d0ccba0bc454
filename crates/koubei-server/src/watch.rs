//! The inbox folder (`koubei serve --watch DIR`): a file dropped there is imported as
//! `koubei import` would, then moved to `DIR/done/` or `DIR/failed/` with a report beside
//! it (`NAME.report.txt`: what was stored, skipped and rejected, and why).
//!
//! The folder is scanned every two seconds rather than watched for events, which also
//! works on network shares where no events arrive. A file is taken only once its size and
//! modification time held still between two scans, so that a copy in progress is never
//! read half-way. Hidden files and names ending in `.tmp`, `.part` or `.crdownload` are
//! left alone. A file that cannot be read at all goes to `failed/`; one with some bad rows
//! goes to `done/`, its report listing the rows. Importing the same file again adds
//! nothing: every review is stored once.
//!
//! Nothing is read or written outside the folder: links dropped in it are not followed,
//! a `done/` or `failed/` that is a link stops the inbox (logged) rather than be used, a
//! report never replaces an existing file, and a very long name is cut short in `done/`
//! so that the file and its report still fit the file system's limit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use koubei_ingest::ImportOptions;

use crate::AppState;
use crate::handlers::intake::{PushOutcome, ingest};

/// How often the folder is scanned.
const SCAN_EVERY: Duration = Duration::from_secs(2);
/// Suffixes of files still being written by their tools.
const PARTIAL: &[&str] = &[".tmp", ".part", ".crdownload", ".partial", ".swp"];

/// A file's size and modification time: equal in two scans, the file is complete.
type Signature = (u64, Option<SystemTime>);

/// Watches `dir` until `shutdown` completes.
pub async fn watch_folder(
    state: &AppState,
    dir: PathBuf,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut seen: HashMap<PathBuf, Signature> = HashMap::new();
    loop {
        match scan(&dir) {
            Ok(files) => {
                let mut still: HashMap<PathBuf, Signature> = HashMap::new();
                for (path, signature) in files {
                    if seen.get(&path) == Some(&signature) {
                        import_one(state, &dir, &path).await;
                    } else {
                        still.insert(path, signature);
                    }
                }
                seen = still;
            }
            Err(error) => {
                tracing::error!(dir = %dir.display(), %error, "cannot read the inbox folder");
            }
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(SCAN_EVERY) => {}
        }
    }
}

/// Imports every file now in `dir` (a scheduled folder import), each moved with its report.
pub async fn import_all(state: &AppState, dir: &Path) {
    match scan(dir) {
        Ok(files) => {
            for (path, _) in files {
                import_one(state, dir, &path).await;
            }
        }
        Err(error) => {
            tracing::error!(dir = %dir.display(), %error, "cannot read the import folder")
        }
    }
}

/// The files waiting in `dir`, with their size and modification time.
fn scan(dir: &Path) -> std::io::Result<Vec<(PathBuf, Signature)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        let lower = name.to_lowercase();
        if name.starts_with('.') || PARTIAL.iter().any(|s| lower.ends_with(s)) {
            continue;
        }
        let meta = entry.metadata()?;
        if meta.is_file() {
            files.push((entry.path(), (meta.len(), meta.modified().ok())));
        }
    }
    files.sort();
    Ok(files)
}

/// Removes the files in the inbox's `done/` and `failed/` that were last changed more than
/// `days` days ago (the dropped files keep the buyers' words unmasked, so the retention
/// setting covers them too); returns how many. Links and folders are left alone.
pub fn forget_old_files(dir: &Path, days: u32) -> std::io::Result<usize> {
    let limit = std::time::Duration::from_secs(u64::from(days) * 24 * 3600);
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for folder in ["done", "failed"] {
        let folder = dir.join(folder);
        if !std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            let old = meta
                .modified()
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > limit);
            if meta.is_file() && old {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// What a report's name adds to the name of the file it is about.
const REPORT_SUFFIX: &str = ".report.txt";

/// The longest name (in bytes) a file keeps in done/ or failed/: room is left for a
/// number and [`REPORT_SUFFIX`] under the 255 bytes file systems allow, so that a file
/// with a very long name is still moved and still gets its report.
const MAX_KEPT_NAME: usize = 200;

/// Imports one file and moves it with its report.
async fn import_one(state: &AppState, dir: &Path, path: &Path) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // Names are logged quoted (`?`): a line break in a name must not forge a log line.
    if let Err(reason) = own_folders(dir) {
        tracing::error!(file = ?name, %reason, "inbox file left where it is");
        return;
    }
    tracing::info!(file = ?name, "importing from the inbox");
    let opened = koubei_ingest::open(path, &ImportOptions::default());
    let (target, report) = match opened {
        Err(error) => ("failed", format!("{name}: not imported\n\n{error}\n")),
        Ok(reader) => match ingest(state, reader).await {
            Ok(outcome) => ("done", report_text(&name, &outcome)),
            Err(error) => (
                "failed",
                format!(
                    "{name}: stopped while importing (what was stored stays stored; put the file back to finish it)\n\n{error}\n"
                ),
            ),
        },
    };
    let folder = dir.join(target);
    let moved = std::fs::create_dir_all(&folder)
        .and_then(|()| {
            let destination = free_name(&folder, &name);
            std::fs::rename(path, &destination).map(|()| destination)
        })
        .and_then(|destination| {
            let mut report_path = destination.into_os_string();
            report_path.push(REPORT_SUFFIX);
            write_new(Path::new(&report_path), &report)
        });
    match moved {
        Ok(()) => tracing::info!(file = ?name, folder = target, "inbox file handled"),
        Err(error) => tracing::error!(file = ?name, %error, "cannot move the inbox file"),
    }
}

/// Checks that `done/` and `failed/` are the inbox's own folders (or not made yet): one
/// that is a link, or a file in its place, would carry files and reports out of the inbox
/// or fail every move, so the inbox waits until it is put right.
fn own_folders(dir: &Path) -> Result<(), String> {
    for name in ["done", "failed"] {
        let folder = dir.join(name);
        match std::fs::symlink_metadata(&folder) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(format!("{}: {error}", folder.display())),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a link; the inbox keeps done/ and failed/ inside itself",
                    folder.display()
                ));
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(format!("{} is not a folder", folder.display()));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// A name in `folder` for the file `name`, free together with its report: the name (cut
/// short when long), or that with a number added. A dangling link counts as taken.
fn free_name(folder: &Path, name: &str) -> PathBuf {
    let kept = kept_name(name);
    let taken = |candidate: &str| {
        let report = format!("{candidate}{REPORT_SUFFIX}");
        [candidate, report.as_str()]
            .iter()
            .any(|n| std::fs::symlink_metadata(folder.join(n)).is_ok())
    };
    if !taken(&kept) {
        return folder.join(kept);
    }
    (1..)
        .map(|n| format!("{kept}.{n}"))
        .find(|candidate| !taken(candidate))
        .map_or_else(|| folder.join(&kept), |candidate| folder.join(candidate))
}

/// `name`, or when longer than [`MAX_KEPT_NAME`] bytes its start, `…` and its extension
/// (if it has a short one), so that the file still opens with the right program.
fn kept_name(name: &str) -> String {
    if name.len() <= MAX_KEPT_NAME {
        return name.to_string();
    }
    let extension = name
        .rfind('.')
        .map(|at| &name[at..])
        .filter(|e| e.len() <= 16)
        .unwrap_or("");
    let mut cut = MAX_KEPT_NAME - extension.len() - '…'.len_utf8();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…{extension}", &name[..cut])
}

/// Writes a file that must not exist yet: never through a link, never over another file.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn report_text(name: &str, outcome: &PushOutcome) -> String {
    let mut text = format!(
        "{name}: read {} records; stored {}, already stored {}, rejected {}, flagged {}; alerts raised {}\n",
        outcome.received,
        outcome.stored,
        outcome.duplicates,
        outcome.rejected.len(),
        outcome.flagged,
        outcome.alerts
    );
    if !outcome.rejected.is_empty() {
        text.push_str("\nrejected rows:\n");
        for r in &outcome.rejected {
            text.push_str(&format!("  {}\n", r.error));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_removes_old_inbox_files_only() {
        let dir = tempfile::tempdir().expect("dir");
        let ten_days_ago =
            std::time::SystemTime::now() - std::time::Duration::from_secs(10 * 24 * 3600);
        for (folder, name, old) in [
            ("done", "old.csv", true),
            ("done", "new.csv", false),
            ("failed", "old.json", true),
        ] {
            let folder = dir.path().join(folder);
            std::fs::create_dir_all(&folder).expect("folder");
            let file = std::fs::File::create(folder.join(name)).expect("file");
            if old {
                file.set_modified(ten_days_ago).expect("mtime");
            }
        }
        assert_eq!(forget_old_files(dir.path(), 7).expect("forget"), 2);
        assert!(dir.path().join("done/new.csv").exists());
        assert!(!dir.path().join("done/old.csv").exists());
    }
}
