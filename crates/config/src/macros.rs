//! Macro expansion shared by the configuration and submit languages.
//!
//! A value such as `$(LOG)/SchedLog` is stored raw and expanded when it is
//! read. Expansion follows HTCondor's rules:
//!
//! - The text is scanned left to right for the next macro: `$(NAME)`,
//!   `$(NAME:default)`, `$ENV(V)`, `$INT(..)`, `$REAL(..)`, `$STRING(..)`,
//!   `$EVAL(..)`, `$SUBSTR(..)`, `$CHOICE(..)`, `$RANDOM_CHOICE(..)`,
//!   `$RANDOM_INTEGER(..)`, `$BASENAME(..)`, `$DIRNAME(..)` and the path
//!   functions `$F[fpdnxqabwu](..)`. Function names are case sensitive;
//!   macro names are not.
//! - The macro is replaced by its value and scanning resumes *at the start of
//!   the replacement*, so a value that itself holds macros is expanded too.
//! - A name that is not defined (or defined empty) expands to its `:default`
//!   text, or to nothing.
//! - `$(DOLLAR)` is skipped while expanding and turned into `$` at the very
//!   end, so it can write a literal `$(X)`. `$$(X)` is never touched (submit
//!   files leave it for the matchmaker).
//! - A function that cannot be evaluated (for example `$INT(abc)`) expands to
//!   nothing, as in HTCondor; the reason is reported as a [`MacroWarning`].
//!
//! Unlike HTCondor, which never returns from a macro that refers to itself
//! (`A = $(B)`, `B = $(A)`), expansion detects the cycle and returns
//! [`MacroError::Loop`]. Expansion never recurses without bound and never
//! grows a value past [`MAX_EXPANDED_LEN`].

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use crate::macro_funcs;

/// Where macro values come from: a loaded configuration, a submit file's
/// variables layered over it, a plain map in tests.
pub trait MacroSource {
    /// Raw (unexpanded) value of a macro, looked up case-insensitively.
    /// `None` when the name is not defined at all.
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl<S: MacroSource + ?Sized> MacroSource for &S {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        (**self).lookup_raw(name)
    }
}

/// A case-insensitive map of macro names to raw values: the simplest
/// [`MacroSource`].
#[derive(Debug, Clone, Default)]
pub struct MacroMap {
    map: std::collections::HashMap<String, String>,
}

impl MacroMap {
    pub fn new() -> MacroMap {
        MacroMap::default()
    }

    /// Set `name` (any case) to the raw value `value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.map.insert(name.to_ascii_uppercase(), value.to_string());
    }

    pub fn remove(&mut self, name: &str) {
        self.map.remove(&name.to_ascii_uppercase());
    }
}

impl MacroSource for MacroMap {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        self.map.get(&name.to_ascii_uppercase()).map(|v| Cow::Borrowed(v.as_str()))
    }
}

/// Looks up an environment variable for `$ENV()`.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Largest value expansion will build (bytes). A value that grows past this
/// is almost certainly a macro that doubles itself on every level.
pub const MAX_EXPANDED_LEN: usize = 1024 * 1024;

/// How deep function arguments (`$INT(X)` where `X` holds more functions) may
/// nest before expansion gives up.
pub const MAX_NESTING: usize = 64;

/// Options of one expansion.
#[derive(Default, Clone)]
pub struct ExpandOptions {
    /// Leave `$(DOLLAR)` as it is instead of turning it into `$` (for text
    /// that will be expanded once more later).
    pub keep_dollar: bool,
    /// Environment used by `$ENV()`; `None` reads the process environment.
    pub env: Option<EnvLookup>,
    /// Seed for `$RANDOM_CHOICE()`/`$RANDOM_INTEGER()`: the same seed gives the
    /// same choices. `None` seeds from the clock.
    pub random_seed: Option<u64>,
    /// Directory that `$Ff()` makes relative paths absolute against. `None`
    /// leaves relative paths alone (as HTCondor's `param` does).
    pub cwd: Option<PathBuf>,
}

impl std::fmt::Debug for ExpandOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpandOptions")
            .field("keep_dollar", &self.keep_dollar)
            .field("env", &self.env.as_ref().map(|_| "<fn>"))
            .field("random_seed", &self.random_seed)
            .field("cwd", &self.cwd)
            .finish()
    }
}

