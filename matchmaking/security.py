"""HTTP hardening: the client address behind trusted proxies, and security headers."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response


def trusted_proxies(value: object) -> int:
    """``TRUSTED_PROXIES`` as a count of proxies; a clear error for anything else."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        raise RuntimeError(
            f"TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {value!r}"
        )
    return int(text)


def trust_proxies(app: Flask) -> None:
    """Take the client address (and scheme) from the last ``TRUSTED_PROXIES`` forwarded hops.

    With 0 the WSGI peer is the client and no X-Forwarded-* header counts. The host and
    prefix headers are never trusted: nothing here needs them, and links must not follow them.
    """
    count = trusted_proxies(app.config.get("TRUSTED_PROXIES", 0))
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0
        )


def register_security_headers(app: Flask) -> None:
    """Send the security headers on every response: pages, JSON, static files and errors."""
    headers = {
        "Content-Security-Policy": app.config["CONTENT_SECURITY_POLICY"],
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # for browsers without CSP frame-ancestors
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if app.config.get("STRICT_TRANSPORT_SECURITY"):
        headers["Strict-Transport-Security"] = app.config["STRICT_TRANSPORT_SECURITY"]

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
