"""The OpenAPI 3 description of Kanal's REST API, served at /api/openapi.json.

Hand-written rather than generated, so it reads as documentation; a test checks that it is a valid OpenAPI
document and that it describes every route of the API blueprint, so it cannot silently fall behind.
"""

from __future__ import annotations

from typing import Any

from eservices.api import DECISION_OUTCOMES, LISTABLE_STATUSES, MAX_PAGE_SIZE, SETTABLE_STATUSES
from eservices.webhooks import EVENT_NAMES, SIGNATURE_HEADER, TIMESTAMP_HEADER

__all__ = ["openapi_document"]

API_PREFIX = "/api/v1"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
}
_CASE_ERRORS = {**_ERRORS, "404": {"$ref": "#/components/responses/NotFound"}}
_REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "description": "The case reference, like 2026-000123.",
    "schema": {"type": "string", "pattern": r"^\d{4}-\d{6}$"},
}
_TIMESTAMP = {"type": "string", "format": "date-time"}
_REASONING = {
    "type": "string",
    "minLength": 1,
    "maxLength": 10000,
    "pattern": r"\S",
    "description": "The reasoning, as the resident reads it on the case page and in the sealed decision letter.",
}
_NULLABLE_TIMESTAMP = {"type": "string", "format": "date-time", "nullable": True}


