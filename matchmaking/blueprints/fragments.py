"""Rendered parts of pages kept in the worker process while the data they show is unchanged.

A part is stored under a key (whose part of which page, in which language) with the *stamp*
it was rendered from: everything it shows, read by one cheap statement. A request reads the
stamp again and reuses the part only when it is equal, so a change shows on the very next
request, in every worker, with no invalidation to send. Nothing that differs per request or
per session (forms, CSRF tokens, "now") may be in a stored part.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from flask import current_app
from markupsafe import Markup


class FragmentCache:
    """At most ``size`` rendered parts, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._parts: OrderedDict[Hashable, tuple[Any, Markup]] = OrderedDict()
        self._lock = Lock()

    def get_or_render(self, key: Hashable, stamp: Any, render: Callable[[], str]) -> Markup:
        """The part stored under ``key`` if it was rendered from ``stamp``, else ``render()``'s
        (then stored in place of the old one)."""
        with self._lock:
            found = self._parts.get(key)
            if found is not None and found[0] == stamp:
                self._parts.move_to_end(key)
                return found[1]
        part = Markup(render())
        with self._lock:
            self._parts[key] = (stamp, part)
            self._parts.move_to_end(key)
            while len(self._parts) > self.size:
                self._parts.popitem(last=False)
        return part

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()


def app_fragments(name: str, size: int) -> FragmentCache:
    """The current app's cache ``name`` of at most ``size`` parts, made on first use. Per app,
    not per process: parts may hold what its secret makes (the agenda's check-in codes)."""
    cache: FragmentCache = current_app.extensions.setdefault(name, FragmentCache(size))
    return cache
