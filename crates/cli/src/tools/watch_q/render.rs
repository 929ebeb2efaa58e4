//! What `condor_watch_q` draws: the table (one row per batch, log or
//! cluster, with a progress bar), the total progress bar, the summary line
//! and the "Updated at" line, laid out as HTCondor's `condor_watch_q` lays
//! them out.

use std::collections::BTreeMap;

/// A job's state as the tool tracks it from events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Removed,
    Held,
    Suspended,
    Idle,
    Input,
    Run,
    Output,
    Done,
}

impl State {
    /// Column order of the table.
    pub const ORDER: [State; 8] = [State::Removed, State::Held, State::Suspended, State::Idle, State::Input, State::Run, State::Output, State::Done];

    pub fn header(self) -> &'static str {
        match self {
            State::Removed => "REMOVED",
            State::Held => "HELD",
            State::Suspended => "SUSPENDED",
            State::Idle => "IDLE",
            State::Input => "INPUT",
            State::Run => "RUN",
            State::Output => "OUTPUT",
            State::Done => "DONE",
        }
    }

    /// Still in the queue (`-exit …,active`).
    pub fn active(self) -> bool {
        !matches!(self, State::Removed | State::Done)
    }

    /// The state an event number moves a job to (HTCondor's transitions).
    pub fn after_event(number: u32) -> Option<State> {
        match number {
            0 | 4 | 7 | 11 | 13 | 25 => Some(State::Idle),
            1 => Some(State::Run),
            5 => Some(State::Done),
            9 => Some(State::Removed),
            10 => Some(State::Suspended),
            12 => Some(State::Held),
            _ => None,
        }
    }

    fn bar_char(self) -> char {
        match self {
            State::Idle => '-',
            State::Input | State::Output => '>',
            State::Run => '=',
            State::Done => '#',
            State::Held | State::Suspended | State::Removed => '!',
        }
    }
}

/// The order of the parts of a progress bar.
const BAR_ORDER: [State; 8] = [State::Idle, State::Input, State::Run, State::Output, State::Done, State::Held, State::Suspended, State::Removed];

/// One row: counts by state, the total, and the active job ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub key: String,
    pub counts: BTreeMap<State, usize>,
    pub total: usize,
    pub job_ids: String,
}

impl Row {
    pub fn count(&self, s: State) -> usize {
        self.counts.get(&s).copied().unwrap_or(0)
    }
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct Layout {
    pub key_header: &'static str,
    pub table: bool,
    pub row_progress: bool,
    pub progress: bool,
    pub summary: bool,
    pub percentages: bool,
    pub updated_at: bool,
    pub columns: usize,
    pub rows: usize,
    pub color: bool,
}

/// `[==--##]` for these counts in `width` columns (at most 79).
pub fn progress_bar(counts: &BTreeMap<State, usize>, total: usize, width: usize, color: bool) -> String {
    let width = width.min(79).saturating_sub(2);
    let fractions: Vec<f64> =
        BAR_ORDER.iter().map(|s| if total == 0 { 0.0 } else { *counts.get(s).unwrap_or(&0) as f64 / total as f64 }).collect();
    let mut lengths: Vec<usize> = fractions.iter().map(|f| (width as f64 * f) as usize).collect();
    let used: usize = lengths.iter().sum();
    // The rounded-off space goes to the longest part (the first of equals).
    let mut longest = 0;
    for (i, l) in lengths.iter().enumerate() {
        if *l > lengths[longest] {
            longest = i;
        }
    }
    lengths[longest] += width.saturating_sub(used);
    let mut bar = String::from("[");
    for (s, n) in BAR_ORDER.iter().zip(lengths) {
        if n == 0 {
            continue;
        }
        let part: String = std::iter::repeat_n(s.bar_char(), n).collect();
        if color {
            let code = match s {
                State::Idle => "93",
                State::Done => "32",
                State::Held | State::Suspended | State::Removed => "31",
                _ => "36",
            };
            bar.push_str(&format!("\x1b[{code}m{part}\x1b[0m"));
        } else {
            bar.push_str(&part);
        }
    }
    bar.push(']');
    bar
}

/// The summary line (`Total: 5 jobs; 3 completed, 2 idle`), shortening the
/// words until it fits `width`.
pub fn summary(totals: &BTreeMap<State, usize>, total: usize, width: usize, percentages: bool) -> String {
    let c = |s: State| totals.get(&s).copied().unwrap_or(0);
    let parts = [
        (c(State::Done), "completed"),
        (c(State::Removed), "removed"),
        (c(State::Idle), "idle"),
        (c(State::Input) + c(State::Run) + c(State::Output), "running"),
        (c(State::Held), "held"),
        (c(State::Suspended), "suspended"),
    ];
    if percentages {
        let pct = |n: usize| if total == 0 || n == 0 { 0 } else { (100.0 * n as f64 / total as f64).round() as usize };
        return format!("Total: {total} jobs; {}", parts.iter().map(|(n, w)| format!("{}% {w}", pct(*n))).collect::<Vec<_>>().join(", "));
    }
    let mut strip = 11;
    loop {
        strip -= 1;
        let line = format!(
            "Total: {total} jobs; {}",
            parts.iter().filter(|(n, _)| *n > 0).map(|(n, w)| format!("{n} {}", &w[..w.len().min(strip)])).collect::<Vec<_>>().join(", ")
        );
        if line.len() <= width || strip <= 2 {
            return line;
        }
    }
}

fn color_of(row: &Row) -> &'static str {
    if row.count(State::Held) > 0 {
        "31"
    } else if row.count(State::Done) == row.total {
        "32"
    } else if row.count(State::Run) > 0 {
        "36"
    } else if row.count(State::Idle) > 0 {
        "33"
    } else {
        "97"
    }
}

