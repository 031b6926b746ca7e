"""Addresses and query strings: control characters and out-of-range ids never reach a view.

Path arguments are matched by converters that refuse control characters (a ``%00`` in a slug
or token is simply no route: 404) and ids beyond the database's integer columns (SQLite
cannot even bind them). Query arguments holding a control character, in their name or
value, are refused before any view runs (400), and so are form bodies with a field whose
name cannot be read. Form bodies are otherwise checked field by field by the forms
(``forms_base``), so that the message lands on the field.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter

from matchmaking.blueprints.forms_base import INTEGER_LIMIT, has_control_characters

_NO_CONTROL = r"\x00-\x1f\x7f-\x9f"


class TextConverter(UnicodeConverter):
    """The default ``<name>`` converter: one path segment without control characters."""

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", f"[^/{_NO_CONTROL}]", 1)


class SafePathConverter(PathConverter):
    """``<path:name>`` without control characters."""

    regex = f"[^/{_NO_CONTROL}][^{_NO_CONTROL}]*?"


class IdConverter(IntegerConverter):
    """``<int:name>`` up to the largest value of an integer column (larger: no route)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, INTEGER_LIMIT if max is None else max, signed)


def register_input_guards(app: Flask) -> None:
    """Install the converters (before any route is added) and the query-string check."""
    app.url_map.converters.update(
        default=TextConverter, string=TextConverter, path=SafePathConverter, int=IdConverter
    )

    @app.before_request
    def refuse_control_characters_in_query() -> None:
        for name, value in request.args.items(multi=True):
            if has_control_characters(name) or has_control_characters(value):
                abort(400)

    @app.before_request
    def refuse_nameless_form_fields() -> None:
        # A multipart part whose name werkzeug cannot read (name="\") comes as a None key,
        # which the CSRF check, running after this, cannot handle (500).
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and None in request.form:
            abort(400)


def id_arg(name: str) -> int | None:
    """A query argument naming a row (``?company=12``): None unless it is an id a column can
    hold (1 .. 2**31-1), so an overlong number never reaches the database as a parameter."""
    from flask import request

    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value < 2**31 else None
