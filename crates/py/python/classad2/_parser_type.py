"""Which serialization ``parseAds``/``parseOne``/``parseNext`` read."""

import enum


class ParserType(enum.IntEnum):
    """``Auto`` guesses between ``Old`` and ``New`` (and ``JSON``)."""

    Auto = -1
    Old = 0
    XML = 1
    JSON = 2
    New = 3
    FileAuto = 4
