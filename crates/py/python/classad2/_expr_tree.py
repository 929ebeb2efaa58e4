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