def openapi_document(municipality_name: str) -> dict[str, Any]:
    """The document, with the installation's name in its title."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Kanal case API – {municipality_name}",
            "version": "1.0.0",
            "description": (
                "For external case-management systems: list, read and update the cases of the departments a "
                "token is scoped to. Authenticate with `Authorization: Bearer <token>`; tokens are made by a "
                "system administrator at /admin/api-tokens. Errors are RFC 7807 problem documents.\n\n"
                "Webhooks: Kanal POSTs JSON to subscribed URLs on the events "
                f"{', '.join(EVENT_NAMES)}. Each request carries `{TIMESTAMP_HEADER}` (Unix seconds) and "
                f"`{SIGNATURE_HEADER}: v1=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` keyed with the "
                "webhook's secret; reject requests whose signature differs or whose timestamp is old. A "
                "delivery that does not get a 2xx answer is retried with increasing delays."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/cases": {
                "get": {
                    "operationId": "listCases",
                    "summary": "List cases, oldest change first",
                    "description": (
                        "Ordered by updatedAt, then reference. Pass `nextCursor` back as `cursor` for the next "
                        "page; a page without `nextCursor` is the last."
                    ),
                    "parameters": [
                        {
                            "name": "queue",
                            "in": "query",
                            "description": "A queue code; only cases in that queue.",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(LISTABLE_STATUSES)},
                        },
                        {
                            "name": "changed_since",
                            "in": "query",
                            "description": "Only cases changed at or after this time (ISO 8601 with a time zone).",
                            "schema": _TIMESTAMP,
                        },
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": MAX_PAGE_SIZE,
                                "default": 50,
                            },
                        },
                    ],
                    "responses": {
                        "200": _json("A page of cases", _ref("CasePage")),
                        "400": _problem("A parameter is not valid"),
                        **_ERRORS,
                    },
                }
            },
            "/cases/{reference}": {
                "get": {
                    "operationId": "getCase",
                    "summary": "A case with its answers, documents and files",
                    "parameters": [_REFERENCE],
                    "responses": {"200": _json("The case", _ref("CaseDetail")), **_CASE_ERRORS},
                }
            },
            "/cases/{reference}/status": {
                "post": {
                    "operationId": "changeCaseStatus",
                    "summary": "Change the case's status (the resident is notified)",
                    "description": "The case moves along its service's workflow, as in the officer workspace. "
                    "To decide a case, record the decision instead.",
                    "parameters": [_REFERENCE],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("StatusChange")}},
                    },
                    "responses": {
                        "200": _json("The case after the change", _ref("CaseSummary")),
                        "400": _problem("The body is not a valid status change"),
                        "409": _problem(
                            "The case's workflow does not allow that status from where it is now"
                        ),
                        **_CASE_ERRORS,
                    },
                }
            },
            "/cases/{reference}/messages": {
                "post": {
                    "operationId": "postMessage",
                    "summary": "Send the resident a message (they are told to log in to read it)",
                    "description": "The message appears among the case's messages on the resident's case "
                    "page, as an officer's does.",
                    "parameters": [_REFERENCE],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewMessage")}},
                    },
                    "responses": {
                        "201": _json("The message was added to the case", _ref("TimelineEntry")),
                        "400": _problem("The body is not a valid message"),
                        "409": _problem("The case does not take messages now"),
                        **_CASE_ERRORS,
                    },
                }
            },
            "/cases/{reference}/decision": {
                "post": {
                    "operationId": "recordDecision",
                    "summary": "Record the decision: its outcome and reasoning, optionally with the case "
                    "system's own PDF",
                    "description": "The decision is recorded as an officer's is: the resident reads the outcome "
                    "and reasoning on their case page and gets a sealed decision letter made from them "
                    "(listed under documents once sealed). An uploaded PDF is kept as a file of the case.",
                    "parameters": [_REFERENCE],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": _ref("TextDecision")},
                            "multipart/form-data": {"schema": _ref("PdfDecision")},
                        },
                    },
                    "responses": {
                        "201": _json("The decision was recorded", _ref("TimelineEntry")),
                        "400": _problem("The body is not a valid decision"),
                        "409": _problem("The case cannot be decided from where it is now"),
                        **_CASE_ERRORS,
                    },
                }
            },
            "/cases/{reference}/documents/{document_id}": {
                "get": {
                    "operationId": "getCaseDocument",
                    "summary": "A sealed document of the case (receipt or decision), as PDF",
                    "parameters": [
                        _REFERENCE,
                        {
                            "name": "document_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The sealed PDF",
                            "content": {
                                "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                            },
                        },
                        "409": _problem("The document has not been sealed yet; try again shortly"),
                        **_CASE_ERRORS,
                    },
                }
            },
            "/cases/{reference}/files/{file_id}": {
                "get": {
                    "operationId": "getCaseFile",
                    "summary": "A file of the case: sent with a message, a completion or a decision",
                    "parameters": [
                        _REFERENCE,
                        {"name": "file_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "The file",
                            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **_CASE_ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Unauthorized": _problem("The token is missing, malformed, unknown or revoked"),
                "Forbidden": _problem("The case or queue belongs to a department outside the token's scope"),
                "NotFound": _problem("There is no such case, document or file"),
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 7807 problem details.",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                            },
                        },
                    },
                },
                "CaseSummary": {
                    "type": "object",
                    "required": ["reference", "status", "service", "queue", "department", "updatedAt"],
                    "properties": {
                        "reference": {"type": "string"},
                        "status": {"type": "string"},
                        "service": {"type": "string", "description": "The service's slug"},
                        "queue": {"type": "string"},
                        "department": {"type": "string"},
                        "channel": {"type": "string"},
                        "createdAt": _TIMESTAMP,
                        "updatedAt": _TIMESTAMP,
                        "submittedAt": _NULLABLE_TIMESTAMP,
                        "firstActionAt": _NULLABLE_TIMESTAMP,
                        "decidedAt": _NULLABLE_TIMESTAMP,
                        "closedAt": _NULLABLE_TIMESTAMP,
                        "url": {"type": "string"},
                    },
                },
                "CasePage": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {"type": "array", "items": _ref("CaseSummary")},
                        "nextCursor": {"type": "string", "nullable": True},
                    },
                },
                "CaseDetail": {
                    "allOf": [
                        _ref("CaseSummary"),
                        {
                            "type": "object",
                            "properties": {
                                "answers": {"type": "object", "additionalProperties": True},
                                "signatureMethod": {
                                    "type": "string",
                                    "nullable": True,
                                    "enum": ["bankid", "bankid_phone", "paper", None],
                                    "description": "How the applicant signed: BankID themself, BankID on their "
                                    "phone while an agent filed it, or on paper (the scanned page is among the "
                                    "files, with the purpose signaturePage); null when not signed",
                                },
                                "assisted": {
                                    "type": "boolean",
                                    "description": "Whether an agent filed the case on the resident's behalf",
                                },
                                "resident": {
                                    "type": "object",
                                    "nullable": True,
                                    "properties": {
                                        "personnummer": {"type": "string"},
                                        "givenName": {"type": "string"},
                                        "familyName": {"type": "string"},
                                    },
                                },
                                "timeline": {"type": "array", "items": _ref("TimelineEntry")},
                                "documents": {"type": "array", "items": _ref("DocumentLink")},
                                "files": {"type": "array", "items": _ref("FileLink")},
                            },
                        },
                    ]
                },
                "TimelineEntry": {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "kind": {"type": "string"}, "at": _TIMESTAMP},
                },
                "DocumentLink": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string", "enum": ["receipt", "decision"]},
                        "filename": {"type": "string"},
                        "sealed": {"type": "boolean"},
                        "url": {"type": "string"},
                    },
                },
                "FileLink": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "contentType": {"type": "string"},
                        "size": {"type": "integer"},
                        "sha256": {"type": "string"},
                        "purpose": {
                            "type": "string",
                            "nullable": True,
                            "enum": ["signaturePage", None],
                            "description": "signaturePage for the scanned page a resident signed on paper",
                        },
                        "url": {"type": "string"},
                    },
                },
                "StatusChange": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {"status": {"type": "string", "enum": list(SETTABLE_STATUSES)}},
                    "additionalProperties": False,
                },
                "NewMessage": {
                    "type": "object",
                    "required": ["body"],
                    "properties": {
                        "body": {"type": "string", "minLength": 1, "maxLength": 10000, "pattern": r"\S"}
                    },
                    "additionalProperties": False,
                },
                "TextDecision": {
                    "type": "object",
                    "required": ["outcome", "text"],
                    "properties": {
                        "outcome": {"type": "string", "enum": list(DECISION_OUTCOMES)},
                        "text": _REASONING,
                    },
                    "additionalProperties": False,
                },
                "PdfDecision": {
                    "type": "object",
                    "required": ["outcome", "text", "document"],
                    "properties": {
                        "outcome": {"type": "string", "enum": list(DECISION_OUTCOMES)},
                        "text": _REASONING,
                        "document": {"type": "string", "format": "binary"},
                    },
                },
            },
        },
    }
