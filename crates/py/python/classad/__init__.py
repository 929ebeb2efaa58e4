"""HTCondor's version 1 ``classad`` module names over Aerie's ``classad2``.

Besides everything of ``classad2``: ``Literal(value)``,
``Attribute(name)``, ``Function(name, *args)``, and ``ExprTree``s that
build bigger expressions with Python operators (``Attribute("x") + 1``,
``.and_()``, ``.or_()``, ``.is_()``, ``.isnt_()``).
"""

import classad2 as _classad2
from classad2 import *  # noqa: F401,F403
from classad2 import _native
from classad2._expr_tree import ExprTree as _ExprTree2


class ExprTree(_ExprTree2):
    """A v1 ``classad.ExprTree``: Python's operators build expressions,
    ``==`` and ``!=`` included (``sameAs()`` compares two trees)."""

    __hash__ = None


def _v1(result, *operands):
    # results of v1 trees stay v1 trees, so `==` keeps building expressions
    if any(isinstance(o, ExprTree) for o in operands):
        result.__class__ = ExprTree
    return result


def _binary(op):
    def f(self, other):
        return _v1(_native._expr_binary(op, self, other), self, other)
    return f


def _rbinary(op):
    def f(self, other):
        return _v1(_native._expr_binary(op, other, self), self, other)
    return f


def _unary(op):
    def f(self):
        return _v1(_native._expr_unary(op, self), self)
    return f


# Operators that classad2's ExprTree does not define anyway are added to it
# (any expression can be combined); `==`/`!=` build expressions only for v1 trees.
for _name, _op in [("__add__", "+"), ("__sub__", "-"), ("__mul__", "*"), ("__truediv__", "/"), ("__mod__", "%"),
                   ("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">="), ("__and__", "&"),
                   ("__or__", "|"), ("__xor__", "^"), ("__lshift__", "<<"), ("__rshift__", ">>"), ("__getitem__", "[]")]:
    setattr(_ExprTree2, _name, _binary(_op))
for _name, _op in [("__radd__", "+"), ("__rsub__", "-"), ("__rmul__", "*"), ("__rtruediv__", "/"), ("__rmod__", "%"),
                   ("__rand__", "&"), ("__ror__", "|"), ("__rxor__", "^")]:
    setattr(_ExprTree2, _name, _rbinary(_op))
_ExprTree2.__neg__ = _unary("-")
_ExprTree2.__pos__ = _unary("+")
_ExprTree2.__invert__ = _unary("~")
_ExprTree2.and_ = _binary("&&")
_ExprTree2.or_ = _binary("||")
_ExprTree2.is_ = _binary("=?=")
_ExprTree2.isnt_ = _binary("=!=")
_ExprTree2.sameAs = lambda self, other: isinstance(other, _ExprTree2) and self._handle.same_as(other._handle)
_ExprTree2.__int__ = lambda self: int(self.eval())
_ExprTree2.__float__ = lambda self: float(self.eval())
ExprTree.__eq__ = _binary("==")
ExprTree.__ne__ = _binary("!=")
ExprTree.__bool__ = lambda self: bool(self.eval())


def _as_v1(tree):
    tree.__class__ = ExprTree
    return tree


def Literal(obj):
    """An expression that is the literal value *obj*."""
    return _as_v1(_native._expr_literal(obj))


def Attribute(name: str):
    """An expression referring to attribute *name*."""
    return _as_v1(_native._expr_attribute(name))


def Function(name: str, *args):
    """An expression calling the ClassAd function *name* with *args*."""
    return _as_v1(_native._expr_call(name, list(args)))


def register(function, name=None):
    """Not offered: ClassAd functions written in Python cannot be called
    from Aerie's evaluator."""
    raise _classad2.ClassAdException("registering Python functions as ClassAd functions is not supported by Aerie")


def version():
    return _classad2.version()
