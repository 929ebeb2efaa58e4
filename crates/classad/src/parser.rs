//! Parsers for new-syntax expressions and ads (`[a = 1; b = a + 1]`) and
//! old-syntax ads (one `Attr = expr` per line).
//!
//! The grammar and precedence are HTCondor's: `?:` (ternary) lowest, then
//! `||`, `&&`, `|`, `^`, `&`, equality (`==`, `!=`, `=?=`, `=!=`, `is`,
//! `isnt`), relational, shifts, additive, multiplicative, unary; elvis
//! `a ?: b` binds like a postfix operator (tighter than every binary
//! operator, with a postfix expression on its right), together with
//! selection `a.b` and subscripts `a[i]`. `absTime("…")`/`relTime("…")`
//! with a literal string become time literals while parsing, and a string
//! that is not a time is a parse error.
//!
//! Nesting is limited (as HTCondor limits it) so deep input is refused with
//! an error instead of overflowing the stack; so is an expression tree
//! taller than [`MAX_HEIGHT`] (a very long chain of operators).

use std::sync::Arc;

use crate::expr::{BinaryOp, Call, Name, Node, UnaryOp};
use crate::lexer::{Lexer, Spanned, Tok};
use crate::{ClassAd, Dialect, Expr, ParseError, Value};

/// Nesting limit, counted as HTCondor counts it (each parenthesised
/// sub-expression, unary operator and postfix chain adds to it).
pub const MAX_DEPTH: usize = 300;
/// Tallest expression tree accepted.
pub const MAX_HEIGHT: u32 = 1000;

/// Which string rules apply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Syntax {
    /// C-style escapes in strings.
    New,
    /// Backslash is literal except before a quote (as `condor_q -long` prints).
    Old,
}

type P = Result<(Expr, u32), ParseError>;

pub(crate) struct Parser<'a> {
    lex: Lexer<'a>,
    dialect: Dialect,
    peeked: Option<Spanned>,
    depth: usize,
    last_end: usize,
}

pub(crate) fn parse_expr(text: &str, syntax: Syntax) -> Result<Expr, ParseError> {
    parse_expr_with(text, syntax, Dialect::Configured)
}

pub(crate) fn parse_expr_with(text: &str, syntax: Syntax, dialect: Dialect) -> Result<Expr, ParseError> {
    let mut p = Parser::new(text, syntax);
    p.dialect = dialect;
    p.lex.set_leading_zeros(!dialect.is_configured());
    let (e, _) = p.expression()?;
    p.expect_end("the expression")?;
    Ok(e)
}

pub(crate) fn parse_ad_new(text: &str) -> Result<ClassAd, ParseError> {
    let mut p = Parser::new(text, Syntax::New);
    let t = p.peek()?;
    if t.tok != Tok::LBox {
        let pos = t.pos;
        let what = t.tok.describe();
        return Err(p.err(pos, format!("a ClassAd in new syntax starts with '[', but found {what}")));
    }
    let ad = p.ad_body()?;
    p.expect_end("the ad")?;
    Ok(ad)
}

pub(crate) fn parse_ad_old(text: &str) -> Result<ClassAd, ParseError> {
    let mut ad = ClassAd::new();
    for (lineno, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (name, expr) = parse_old_line(line).map_err(|e| e.shifted(lineno))?;
        ad.insert(&name, expr);
    }
    Ok(ad)
}