impl ExpandOptions {
    /// Options whose `$ENV()` reads from `vars` instead of the process.
    pub fn with_env_map(vars: std::collections::HashMap<String, String>) -> ExpandOptions {
        ExpandOptions {
            env: Some(Arc::new(move |name: &str| vars.get(name).cloned())),
            ..ExpandOptions::default()
        }
    }

    pub(crate) fn getenv(&self, name: &str) -> Option<String> {
        match &self.env {
            Some(f) => f(name),
            None => std::env::var(name).ok(),
        }
    }
}

/// Why a value could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MacroError {
    /// A macro refers to itself, directly or through others.
    #[error("macro loop: $({name}) refers to itself ({chain}); change one of these definitions so it no longer refers back")]
    Loop { name: String, chain: String },
    /// The value grew past [`MAX_EXPANDED_LEN`].
    #[error("expanding $({name}) produced more than {limit} bytes; a macro probably repeats itself on every level")]
    TooLarge { name: String, limit: usize },
    /// Function arguments nested deeper than [`MAX_NESTING`].
    #[error("macros nest deeper than {limit} levels while expanding $({name}); simplify the definitions")]
    TooDeep { name: String, limit: usize },
}

/// A function macro that could not be evaluated and expanded to nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroWarning {
    /// The macro text, e.g. `$INT(abc)`.
    pub text: String,
    /// HTCondor-style reason, e.g. `$INT() error: abc does not evaluate to an integer`.
    pub reason: String,
}

/// A finished expansion and what went wrong along the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub value: String,
    pub warnings: Vec<MacroWarning>,
}

/// Expand all macros in `text`.
pub fn expand(text: &str, src: &dyn MacroSource, opts: &ExpandOptions) -> Result<String, MacroError> {
    expand_with_warnings(text, None, src, opts).map(|e| e.value)
}

/// Expand all macros in `text`, which is the value of the macro `name` when
/// `name` is given (so that a reference back to `name` is reported as a
/// loop at once), and report function macros that failed.
pub fn expand_with_warnings(
    text: &str,
    name: Option<&str>,
    src: &dyn MacroSource,
    opts: &ExpandOptions,
) -> Result<Expansion, MacroError> {
    let mut ex = Expander::new(src, opts);
    let mut chain = Vec::new();
    if let Some(n) = name {
        chain.push(n.to_ascii_uppercase());
    }
    let mut value = ex.expand_in(text.to_string(), &mut chain, true)?;
    if !opts.keep_dollar {
        value = replace_dollar_macros(&value);
    }
    Ok(Expansion { value, warnings: ex.warnings })
}

/// Look `name` up in `src` and expand its value. `None` when not defined.
pub fn expand_param(name: &str, src: &dyn MacroSource, opts: &ExpandOptions) -> Result<Option<String>, MacroError> {
    match src.lookup_raw(name) {
        None => Ok(None),
        Some(raw) => {
            let raw = raw.into_owned();
            expand_with_warnings(&raw, Some(name), src, opts).map(|e| Some(e.value))
        }
    }
}

/// Expand only references to `self_name` (and `self_alt`, the same name
/// without its subsystem/local-name prefix) in `text`, using the *previous*
/// value of that name from `src`: how `X = $(X) more` appends to `X` when a
/// configuration file is read. Other macros are left as written.
pub fn expand_self(text: &str, self_name: &str, self_alt: Option<&str>, src: &dyn MacroSource) -> String {
    let is_self = |kind: MacroKind, body: &str| -> bool {
        if !matches!(kind, MacroKind::Normal | MacroKind::Filename) {
            return false;
        }
        let matches_name = |n: &str| {
            body.len() >= n.len()
                && body.as_bytes()[..n.len()].eq_ignore_ascii_case(n.as_bytes())
                && (body.len() == n.len() || body.as_bytes()[n.len()] == b':')
        };
        matches_name(self_name) || self_alt.is_some_and(matches_name)
    };
    let opts = ExpandOptions { keep_dollar: true, ..ExpandOptions::default() };
    let mut ex = Expander::new(src, &opts);
    let mut s = text.to_string();
    let mut pos = 0usize;
    // Each self reference is replaced by a value that was itself stored
    // already self-expanded, so the number of rounds is bounded by the text.
    let mut rounds = 0usize;
    while let Some(m) = scan(&s, pos, &|kind, body| !is_self(kind, body)) {
        rounds += 1;
        if rounds > 10_000 || s.len() > MAX_EXPANDED_LEN {
            break;
        }
        let mut chain = Vec::new();
        let out = match ex.eval_one(&s, &m, &mut chain) {
            Ok(o) => o,
            Err(_) => Replacement { text: String::new(), region: None, stop: false },
        };
        s.replace_range(m.dollar..m.right, &out.text);
        // Do not rescan the previous value: it was stored self-expanded.
        pos = m.dollar + out.text.len();
    }
    s
}