/// The table: a header and one line per row (cells joined by two spaces,
/// `-` for zero counts, a progress bar when there is room).
pub fn table(rows: &[Row], layout: &Layout) -> Vec<String> {
    // Columns: the key, the states some row has (IDLE, RUN and DONE always),
    // TOTAL and JOB_IDS (blank when no job of the row is active).
    let states: Vec<State> = State::ORDER
        .into_iter()
        .filter(|s| matches!(s, State::Idle | State::Run | State::Done) || rows.iter().any(|r| r.count(*s) > 0))
        .collect();
    let mut headers: Vec<(&str, bool)> = vec![(layout.key_header, false)];
    headers.extend(states.iter().map(|s| (s.header(), true)));
    headers.push(("TOTAL", true));
    headers.push(("JOB_IDS", false));
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut v = vec![format!("{} ", r.key)];
            for s in &states {
                let n = r.count(*s);
                v.push(if n == 0 { "- ".to_string() } else { format!("{n} ") });
            }
            v.push(if r.total == 0 { "- ".into() } else { format!("{} ", r.total) });
            v.push(format!("{} ", r.job_ids));
            v
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|(h, _)| h.len()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let align = |text: &str, w: usize, right: bool| if right { format!("{text:>w$}") } else { format!("{text:<w$}") };
    let header = headers.iter().zip(&widths).map(|((h, r), w)| align(h, *w, *r)).collect::<Vec<_>>().join("  ").trim_end().to_string();
    let mut lines: Vec<String> =
        cells.iter().map(|row| row.iter().zip(headers.iter().zip(&widths)).map(|(c, ((_, r), w))| align(c, *w, *r)).collect::<Vec<_>>().join("  ")).collect();
    let remaining = layout.columns.saturating_sub(lines.first().map(|l| l.chars().count()).unwrap_or(0));
    for (line, row) in lines.iter_mut().zip(rows) {
        if layout.row_progress && remaining > 10 {
            line.push_str(&progress_bar(&row.counts, row.total, remaining, layout.color));
        } else {
            *line = line.chars().take(layout.columns).collect();
        }
        if layout.color {
            *line = format!("\x1b[{}m{line}\x1b[0m", color_of(row));
        }
    }
    let mut out = vec![header];
    out.extend(lines);
    out
}

