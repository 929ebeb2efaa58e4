//! The history store against real files: HTCondor's format, newest-first
//! streaming over a large file, cut-short appends, garbage.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use classad::{ClassAd, Value};
use jobqueue::{History, JobId, JobSpec, NewestFirst, QueueError};

fn finished(cluster: i64, proc: i64) -> ClassAd {
    let cl = Arc::new(
        ClassAd::parse(&format!(
            r#"[ ClusterId = {cluster}; Owner = "alice"; Cmd = "/bin/echo"; Args = "a \"quoted\" b\\c";
                 Requirements = TARGET.Memory >= RequestMemory && (OpSys == "LINUX"); RequestMemory = 128;
                 Env = {{ "A=1", "B=2" }}; Nested = [ x = 1.5; y = "z" ] ]"#
        ))
        .unwrap(),
    );
    let mut ad = ClassAd::new();
    ad.insert_value("ProcId", Value::Int(proc));
    ad.insert_value("JobStatus", Value::Int(4));
    ad.insert_value("CompletionDate", Value::Int(1_700_000_000 + proc));
    ad.insert_value("RemoteWallClockTime", Value::Real(1.25));
    ad.insert_value("ExitCode", Value::Int(0));
    ad.chain_to(cl);
    ad
}

fn id(ad: &ClassAd) -> (i64, i64) {
    (ad.eval_attr("ClusterId").as_int().unwrap_or(-1), ad.eval_attr("ProcId").as_int().unwrap_or(-1))
}

#[test]
fn ads_come_back_newest_first_with_htcondor_banners() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let mut h = History::open(&path).unwrap();
    h.append(&[finished(1, 0), finished(1, 1)]).unwrap();
    h.append(&[finished(2, 0)]).unwrap();

    let got: Vec<ClassAd> = h.newest_first().unwrap().map(|a| a.unwrap()).collect();
    assert_eq!(got.iter().map(id).collect::<Vec<_>>(), vec![(2, 0), (1, 1), (1, 0)]);
    // The merged view was written: cluster attributes are in each ad.
    let first = &got[2];
    assert_eq!(first.eval_attr("Cmd"), Value::string("/bin/echo"));
    assert_eq!(first.eval_attr("Args"), finished(1, 0).eval_attr("Args"));
    assert_eq!(first.eval_attr("RemoteWallClockTime"), Value::Real(1.25));
    assert_eq!(first.get("Requirements").unwrap().to_new_string(), finished(1, 0).get("Requirements").unwrap().to_new_string());
    assert_eq!(first.get("Nested").unwrap().to_new_string(), finished(1, 0).get("Nested").unwrap().to_new_string());

    // Banner lines as HTCondor's schedd writes them; Offset points at the previous banner.
    let text = std::fs::read_to_string(&path).unwrap();
    let banners: Vec<(usize, &str)> = text
        .lines()
        .scan(0usize, |at, l| {
            let start = *at;
            *at += l.len() + 1;
            Some((start, l))
        })
        .filter(|(_, l)| l.starts_with("***"))
        .collect();
    assert_eq!(banners.len(), 3);
    let fields = |l: &str| -> Vec<String> { l.split(' ').map(str::to_string).collect() };
    let b1 = fields(banners[1].1);
    assert_eq!(&b1[..4], ["***", "Offset", "=", &banners[0].0.to_string()]);
    assert_eq!(&b1[4..16], ["ClusterId", "=", "1", "ProcId", "=", "1", "Owner", "=", "\"alice\"", "CompletionDate", "=", "1700000001"]);
    assert_eq!(&b1[16..18], ["CurrentTime", "="]);
    assert!(b1[18].parse::<i64>().unwrap() > 1_700_000_000);
    assert!(banners[0].1.starts_with("*** Offset = 0 ClusterId = 1 ProcId = 0 "));
    assert_eq!(fields(banners[2].1)[3], banners[1].0.to_string());

    // Reopening continues the Offset chain.
    drop(h);
    let mut h = History::open(&path).unwrap();
    assert!(h.torn_tail().is_none());
    h.append(&[finished(3, 0)]).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let last = text.lines().last().unwrap();
    assert!(last.starts_with(&format!("*** Offset = {} ClusterId = 3 ", banners[2].0)), "{last}");
}

#[test]
fn newest_first_streams_a_large_file_from_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let mut h = History::open_with(&path, jobqueue::HistoryOptions { fsync: false, max_bytes: None, ..Default::default() }).unwrap();
    let n = 20_000i64;
    for batch in 0..(n / 1000) {
        let ads: Vec<ClassAd> = (0..1000).map(|p| finished(batch + 1, p)).collect();
        h.append(&ads).unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 5_000_000, "{size}");

    let mut it = h.newest_first().unwrap();
    let first: Vec<(i64, i64)> = it.by_ref().take(5).map(|a| id(&a.unwrap())).collect();
    assert_eq!(first, vec![(20, 999), (20, 998), (20, 997), (20, 996), (20, 995)]);
    assert!(it.bytes_read() < 200_000, "read {} bytes of {size} for 5 ads", it.bytes_read());

    let mut count = 5;
    let mut prev = (20, 995);
    for ad in it {
        let cur = id(&ad.unwrap());
        assert!(cur < prev, "{cur:?} after {prev:?}");
        prev = cur;
        count += 1;
    }
    assert_eq!(count, n);
    assert_eq!(prev, (1, 0));
}

