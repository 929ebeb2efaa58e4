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
//! An append that was cut short (the process killed mid-write) leaves a
//! partial ad after the last banner. [`History::open`] moves such a tail to
//! `PATH.torn` and truncates the file back to its last complete ad, so the
//! next append starts clean; nothing is thrown away.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use classad::{ClassAd, Value};
use proto::job::JobSpec;

use crate::QueueError;

const CHUNK: usize = 64 * 1024;

/// Options for [`History::open_with`].
#[derive(Debug, Clone, Copy)]
pub struct HistoryOptions {
    /// fsync after every append (default): an appended ad survives a power loss.
    pub fsync: bool,
}

impl Default for HistoryOptions {
    fn default() -> HistoryOptions {
        HistoryOptions { fsync: true }
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
        let (last_banner, complete_end) = find_last_banner(&file, len).map_err(io("reading the history file"))?;
        let mut torn = None;
        if complete_end < len {
            let tail_len = len - complete_end;
            let mut tail = vec![0u8; tail_len as usize];
            file.read_exact_at(&mut tail, complete_end).map_err(io("reading the history file"))?;
            if !looks_like_ad_lines(&tail) {
                return Err(QueueError::NotAHistory {
                    path: path.to_path_buf(),
                    reason: format!(
                        "its last {tail_len} bytes are neither ads nor `***` banner lines; is HISTORY pointing at the right file?"
                    ),
                });
            }
            let saved_to = PathBuf::from(format!("{}.torn", path.display()));
            let mut side = OpenOptions::new()
                .append(true)
                .create(true)
                .open(&saved_to)
                .map_err(QueueError::io(&saved_to, "saving a cut-short history append"))?;
            side.write_all(&tail)
                .and_then(|_| if tail.ends_with(b"\n") { Ok(()) } else { side.write_all(b"\n") })
                .and_then(|_| side.sync_all())
                .map_err(QueueError::io(&saved_to, "saving a cut-short history append"))?;
            file.set_len(complete_end).map_err(io("truncating a cut-short append"))?;
            file.sync_all().map_err(io("truncating a cut-short append"))?;
            torn = Some(TornTail { bytes: tail_len, saved_to });
        }
        file.seek(SeekFrom::End(0)).map_err(io("opening the history file"))?;
        Ok(History { path: path.to_path_buf(), file, opts, last_banner, torn })
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
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        let io = |what| QueueError::io(&self.path, what);
        let start = self.file.seek(SeekFrom::End(0)).map_err(io("appending to the history file"))?;
        let mut out = String::with_capacity(ads.len() * 1024);
        let mut last_banner = self.last_banner;
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
        self.file.write_all(out.as_bytes()).map_err(io("appending to the history file"))?;
        if self.opts.fsync {
            self.file.sync_data().map_err(io("syncing the history file"))?;
        }
        self.last_banner = last_banner;
        Ok(())
    }

    /// The ads, newest first, read backwards from the end as the iterator
    /// advances. An ad that does not parse is an `Err` item; iteration goes
    /// on past it. Ads appended after this call are not seen.
    pub fn newest_first(&self) -> Result<NewestFirst, QueueError> {
        NewestFirst::open(&self.path)
    }

