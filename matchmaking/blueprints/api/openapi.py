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
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "parameter": {"type": "string", "description": "The parameter at fault, if any."},
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Matchmaking deal tally API",
        "version": "1.0.0",
        "description": (
            "Published deal totals of business-matchmaking events. Anonymous callers and "
            "reporters (Bearer token) read the same published snapshot: totals and group "
            "totals only. Groups covering fewer than three companies are folded into 'other', "
            "and nothing but a notice is published while fewer than three companies have "
            "deals. Amounts are strings with two decimals; groups add up to the total exactly."
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
                    "400": _error_response("A parameter is invalid; 'parameter' names it."),
                    "401": _error_response("The Bearer token is invalid or revoked."),
                    "404": _error_response(
                        "No such event, or its tally is not published or under embargo."
                    ),
                    "429": _error_response("Too many requests."),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "components": {
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
