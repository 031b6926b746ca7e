"""File answers (PDF, iCalendar) for one reader's own data: never kept by a shared cache."""

from __future__ import annotations

from flask import Response


def download(content: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    """``content`` as a file named ``filename``, shown in the browser when ``inline``."""
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def calendar_feed(content: bytes, filename: str) -> Response:
    """A calendar subscription, whose address is its secret: it is not sent on as a referrer."""
    response = download(content, "text/calendar", filename, inline=True)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
