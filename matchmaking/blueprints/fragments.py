"""Rendered parts of pages kept in the worker process while the data they show is unchanged.

A part is stored under a key (whose part of which page, in which language) with the *stamp*
it was rendered from: everything it shows, read by one cheap statement. A request reads the
stamp again and reuses the part only when it is equal, so a change shows on the very next
request, in every worker, with no invalidation to send. Nothing that differs per request or
per session (forms, CSRF tokens, "now") may be in a stored part, with one exception: a whole
page (``reuse_page``) is stored with its CSRF token replaced by a mark, and each request puts
its own token back.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

# Stands for the CSRF token in stored pages: random, so no page text can contain it.
TOKEN_MARK = f"csrf-mark-{secrets.token_hex(16)}"


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


def reuse_page(cache: FragmentCache, key: Hashable, stamp: Any, render: Callable[[], str]) -> str:
    """A whole page, rendered by ``render`` or reused from ``cache`` as ``get_or_render`` does.

    Every form of a request carries the same CSRF token (Flask-WTF keeps it for the request),
    so the page is stored with that token replaced by ``TOKEN_MARK`` and is given the current
    request's own token on every use, the first included: one session's token never reaches
    another. ``stamp`` must hold everything else the page shows, "now" included to the
    precision shown; pages with flashed messages (shown once) must not come here.
    """

    def marked() -> str:
        page = render()
        return page.replace(generate_csrf(), TOKEN_MARK)

    return str(cache.get_or_render(key, stamp, marked)).replace(TOKEN_MARK, generate_csrf())
