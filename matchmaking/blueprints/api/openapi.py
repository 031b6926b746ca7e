"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json.

Kept as Python data so it ships with the package; a contract test (schemathesis) checks the
API against it.
"""

from __future__ import annotations

from typing import Any

_MONEY = {
    "type": "string",
    "pattern": r"^[0-9]+\.[0-9]{2}$",
    "description": "Exact decimal amount rounded to the fen (two decimals), as a string.",
}
_COUNT = {"type": "integer", "minimum": 0}
_ERROR = {
    "type": "object",
    "description": "Every error of the API has this shape, whatever its status.",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "What went wrong, in the caller's language."},
        "parameter": {
            "type": "string",
            "description": "The parameter or header at fault, if any (e.g. 'group_by').",
        },
    },
    "additionalProperties": False,
}


def _error_response(description: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """A response with the Error body; ``headers`` maps each required header to its meaning."""
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        response["headers"] = {
            name: {"description": meaning, "required": True, "schema": {"type": "string"}}
            for name, meaning in headers.items()
        }
    return response


_RETRY_AFTER = {"Retry-After": "Seconds to wait before trying again."}

# Every error status the API answers, all with the Error body; every operation declares them all.
_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("BadRequest", _error_response("A parameter is invalid; 'parameter' names it.")),
    "401": (
        "Unauthorized",
        _error_response(
            "The Bearer token is malformed, unknown or revoked (no token at all is anonymous).",
            {"WWW-Authenticate": "The authentication scheme to use: Bearer."},
        ),
    ),
    "403": (
        "Forbidden",
        _error_response("The token is genuine but its account may no longer use the API."),
    ),
    "404": (
        "NotFound",
        _error_response(
            "No such event, or its tally is not published or under embargo; or no such URL."
        ),
    ),
    "405": (
        "MethodNotAllowed",
        _error_response(
            "The method is not allowed on this URL.", {"Allow": "The methods this URL allows."}
        ),
    ),
    "429": (
        "TooManyRequests",
        _error_response("Too many requests from this token or address.", _RETRY_AFTER),
    ),
    "500": (
        "InternalServerError",
        _error_response("An unexpected error; the message is generic, never a traceback."),
    ),
    "503": (
        "ServiceUnavailable",
        _error_response("The database cannot be reached; try again later.", _RETRY_AFTER),
    ),
}
_ERROR_REFS = {
    status: {"$ref": f"#/components/responses/{name}"} for status, (name, _) in _ERRORS.items()
}


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Matchmaking deal tally API",
        "version": "1.0.0",
        "description": (
            "Published deal totals of business-matchmaking events. Anonymous callers and "
            "reporters (Bearer token) read the same published snapshot: totals and group "
            "totals only. Groups with deals of fewer than three buyers or three suppliers are "
            "folded into 'other', and nothing but a notice is published while the deals are of "
            "fewer than three buyers or three suppliers. A new snapshot ('as_of') replaces the "
            "last one only when the deals changed since involve at least three buyers and three "
            "suppliers. Amounts are strings with two decimals; groups add up to the total exactly."
        ),
    },
    "paths": {
        "/api/v1/events/{slug}/deals/totals": {
            "get": {
                "operationId": "getDealTotals",
                "summary": "Published deal totals of an event, optionally grouped",
                "security": [{}, {"bearerAuth": []}],
                "parameters": [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 80},
                        "example": "chongqing-sco-2025-demo",
                    },
                    {
                        "name": "group_by",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["zone", "country", "sector", "day", "stage"],
                        },
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The published figures (or a notice instead of them).",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Totals"}}
                        },
                    },
                    **_ERROR_REFS,
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "security": [{}, {"bearerAuth": []}],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_ERROR_REFS,
                },
            }
        },
    },
    "components": {
        "responses": dict(_ERRORS.values()),
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A reporter's API token (created on the reporter's page).",
            }
        },
        "schemas": {
            "Error": _ERROR,
            "Figure": {
                "type": "object",
                "required": ["cny", "usd", "deals", "companies"],
                "properties": {
                    "cny": _MONEY,
                    "usd": _MONEY,
                    "deals": _COUNT,
                    "companies": {"type": "integer", "minimum": 3},
                },
            },
            "Group": {
                "allOf": [
                    {"$ref": "#/components/schemas/Figure"},
                    {
                        "type": "object",
                        "required": ["key", "label"],
                        "properties": {
                            "key": {"type": "string", "description": "'other' for folded groups"},
                            "label": {"type": "string"},
                        },
                    },
                ]
            },
            "Totals": {
                "type": "object",
                "required": [
                    "event",
                    "currency",
                    "currencies",
                    "as_of",
                    "group_by",
                    "meetings_held",
                    "notice",
                    "total",
                    "groups",
                ],
                "properties": {
                    "event": {
                        "type": "object",
                        "required": ["slug", "name", "start_date", "end_date"],
                        "properties": {
                            "slug": {"type": "string"},
                            "name": {"type": "string"},
                            "start_date": {"type": "string", "format": "date"},
                            "end_date": {"type": "string", "format": "date"},
                        },
                    },
                    "currency": {"type": "string", "const": "CNY"},
                    "currencies": {"type": "array", "items": {"type": "string"}},
                    "as_of": {"type": "string", "format": "date-time"},
                    "group_by": {
                        "type": ["string", "null"],
                        "enum": ["zone", "country", "sector", "day", "stage", None],
                    },
                    "meetings_held": _COUNT,
                    "notice": {"type": ["string", "null"]},
                    "total": {"oneOf": [{"$ref": "#/components/schemas/Figure"}, {"type": "null"}]},
                    "groups": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}},
                },
            },
        },
    },
}