/// Replace every `$(DOLLAR)` (any case) by `$`.
pub fn replace_dollar_macros(text: &str) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let mut s = text.to_string();
    let mut pos = 0;
    while let Some(m) = scan(&s, pos, &|kind, body| !is_dollar(kind, body)) {
        s.replace_range(m.dollar..m.right, "$");
        // rescan from the new `$`: `$(DOLLAR)(DOLLAR)` is one `$`, as in HTCondor
        pos = m.dollar;
    }
    s
}

/// True when `text` holds a macro that expansion would replace.
pub fn has_macros(text: &str) -> bool {
    scan(text, 0, &|kind, body| is_dollar(kind, body)).is_some()
}

fn is_dollar(kind: MacroKind, body: &str) -> bool {
    kind == MacroKind::Normal && body.eq_ignore_ascii_case("DOLLAR")
}

/// The kinds of macro the scanner recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MacroKind {
    Normal,
    Env,
    RandomChoice,
    RandomInteger,
    Choice,
    Substr,
    Int,
    Real,
    Str,
    Eval,
    Basename,
    Dirname,
    Filename,
}

/// Where one macro sits in the text (byte offsets).
///
/// ```text
///   aaaa$ENV(PARAM:DEFAULT)bbbb
///       ^    ^     ^       ^
///   dollar  body  default  right (one past ')')
/// ```
#[derive(Debug, Clone, Copy)]
pub(crate) struct MacroPos {
    pub kind: MacroKind,
    pub dollar: usize,
    /// Start of the function name (after `$`), for `$F..()` flags.
    pub func: usize,
    pub body: usize,
    pub default: Option<usize>,
    pub right: usize,
}

impl MacroPos {
    /// Text between the parentheses.
    pub fn body<'a>(&self, s: &'a str) -> &'a str {
        &s[self.body..self.right - 1]
    }
    /// The name part (before `:default`).
    pub fn name<'a>(&self, s: &'a str) -> &'a str {
        match self.default {
            Some(d) => &s[self.body..d - 1],
            None => self.body(s),
        }
    }
    pub fn default_text<'a>(&self, s: &'a str) -> Option<&'a str> {
        self.default.map(|d| &s[d..self.right - 1])
    }
    pub fn func_name<'a>(&self, s: &'a str) -> &'a str {
        &s[self.func..self.body - 1]
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyChars {
    /// Anything up to the first `)`.
    Anything,
    /// Identifier characters, then after a `:` a few more (and `(..)` groups).
    IdColon,
}

fn is_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'/'
}

/// Classify `$name(`: `prefix` is the text between `$` and `(`.
fn classify(prefix: &str) -> Option<(MacroKind, BodyChars)> {
    if prefix.is_empty() {
        return Some((MacroKind::Normal, BodyChars::IdColon));
    }
    if prefix.starts_with('$') {
        return None;
    }
    if let Some(flags) = prefix.strip_prefix('F') {
        if flags.bytes().all(|c| b"pnxdqabfwu".contains(&(c | 0x20))) {
            return Some((MacroKind::Filename, BodyChars::Anything));
        }
    }
    let kind = match prefix {
        "ENV" => return Some((MacroKind::Env, BodyChars::IdColon)),
        "RANDOM_CHOICE" => MacroKind::RandomChoice,
        "RANDOM_INTEGER" => MacroKind::RandomInteger,
        "CHOICE" => MacroKind::Choice,
        "SUBSTR" => MacroKind::Substr,
        "INT" => MacroKind::Int,
        "REAL" => MacroKind::Real,
        "STRING" => MacroKind::Str,
        "EVAL" => MacroKind::Eval,
        "BASENAME" => MacroKind::Basename,
        "DIRNAME" => MacroKind::Dirname,
        _ => return None,
    };
    Some((kind, BodyChars::Anything))
}

