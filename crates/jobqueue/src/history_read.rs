//! Reading a history file newest first: lines backwards from the end in
//! chunks, grouped into ads at the `***` banner lines that end each ad.
//!
//! Only as much of the file is read as the caller consumes, so the newest
//! ads of a multi-gigabyte history come back at once. A banner line names
//! the job and owner of the ad before it; a filtered reader
//! ([`NewestFirst::open_filtered`]) skips the ads it leaves out without
//! parsing them, as `condor_history` does. Malformed ads are `Err` items
//! (naming the file and byte offset); reading goes on past them.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use classad::ClassAd;
use proto::job::JobSpec;

use crate::QueueError;

const CHUNK: usize = 64 * 1024;

/// No line of a history file is longer than this (a job ad's longest
/// attribute is far shorter); a longer one means the file is something else.
pub(crate) const MAX_LINE: usize = 64 * 1024 * 1024;

pub(crate) fn is_banner(line: &[u8]) -> bool {
    line.starts_with(b"***")
}

/// Lines of a file from the last to the first, read in chunks from the end.
pub(crate) struct BackLines {
    file: File,
    /// File offset of `buf[0]`.
    pos: u64,
    /// Unreturned bytes `[pos, pos + buf.len())`, without the newline that ends the last of them.
    buf: Vec<u8>,
    done: bool,
    read: u64,
}

impl BackLines {
    pub(crate) fn new(file: File, len: u64) -> std::io::Result<BackLines> {
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
        if self.buf.len() > MAX_LINE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a line of more than {} MiB before byte {}: this is not a history file", MAX_LINE >> 20, self.pos + self.buf.len() as u64),
            ));
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
    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<(u64, Vec<u8>)>> {
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

/// Iterator over history ads, newest first (see [`crate::History::newest_first`]),
/// through one or more files (a history file, then its rotated files).
pub struct NewestFirst {
    path: PathBuf,
    lines: BackLines,
    /// Older files still to read, next first.
    rest: Vec<PathBuf>,
    /// Bytes read from files already finished.
    read_before: u64,
    finished: bool,
    /// The ad whose lines come next: where it ends, and whether its banner says to skip it.
    current: Option<(u64, bool)>,
    ids: Vec<JobSpec>,
    owners: Vec<String>,
}

fn back_lines(path: &Path) -> Result<BackLines, QueueError> {
    let file = File::open(path).map_err(QueueError::io(path, "opening the history file"))?;
    let len = file.metadata().map_err(QueueError::io(path, "reading the history file"))?.len();
    BackLines::new(file, len).map_err(QueueError::io(path, "reading the history file"))
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
        NewestFirst::open_files(vec![path.to_path_buf()], ids, owners)
    }

    /// The history at `path` and then its rotated files, newest first, with
    /// the banner filter of [`NewestFirst::open_filtered`] (what
    /// `condor_history` reads; the reader needs no [`crate::History`]).
    pub fn open_rotated(path: &Path, ids: &[JobSpec], owners: &[String]) -> Result<NewestFirst, QueueError> {
        NewestFirst::open_files(crate::History::files_at(path), ids, owners)
    }

    /// Read several files one after the other, each newest first (pass
    /// them newest file first). A file that has vanished since (rotated
    /// away) is skipped; the first must exist.
    pub fn open_files(files: Vec<PathBuf>, ids: &[JobSpec], owners: &[String]) -> Result<NewestFirst, QueueError> {
        let mut rest = files;
        rest.reverse();
        let path = rest.pop().ok_or_else(|| QueueError::NotAHistory {
            path: PathBuf::from("(no file)"),
            reason: "no history file named".into(),
        })?;
        let lines = back_lines(&path)?;
        Ok(NewestFirst {
            path,
            lines,
            rest,
            read_before: 0,
            finished: false,
            current: None,
            ids: ids.to_vec(),
            owners: owners.to_vec(),
        })
    }

    /// Move on to the next older file; false when there is none.
    fn next_file(&mut self) -> bool {
        while let Some(path) = self.rest.pop() {
            if let Ok(lines) = back_lines(&path) {
                self.read_before += self.lines.read;
                self.lines = lines;
                self.path = path;
                self.current = None;
                return true;
            }
        }
        false
    }

    /// Bytes read from the file so far (reading stops as soon as the caller does).
    pub fn bytes_read(&self) -> u64 {
        self.read_before + self.lines.read
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
                    let end = self.current.map_or(0, |c| c.0);
                    let ad = (!lines.is_empty()).then(|| self.parse(lines, end));
                    let more = self.next_file();
                    if !more {
                        self.finished = true;
                    }
                    match ad {
                        Some(ad) => return Some(ad),
                        None if more => {
                            lines = Vec::new();
                            continue;
                        }
                        None => return None,
                    }
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