/// One old-syntax line `Name = expression`.
pub(crate) fn parse_old_line(line: &str) -> Result<(String, Expr), ParseError> {
    let mut p = Parser::new(line, Syntax::Old);
    let t = p.next()?;
    let name = match t.tok {
        Tok::Ident(n) => n,
        other => {
            return Err(p.err(
                t.pos,
                format!(
                    "expected an attribute name at the start of the line (Name = expression), found {}",
                    other.describe()
                ),
            ))
        }
    };
    let t = p.next()?;
    if t.tok != Tok::Assign {
        return Err(p.err(
            t.pos,
            format!("expected '=' after the attribute name '{name}', found {}", t.tok.describe()),
        ));
    }
    let (e, _) = p.expression()?;
    p.expect_end(&format!("the value of {name}"))?;
    Ok((name, e))
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str, syntax: Syntax) -> Parser<'a> {
        Parser {
            lex: Lexer::new(text, syntax == Syntax::Old),
            dialect: Dialect::Configured,
            peeked: None,
            depth: 0,
            last_end: 0,
        }
    }

    fn err(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError::at(self.lex.src(), pos, msg)
    }

    fn peek(&mut self) -> Result<&Spanned, ParseError> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex.next_token()?);
        }
        match &self.peeked {
            Some(t) => Ok(t),
            None => Err(ParseError::new("internal: no token")),
        }
    }

    /// True when the next token is `want` (no copy of the token is made).
    fn at(&mut self, want: &Tok) -> Result<bool, ParseError> {
        Ok(self.peek()?.tok == *want)
    }

    fn next(&mut self) -> Result<Spanned, ParseError> {
        self.peek()?;
        let t = self.peeked.take().ok_or_else(|| ParseError::new("internal: no token"))?;
        self.last_end = t.pos;
        Ok(t)
    }

    // Error construction lives out of line: the recursive descent's frames
    // stay small, so deep input is refused before the stack runs out.

    /// "expected WHAT, found TOKEN".
    #[cold]
    #[inline(never)]
    fn expected(&self, pos: usize, what: &str, found: &Tok) -> ParseError {
        self.err(pos, format!("expected {what}, found {}", found.describe()))
    }

    #[cold]
    #[inline(never)]
    fn unexpected_after(&self, pos: usize, what: &str, found: &Tok) -> ParseError {
        self.err(pos, format!("unexpected {} after {what}; is an operator or a ';' missing?", found.describe()))
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> ParseError {
        let pos = self.peeked.as_ref().map(|t| t.pos).unwrap_or(self.last_end);
        self.err(pos, format!("the expression is nested too deeply (more than {MAX_DEPTH} levels); simplify it"))
    }

    #[cold]
    #[inline(never)]
    fn too_tall(&self) -> ParseError {
        self.err(
            self.last_end,
            format!("the expression is too long or deep (more than {MAX_HEIGHT} nested operations); split it up"),
        )
    }

    #[cold]
    #[inline(never)]
    fn unclosed(&self, close: &str, open_pos: usize, opened: &str, found: &Tok) -> ParseError {
        let column = ParseError::at(self.lex.src(), open_pos, "").column;
        self.expected(self.last_end, &format!("{close} to close the {opened} at column {column}"), found)
    }

    fn expect_end(&mut self, what: &str) -> Result<(), ParseError> {
        let t = self.next()?;
        if t.tok != Tok::End {
            return Err(self.unexpected_after(t.pos, what, &t.tok));
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn check_height(&self, h: u32) -> Result<u32, ParseError> {
        if h > MAX_HEIGHT {
            return Err(self.too_tall());
        }
        Ok(h)
    }

    /// Expression ::= OrExpr [ '?' Expression ':' Expression ]
    pub(crate) fn expression(&mut self) -> P {
        self.enter()?;
        let r = self.expression_inner();
        self.leave();
        r
    }

    fn expression_inner(&mut self) -> P {
        let (cond, hc) = self.binary(1)?;
        if !self.at(&Tok::Question)? {
            return Ok((cond, hc));
        }
        self.next()?;
        let (then, ht) = self.expression()?;
        let t = self.next()?;
        if t.tok != Tok::Colon {
            return Err(self.expected(t.pos, "':' of the conditional 'cond ? a : b'", &t.tok));
        }
        let (otherwise, ho) = self.expression()?;
        let h = self.check_height(1 + hc.max(ht).max(ho))?;
        Ok((Expr::new(Node::Ternary { cond, then, otherwise }), h))
    }

    /// Left-associative binary operators by precedence climbing.
    fn binary(&mut self, min_prec: u8) -> P {
        let (mut lhs, mut h) = self.unary()?;
        while let Some((op, prec)) = binary_op(&self.peek()?.tok) {
            if prec < min_prec {
                break;
            }
            self.next()?;
            let (rhs, hr) = self.binary(prec + 1)?;
            h = self.check_height(1 + h.max(hr))?;
            lhs = Expr::new(Node::Binary { op, lhs, rhs });
        }
        Ok((lhs, h))
    }

    fn unary(&mut self) -> P {
        self.enter()?;
        let r = self.unary_inner();
        self.leave();
        r
    }

    fn unary_inner(&mut self) -> P {
        let op = match self.peek()?.tok {
            Tok::Minus => UnaryOp::Minus,
            Tok::Plus => UnaryOp::Plus,
            Tok::Tilde => UnaryOp::BitNot,
            Tok::Bang => UnaryOp::Not,
            _ => return self.postfix(),
        };
        self.next()?;
        let (arg, h) = self.unary()?;
        let h = self.check_height(h + 1)?;
        Ok((Expr::new(Node::Unary { op, arg }), h))
    }

    fn postfix(&mut self) -> P {
        self.enter()?;
        let r = self.postfix_inner();
        self.leave();
        r
    }

    fn postfix_inner(&mut self) -> P {
        let (mut e, mut h) = self.primary()?;
        loop {
            let t = self.peek()?;
            if t.tok == Tok::LBox {
                let open = t.pos;
                self.next()?;
                let (index, hi) = self.expression()?;
                let t = self.next()?;
                if t.tok != Tok::RBox {
                    return Err(self.unclosed("']'", open, "subscript '['", &t.tok));
                }
                h = self.check_height(1 + h.max(hi))?;
                e = Expr::new(Node::Index { base: e, index });
            } else if t.tok == Tok::Elvis {
                self.next()?;
                let (rhs, hr) = self.postfix()?;
                h = self.check_height(1 + h.max(hr))?;
                e = Expr::new(Node::Binary { op: BinaryOp::Elvis, lhs: e, rhs });
            } else if t.tok == Tok::Dot {
                self.next()?;
                let t = self.next()?;
                let Tok::Ident(name) = t.tok else {
                    return Err(self.expected(
                        t.pos,
                        "an attribute name after '.' (quote it as 'name' if it is a reserved word)",
                        &t.tok,
                    ));
                };
                h = self.check_height(h + 1)?;
                e = Expr::new(Node::Select { base: e, name: Name::new(&name) });
            } else {
                return Ok((e, h));
            }
        }
    }

    fn primary(&mut self) -> P {
        let t = self.next()?;
        let lit = |v: Value| Ok((Expr::literal(v), 1));
        match t.tok {
            Tok::Ident(name) => {
                if self.at(&Tok::LParen)? {
                    return self.call(name, t.pos);
                }
                Ok((Expr::new(Node::Attr { name: Name::new(&name), absolute: false }), 1))
            }
            Tok::Dot => {
                let n = self.next()?;
                match n.tok {
                    Tok::Ident(name) => Ok((Expr::new(Node::Attr { name: Name::new(&name), absolute: true }), 1)),
                    other => Err(self.expected(n.pos, "an attribute name after '.'", &other)),
                }
            }
            Tok::LParen => {
                let (inner, h) = self.expression()?;
                let c = self.next()?;
                if c.tok != Tok::RParen {
                    return Err(self.unclosed("')'", t.pos, "'('", &c.tok));
                }
                let h = self.check_height(h + 1)?;
                Ok((Expr::new(Node::Paren(inner)), h))
            }
            Tok::LBox => {
                self.peeked = Some(Spanned { tok: Tok::LBox, pos: t.pos });
                self.enter()?;
                let ad = self.ad_body();
                self.leave();
                Ok((Expr::new(Node::Ad(Arc::new(ad?))), 1))
            }
            Tok::LBrace => self.list(t.pos),
            Tok::Undefined => lit(Value::Undefined),
            Tok::Error => lit(Value::Error),
            Tok::Bool(b) => lit(Value::Bool(b)),
            Tok::Int(i) => lit(Value::Int(i)),
            Tok::Real(r) => lit(Value::Real(r)),
            Tok::Str(s) => lit(Value::String(Arc::from(s.as_str()))),
            Tok::End => Err(self.ends_early(t.pos)),
            other => Err(self.expected(t.pos, "an expression", &other)),
        }
    }

    #[cold]
    #[inline(never)]
    fn ends_early(&self, pos: usize) -> ParseError {
        self.err(pos, "the expression ends too early; an operand is missing")
    }

    fn call(&mut self, name: String, pos: usize) -> P {
        self.next()?; // '('
        let mut args = Vec::new();
        let mut h = 1;
        if self.at(&Tok::RParen)? {
            self.next()?;
        } else {
            loop {
                let (a, ha) = self.expression()?;
                h = h.max(ha + 1);
                args.push(a);
                let t = self.next()?;
                match t.tok {
                    Tok::Comma => {}
                    // Configured HTCondor accepts ';' between arguments too. A
                    // ')' right after a separator is refused by expression().
                    Tok::Semi if self.dialect.is_configured() => {}
                    Tok::RParen => break,
                    other => return Err(self.bad_argument_separator(&name, t.pos, &other)),
                }
            }
        }
        let h = self.check_height(h)?;
        if args.len() == 1 && (name.eq_ignore_ascii_case("absTime") || name.eq_ignore_ascii_case("relTime")) {
            if let Some(lit) = self.time_literal(&name, &args[0], pos)? {
                return Ok((lit, 1));
            }
        }
        Ok((Expr::new(Node::Call(Call::with_dialect(&name, args, self.dialect))), h))
    }

    #[cold]
    #[inline(never)]
    fn bad_argument_separator(&self, name: &str, pos: usize, found: &Tok) -> ParseError {
        self.expected(pos, &format!("',' or ')' in the arguments of {name}()"), found)
    }

    /// `absTime("...")` and `relTime("...")` with a literal string become
    /// time literals while parsing; a string that is not a time is refused.
    #[inline(never)]
    fn time_literal(&self, name: &str, arg: &Expr, pos: usize) -> Result<Option<Expr>, ParseError> {
        let Some(Value::String(s)) = arg.as_literal() else { return Ok(None) };
        if name.eq_ignore_ascii_case("absTime") {
            return match crate::time::parse_abs_time(s) {
                Some((secs, offset)) => Ok(Some(Expr::literal(Value::AbsTime { secs, offset }))),
                None => Err(self.err(
                    pos,
                    format!("absTime(\"{s}\"): not a date and time like 2024-01-31T12:00:00+01:00"),
                )),
            };
        }
        match crate::time::parse_rel_time(s) {
            Some(secs) => Ok(Some(Expr::literal(Value::RelTime(secs)))),
            None => Err(self.err(pos, format!("relTime(\"{s}\"): not a duration like 1+02:03:04 or 90"))),
        }
    }

    fn list(&mut self, open: usize) -> P {
        let mut items = Vec::new();
        let mut h = 1;
        if self.at(&Tok::RBrace)? {
            self.next()?;
            return Ok((Expr::new(Node::List(items)), 1));
        }
        loop {
            let (e, he) = self.expression()?;
            h = h.max(he + 1);
            items.push(e);
            let t = self.next()?;
            match t.tok {
                Tok::Comma => {}
                Tok::RBrace => break,
                other => return Err(self.unclosed("',' or '}'", open, "list opened", &other)),
            }
        }
        let h = self.check_height(h)?;
        Ok((Expr::new(Node::List(items)), h))
    }

    /// `[ name = expr; ... ]` starting at the '['.
    fn ad_body(&mut self) -> Result<ClassAd, ParseError> {
        let open = self.next()?;
        let mut ad = ClassAd::new();
        loop {
            let t = self.next()?;
            let name = match t.tok {
                Tok::RBox => return Ok(ad),
                Tok::Semi => continue,
                Tok::Ident(n) => n,
                Tok::End => return Err(self.never_closed(open.pos)),
                other => {
                    return Err(self.expected(t.pos, "an attribute name (Name = expression) in the ad", &other))
                }
            };
            let eq = self.next()?;
            if eq.tok != Tok::Assign {
                return Err(self.expected(eq.pos, &format!("'=' after the attribute name '{name}'"), &eq.tok));
            }
            let (e, _) = self.expression()?;
            ad.insert(&name, e);
            let t = self.peek()?;
            if !matches!(t.tok, Tok::Semi | Tok::RBox) {
                let (pos, tok) = (t.pos, t.tok.clone());
                return Err(self.expected(pos, &format!("';' or ']' after the value of '{name}'"), &tok));
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn never_closed(&self, pos: usize) -> ParseError {
        self.err(pos, "this '[' is never closed; add ']' at the end of the ad")
    }
}

fn binary_op(t: &Tok) -> Option<(BinaryOp, u8)> {
    Some(match t {
        Tok::OrOr => (BinaryOp::Or, 1),
        Tok::AndAnd => (BinaryOp::And, 2),
        Tok::Pipe => (BinaryOp::BitOr, 3),
        Tok::Caret => (BinaryOp::BitXor, 4),
        Tok::Amp => (BinaryOp::BitAnd, 5),
        Tok::Eq => (BinaryOp::Eq, 6),
        Tok::Ne => (BinaryOp::Ne, 6),
        Tok::MetaEq => (BinaryOp::Is, 6),
        Tok::MetaNe => (BinaryOp::Isnt, 6),
        Tok::Lt => (BinaryOp::Lt, 7),
        Tok::Le => (BinaryOp::Le, 7),
        Tok::Gt => (BinaryOp::Gt, 7),
        Tok::Ge => (BinaryOp::Ge, 7),
        Tok::Shl => (BinaryOp::Shl, 8),
        Tok::Shr => (BinaryOp::Shr, 8),
        Tok::UShr => (BinaryOp::UShr, 8),
        Tok::Plus => (BinaryOp::Add, 9),
        Tok::Minus => (BinaryOp::Sub, 9),
        Tok::Star => (BinaryOp::Mul, 10),
        Tok::Slash => (BinaryOp::Div, 10),
        Tok::Percent => (BinaryOp::Mod, 10),
        _ => return None,
    })
}
