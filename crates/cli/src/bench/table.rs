//! Plain-text tables and the statistics the benchmarks print.

use std::time::Duration;

/// A table printed with its columns aligned: the first column left, the
/// others right.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table { header: header.iter().map(|s| s.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let cols = self.header.len().max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let mut width = vec![0usize; cols];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            for (i, c) in r.iter().enumerate() {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        for r in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, w) in width.iter().enumerate() {
                let c = r.get(i).map(String::as_str).unwrap_or("");
                let pad = w - c.chars().count();
                if i == 0 {
                    line.push_str(c);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(c);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    pub fn print(&self) {
        print!("{}", self.render());
    }
}

pub fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// `jobs` per second over `d` (0 when no time passed).
pub fn rate(jobs: usize, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 {
        jobs as f64 / s
    } else {
        0.0
    }
}

/// A rate with the digits that matter: `2900`, `38.4`, `2.50`.
pub fn fmt_rate(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}")
    } else if r >= 10.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}

/// The `p`-th percentile (0–100) of sorted samples, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// p50, p99, min, max and mean of a set of samples.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub n: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub min: Duration,
    pub max: Duration,
    pub mean: Duration,
}

impl Spread {
    pub fn of(samples: &[Duration]) -> Spread {
        let mut s = samples.to_vec();
        s.sort();
        let total: Duration = s.iter().sum();
        Spread {
            n: s.len(),
            p50: percentile(&s, 50.0),
            p99: percentile(&s, 99.0),
            min: s.first().copied().unwrap_or_default(),
            max: s.last().copied().unwrap_or_default(),
            mean: if s.is_empty() { Duration::ZERO } else { total / s.len() as u32 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_numbers_align_right() {
        let mut t = Table::new(&["what", "jobs/s"]);
        t.row(vec!["spawn floor".into(), "2900".into()]);
        t.row(vec!["aerie".into(), "15".into()]);
        assert_eq!(t.render(), "what         jobs/s\nspawn floor    2900\naerie            15\n");
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&s, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&s[..1], 99.0), Duration::from_millis(1));
        let sp = Spread::of(&[Duration::from_millis(30), Duration::from_millis(10), Duration::from_millis(20)]);
        assert_eq!((sp.p50, sp.min, sp.max, sp.mean), (Duration::from_millis(20), Duration::from_millis(10), Duration::from_millis(30), Duration::from_millis(20)));
    }
}
