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


def _tree(obj):
    return obj if isinstance(obj, _ExprTree2) else _native._expr_literal(obj)


def _binary(op):
    def f(self, other):
        return _native._expr_binary(op, self, other)
    return f


def _rbinary(op):
    def f(self, other):
        return _native._expr_binary(op, other, self)
    return f


for _name, _op in [("__add__", "+"), ("__sub__", "-"), ("__mul__", "*"), ("__truediv__", "/"), ("__mod__", "%"),
                   ("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">="), ("__and__", "&"),
                   ("__or__", "|"), ("__xor__", "^"), ("__lshift__", "<<"), ("__rshift__", ">>"), ("__getitem__", "[]")]:
    setattr(_ExprTree2, _name, _binary(_op))
for _name, _op in [("__radd__", "+"), ("__rsub__", "-"), ("__rmul__", "*"), ("__rtruediv__", "/"), ("__rmod__", "%"),
                   ("__rand__", "&"), ("__ror__", "|"), ("__rxor__", "^")]:
    setattr(_ExprTree2, _name, _rbinary(_op))
_ExprTree2.__neg__ = lambda self: _native._expr_unary("-", self)
_ExprTree2.__pos__ = lambda self: _native._expr_unary("+", self)
_ExprTree2.__invert__ = lambda self: _native._expr_unary("~", self)
_ExprTree2.and_ = _binary("&&")
_ExprTree2.or_ = _binary("||")
_ExprTree2.is_ = _binary("=?=")
_ExprTree2.isnt_ = _binary("=!=")
_ExprTree2.sameAs = lambda self, other: isinstance(other, _ExprTree2) and self._handle.same_as(other._handle)
_ExprTree2.__bool__ = lambda self: bool(self.eval())
_ExprTree2.__int__ = lambda self: int(self.eval())
_ExprTree2.__float__ = lambda self: float(self.eval())


def Literal(obj):
    """An expression that is the literal value *obj*."""
    return _native._expr_literal(obj)


def Attribute(name: str):
    """An expression referring to attribute *name*."""
    return _native._expr_attribute(name)


def Function(name: str, *args):
    """An expression calling the ClassAd function *name* with *args*."""
    return _native._expr_call(name, list(args))


def register(function, name=None):
    """Not offered: ClassAd functions written in Python cannot be called
    from Aerie's evaluator."""
    raise _classad2.ClassAdException("registering Python functions as ClassAd functions is not supported by Aerie")


def version():
    return _classad2.version()
