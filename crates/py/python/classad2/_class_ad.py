"""``classad2.ClassAd`` and the module's parsing and quoting functions."""

from collections.abc import MutableMapping
from typing import IO, Iterator, List, Optional, Union

from . import _native
from ._native import ClassAdException
from ._parser_type import ParserType
from ._value import Value


class ClassAd(MutableMapping):
    """A ClassAd: a mapping of case-insensitive attribute names to values.

    Literal values read back as Python values (``bool``, ``int``,
    ``float``, ``str``, ``datetime``, ``list``, ``ClassAd``,
    ``Value.Undefined``/``Value.Error``); other expressions as
    :class:`ExprTree`. Setting ``None`` stores ``undefined``; ``dict``\\ s
    become nested ClassAds.
    """

    def __init__(self, input: Optional[Union[str, dict]] = None):
        if input is None:
            self._handle = _native._AdHandle()
        elif isinstance(input, dict):
            self._handle = _native._AdHandle()
            for key, value in input.items():
                self[key] = value
        elif isinstance(input, str):
            self._handle = _native._AdHandle(input)
        else:
            raise TypeError("input must be None, str, or dict")

    def __repr__(self):
        return self._handle.repr()

    def __str__(self):
        return self._handle.pretty()

    def __reduce__(self):
        return (ClassAd, (repr(self),))

    def __eq__(self, other):
        if type(self) is type(other):
            return self._handle.same_as(other._handle)
        return NotImplemented

    __hash__ = None

    def __len__(self):
        return len(self._handle)

    def __getitem__(self, key):
        if not isinstance(key, str):
            raise TypeError("ClassAd keys are strings")
        return self._handle.get(key, True)

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError("ClassAd keys are strings")
        self._handle.set(key, value)

    def __delitem__(self, key):
        if not isinstance(key, str):
            raise TypeError("ClassAd keys are strings")
        self._handle.delete(key)

    def __contains__(self, key):
        return isinstance(key, str) and self._handle.contains(key)

    def __iter__(self):
        return iter(self._handle.keys())

    def eval(self, attr: str):
        """The value of attribute *attr* evaluated in this ad."""
        if not isinstance(attr, str):
            raise TypeError("ClassAd keys are strings")
        return self._handle.eval(attr)

    def lookup(self, attr: str) -> "ExprTree":
        """The expression of attribute *attr*, unevaluated."""
        if not isinstance(attr, str):
            raise TypeError("ClassAd keys are strings")
        return self._handle.get(attr, False)

    def externalRefs(self, expr: "ExprTree") -> List[str]:
        """Attributes *expr* refers to that this ad does not define."""
        if not isinstance(expr, ExprTree):
            raise TypeError("expr must be an ExprTree")
        return self._handle.external_refs(expr._handle)

    def internalRefs(self, expr: "ExprTree") -> List[str]:
        """Attributes *expr* refers to that this ad defines."""
        if not isinstance(expr, ExprTree):
            raise TypeError("expr must be an ExprTree")
        return self._handle.internal_refs(expr._handle)

    def flatten(self, expr: "ExprTree") -> "ExprTree":
        """*expr* partially evaluated: what this ad defines is replaced by values."""
        if not isinstance(expr, ExprTree):
            raise TypeError("expr must be an ExprTree")
        return self._handle.flatten(expr._handle)

    def matches(self, ad: "ClassAd") -> bool:
        """True when *ad*'s ``Requirements`` is true with this ad as its target."""
        if not isinstance(ad, ClassAd):
            raise TypeError("ad must be a ClassAd")
        return ad._handle.requirements_met_by(self._handle)

    def symmetricMatch(self, ad: "ClassAd") -> bool:
        """``self.matches(ad) and ad.matches(self)``."""
        return self.matches(ad) and ad.matches(self)

    def printJson(self) -> str:
        """This ad in HTCondor's JSON form."""
        return self._handle.print_json()

    def printOld(self) -> str:
        """This ad in the old (``condor_q -long``) form."""
        return self._handle.print_old()

    formatJson = printJson
    formatOld = printOld

    def _copy(self) -> "ClassAd":
        new = ClassAd.__new__(type(self))
        new._handle = self._handle.copy()
        return new


def _read_input(input):
    if isinstance(input, str):
        return input, None
    start = None
    try:
        start = input.tell()
    except (AttributeError, OSError, ValueError):
        start = None
    return "".join(input), start


def _parseAds(input: Union[str, IO], parser: ParserType = ParserType.Auto) -> Iterator[ClassAd]:
    """A generator of the ads in *input* (a string or a file)."""
    if isinstance(input, str):
        def all_ads():
            yield from _native._parse_all(input, int(parser))
        return all_ads()

    def file_ads():
        text, start = _read_input(input)
        offset, chars = 0, 0
        while True:
            ad, used, used_chars = _native._parse_next(text, int(parser), offset)
            if ad is None or used == 0:
                return
            offset += used
            chars += used_chars
            if start is not None:
                try:
                    input.seek(start + chars, 0)
                except (OSError, ValueError):
                    pass
            yield ad
    return file_ads()


def _parseOne(input: Union[str, Iterator[str]], parser: ParserType = ParserType.Auto) -> ClassAd:
    """All ads of *input* merged into one."""
    result = ClassAd()
    for ad in _parseAds(input, parser):
        result._handle.update(ad._handle)
    return result


def _parseNext(input: Union[str, IO], parser: ParserType = ParserType.Auto) -> ClassAd:
    """The first ad of *input*; a file is left positioned after it."""
    if isinstance(input, str):
        ad, _, _ = _native._parse_next(input, int(parser), 0)
        return ad
    text, start = _read_input(input)
    ad, used, chars = _native._parse_next(text, int(parser), 0)
    if start is not None:
        try:
            input.seek(start + chars, 0)
        except (OSError, ValueError):
            pass
    return ad


def _quote(input: str) -> str:
    """*input* as a ClassAd string literal."""
    return _native._quote(input)


def _unquote(input: str) -> str:
    """The string value of the ClassAd string literal *input*."""
    return _native._unquote(input)


def _lastError() -> str:
    """The last ClassAd library error (Aerie reports errors in exceptions)."""
    return ""


def _version() -> str:
    """The HTCondor ClassAd library version this module speaks."""
    return _native._classad_version()


from ._expr_tree import ExprTree  # noqa: E402  (ExprTree refers back to ClassAd)
