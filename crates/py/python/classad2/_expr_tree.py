"""``classad2.ExprTree``: an expression of the ClassAd language."""

from typing import Optional, Union

from . import _native
from ._class_ad import ClassAd


class ExprTree:
    """An unevaluated ClassAd expression (``TARGET.Memory > 1024``)."""

    def __init__(self, expr: Optional[Union[str, "ExprTree"]] = None):
        if expr is None:
            self._handle = _native._ExprHandle("undefined")
        elif isinstance(expr, ExprTree):
            self._handle = expr._handle
        else:
            self._handle = _native._ExprHandle(str(expr))

    def __eq__(self, other):
        if type(self) is type(other):
            return self._handle.same_as(other._handle)
        return False

    __hash__ = None

    def __str__(self):
        return self._handle.pretty()

    def __repr__(self):
        return self._handle.repr()

    def __reduce__(self):
        return (type(self), (repr(self),))

    @staticmethod
    def _scopes(scope, target):
        if scope is not None:
            if not isinstance(scope, ClassAd):
                raise TypeError("scope must be a ClassAd")
            scope = scope._handle
        if target is not None:
            if not isinstance(target, ClassAd):
                raise TypeError("target must be a ClassAd")
            target = target._handle
        return scope, target

    def eval(self, scope: Optional[ClassAd] = None, target: Optional[ClassAd] = None):
        """The value of the expression, with *scope* as ``MY`` and *target* as ``TARGET``."""
        scope, target = self._scopes(scope, target)
        return self._handle.eval(scope, target)

    def simplify(self, scope: Optional[ClassAd] = None, target: Optional[ClassAd] = None):
        """The value of the expression, as an :class:`ExprTree`."""
        scope, target = self._scopes(scope, target)
        return self._handle.simplify(scope, target)


def _binary(op):
    def f(self, other):
        return _native._expr_binary(op, self, other)
    f.__name__ = op
    return f


def _rbinary(op):
    def f(self, other):
        return _native._expr_binary(op, other, self)
    return f


# Python operators build bigger expressions (`ExprTree("Memory") > 1024`);
# `==` keeps comparing trees, as classad2 does (v1 `classad.ExprTree`
# builds `==` expressions too).
for _name, _op in [("__add__", "+"), ("__sub__", "-"), ("__mul__", "*"), ("__truediv__", "/"), ("__mod__", "%"),
                   ("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">="), ("__and__", "&"),
                   ("__or__", "|"), ("__xor__", "^"), ("__lshift__", "<<"), ("__rshift__", ">>"), ("__getitem__", "[]")]:
    setattr(ExprTree, _name, _binary(_op))
for _name, _op in [("__radd__", "+"), ("__rsub__", "-"), ("__rmul__", "*"), ("__rtruediv__", "/"), ("__rmod__", "%"),
                   ("__rand__", "&"), ("__ror__", "|"), ("__rxor__", "^")]:
    setattr(ExprTree, _name, _rbinary(_op))
ExprTree.__neg__ = lambda self: _native._expr_unary("-", self)
ExprTree.__pos__ = lambda self: _native._expr_unary("+", self)
ExprTree.__invert__ = lambda self: _native._expr_unary("~", self)
ExprTree.and_ = _binary("&&")
ExprTree.or_ = _binary("||")
ExprTree.is_ = _binary("=?=")
ExprTree.isnt_ = _binary("=!=")
ExprTree.sameAs = lambda self, other: isinstance(other, ExprTree) and self._handle.same_as(other._handle)
