"""Numbers and counted nouns in running text, written one way everywhere.

Standard library only: it is on ``rnnquiz count``'s fast path.
"""

from __future__ import annotations

IRREGULAR = {"copy": "copies", "matrix": "matrices", "is": "are"}


def number(x) -> str:
    """An integer with thousands separators (3450 -> '3,450'); anything else as str()."""
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    return str(x)


def noun(k: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, agreeing with k: noun(1, 'copy') -> 'copy', noun(3, 'copy') -> 'copies'."""
    if k == 1:
        return singular
    return plural or IRREGULAR.get(singular) or singular + "s"


def counted(k: int, singular: str, plural: str | None = None) -> str:
    """'1 copy', '3 copies', '1,000 steps'."""
    return f"{number(k)} {noun(k, singular, plural)}"


def times(k: int) -> str:
    """How often: 'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(k, f"{number(k)} times")


def each_of(k: int, singular: str, plural: str | None = None) -> str:
    """All k of something: 'the one step', 'both steps', 'all 9 steps'."""
    if k == 1:
        return f"the one {singular}"
    if k == 2:
        return f"both {noun(2, singular, plural)}"
    return f"all {counted(k, singular, plural)}"
