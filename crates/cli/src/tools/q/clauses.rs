//! The clause-by-clause analysis of a `Requirements` expression that
//! `condor_q -better-analyze` prints: the expression pretty-printed over
//! lines, its numbered steps (`[2]    : [0] && [1]`), and how many slots
//! each step matches once the steps that do not decide the outcome are
//! pruned (`[0]           0  Memory > 100000000`).
//!
//! The numbering, constant folding and pruning rules are HTCondor's (its
//! `expr_analyze` library), so the step numbers and the conditions left
//! after pruning are the ones its users know.

use classad::{BinaryOp, ClassAd, Expr, Node, UnaryOp, Value};

/// What kind of logic a step combines (HTCondor's numbering: `!` 1, `||` 2, `&&` 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Logic {
    None,
    Not,
    Or,
    And,
}

/// One step of the expression.
#[derive(Debug, Clone)]
struct Step {
    tree: Expr,
    logic: Logic,
    left: Option<usize>,
    right: Option<usize>,
    /// The third operand of `?:`.
    grip: Option<usize>,
    /// The step this one reduces to (its outcome is exactly that step's).
    effective: Option<usize>,
    label: String,
    unparsed: String,
    /// Slots for which the step is true: as they are, and drained copies.
    matched: [u64; 2],
    /// `Some(true/false)` when the step does not depend on the slot.
    constant: Option<bool>,
    /// Depends on the time of evaluation (`time()`, `CurrentTime`).
    variable: bool,
    /// Pruned: does not decide the outcome.
    dont_care: bool,
}

impl Step {
    fn make_label(&self) -> Option<String> {
        match self.logic {
            Logic::None => None,
            Logic::Not => self.left.map(|l| format!(" ! [{l}]")),
            Logic::Or | Logic::And => {
                let op = if self.logic == Logic::Or { "||" } else { "&&" };
                Some(format!("[{}] {op} [{}]", ix(self.left), ix(self.right)))
            }
        }
    }

    fn label(&self) -> String {
        if !self.label.is_empty() {
            return self.label.clone();
        }
        if let Some(l) = self.make_label() {
            return l;
        }
        if !self.unparsed.is_empty() {
            return self.unparsed.clone();
        }
        "empty".to_string()
    }
}

fn ix(i: Option<usize>) -> String {
    i.map(|i| i.to_string()).unwrap_or_else(|| "-1".to_string())
}

/// `[N]` padded to `width + 2` characters (HTCondor's step labels).
fn step_label(index: usize, width: usize) -> String {
    let mut s = format!("[{index}]      ");
    s.truncate(width + 2);
    s
}

/// The steps of an expression, in HTCondor's evaluation order.
struct Steps<'a> {
    ad: &'a ClassAd,
    steps: Vec<Step>,
}

