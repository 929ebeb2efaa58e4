//! [`History`]: the append-only store of finished job ads, in HTCondor's
//! history file format so that `condor_history -file` and people can read it.
//!
//! Each ad is written in old ClassAd syntax (one `Name = value` line per
//! attribute, the merged view of a chained ad), followed by a banner line
//! exactly as HTCondor's schedd writes it:
//!
//! ```text
//! *** Offset = 0 ClusterId = 12 ProcId = 0 Owner = "alice" CompletionDate = 1700000000 CurrentTime = 1700000001
//! ```
//!
//! `Offset` is the byte offset of the previous banner line (0 for the
//! first ad), `CurrentTime` the time of the append. Readers go backwards
//! from the end ([`History::newest_first`]), so the newest jobs come first
//! without reading the whole file.
//!
//! A string value holding a newline cannot be written in old syntax (the
//! format is one attribute per line): its newlines are written as the two
//! characters `\n` (and carriage returns as `\r`), which is what a reader of
//! the file sees.
//!
//! Like HTCondor's schedd, the file is rotated to `PATH.YYYYMMDDTHHMMSS`
//! when it would grow past [`HistoryOptions::max_bytes`], keeping
//! [`HistoryOptions::max_rotations`] old files; reads go through them.
//!
//! An append that was cut short (the process killed mid-write) leaves a
//! partial ad after the last banner. [`History::open`] moves such a tail to
//! `PATH.torn` and truncates the file back to its last complete ad, so the
//! next append starts clean; nothing is thrown away.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use classad::{ClassAd, Value};
use proto::job::JobSpec;

use crate::history_read::{is_banner, BackLines, MAX_LINE};

/// The most that can follow the last banner after a cut-short append
/// (one append's worth, even of 100,000 ads); more than that is not a torn
/// history append.
const MAX_TAIL: u64 = 1 << 30;
use crate::QueueError;

pub use crate::history_read::NewestFirst;

/// Options for [`History::open_with`]. The defaults are HTCondor's.
#[derive(Debug, Clone, Copy)]
pub struct HistoryOptions {
    /// fsync after every append (default): an appended ad survives a power loss.
    pub fsync: bool,
    /// Rotate the file before an append would make it larger than this
    /// (`MAX_HISTORY_LOG`, default 20 MiB); `None` never rotates
    /// (`ENABLE_HISTORY_ROTATION = false`).
    pub max_bytes: Option<u64>,
    /// How many rotated files to keep (`MAX_HISTORY_ROTATIONS`, default 2, at least 1).
    pub max_rotations: usize,
}

impl Default for HistoryOptions {
    fn default() -> HistoryOptions {
        HistoryOptions { fsync: true, max_bytes: Some(20 * 1024 * 1024), max_rotations: 2 }
    }
}

/// A cut-short append found (and set aside) by [`History::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// How many bytes followed the last complete ad.
    pub bytes: u64,
    /// Where they were saved.
    pub saved_to: PathBuf,
}

/// The job history file.
#[derive(Debug)]
pub struct History {
    path: PathBuf,
    file: File,
    opts: HistoryOptions,
    /// Where the last banner line starts (the next banner's `Offset`).
    last_banner: u64,
    /// The size of the file.
    len: u64,
    torn: Option<TornTail>,
}

impl History {
    /// Open or create the history file for appending.
    pub fn open(path: &Path) -> Result<History, QueueError> {
        History::open_with(path, HistoryOptions::default())
    }