/// The whole frame (without the trailing hints).
pub fn frame(rows: &[Row], layout: &Layout, now: &str) -> String {
    let mut totals: BTreeMap<State, usize> = BTreeMap::new();
    let mut total = 0;
    for r in rows {
        total += r.total;
        for (s, n) in &r.counts {
            *totals.entry(*s).or_default() += n;
        }
    }
    let mut sections: Vec<String> = Vec::new();
    if layout.table {
        sections.extend(table(rows, layout));
        sections.push(String::new());
    }
    if layout.progress {
        sections.push(format!("Total Progress: {}", progress_bar(&totals, total, layout.columns.saturating_sub(16), layout.color)));
        sections.push(String::new());
    }
    if layout.summary {
        sections.push(summary(&totals, total, layout.columns, layout.percentages));
        sections.push(String::new());
    }
    if layout.updated_at {
        sections.push(format!("Updated at {now}"));
        sections.push(String::new());
    }
    if sections.len() > layout.rows {
        let mut keep: Vec<String> = sections[..layout.rows.saturating_sub(2)].to_vec();
        keep.pop();
        keep.push("Insufficient terminal height to display full output!".into());
        return keep.join("\n");
    }
    sections.pop();
    sections.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout { key_header: "BATCH", table: true, row_progress: true, progress: true, summary: true, percentages: false, updated_at: true, columns: 80, rows: 24, color: false }
    }

    fn row(key: &str, counts: &[(State, usize)], total: usize, ids: &str) -> Row {
        Row { key: key.into(), counts: counts.iter().copied().collect(), total, job_ids: ids.into() }
    }

    #[test]
    fn a_frame_has_the_table_bars_summary_and_time() {
        let rows = [row("sleepers", &[(State::Run, 1), (State::Idle, 1), (State::Done, 2)], 4, "2.0 ... 2.3"), row("ID: 3", &[(State::Done, 1)], 1, "")];
        let f = frame(&rows, &layout(), "2026-12-01 10:00:00");
        let lines: Vec<&str> = f.lines().collect();
        assert_eq!(lines[0], "BATCH      IDLE  RUN  DONE  TOTAL  JOB_IDS");
        // Counts are right-aligned under their headers, each cell followed by a space.
        let first = "sleepers     1    1     2      4   2.0 ... 2.3 ";
        assert!(lines[1].starts_with(first), "{:?}", lines[1]);
        // The bar fills what is left of 80 columns: 1/4 idle, 1/4 running, 1/2 done.
        let bar = &lines[1][first.len()..];
        let inner = 80 - first.len() - 2;
        assert_eq!(bar.len(), inner + 2);
        assert_eq!(bar.matches('-').count(), inner / 4);
        assert_eq!(bar.matches('=').count(), inner / 4);
        assert_eq!(bar.matches('#').count(), inner - 2 * (inner / 4), "the rounding goes to the longest part");
        assert!(lines[2].starts_with("ID: 3        -    -     1      1               ["), "{:?}", lines[2]);
        assert_eq!(lines[3], "");
        assert!(lines[4].starts_with("Total Progress: [") && lines[4].len() == 16 + 64);
        assert_eq!(lines[6], "Total: 5 jobs; 3 completed, 1 idle, 1 running");
        assert_eq!(lines[8], "Updated at 2026-12-01 10:00:00");
        assert_eq!(lines.len(), 9);
    }

    #[test]
    fn held_columns_appear_when_a_row_has_held_jobs_and_words_shrink_to_fit() {
        let rows = [row("b", &[(State::Held, 2)], 2, "1.0, 1.1")];
        let t = table(&rows, &layout());
        assert_eq!(t[0], "BATCH  HELD  IDLE  RUN  DONE  TOTAL  JOB_IDS");
        let totals: BTreeMap<State, usize> = [(State::Done, 1000), (State::Idle, 2000), (State::Held, 5)].into_iter().collect();
        assert_eq!(summary(&totals, 3005, 80, false), "Total: 3005 jobs; 1000 completed, 2000 idle, 5 held");
        assert_eq!(summary(&totals, 3005, 40, false), "Total: 3005 jobs; 1000 co, 2000 id, 5 he");
    }

    #[test]
    fn events_move_jobs_between_states() {
        assert_eq!(State::after_event(0), Some(State::Idle));
        assert_eq!(State::after_event(1), Some(State::Run));
        assert_eq!(State::after_event(12), Some(State::Held));
        assert_eq!(State::after_event(13), Some(State::Idle));
        assert_eq!(State::after_event(9), Some(State::Removed));
        assert_eq!(State::after_event(6), None);
    }
}