impl<'a> Steps<'a> {
    fn build(ad: &'a ClassAd, expr: &Expr) -> Steps<'a> {
        let mut s = Steps { ad, steps: Vec::new() };
        let mut varres = false;
        s.walk(expr, &mut varres, true);
        s
    }

    /// Number the sub-expressions worth evaluating on their own; returns
    /// the step `expr` reduces to.
    fn walk(&mut self, expr: &Expr, varres: &mut bool, must_store: bool) -> Option<usize> {
        let mut push = must_store;
        let mut logic = Logic::None;
        let mut children_store = false;
        let mut label = String::new();
        let mut kids: Vec<&Expr> = Vec::new();
        match expr.node() {
            Node::Literal(v) => label = classad::unparse::unparse_value_new(v),
            Node::Attr { name, .. } => {
                if name.as_str().eq_ignore_ascii_case("CurrentTime") {
                    *varres = true;
                }
            }
            Node::Select { base, .. } => kids.push(base),
            Node::Unary { op, arg } => {
                if *op == UnaryOp::Not {
                    logic = Logic::Not;
                    children_store = true;
                    push = true;
                }
                kids.push(arg);
            }
            Node::Binary { op, lhs, rhs } => {
                match op {
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Ne | BinaryOp::Eq | BinaryOp::Ge | BinaryOp::Gt | BinaryOp::Is | BinaryOp::Isnt => {
                        push = true
                    }
                    BinaryOp::And | BinaryOp::Or => {
                        logic = if *op == BinaryOp::And { Logic::And } else { Logic::Or };
                        children_store = true;
                        push = true;
                    }
                    BinaryOp::Elvis => {
                        // `MY.x ?: literal` is a default, not a condition.
                        if is_my_ref(lhs, self.ad) && matches!(skip_parens(rhs).node(), Node::Literal(_)) {
                            push = false;
                        }
                        if must_store {
                            push = true;
                        }
                    }
                    _ => {}
                }
                kids.push(lhs);
                kids.push(rhs);
            }
            Node::Ternary { cond, then, otherwise } => {
                kids.push(cond);
                kids.push(then);
                kids.push(otherwise);
            }
            Node::Paren(inner) => {
                push = false;
                children_store = true;
                kids.push(inner);
            }
            Node::Index { base, index } => {
                kids.push(base);
                kids.push(index);
            }
            Node::Call(c) => {
                if c.args.is_empty() && c.name.eq_ignore_ascii_case("time") {
                    *varres = true;
                }
                label = format!("{}()", c.name);
                if must_store {
                    let s = expr.to_new_string();
                    if !s.is_empty() {
                        label = s;
                    }
                }
            }
            Node::List(_) | Node::Ad(_) => {}
        }
        let mut results: Vec<Option<usize>> = Vec::with_capacity(kids.len());
        let mut kid_var = false;
        for k in &kids {
            let mut v = false;
            results.push(self.walk(k, &mut v, children_store));
            kid_var |= v;
        }
        *varres |= kid_var;
        let left = results.first().copied().flatten();
        let one_kid = kids.len() == 1;
        if push {
            if one_kid && left.is_some() {
                let me = left;
                // `!` takes over the step just made for its operand.
                if logic == Logic::Not && me == Some(self.steps.len() - 1) {
                    if let Some(last) = self.steps.last_mut() {
                        last.tree = expr.clone();
                        last.logic = Logic::Not;
                        if !last.label.is_empty() {
                            last.label.insert_str(0, "! ");
                        }
                    }
                }
                return me;
            }
            let me = self.steps.len();
            self.steps.push(Step {
                tree: expr.clone(),
                logic,
                left,
                right: results.get(1).copied().flatten(),
                grip: results.get(2).copied().flatten(),
                effective: None,
                label,
                unparsed: String::new(),
                matched: [0, 0],
                constant: None,
                variable: *varres,
                dont_care: false,
            });
            return Some(me);
        }
        if one_kid {
            return left;
        }
        None
    }

    /// The numbered steps as `condor_q -better-analyze` lists them.
    fn numbered(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.steps.iter().enumerate() {
            let clause = match s.make_label() {
                Some(l) => l,
                None => match s.left {
                    None => s.tree.to_new_string(),
                    Some(l) => format!("[{l}] {}", s.tree.to_new_string()),
                },
            };
            out.push_str(&format!("    {} : {clause}\n", step_label(i, 4)));
        }
        out
    }

    /// Mark which steps do not depend on the slot, and fold them.
    fn fold_constants(&mut self) {
        for s in self.steps.iter_mut() {
            s.unparsed = s.tree.to_new_string();
            if self.ad.external_refs(&s.tree).is_empty() {
                let v = self.ad.eval_expr(&s.tree, None);
                s.constant = Some(classad::ops::bool_equiv(&v) == Some(true));
            }
        }
        const TRUTHY: [&str; 10] = ["?", "F", "T", "", "u", "e", "?", "f", "t", "s"];
        for i in 0..self.steps.len() {
            let hard = |k: Option<usize>, steps: &[Step]| -> (i32, bool) {
                match k.map(|k| &steps[k]) {
                    Some(s) if s.constant.is_some() => ((s.constant == Some(true)) as i32, s.variable),
                    _ => (2, false),
                }
            };
            let (hl, sl) = hard(self.steps[i].left, &self.steps);
            let (hr, sr) = hard(self.steps[i].right, &self.steps);
            let truthy = |h: i32, s: bool| TRUTHY[(h + 1 + s as i32 * 6) as usize];
            let (l, r) = (self.steps[i].left, self.steps[i].right);
            let mut effective: Option<usize> = None;
            let mut irrelevant: Option<usize> = None;
            let mut soft = false;
            match self.steps[i].logic {
                Logic::None => {}
                Logic::Not => {
                    if self.steps[i].label.is_empty() {
                        if let Some(l) = l {
                            self.steps[i].label = format!(" ! [{l}]{}", truthy(hl, sl));
                        }
                    }
                }
                Logic::Or => {
                    let s = &mut self.steps[i];
                    if hl == 1 || hr == 1 {
                        s.constant = Some(true);
                        s.variable = sl && sr;
                        if hl == 1 {
                            effective = l;
                            irrelevant = r;
                            soft = sl && (hr != 0 || sr);
                        } else {
                            effective = r;
                            irrelevant = l;
                            soft = sr && (hl != 0 || sl);
                        }
                    } else if hl == 0 && hr == 0 {
                        s.constant = Some(false);
                        s.variable = sl || sr;
                    } else if hl == 0 {
                        effective = r;
                        irrelevant = l;
                        soft = sl;
                    } else if hr == 0 {
                        effective = l;
                        irrelevant = r;
                        soft = sr;
                    }
                    s.effective = effective;
                    s.label = format!("[{}]{} || [{}]{}", ix(l), truthy(hl, sl), ix(r), truthy(hr, sr));
                }
                Logic::And => {
                    let s = &mut self.steps[i];
                    if hl == 0 || hr == 0 {
                        s.constant = Some(false);
                        s.variable = sl || sr;
                        if hl == 0 {
                            effective = l;
                            irrelevant = r;
                            soft = sl;
                        } else {
                            effective = r;
                            irrelevant = l;
                            soft = sr;
                        }
                    } else if hl == 1 && hr == 1 {
                        s.constant = Some(true);
                        s.variable = sl || sr;
                    } else if hl == 1 {
                        effective = r;
                    } else if hr == 1 {
                        effective = l;
                    }
                    s.effective = effective;
                    s.label = format!("[{}]{} && [{}]{}", ix(l), truthy(hl, sl), ix(r), truthy(hr, sr));
                }
            }
            if let Some(mut e) = effective {
                if irrelevant.is_none() {
                    if effective == l {
                        irrelevant = r;
                    }
                    if effective == r {
                        irrelevant = l;
                    }
                    if self.steps[i].variable {
                        soft = true;
                    }
                }
                while let Some(next) = self.steps[e].effective {
                    e = next;
                }
                self.steps[i].effective = Some(e);
            }
            if let Some(irr) = irrelevant {
                if !soft {
                    self.mark_irrelevant(irr);
                }
            }
        }
        // Steps whose operands reduce to other steps now name those.
        for i in 0..self.steps.len() {
            let mut changed = false;
            for side in 0..3 {
                let k = [self.steps[i].left, self.steps[i].right, self.steps[i].grip][side];
                if let Some(e) = k.and_then(|k| self.steps[k].effective) {
                    match side {
                        0 => self.steps[i].left = Some(e),
                        1 => self.steps[i].right = Some(e),
                        _ => self.steps[i].grip = Some(e),
                    }
                    changed = true;
                }
            }
            if changed {
                self.steps[i].label.clear();
            }
        }
    }

    fn mark_irrelevant(&mut self, i: usize) {
        self.steps[i].dont_care = true;
        if let Some(l) = self.steps[i].left {
            self.mark_irrelevant(l);
        }
        if let Some(r) = self.steps[i].right {
            self.mark_irrelevant(r);
        }
        if let Some(g) = self.steps[i].grip {
            self.mark_irrelevant(g);
        }
    }

    fn resolve(&self, mut e: usize) -> usize {
        while let Some(next) = self.steps[e].effective {
            e = next;
        }
        e
    }

    /// Count the slots each remaining step matches, pruning steps whose
    /// outcome another step already decides. `drained[i]` says target `i`
    /// is a drained copy of a partitionable slot (counted in the second column).
    fn count(&mut self, targets: &[&ClassAd], drained: &[bool]) {
        let all = targets.len() as u64;
        let total = |s: &Step| s.matched[0] + s.matched[1];
        for i in 0..self.steps.len() {
            if self.steps[i].effective.is_some() || self.steps[i].dont_care || self.steps[i].constant.is_some() {
                continue;
            }
            self.steps[i].matched = [0, 0];
            let logic = self.steps[i].logic;
            let lr = match (self.steps[i].left, self.steps[i].right) {
                (Some(l), Some(r)) if logic != Logic::None => Some((l, r)),
                _ => None,
            };
            if let Some((l, r)) = lr {
                let (ml, mr) = (total(&self.steps[l]), total(&self.steps[r]));
                let mut effective = None;
                let mut prune = None;
                if logic == Logic::And {
                    if ml == 0 {
                        effective = Some(l);
                    } else if mr == 0 {
                        effective = Some(r);
                    }
                } else if logic == Logic::Or {
                    if ml == all {
                        effective = Some(l);
                        prune = Some(r);
                    } else if mr == all {
                        effective = Some(r);
                        prune = Some(l);
                    } else if ml == 0 && mr != 0 {
                        effective = Some(r);
                        prune = Some(l);
                    } else if ml != 0 && mr == 0 {
                        effective = Some(l);
                        prune = Some(r);
                    }
                }
                if let Some(p) = prune {
                    self.mark_irrelevant(p);
                }
                match effective {
                    Some(e) => self.steps[i].effective = Some(self.resolve(e)),
                    None => self.retarget(i, l, r),
                }
            }
            let tree = self.steps[i].tree.clone();
            let mut m = [0u64; 2];
            for (k, t) in targets.iter().enumerate() {
                if classad::ops::bool_equiv(&self.ad.eval_expr(&tree, Some(t))) == Some(true) {
                    m[drained.get(k).copied().unwrap_or(false) as usize] += 1;
                }
            }
            self.steps[i].matched = m;
            let n = m[0] + m[1];
            if let Some((l, r)) = lr {
                let (ml, mr) = (total(&self.steps[l]), total(&self.steps[r]));
                let mut effective = None;
                if logic == Logic::And {
                    if ml == n {
                        effective = Some(l);
                        if mr > n {
                            self.steps[r].dont_care = true;
                        }
                    } else if mr == n {
                        effective = Some(r);
                        if ml > n {
                            self.steps[l].dont_care = true;
                        }
                    }
                }
                match effective {
                    Some(e) => {
                        self.steps[i].effective = Some(self.resolve(e));
                        self.steps[i].label.clear();
                    }
                    None => self.retarget(i, l, r),
                }
            }
        }
    }

    fn retarget(&mut self, i: usize, l: usize, r: usize) {
        if let Some(e) = self.steps[l].effective {
            self.steps[i].left = Some(e);
            self.steps[i].label.clear();
        }
        if let Some(e) = self.steps[r].effective {
            self.steps[i].right = Some(e);
            self.steps[i].label.clear();
        }
    }

    /// The `Step  Matched  Condition` table of the steps left; with
    /// `drained`, a second count column for drained slots.
    fn table(&self, target_kind: &str, drained: bool) -> String {
        let mut out = String::new();
        out.push_str(&" ".repeat(7));
        if drained {
            out.push_str("  Slots      If    \n");
            out.push_str("Step   Matched   Drained  Condition\n");
            out.push_str("----- --------- --------- ---------\n");
        } else {
            out.push_str(&format!("{target_kind:>5}s\n"));
            out.push_str("Step   Matched  Condition\n");
            out.push_str("----- --------- ---------\n");
        }
        for (i, s) in self.steps.iter().enumerate() {
            if s.effective.is_some() || s.dont_care {
                continue;
            }
            let count = match s.constant {
                Some(v) if s.variable => format!("{:>9}", if v { "now" } else { "not now" }),
                Some(v) => format!("{:>9}", if v { "always" } else { "never" }),
                None if drained => format!("{:9} {:9}", s.matched[0], s.matched[1]),
                None => format!("{:9}", s.matched[0]),
            };
            out.push_str(&format!("{} {count}  {}\n", step_label(i, 3), s.label()));
        }
        out
    }
}

fn skip_parens(e: &Expr) -> &Expr {
    match e.node() {
        Node::Paren(inner) => skip_parens(inner),
        _ => e,
    }
}

/// `MY.x`, or a bare `x` this ad defines.
fn is_my_ref(e: &Expr, ad: &ClassAd) -> bool {
    match skip_parens(e).node() {
        Node::Select { base, .. } => matches!(base.node(), Node::Attr { name, .. } if name.as_str().eq_ignore_ascii_case("MY")),
        Node::Attr { name, .. } => ad.get(name.as_str()).is_some(),
        _ => false,
    }
}

/// The numbered steps of `ad`'s attribute `attr` (`    [0]    : Memory > 100000000` …).
pub fn numbered_steps(ad: &ClassAd, attr: &str) -> String {
    match ad.get(attr) {
        Some(e) => Steps::build(ad, e).numbered(),
        None => String::new(),
    }
}

/// The table of conditions `attr` reduces to against `targets`, each with
/// the number of targets it matches.
pub fn reduced_conditions(ad: &ClassAd, attr: &str, targets: &[&ClassAd], target_kind: &str) -> String {
    let Some(e) = ad.get(attr) else { return String::new() };
    let mut s = Steps::build(ad, e);
    s.fold_constants();
    s.count(targets, &[]);
    s.table(target_kind, false)
}

/// [`reduced_conditions`] against slots some of which are drained copies
/// of partitionable slots (`drained[i]`), counted in a second column.
pub fn reduced_conditions_drained(ad: &ClassAd, attr: &str, targets: &[&ClassAd], drained: &[bool]) -> String {
    let Some(e) = ad.get(attr) else { return String::new() };
    let mut s = Steps::build(ad, e);
    s.fold_constants();
    s.count(targets, drained);
    s.table("Slot", true)
}

/// HTCondor's pretty print of an expression: unparsed on one line, then
/// broken after `&&`/`||` where a line would pass `width`, continuation
/// lines indented by the parenthesis depth at the break. The first line's
/// `indent` is assumed already printed.
pub fn pretty_print(expr: &Expr, indent: usize, width: usize) -> String {
    let mut buf: Vec<u8> = expr.to_new_string().into_bytes();
    let width = width as i64;
    let mut indent = indent as i64;
    if indent > width {
        indent = width * 2 / 3;
    }
    let mut i = 0usize;
    let mut last_and = 0usize;
    let mut line_start = 0usize;
    let mut indent_at_last_and = indent;
    let mut pos = indent;
    let mut was_and = false;
    let mut prev = 0u8;
    while i < buf.len() {
        let c = buf[i];
        let mut is_and = false;
        if (c == b'&' || c == b'|') && prev == c {
            is_and = true;
        } else if c == b'(' {
            indent += 2;
        } else if c == b')' {
            indent -= 2;
        }
        if pos >= width && last_and != line_start {
            buf[last_and] = b'\n';
            line_start = last_and + 1;
            last_and = line_start;
            pos = 0;
            if indent_at_last_and > 0 {
                let n = indent_at_last_and as usize;
                buf.splice(line_start..line_start, std::iter::repeat_n(b' ', n));
                i += n;
                last_and = line_start;
                pos = (i - line_start) as i64;
            }
            indent_at_last_and = indent;
        }
        if was_and {
            last_and = i;
            indent_at_last_and = indent;
        }
        prev = buf[i];
        i += 1;
        pos += 1;
        was_and = is_and;
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A value as `%V` prints it (strings quoted).
pub fn value_v(v: &Value) -> String {
    classad::unparse::unparse_value(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQ: &str = "(Memory > 100000000) && (TARGET.Arch == \"X86_64\") && (TARGET.OpSys == \"LINUX\") && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer))";

    fn job() -> ClassAd {
        ClassAd::parse_old(&format!(
            "DiskUsage = 35\nFileSystemDomain = \"localdomain\"\nImageSize = 35\nRequestDisk = DiskUsage\n\
             RequestMemory = ifthenelse(MemoryUsage =!= undefined,MemoryUsage,(ImageSize + 1023) / 1024)\nRequirements = {REQ}"
        ))
        .unwrap()
    }

    /// The text of `shared/reference/golden/25-q_better.txt` between two markers.
    fn golden_between(from: &str, to: &str) -> String {
        let g = "The Requirements expression for job 3.000 is

    (Memory > 100000000) && (TARGET.Arch == \"X86_64\") &&
    (TARGET.OpSys == \"LINUX\") && (TARGET.Disk >= RequestDisk) &&
    (TARGET.Memory >= RequestMemory) &&
    ((TARGET.FileSystemDomain == MY.FileSystemDomain) ||
      (TARGET.HasFileTransfer))

    [0]    : Memory > 100000000
    [1]    : TARGET.Arch == \"X86_64\"
    [2]    : [0] && [1]
    [3]    : TARGET.OpSys == \"LINUX\"
    [4]    : [2] && [3]
    [5]    : TARGET.Disk >= RequestDisk
    [6]    : [4] && [5]
    [7]    : TARGET.Memory >= RequestMemory
    [8]    : [6] && [7]
    [9]    : TARGET.FileSystemDomain == MY.FileSystemDomain
    [10]   : TARGET.HasFileTransfer
    [11]   : [9] || [10]
    [12]   : [8] && [11]

        Slots
Step   Matched  Condition
----- --------- ---------
[0]           0  Memory > 100000000
[9]           1  TARGET.FileSystemDomain == MY.FileSystemDomain
";
        let a = g.find(from).unwrap();
        let b = g[a..].find(to).map(|b| a + b).unwrap_or(g.len());
        g[a..b].to_string()
    }

    #[test]
    fn requirements_print_over_lines_like_htcondor() {
        let j = job();
        let text = format!("    {}\n", pretty_print(j.get("Requirements").unwrap(), 4, 80));
        assert_eq!(text, golden_between("    (Memory", "\n\n    [0]") + "\n");
    }

    #[test]
    fn steps_are_numbered_like_htcondor() {
        assert_eq!(numbered_steps(&job(), "Requirements"), golden_between("    [0]", "\n\n        Slots") + "\n");
    }

    #[test]
    fn conditions_reduce_to_the_ones_that_decide() {
        let slot = ClassAd::parse_old(
            "Arch = \"X86_64\"\nDisk = 80463580\nFileSystemDomain = \"localdomain\"\nHasFileTransfer = true\nMemory = 23721\nOpSys = \"LINUX\"",
        )
        .unwrap();
        let t = reduced_conditions(&job(), "Requirements", &[&slot], "Slot");
        assert_eq!(t, golden_between("        Slots", "\u{0}"));
    }

    #[test]
    fn a_clause_that_no_slot_meets_is_named_with_its_counts() {
        let j = ClassAd::parse_old("RequestMemory = 4096\nRequirements = TARGET.Memory >= RequestMemory && TARGET.OpSys == \"LINUX\"").unwrap();
        let small = ClassAd::parse_old("Memory = 1024\nOpSys = \"LINUX\"").unwrap();
        let big = ClassAd::parse_old("Memory = 8192\nOpSys = \"WINDOWS\"").unwrap();
        let t = reduced_conditions(&j, "Requirements", &[&small, &big], "Slot");
        assert_eq!(
            t,
            "        Slots\nStep   Matched  Condition\n----- --------- ---------\n[0]           1  TARGET.Memory >= RequestMemory\n\
             [1]           1  TARGET.OpSys == \"LINUX\"\n[2]           0  [0] && [1]\n"
        );
        // A constant clause says "always"/"never".
        let c = ClassAd::parse_old("X = 1\nRequirements = X == 2 && TARGET.OpSys == \"LINUX\"").unwrap();
        let t = reduced_conditions(&c, "Requirements", &[&small], "Slot");
        assert!(t.contains("[0]       never  X == 2\n"), "{t}");
    }
}