#[test]
fn a_cut_short_append_is_set_aside_and_the_next_append_starts_clean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let mut h = History::open(&path).unwrap();
    h.append(&[finished(1, 0), finished(1, 1)]).unwrap();
    drop(h);
    let good = std::fs::read(&path).unwrap();
    // What a kill -9 in the middle of an append leaves: part of an ad, no banner.
    let partial = b"ClusterId = 1\nProcId = 2\nCmd = \"/bin/ec";
    std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(partial).unwrap();

    let mut h = History::open(&path).unwrap();
    let torn = h.torn_tail().unwrap().clone();
    assert_eq!(torn.bytes, partial.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), good);
    let saved = std::fs::read(&torn.saved_to).unwrap();
    assert!(saved.starts_with(partial));

    h.append(&[finished(1, 3)]).unwrap();
    let got: Vec<(i64, i64)> = h.newest_first().unwrap().map(|a| id(&a.unwrap())).collect();
    assert_eq!(got, vec![(1, 3), (1, 1), (1, 0)]);

    // A cut-short banner line counts as cut short too.
    std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"A = 1\n*** Offset = 5 Clus").unwrap();
    let h = History::open(&path).unwrap();
    assert_eq!(h.torn_tail().unwrap().bytes, 25);
    assert_eq!(h.newest_first().unwrap().count(), 3);
}

#[test]
fn a_file_that_is_not_history_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let garbage: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 256) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let e = History::open(&path).unwrap_err();
    assert!(matches!(e, QueueError::NotAHistory { .. }), "{e}");
    assert!(e.to_string().contains("HISTORY"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
    assert!(!Path::new(&format!("{}.torn", path.display())).exists());

    // Reading garbage newest-first gives errors, never a panic.
    for item in NewestFirst::open(&path).unwrap() {
        assert!(item.is_err());
    }
}

#[test]
fn a_malformed_ad_is_an_error_item_and_the_others_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let mut h = History::open(&path).unwrap();
    h.append(&[finished(1, 0)]).unwrap();
    drop(h);
    let banner = "*** Offset = 0 ClusterId = 1 ProcId = 1 Owner = \"alice\" CompletionDate = 0 CurrentTime = 0\n";
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(format!("ClusterId = 1\nProcId = (1 +\n{banner}").as_bytes())
        .unwrap();
    let mut h = History::open(&path).unwrap();
    assert!(h.torn_tail().is_none());
    h.append(&[finished(1, 2)]).unwrap();
    let items: Vec<Result<ClassAd, QueueError>> = h.newest_first().unwrap().collect();
    assert_eq!(items.len(), 3);
    assert_eq!(id(items[0].as_ref().unwrap()), (1, 2));
    let e = items[1].as_ref().unwrap_err();
    assert!(matches!(e, QueueError::HistoryParse { .. }), "{e}");
    assert!(e.to_string().contains("history"), "{e}");
    assert_eq!(id(items[2].as_ref().unwrap()), (1, 0));
}

#[test]
fn a_newline_in_a_string_stays_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let mut h = History::open(&path).unwrap();
    let mut ad = finished(1, 0);
    ad.insert_value("HoldReason", Value::string("line one\nline two"));
    h.append(&[ad]).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("HoldReason = \"line one\\nline two\"\n"), "{text}");
    let back = h.newest_first().unwrap().next().unwrap().unwrap();
    assert_eq!(back.eval_attr("ExitCode"), Value::Int(0));
    assert_eq!(back.eval_attr("HoldReason"), Value::string("line one\\nline two"));
}