    /// [`History::newest_first`] over the ads of some jobs or owners only
    /// (`condor_history 12`, `condor_history alice`), deciding from each
    /// ad's banner line without parsing the ads left out.
    pub fn newest_first_of(&self, ids: &[JobSpec], owners: &[String]) -> Result<NewestFirst, QueueError> {
        NewestFirst::open_filtered(&self.path, ids, owners)
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

fn is_banner(line: &[u8]) -> bool {
    line.starts_with(b"***")
}

/// `(start of the last banner line, end of the last complete banner line)`,
/// both 0 when there is none.
fn find_last_banner(file: &File, len: u64) -> std::io::Result<(u64, u64)> {
    let mut lines = BackLines::new(file.try_clone()?, len)?;
    while let Some((at, line)) = lines.next_line()? {
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

/// True when every complete line of `tail` looks like `Name = value` (a
/// cut-short ad), so it is safe to set it aside.
fn looks_like_ad_lines(tail: &[u8]) -> bool {
    let mut lines: Vec<&[u8]> = tail.split(|&b| b == b'\n').collect();
    if !tail.ends_with(b"\n") {
        lines.pop(); // the cut-short last line may be anything
    }
    lines.iter().filter(|l| !l.is_empty()).all(|l| {
        let l = String::from_utf8_lossy(l);
        match l.split_once(" = ") {
            Some((name, _)) => {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            }
            None => false,
        }
    })
}

/// Lines of a file from the last to the first, read in chunks from the end.
struct BackLines {
    file: File,
    /// File offset of `buf[0]`.
    pos: u64,
    /// Unreturned bytes `[pos, pos + buf.len())`, without the newline that ends the last of them.
    buf: Vec<u8>,
    done: bool,
    read: u64,
}

impl BackLines {
    fn new(file: File, len: u64) -> std::io::Result<BackLines> {
        let mut b = BackLines { file, pos: len, buf: Vec::new(), done: len == 0, read: 0 };
        b.fill()?;
        if b.buf.last() == Some(&b'\n') {
            b.buf.pop();
        }
        Ok(b)
    }

    /// Read the chunk before `pos` in front of `buf`.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.pos == 0 {
            return Ok(false);
        }
        let want = (CHUNK.max(self.buf.len())) as u64;
        let n = want.min(self.pos);
        let start = self.pos - n;
        let mut chunk = vec![0u8; n as usize];
        self.file.read_exact_at(&mut chunk, start)?;
        self.read += n;
        chunk.extend_from_slice(&self.buf);
        self.buf = chunk;
        self.pos = start;
        Ok(true)
    }

    /// The previous line and its file offset.
    fn next_line(&mut self) -> std::io::Result<Option<(u64, Vec<u8>)>> {
        if self.done {
            return Ok(None);
        }
        loop {
            if let Some(k) = self.buf.iter().rposition(|&b| b == b'\n') {
                let line = self.buf[k + 1..].to_vec();
                self.buf.truncate(k);
                return Ok(Some((self.pos + k as u64 + 1, line)));
            }
            if !self.fill()? {
                self.done = true;
                let line = std::mem::take(&mut self.buf);
                return Ok(Some((0, line)));
            }
        }
    }
}

/// Iterator over a history file's ads, newest first (see [`History::newest_first`]).
pub struct NewestFirst {
    path: PathBuf,
    lines: BackLines,
    finished: bool,
    /// The ad whose lines come next: where it ends, and whether its banner says to skip it.
    current: Option<(u64, bool)>,
    ids: Vec<JobSpec>,
    owners: Vec<String>,
}

impl NewestFirst {
    /// Read any history file (also one written by HTCondor) newest first.
    pub fn open(path: &Path) -> Result<NewestFirst, QueueError> {
        NewestFirst::open_filtered(path, &[], &[])
    }

    /// Like [`NewestFirst::open`], but skip (without parsing) the ads whose
    /// banner line names a job outside `ids` or an owner outside `owners`
    /// (either list empty: no limit), as `condor_history` does. Ads whose
    /// banner does not say are kept, so check the ads too when the file
    /// may come from elsewhere.
    pub fn open_filtered(path: &Path, ids: &[JobSpec], owners: &[String]) -> Result<NewestFirst, QueueError> {
        let file = File::open(path).map_err(QueueError::io(path, "opening the history file"))?;
        let len = file.metadata().map_err(QueueError::io(path, "reading the history file"))?.len();
        let lines = BackLines::new(file, len).map_err(QueueError::io(path, "reading the history file"))?;
        Ok(NewestFirst {
            path: path.to_path_buf(),
            lines,
            finished: false,
            current: None,
            ids: ids.to_vec(),
            owners: owners.to_vec(),
        })
    }

    /// Bytes read from the file so far (reading stops as soon as the caller does).
    pub fn bytes_read(&self) -> u64 {
        self.lines.read
    }

    /// False when the banner names a job or owner the filter leaves out.
    fn wanted(&self, banner: &[u8]) -> bool {
        if self.ids.is_empty() && self.owners.is_empty() {
            return true;
        }
        let b = Banner::parse(banner);
        let id_ok = self.ids.is_empty()
            || b.cluster.is_none()
            || self.ids.iter().any(|s| match *s {
                JobSpec::Cluster(c) => Some(c) == b.cluster,
                JobSpec::Job(j) => Some(j.cluster) == b.cluster && b.proc.is_none_or_eq(j.proc),
            });
        let owner_ok = self.owners.is_empty()
            || b.owner.is_none()
            || self.owners.iter().any(|o| b.owner.is_some_and(|bo| bo.eq_ignore_ascii_case(o)));
        id_ok && owner_ok
    }
}

trait NoneOrEq {
    fn is_none_or_eq(&self, v: i64) -> bool;
}

impl NoneOrEq for Option<i64> {
    fn is_none_or_eq(&self, v: i64) -> bool {
        match self {
            Some(x) => *x == v,
            None => true,
        }
    }
}

/// What a banner line says about the ad before it.
struct Banner<'a> {
    cluster: Option<i64>,
    proc: Option<i64>,
    owner: Option<&'a str>,
}

impl<'a> Banner<'a> {
    /// `*** Key = Value Key = Value …`; unknown or malformed fields are ignored.
    fn parse(line: &'a [u8]) -> Banner<'a> {
        let mut b = Banner { cluster: None, proc: None, owner: None };
        let Ok(text) = std::str::from_utf8(line) else { return b };
        let toks: Vec<&str> = text.split_ascii_whitespace().collect();
        let mut i = 0;
        while i + 2 < toks.len() {
            if toks[i + 1] != "=" {
                i += 1;
                continue;
            }
            let (key, value) = (toks[i], toks[i + 2]);
            if key.eq_ignore_ascii_case("ClusterId") {
                b.cluster = value.parse().ok().filter(|c| *c > 0);
            } else if key.eq_ignore_ascii_case("ProcId") {
                b.proc = value.parse().ok().filter(|p| *p >= 0);
            } else if key.eq_ignore_ascii_case("Owner") {
                b.owner = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).filter(|o| !o.is_empty() && *o != "?");
            }
            i += 3;
        }
        b
    }
}

impl Iterator for NewestFirst {
    type Item = Result<ClassAd, QueueError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        // Lines of the ad being collected, last line first.
        let mut lines: Vec<Vec<u8>> = Vec::new();
        loop {
            let next = match self.lines.next_line() {
                Ok(n) => n,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(QueueError::io(&self.path, "reading the history file")(e)));
                }
            };
            match next {
                Some((at, line)) if is_banner(&line) => {
                    let next_ad = (at, !self.wanted(&line));
                    let this_ad = self.current.replace(next_ad);
                    if !lines.is_empty() {
                        return Some(self.parse(lines, this_ad.map_or(at, |c| c.0)));
                    }
                }
                Some((at, line)) => {
                    if line.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    let (_, skip) = *self.current.get_or_insert((at + line.len() as u64, false));
                    if !skip {
                        lines.push(line);
                    }
                }
                None => {
                    self.finished = true;
                    if lines.is_empty() {
                        return None;
                    }
                    return Some(self.parse(lines, self.current.map_or(0, |c| c.0)));
                }
            }
        }
    }
}

impl NewestFirst {
    fn parse(&self, mut lines: Vec<Vec<u8>>, end: u64) -> Result<ClassAd, QueueError> {
        lines.reverse();
        let mut text = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in lines {
            text.extend_from_slice(&l);
            text.push(b'\n');
        }
        let bad = |message: String| QueueError::HistoryParse { path: self.path.clone(), offset: end, message };
        let text = String::from_utf8(text).map_err(|e| bad(format!("the ad is not UTF-8 text ({e})")))?;
        ClassAd::parse_old(&text).map_err(|e| bad(e.to_string()))
    }
}