/// Find the next macro at or after `from`. `skip(kind, body)` may reject a
/// macro (the scan then continues after it).
pub(crate) fn scan(s: &str, from: usize, skip: &dyn Fn(MacroKind, &str) -> bool) -> Option<MacroPos> {
    let b = s.as_bytes();
    let mut t = from;
    'outer: loop {
        // Find `$`, an optional second `$`, identifier characters, then `(`.
        let dollar = t + memchr(b'$', &b[t.min(b.len())..])?;
        let mut p = dollar + 1;
        if p < b.len() && b[p] == b'$' {
            p += 1;
        }
        while p < b.len() && (b[p].is_ascii_alphanumeric() || b[p] == b'_') {
            p += 1;
        }
        if p >= b.len() || b[p] != b'(' {
            t = p.max(dollar + 1);
            continue;
        }
        let Some((kind, chars)) = classify(&s[dollar + 1..p]) else {
            t = p;
            continue;
        };
        let body = p + 1;
        let mut v = body;
        let mut after_colon: Option<usize> = None;
        match chars {
            BodyChars::Anything => {
                while v < b.len() && b[v] != b')' {
                    v += 1;
                }
            }
            BodyChars::IdColon => {
                while v < b.len() && b[v] != b')' {
                    let c = b[v];
                    v += 1;
                    if c == b':' && after_colon.is_none() {
                        after_colon = Some(v);
                        continue;
                    } else if after_colon.is_some() {
                        if c == b'(' {
                            if let Some(close) = memchr(b')', &b[v..]) {
                                v += close + 1;
                                continue;
                            }
                        } else if b"$ ,\\:".contains(&c) {
                            continue;
                        }
                    }
                    if !is_id_char(c) {
                        t = body;
                        continue 'outer;
                    }
                }
            }
        }
        if v < b.len() && b[v] == b')' {
            if skip(kind, &s[body..v]) {
                t = v;
                continue;
            }
            return Some(MacroPos { kind, dollar, func: dollar + 1, body, default: after_colon, right: v + 1 });
        }
        t = body;
    }
}

fn memchr(c: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&x| x == c)
}

/// What a macro turns into.
pub(crate) struct Replacement {
    pub text: String,
    /// The macro name whose value this text is (for loop detection).
    pub region: Option<String>,
    /// Stop expanding here and keep the rest of the text as it is.
    pub stop: bool,
}

/// One expansion in progress.
pub(crate) struct Expander<'a> {
    pub src: &'a dyn MacroSource,
    pub opts: &'a ExpandOptions,
    pub warnings: Vec<MacroWarning>,
    /// Random state, seeded on first use.
    rng: Option<u64>,
    /// Expand as HTCondor's newer expander does (used for the index of
    /// `$CHOICE()`): a function that fails stops the expansion, path
    /// functions take only macro names, `$SUBSTR(x, n)` takes a length.
    pub modern: bool,
}

