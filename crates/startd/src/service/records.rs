//! The claim records: which claims exist and which schedd holds each, so a
//! restarted startd can tell those schedds their claims are gone.

use std::path::Path;

use proto::address::Address;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Record {
    claim_id: String,
    schedd: Address,
}

/// Write the records (atomically: a temporary file, then rename).
pub fn save(path: &Path, claims: &[(String, Address)]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let records: Vec<Record> = claims.iter().map(|(c, s)| Record { claim_id: c.clone(), schedd: s.clone() }).collect();
    let text = serde_json::to_vec(&records).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Read the records; a missing or unreadable file means none.
pub fn load(path: &Path) -> Vec<(String, Address)> {
    let Ok(text) = std::fs::read(path) else { return Vec::new() };
    match serde_json::from_slice::<Vec<Record>>(&text) {
        Ok(v) => v.into_iter().map(|r| (r.claim_id, r.schedd)).collect(),
        Err(e) => {
            tracing::warn!("ignoring unreadable claim records {}: {e}", path.display());
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let d = tempfile_dir();
        let p = d.join("claims.json");
        assert!(load(&p).is_empty());
        let claims = vec![("c1".to_string(), Address::Unix("/s.sock".into()))];
        save(&p, &claims).unwrap();
        assert_eq!(load(&p), claims);
        std::fs::write(&p, "garbage").unwrap();
        assert!(load(&p).is_empty());
        let _ = std::fs::remove_dir_all(d);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("aerie-records-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
