//! HTCondor's indented "pretty" print, used by the `unparse()` function:
//! new-syntax values, lists and nested ads broken over lines.

use crate::expr::{Node, UnaryOp};
use crate::unparse::{binary_op, identifier, storage_order, unparse_value_new, Style};
use crate::{ClassAd, Expr, Value};

const AD_INDENT: usize = 4;
const LIST_INDENT: usize = 3;

/// The pretty print of an expression.
pub fn pretty(e: &Expr) -> String {
    let mut p = Pretty { out: String::new(), indent: 0 };
    p.expr(e);
    p.out
}

struct Pretty {
    out: String,
    indent: usize,
}

impl Pretty {
    fn newline(&mut self) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', self.indent));
    }

    fn expr(&mut self, e: &Expr) {
        match e.node() {
            Node::Literal(v) => self.value(v),
            Node::Attr { name, absolute } => {
                if *absolute {
                    self.out.push('.');
                }
                identifier(&mut self.out, name.as_str(), Style::New);
            }
            Node::Select { base, name } => {
                self.expr(base);
                self.out.push('.');
                self.out.push_str(name.as_str());
            }
            Node::Unary { op, arg } => {
                self.out.push_str(match op {
                    UnaryOp::Plus => " +",
                    UnaryOp::Minus => " -",
                    UnaryOp::Not => " !",
                    UnaryOp::BitNot => " ~",
                });
                self.expr(arg);
            }
            Node::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                self.out.push_str(binary_op(*op, Style::New));
                self.expr(rhs);
            }
            Node::Ternary { cond, then, otherwise } => {
                self.expr(cond);
                self.out.push_str(" ? ");
                self.expr(then);
                self.out.push_str(" : ");
                self.expr(otherwise);
            }
            Node::Paren(inner) => {
                self.out.push('(');
                self.expr(inner);
                self.out.push(')');
            }
            Node::Index { base, index } => {
                self.expr(base);
                self.out.push('[');
                self.expr(index);
                self.out.push(']');
            }
            Node::Call(call) => {
                self.out.push_str(&call.name);
                self.out.push('(');
                for (i, a) in call.args.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.expr(a);
                }
                self.out.push(')');
            }
            Node::List(items) => self.list(items.len(), |p, i| p.expr(&items[i])),
            Node::Ad(ad) => self.ad(ad),
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::List(items) => self.list(items.len(), |p, i| p.value(&items[i])),
            Value::Ad(ad) => self.ad(ad),
            other => self.out.push_str(&unparse_value_new(other)),
        }
    }

    fn list(&mut self, n: usize, mut item: impl FnMut(&mut Pretty, usize)) {
        self.indent += LIST_INDENT;
        self.newline();
        self.out.push('{');
        self.indent += LIST_INDENT;
        for i in 0..n {
            self.newline();
            item(self, i);
            if i + 1 < n {
                self.out.push(',');
            }
        }
        self.indent -= LIST_INDENT;
        self.newline();
        self.out.push('}');
        self.indent -= LIST_INDENT;
    }

    fn ad(&mut self, ad: &ClassAd) {
        self.indent += AD_INDENT;
        self.newline();
        self.out.push('[');
        self.indent += AD_INDENT;
        let attrs = storage_order(ad);
        let n = attrs.len();
        for (i, (name, e)) in attrs.into_iter().enumerate() {
            self.newline();
            identifier(&mut self.out, name, Style::New);
            self.out.push_str(" = ");
            self.expr(e);
            if i + 1 < n {
                self.out.push_str("; ");
            }
        }
        self.indent -= AD_INDENT;
        self.newline();
        self.out.push(']');
        self.indent -= AD_INDENT;
    }
}