impl<'a> Expander<'a> {
    pub(crate) fn new(src: &'a dyn MacroSource, opts: &'a ExpandOptions) -> Expander<'a> {
        Expander { src, opts, warnings: Vec::new(), rng: opts.random_seed, modern: false }
    }

    /// Record a function macro that HTCondor would complain about.
    pub(crate) fn warn(&mut self, text: &str, reason: String) {
        self.warnings.push(MacroWarning { text: text.to_string(), reason });
    }

    /// A pseudo-random number (splitmix64): deterministic under a seed.
    pub(crate) fn next_random(&mut self) -> u64 {
        let state = self.rng.unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            now ^ ((std::process::id() as u64) << 32)
        });
        let next = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.rng = Some(next);
        let mut z = next;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// How `name` is recorded in the chain of names being expanded. The
    /// same name may be expanded again by the other expander (HTCondor's
    /// `$CHOICE()` index), which does not repeat itself; doing so with the
    /// same one would recurse forever.
    pub(crate) fn chain_key(&self, name: &str) -> String {
        let mut k = String::with_capacity(name.len() + 1);
        if self.modern {
            k.push('~');
        }
        k.push_str(name);
        k.make_ascii_uppercase();
        k
    }

    /// Look a name up; a name already being expanded is a loop.
    pub(crate) fn lookup(&self, name: &str, chain: &[String]) -> Result<Option<String>, MacroError> {
        let modern = self.modern;
        let same = |c: &String| {
            let c = match (modern, c.strip_prefix('~')) {
                (true, Some(rest)) => rest,
                (false, None) => c.as_str(),
                _ => return false,
            };
            c.eq_ignore_ascii_case(name)
        };
        if chain.iter().any(same) {
            return Err(loop_error(&self.chain_key(name), chain));
        }
        Ok(self.src.lookup_raw(name).map(Cow::into_owned))
    }

    /// Expand `value`: scan, replace, rescan the replacement.
    ///
    /// The text being expanded is a stack of segments: the original value at
    /// the bottom, and above it the replacement of each macro still being
    /// rescanned (with the macro's name, so that a reference back to it is a
    /// loop). Finished text moves to `out`, so every byte is copied a
    /// bounded number of times. Where HTCondor's whole-string rescan lets a
    /// replacement join the text around it (`$(P)(X)` with `P = $`, or a
    /// value ending in `$(NA` before `ME)`), the segments are joined too.
    /// `$(DOLLAR)` is left for the caller.
    pub(crate) fn expand_in(&mut self, s: String, chain: &mut Vec<String>, _top: bool) -> Result<String, MacroError> {
        if chain.len() > MAX_NESTING {
            return Err(MacroError::TooDeep { name: chain.last().cloned().unwrap_or_default(), limit: MAX_NESTING });
        }
        struct Seg {
            text: String,
            pos: usize,
            named: bool,
        }
        let base = chain.len();
        let no_dollar = |kind: MacroKind, body: &str| is_dollar(kind, body);
        let mut out = String::with_capacity(s.len());
        let mut stack: Vec<Seg> = vec![Seg { text: s, pos: 0, named: false }];
        let top_name = || chain_first(chain);
        let top_name = top_name();
        let result = loop {
            let depth = stack.len();
            let Some(top) = stack.last_mut() else { break Ok(()) };
            if top.pos >= top.text.len() {
                let done = stack.pop().expect("non-empty stack");
                if done.named {
                    chain.pop();
                }
                continue;
            }
            let found = scan(&top.text, top.pos, &no_dollar);
            let Some(m) = found else {
                // nothing more here; an unclosed `$(` may close in the text below
                let rest = &top.text[top.pos..];
                let joins = depth > 1
                    && rest.rfind('$').is_some_and(|d| !rest[d..].contains(')'));
                let done = stack.pop().expect("non-empty stack");
                if done.named {
                    chain.pop();
                }
                if joins {
                    let below = stack.last_mut().expect("a segment below");
                    let mut joined = done.text[done.pos..].to_string();
                    joined.push_str(&below.text[below.pos..]);
                    below.text = joined;
                    below.pos = 0;
                } else {
                    out.push_str(&done.text[done.pos..]);
                }
                continue;
            };
            out.push_str(&top.text[top.pos..m.dollar]);
            let seg_text = std::mem::take(&mut top.text);
            let r = self.eval_one(&seg_text, &m, chain);
            let top = stack.last_mut().expect("non-empty stack");
            top.text = seg_text;
            top.pos = m.right;
            let out_r = match r {
                Ok(o) => o,
                Err(e) => break Err(e),
            };
            if out_r.stop {
                // keep the failed macro and everything after it
                let top = stack.last().expect("non-empty stack");
                out.push_str(&top.text[m.dollar..]);
                for seg in stack.iter().rev().skip(1) {
                    out.push_str(&seg.text[seg.pos..]);
                }
                break Ok(());
            }
            let mut text = out_r.text;
            // `$` or `$NAME` just before a replacement starting with `(`
            if text.starts_with('(') {
                let ob = out.as_bytes();
                let mut i = ob.len();
                while i > 0 && (ob[i - 1].is_ascii_alphanumeric() || ob[i - 1] == b'_') {
                    i -= 1;
                }
                if i > 0 && ob[i - 1] == b'$' {
                    i -= 1;
                    if i > 0 && ob[i - 1] == b'$' {
                        i -= 1;
                    }
                    let tail = out.split_off(i);
                    text.insert_str(0, &tail);
                }
            }
            if text.is_empty() {
                continue;
            }
            let pending: usize = stack.iter().map(|g| g.text.len() - g.pos).sum();
            if out.len() + pending + text.len() > MAX_EXPANDED_LEN {
                break Err(MacroError::TooLarge { name: top_name.clone().unwrap_or_else(|| m.name(&stack[stack.len() - 1].text).to_string()), limit: MAX_EXPANDED_LEN });
            }
            if stack.len() > MAX_SEGMENTS {
                break Err(MacroError::TooDeep { name: top_name.clone().unwrap_or_default(), limit: MAX_SEGMENTS });
            }
            let named = match out_r.region {
                Some(name) => {
                    chain.push(name);
                    true
                }
                None => false,
            };
            stack.push(Seg { text, pos: 0, named });
        };
        chain.truncate(base);
        result.map(|()| out)
    }

    /// Expand a nested text (a function argument) with the same chain.
    pub(crate) fn expand_nested(&mut self, text: &str, chain: &mut Vec<String>) -> Result<String, MacroError> {
        let base = chain.len();
        let r = self.expand_in(text.to_string(), chain, false);
        chain.truncate(base);
        r
    }

    /// Evaluate the macro at `m` in `s`.
    pub(crate) fn eval_one(&mut self, s: &str, m: &MacroPos, chain: &mut Vec<String>) -> Result<Replacement, MacroError> {
        match m.kind {
            MacroKind::Normal => {
                let name = m.name(s);
                let value = self.lookup(name, chain)?;
                match value {
                    Some(v) if !v.is_empty() => Ok(Replacement { text: v, region: Some(self.chain_key(name)), stop: false }),
                    _ => Ok(Replacement { text: m.default_text(s).unwrap_or("").to_string(), region: None, stop: false }),
                }
            }
            MacroKind::Env => {
                let name = m.name(s);
                let v = self.opts.getenv(name);
                if self.modern {
                    let text = match v {
                        Some(v) if !v.is_empty() => v,
                        None if m.default.is_none() => "UNDEFINED".to_string(),
                        _ => m.default_text(s).unwrap_or("").to_string(),
                    };
                    return Ok(Replacement { text, region: None, stop: false });
                }
                let text = match v {
                    Some(v) if !v.is_empty() => v,
                    Some(_) => m.default_text(s).unwrap_or("").to_string(),
                    None => match m.default_text(s) {
                        Some(d) => d.to_string(),
                        None => "UNDEFINED".to_string(),
                    },
                };
                Ok(Replacement { text, region: None, stop: false })
            }
            _ => {
                let text = match macro_funcs::eval_function(self, s, m, chain)? {
                    Ok(t) => t,
                    Err(reason) if self.modern => {
                        self.warnings.push(MacroWarning { text: s[m.dollar..m.right].to_string(), reason });
                        return Ok(Replacement { text: String::new(), region: None, stop: true });
                    }
                    Err(reason) => {
                        self.warnings.push(MacroWarning { text: s[m.dollar..m.right].to_string(), reason });
                        String::new()
                    }
                };
                Ok(Replacement { text, region: None, stop: false })
            }
        }
    }
}