    pub fn open_with(path: &Path, opts: HistoryOptions) -> Result<History, QueueError> {
        let io = |what| QueueError::io(path, what);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io("opening the history file"))?;
        let meta = file.metadata().map_err(io("reading the history file"))?;
        if !meta.is_file() {
            return Err(QueueError::NotAHistory { path: path.to_path_buf(), reason: "it is not a regular file".into() });
        }
        let len = meta.len();
        let not_history = |reason: String| QueueError::NotAHistory { path: path.to_path_buf(), reason };
        let (last_banner, complete_end) = find_last_banner(&file, len).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => not_history(e.to_string()),
            _ => io("reading the history file")(e),
        })?;
        let mut torn = None;
        if complete_end < len {
            let tail_len = len - complete_end;
            if tail_len > MAX_TAIL {
                return Err(not_history(format!(
                    "its last {tail_len} bytes hold no `***` banner line; is HISTORY pointing at the right file?"
                )));
            }
            let ads = tail_is_ad_lines(&file, complete_end, len).map_err(io("reading the history file"))?;
            if !ads {
                return Err(not_history(format!(
                    "its last {tail_len} bytes are neither ads nor `***` banner lines; is HISTORY pointing at the right file?"
                )));
            }
            let saved_to = PathBuf::from(format!("{}.torn", path.display()));
            let save = |side: &mut File| -> std::io::Result<()> {
                let mut src = file.try_clone()?;
                src.seek(SeekFrom::Start(complete_end))?;
                std::io::copy(&mut (&mut src).take(tail_len), side)?;
                let mut last = [0u8; 1];
                file.read_exact_at(&mut last, len - 1)?;
                if last[0] != b'\n' {
                    side.write_all(b"\n")?;
                }
                side.sync_all()
            };
            OpenOptions::new()
                .append(true)
                .create(true)
                .open(&saved_to)
                .and_then(|mut side| save(&mut side))
                .map_err(QueueError::io(&saved_to, "saving a cut-short history append"))?;
            file.set_len(complete_end).map_err(io("truncating a cut-short append"))?;
            file.sync_all().map_err(io("truncating a cut-short append"))?;
            torn = Some(TornTail { bytes: tail_len, saved_to });
        }
        let len = file.seek(SeekFrom::End(0)).map_err(io("opening the history file"))?;
        Ok(History { path: path.to_path_buf(), file, opts, last_banner, len, torn })
    }

    /// The history file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A cut-short append that [`History::open`] set aside, if there was one.
    pub fn torn_tail(&self) -> Option<&TornTail> {
        self.torn.as_ref()
    }

    /// Append finished job ads (oldest first). Durable when it returns
    /// (unless `fsync` is off); all of them are written with one `write`.
    pub fn append(&mut self, ads: &[ClassAd]) -> Result<(), QueueError> {
        if ads.is_empty() {
            return Ok(());
        }
        let (mut out, mut last_banner) = self.format(ads, self.len);
        if let Some(max) = self.opts.max_bytes {
            if self.len > 0 && self.len + out.len() as u64 > max {
                self.rotate()?;
                (out, last_banner) = self.format(ads, 0);
            }
        }
        let io = |what| QueueError::io(&self.path, what);
        self.file.write_all(out.as_bytes()).map_err(io("appending to the history file"))?;
        if self.opts.fsync {
            self.file.sync_data().map_err(io("syncing the history file"))?;
        }
        self.len += out.len() as u64;
        self.last_banner = last_banner;
        Ok(())
    }

    /// The text of `ads` appended at offset `start`, and where its last banner starts.
    fn format(&self, ads: &[ClassAd], start: u64) -> (String, u64) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        let mut out = String::with_capacity(ads.len() * 1024);
        let mut last_banner = if start == 0 { 0 } else { self.last_banner };
        for ad in ads {
            write_ad_lines(ad, &mut out);
            let banner_at = start + out.len() as u64;
            let int = |n: &str| match ad.eval_attr(n) {
                Value::Int(i) => i,
                _ => -1,
            };
            let owner = match ad.eval_attr("Owner") {
                Value::String(s) => s.replace(['"', '\n', '\r'], "?"),
                _ => "?".to_string(),
            };
            out.push_str(&format!(
                "*** Offset = {last_banner} ClusterId = {} ProcId = {} Owner = \"{owner}\" CompletionDate = {} CurrentTime = {now}\n",
                int("ClusterId"),
                int("ProcId"),
                int("CompletionDate"),
            ));
            last_banner = banner_at;
        }
        (out, last_banner)
    }

    /// Rename the file to `PATH.YYYYMMDDTHHMMSS` (local time, as HTCondor
    /// names rotated history files), dropping the oldest rotated files
    /// beyond `max_rotations`, and start a new file.
    fn rotate(&mut self) -> Result<(), QueueError> {
        let keep = self.opts.max_rotations.max(1);
        let mut old = rotated_files(&self.path);
        while old.len() >= keep {
            if let Some(oldest) = old.pop() {
                std::fs::remove_file(&oldest).map_err(QueueError::io(&oldest, "removing an old rotated history file"))?;
            }
        }
        // Names sort by time; a rotation within the same second as the
        // newest rotated file (or after a clock step back) takes the next second after it.
        const STAMP: &str = "%Y%m%dT%H%M%S";
        let mut when = chrono::Local::now().naive_local();
        let newest = old.first().and_then(|p| {
            let name = p.file_name()?.to_str()?;
            let stamp = &name[name.len().checked_sub(15)?..];
            chrono::NaiveDateTime::parse_from_str(stamp, STAMP).ok()
        });
        if let Some(newest) = newest {
            if when <= newest {
                when = newest + chrono::Duration::seconds(1);
            }
        }
        let target = loop {
            let t = PathBuf::from(format!("{}.{}", self.path.display(), when.format(STAMP)));
            if !t.exists() {
                break t;
            }
            when += chrono::Duration::seconds(1);
        };
        std::fs::rename(&self.path, &target).map_err(QueueError::io(&self.path, "rotating the history file"))?;
        self.file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(QueueError::io(&self.path, "opening the history file"))?;
        if self.opts.fsync {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = File::open(dir).and_then(|d| d.sync_all());
            }
        }
        self.len = 0;
        self.last_banner = 0;
        Ok(())
    }

    /// The ads, newest first, read backwards from the end as the iterator
    /// advances, then on into the rotated files, newest first. An ad that
    /// does not parse is an `Err` item; iteration goes on past it. Ads
    /// appended after this call are not seen.
    pub fn newest_first(&self) -> Result<NewestFirst, QueueError> {
        self.newest_first_of(&[], &[])
    }

    /// The file and its rotated files, newest first.
    pub fn files(&self) -> Vec<PathBuf> {
        History::files_at(&self.path)
    }

    /// The history file at `path` and its rotated files (`PATH.YYYYMMDDTHHMMSS`),
    /// newest first, for readers that do not hold the [`History`].
    pub fn files_at(path: &Path) -> Vec<PathBuf> {
        let mut files = vec![path.to_path_buf()];
        files.extend(rotated_files(path));
        files
    }

    /// [`History::newest_first`] over the ads of some jobs or owners only
    /// (`condor_history 12`, `condor_history alice`), deciding from each
    /// ad's banner line without parsing the ads left out.
    pub fn newest_first_of(&self, ids: &[JobSpec], owners: &[String]) -> Result<NewestFirst, QueueError> {
        NewestFirst::open_files(self.files(), ids, owners)
    }
}

