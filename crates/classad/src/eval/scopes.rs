//! The evaluator's scope table: the five scopes of a match (root, two
//! context ads, MY, TARGET) live inline, so starting an evaluation does not
//! allocate; nested ads met during evaluation go to an overflow vector.

use std::ops::{Index, IndexMut};

use super::Scope;

const INLINE: usize = 5;

pub(super) struct Scopes<'a> {
    inline: [Scope<'a>; INLINE],
    len: usize,
    overflow: Vec<Scope<'a>>,
}

impl<'a> Scopes<'a> {
    pub(super) fn new() -> Scopes<'a> {
        Scopes {
            inline: [Scope::MatchRoot, Scope::MatchRoot, Scope::MatchRoot, Scope::MatchRoot, Scope::MatchRoot],
            len: 0,
            overflow: Vec::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push(&mut self, s: Scope<'a>) {
        if self.len < INLINE {
            self.inline[self.len] = s;
        } else {
            self.overflow.push(s);
        }
        self.len += 1;
    }

    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Scope<'a>> {
        let n = self.len.min(INLINE);
        self.inline[..n].iter_mut().chain(self.overflow.iter_mut())
    }
}

impl<'a> Index<usize> for Scopes<'a> {
    type Output = Scope<'a>;

    #[inline]
    fn index(&self, i: usize) -> &Scope<'a> {
        if i < INLINE {
            &self.inline[i]
        } else {
            &self.overflow[i - INLINE]
        }
    }
}

impl<'a> IndexMut<usize> for Scopes<'a> {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut Scope<'a> {
        if i < INLINE {
            &mut self.inline[i]
        } else {
            &mut self.overflow[i - INLINE]
        }
    }
}

/// The attribute expressions being evaluated (for cycle detection): the
/// first few inline, so ordinary evaluations do not allocate.
pub(super) struct Active {
    inline: [*const crate::expr::Node; ACTIVE_INLINE],
    len: usize,
    overflow: Vec<*const crate::expr::Node>,
}

const ACTIVE_INLINE: usize = 16;

impl Active {
    pub(super) fn new() -> Active {
        Active { inline: [std::ptr::null(); ACTIVE_INLINE], len: 0, overflow: Vec::new() }
    }

    #[inline]
    pub(super) fn contains(&self, key: *const crate::expr::Node) -> bool {
        self.inline[..self.len.min(ACTIVE_INLINE)].contains(&key) || (self.len > ACTIVE_INLINE && self.overflow.contains(&key))
    }

    #[inline]
    pub(super) fn push(&mut self, key: *const crate::expr::Node) {
        if self.len < ACTIVE_INLINE {
            self.inline[self.len] = key;
        } else {
            self.overflow.push(key);
        }
        self.len += 1;
    }

    #[inline]
    pub(super) fn pop(&mut self) {
        if self.len > ACTIVE_INLINE {
            self.overflow.pop();
        }
        self.len = self.len.saturating_sub(1);
    }
}