/// Every ad we write parses with HTCondor's own old-syntax ClassAd parser
/// to the same attributes (differential test; needs `AERIE_PYTHON`, set by test.sh).
#[test]
fn htcondor_reads_the_ads_we_write() {
    let Ok(python) = std::env::var("AERIE_PYTHON") else {
        eprintln!("skipped: AERIE_PYTHON is not set (run ./test.sh for the differential tests)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let mut h = History::open(&path).unwrap();
    let ads = [finished(7, 0), finished(7, 1)];
    h.append(&ads).unwrap();
    let script = r#"
import sys, classad2
text = open(sys.argv[1]).read()
chunks, cur = [], []
for line in text.split("\n"):
    if line.startswith("***"):
        chunks.append("\n".join(cur)); cur = []
    elif line:
        cur.append(line)
for c in chunks:
    ad = classad2.parseOne(c, classad2.ParserType.Old)
    for k in ad.keys():
        print(k + "\t" + repr(ad.lookup(k)))
    print("")
"#;
    let out = std::process::Command::new(python).arg("-c").arg(script).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let theirs: Vec<&str> = stdout.split("\n\n").filter(|c| !c.trim().is_empty()).collect();
    assert_eq!(theirs.len(), ads.len());
    for (ad, chunk) in ads.iter().zip(theirs) {
        let mut t: Vec<(String, String)> = chunk
            .lines()
            .map(|l| {
                let (k, v) = l.split_once('\t').unwrap();
                (k.to_ascii_lowercase(), v.to_string())
            })
            .collect();
        let mut o: Vec<(String, String)> =
            ad.iter_all().map(|(n, e)| (n.to_ascii_lowercase(), e.to_new_string())).collect();
        t.sort();
        o.sort();
        assert_eq!(t, o);
    }
}

#[test]
fn a_filtered_read_keeps_only_the_jobs_and_owners_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let mut h = History::open_with(&path, jobqueue::HistoryOptions { fsync: false, max_bytes: None, ..Default::default() }).unwrap();
    for c in 1..=6 {
        let ads: Vec<ClassAd> = (0..4)
            .map(|p| {
                let mut ad = finished(c, p);
                ad.insert_value("Owner", Value::string(if c % 2 == 0 { "Bob" } else { "alice" }));
                ad
            })
            .collect();
        h.append(&ads).unwrap();
    }
    let read = |ids: &[JobSpec], owners: &[&str]| -> Vec<(i64, i64)> {
        let owners: Vec<String> = owners.iter().map(|o| o.to_string()).collect();
        h.newest_first_of(ids, &owners).unwrap().map(|a| id(&a.unwrap())).collect()
    };
    let j = |c, p| JobSpec::Job(JobId { cluster: c, proc: p });
    assert_eq!(read(&[JobSpec::Cluster(3)], &[]), vec![(3, 3), (3, 2), (3, 1), (3, 0)]);
    assert_eq!(read(&[j(5, 2), j(2, 0)], &[]), vec![(5, 2), (2, 0)]);
    assert_eq!(read(&[], &["bob"]).len(), 12);
    assert!(read(&[], &["BOB"]).iter().all(|(c, _)| c % 2 == 0));
    assert_eq!(read(&[JobSpec::Cluster(3), j(4, 1)], &["alice"]), vec![(3, 3), (3, 2), (3, 1), (3, 0)]);
    assert_eq!(read(&[], &["nobody"]), vec![]);
    assert_eq!(read(&[], &[]).len(), 24);
}

#[test]
fn the_file_rotates_like_htcondor_and_reads_go_through_the_rotated_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history");
    let opts = jobqueue::HistoryOptions { fsync: false, max_bytes: Some(30_000), max_rotations: 2 };
    let mut h = History::open_with(&path, opts).unwrap();
    let mut appended = Vec::new();
    for c in 1..=80 {
        let ads: Vec<ClassAd> = (0..5).map(|p| finished(c, p)).collect();
        appended.extend(ads.iter().map(id));
        h.append(&ads).unwrap();
    }
    let files = h.files();
    assert_eq!(files.len(), 3, "{files:?}");
    for f in &files[1..] {
        let name = f.file_name().unwrap().to_str().unwrap();
        let stamp = name.strip_prefix("history.").unwrap();
        assert!(stamp.len() == 15 && stamp.as_bytes()[8] == b'T', "{name}");
        assert!(std::fs::metadata(f).unwrap().len() <= 30_000);
    }
    assert!(files[1].file_name() > files[2].file_name(), "newest rotated file first: {files:?}");
    // Every file starts its Offset chain at 0.
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.lines().find(|l| l.starts_with("***")).unwrap().starts_with("*** Offset = 0 "), "{f:?}");
    }
    // Newest first across the files: a suffix of what was appended, reversed, with no gap.
    let got: Vec<(i64, i64)> = h.newest_first().unwrap().map(|a| id(&a.unwrap())).collect();
    assert!(got.len() > 20 && got.len() < appended.len(), "{}", got.len());
    let expected: Vec<(i64, i64)> = appended.iter().rev().take(got.len()).copied().collect();
    assert_eq!(got, expected);
    // A filtered read also goes through the rotated files.
    let oldest_kept = *got.last().unwrap();
    let one: Vec<(i64, i64)> = h
        .newest_first_of(&[JobSpec::Job(JobId { cluster: oldest_kept.0, proc: oldest_kept.1 })], &[])
        .unwrap()
        .map(|a| id(&a.unwrap()))
        .collect();
    assert_eq!(one, vec![oldest_kept]);
    // A reader without the History sees the same.
    let again: Vec<(i64, i64)> = NewestFirst::open_rotated(&path, &[], &[]).unwrap().map(|a| id(&a.unwrap())).collect();
    assert_eq!(again, got);
    // Reading one file alone (condor_history -file) sees only that file.
    assert!(NewestFirst::open(&path).unwrap().count() < got.len());
}