/// `Name = value` lines of the merged view of `ad`.
fn write_ad_lines(ad: &ClassAd, out: &mut String) {
    for (name, expr) in ad.iter_all() {
        let value = expr.to_old_string();
        out.push_str(name);
        out.push_str(" = ");
        if value.contains(['\n', '\r']) {
            out.push_str(&value.replace('\n', "\\n").replace('\r', "\\r"));
        } else {
            out.push_str(&value);
        }
        out.push('\n');
    }
}

/// The rotated files of a history file (`PATH.YYYYMMDDTHHMMSS`), newest first.
fn rotated_files(path: &Path) -> Vec<PathBuf> {
    let Some(base) = path.file_name().and_then(|b| b.to_str()) else { return Vec::new() };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stamp = name.strip_prefix(base)?.strip_prefix('.')?;
            let b = stamp.as_bytes();
            let ok = b.len() == 15
                && b[8] == b'T'
                && b.iter().enumerate().all(|(i, c)| i == 8 || c.is_ascii_digit());
            ok.then(|| (stamp.to_string(), e.path()))
        })
        .collect();
    found.sort();
    found.into_iter().rev().map(|(_, p)| p).collect()
}

/// `(start of the last banner line, end of the last complete banner line)`,
/// both 0 when there is none.
fn find_last_banner(file: &File, len: u64) -> std::io::Result<(u64, u64)> {
    let mut lines = BackLines::new(file.try_clone()?, len)?;
    while let Some((at, line)) = lines.next_line()? {
        if len - at > MAX_TAIL {
            // Far more than one append without a banner: not ours to repair.
            return Ok((0, 0));
        }
        if is_banner(&line) {
            let end = at + line.len() as u64;
            // Only a banner ending in a newline is complete.
            let mut nl = [0u8; 1];
            if end < len && file.read_exact_at(&mut nl, end).is_ok() && nl[0] == b'\n' {
                return Ok((at, end + 1));
            }
        }
    }
    Ok((0, 0))
}

/// True when every complete line of the file from `start` to `end` looks
/// like `Name = value` (a cut-short ad), so it is safe to set it aside.
/// Reads in chunks, keeping only the start of each line.
fn tail_is_ad_lines(file: &File, start: u64, end: u64) -> std::io::Result<bool> {
    fn is_attr_line(head: &[u8]) -> bool {
        let Some(eq) = head.windows(3).position(|w| w == b" = ") else { return false };
        eq > 0 && head[..eq].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
    }
    const HEAD: usize = 1024;
    let mut head: Vec<u8> = Vec::with_capacity(HEAD);
    let mut line_len = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    let mut pos = start;
    while pos < end {
        let n = ((end - pos) as usize).min(buf.len());
        file.read_exact_at(&mut buf[..n], pos)?;
        pos += n as u64;
        for &b in &buf[..n] {
            if b == b'\n' {
                if line_len > 0 && !is_attr_line(&head) {
                    return Ok(false);
                }
                head.clear();
                line_len = 0;
            } else {
                line_len += 1;
                if line_len > MAX_LINE {
                    return Ok(false);
                }
                if head.len() < HEAD {
                    head.push(b);
                }
            }
        }
    }
    // The cut-short last line (no newline) may be anything.
    Ok(true)
}
