"""The SQL of ``search_keys.has_word``: a query word matches a stored key where one of its
spellings begins a word of the key, or, written in Chinese, is anywhere in it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, or_

from matchmaking.search_keys import HAN


def key_has(column: Any, spelling: str) -> ColumnElement[bool]:
    """``column`` (a stored search key) has a word beginning with ``spelling`` (Chinese:
    holds it). Keys and spellings hold no LIKE wildcard; they are escaped all the same."""
    if HAN.search(spelling):
        return column.contains(spelling, autoescape=True)  # type: ignore[no-any-return]
    return or_(
        column.startswith(spelling, autoescape=True),
        column.contains(f" {spelling}", autoescape=True),
    )


def keys_have(columns: Iterable[Any], spellings: Iterable[str]) -> ColumnElement[bool]:
    """One of ``columns`` has one of ``spellings`` (the spellings of one query word)."""
    return or_(*(key_has(column, s) for column in columns for s in spellings))