fn chain_first(chain: &[String]) -> Option<String> {
    chain.first().cloned()
}

/// How many replacements may wait to be rescanned at once.
const MAX_SEGMENTS: usize = 100_000;

pub(crate) fn loop_error(name: &str, chain: &[String]) -> MacroError {
    let start = chain.iter().position(|c| c == name).unwrap_or(0);
    let mut parts: Vec<String> = chain[start..].iter().map(|c| format!("$({})", c.trim_start_matches('~'))).collect();
    parts.push(format!("$({})", name.trim_start_matches('~')));
    MacroError::Loop { name: name.trim_start_matches('~').to_string(), chain: parts.join(" -> ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> MacroMap {
        let mut m = MacroMap::new();
        for (k, v) in pairs {
            m.set(k, v);
        }
        m
    }

    fn ex(text: &str, m: &MacroMap) -> String {
        expand(text, m, &ExpandOptions::default()).expect("expands")
    }

    #[test]
    fn plain_and_nested() {
        let m = map(&[("LOG", "$(LOCAL_DIR)/log"), ("LOCAL_DIR", "/var/lib/condor")]);
        assert_eq!(ex("$(LOG)/SchedLog", &m), "/var/lib/condor/log/SchedLog");
        assert_eq!(ex("$(log)", &m), "/var/lib/condor/log");
    }

    #[test]
    fn defaults_and_undefined() {
        let m = map(&[("EMPTY", ""), ("C", "c")]);
        assert_eq!(ex("[$(NOPE)]", &m), "[]");
        assert_eq!(ex("$(NOPE:x y)", &m), "x y");
        assert_eq!(ex("$(EMPTY:dflt)", &m), "dflt");
        assert_eq!(ex("$(NOPE:$(C))", &m), "c");
        assert_eq!(ex("$(NOPE:a(b)c)", &m), "a(b)c");
        // `=` is not allowed after the colon: not a macro at all
        assert_eq!(ex("$(NOPE:a=b)", &m), "$(NOPE:a=b)");
    }

    #[test]
    fn dollar_and_double_dollar() {
        let m = map(&[("A", "a")]);
        assert_eq!(ex("x$$(Foo)y $$ $(DOLLAR)(A) $(dollar)", &m), "x$$(Foo)y $$ $(A) $");
        let keep = ExpandOptions { keep_dollar: true, ..ExpandOptions::default() };
        assert_eq!(expand("$(DOLLAR)(A)", &m, &keep).expect("expands"), "$(DOLLAR)(A)");
    }

    #[test]
    fn loops_are_errors() {
        let m = map(&[("A", "$(B)"), ("B", "x $(A)")]);
        let e = expand("$(A)", &m, &ExpandOptions::default()).unwrap_err();
        assert!(matches!(e, MacroError::Loop { .. }), "{e:?}");
        let m = map(&[("N", "$CHOICE(N, a, b)")]);
        assert!(expand_param("N", &m, &ExpandOptions::default()).is_err());
    }

    #[test]
    fn same_name_twice_is_not_a_loop() {
        let m = map(&[("A", "a"), ("B", "$(A)$(A)")]);
        assert_eq!(ex("$(B)-$(A)", &m), "aa-a");
        let m = map(&[("A", "$(NOPE:$(NOPE:x))")]);
        assert_eq!(ex("$(A)", &m), "x");
    }

    #[test]
    fn doubling_is_bounded() {
        let mut pairs = Vec::new();
        let names: Vec<String> = (0..40).map(|i| format!("M{i}")).collect();
        let vals: Vec<String> = (0..40).map(|i| format!("$(M{})$(M{})", i + 1, i + 1)).collect();
        for i in 0..40 {
            pairs.push((names[i].as_str(), vals[i].as_str()));
        }
        pairs.push(("M40", "xxxxxxxx"));
        let m = map(&pairs);
        let e = expand("$(M0)", &m, &ExpandOptions::default()).unwrap_err();
        assert!(matches!(e, MacroError::TooLarge { .. }));
    }

    #[test]
    fn env() {
        let mut vars = std::collections::HashMap::new();
        vars.insert("HOME".to_string(), "/home/t".to_string());
        vars.insert("EMPTY".to_string(), String::new());
        let opts = ExpandOptions::with_env_map(vars);
        let m = MacroMap::new();
        let e = |t: &str| expand(t, &m, &opts).expect("expands");
        assert_eq!(e("$ENV(HOME)"), "/home/t");
        assert_eq!(e("$ENV(NOPE)"), "UNDEFINED");
        assert_eq!(e("$ENV(NOPE:d)"), "d");
        assert_eq!(e("[$ENV(EMPTY)]"), "[]");
    }

    #[test]
    fn self_reference() {
        let m = map(&[("X", "a b")]);
        assert_eq!(expand_self("$(X) c $(Y)", "X", None, &m), "a b c $(Y)");
        assert_eq!(expand_self("$(X) c", "SCHEDD.X", Some("X"), &m), "a b c");
        let empty = MacroMap::new();
        assert_eq!(expand_self("$(X) c", "X", None, &empty), " c");
    }

    #[test]
    fn scanner_never_panics_on_odd_text() {
        let m = map(&[("A", "a")]);
        for t in ["$", "$(", "$()", "$(A", "$$$(A)", "$(A:", "$(:)", "é$(A)é", "$F(", "$INT(", "$(A:(", "$(A:(x"] {
            let _ = expand(t, &m, &ExpandOptions::default());
        }
        assert_eq!(ex("é$(A)é", &m), "éaé");
    }
}
