"""The REST API blueprint (/api/v1) and its OpenAPI document (/api/openapi.json).

Bearer tokens, not sessions: the blueprint is exempt from CSRF, every request is authenticated in
`before_request`, and every error is an RFC 7807 problem document rather than an HTML page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_babel import force_locale
from jsonschema import Draft7Validator
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from core import audit
from core.config import Settings
from core.db import db
from core.models import Queue
from eservices import api, casework
from eservices.actors import Actor
from eservices.api_models import ApiToken
from eservices.casework import CaseRuleError
from eservices.models import Case
from eservices.openapi import openapi_document
from signing.documents.service import DocumentNotReady, document_bytes, documents_for_case

__all__ = ["ApiProblem", "blueprint", "docs_blueprint"]

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
docs_blueprint = Blueprint("api_docs", __name__, url_prefix="/api")

PROBLEM_JSON = "application/problem+json"


class ApiProblem(HTTPException):
    """An error answered as a problem document; `errors` lists what was wrong with which field."""

    def __init__(
        self, status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.code = status
        self.title = title
        self.detail = detail
        self.errors = errors or []


def problem_response(
    status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kanal", error="invalid_token"'
    return response


def _bad_request(detail: str, errors: list[dict[str, str]] | None = None) -> NoReturn:
    raise ApiProblem(400, "Bad Request", detail, errors)


@blueprint.errorhandler(HTTPException)
def _problem_for(error: HTTPException) -> Response:
    if isinstance(error, ApiProblem):
        return problem_response(error.code or 400, error.title, error.detail, error.errors)
    status = error.code or 500
    return problem_response(status, error.name, error.description or error.name)


@blueprint.before_request
def _authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    if not header:
        return problem_response(401, "Unauthorized", "Send an API token as `Authorization: Bearer <token>`.")
    if scheme.lower() != "bearer" or not secret.strip() or " " in secret.strip():
        return problem_response(401, "Unauthorized", "The Authorization header is not `Bearer <token>`.")
    token = api.authenticate_token(secret.strip())
    if token is None:
        return problem_response(401, "Unauthorized", "The token is unknown or has been revoked.")
    g.api_token = token
    return None


def _token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


def _actor() -> tuple[str, str | None]:
    return Actor.api_token(_token()).as_tuple()


def _conflict(error: CaseRuleError) -> NoReturn:
    """A change the case's state or workflow does not allow now; the reason in English, like every API text."""
    with force_locale("en"):
        detail = str(error)
    raise ApiProblem(409, "Conflict", detail)


def _case_in_scope(reference: str) -> Case:
    case = api.find_case(reference)
    if case is None:
        raise ApiProblem(404, "Not Found", f"There is no case {reference}.")
    if case.queue.department_id not in _token().department_ids:
        audit.record(
            "denied",
            "case",
            case.id,
            actor=_actor(),
            details={"reason": "department out of the token's scope"},
        )
        raise ApiProblem(
            403, "Forbidden", f"Case {reference} belongs to a department outside this token's scope."
        )
    return case


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _summary(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "status": case.status,
        "service": case.service.slug,
        "queue": case.queue.code,
        "department": case.queue.department.code,
        "channel": case.channel,
        "createdAt": _iso(case.created_at),
        "updatedAt": _iso(case.updated_at),
        "submittedAt": _iso(case.submitted_at),
        "firstActionAt": _iso(case.first_action_at),
        "decidedAt": _iso(case.decided_at),
        "closedAt": _iso(case.closed_at),
        "url": url_for("api.get_case", reference=case.reference, _external=True),
    }


# What a file is, when it is more than a file sent with a message, completion or decision.
_FILE_PURPOSES = {"signature_page": "signaturePage"}


def _detail(case: Case) -> dict[str, Any]:
    resident = case.resident
    files = [
        {
            "id": attachment.id,
            "name": attachment.filename,
            "contentType": attachment.content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
            "purpose": _FILE_PURPOSES.get(attachment.purpose or ""),
            "url": url_for(
                "api.get_case_file", reference=case.reference, file_id=attachment.id, _external=True
            ),
        }
        for attachment in api.case_files(case)
    ]
    documents = [
        {
            "id": document.id,
            "kind": document.kind,
            "filename": document.filename,
            "sealed": document.sealed,
            "url": url_for(
                "api.get_case_document", reference=case.reference, document_id=document.id, _external=True
            ),
        }
        for document in documents_for_case(case.id)
    ]
    return {
        **_summary(case),
        "answers": case.answers,
        "signatureMethod": case.signature_method,
        "assisted": case.assisted_by_id is not None,
        "resident": None
        if resident is None
        else {
            "personnummer": resident.personnummer,
            "givenName": resident.given_name,
            "familyName": resident.family_name,
        },
        # Kinds and times only: event data may hold internal notes that the case system has no need of.
        "timeline": [_timeline_entry(event) for event in case.events],
        "documents": documents,
        "files": files,
    }


def _timeline_entry(event: Any) -> dict[str, Any]:
    return {"id": event.id, "kind": event.kind, "at": _iso(event.at)}


def _json_body(schema_name: str) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        _bad_request("The body must be a JSON object (Content-Type: application/json).")
    _validate(schema_name, body)
    return body


def _validate(schema_name: str, body: dict[str, Any]) -> None:
    schema = openapi_document("")["components"]["schemas"][schema_name]
    errors = [
        {"field": ".".join(str(part) for part in error.absolute_path) or "(body)", "message": error.message}
        for error in sorted(
            Draft7Validator(schema).iter_errors(body), key=lambda error: list(error.absolute_path)
        )
    ]
    if errors:
        _bad_request("The body does not match the schema " + schema_name + ".", errors)


@blueprint.get("/cases")
def list_cases() -> Response:
    token = _token()
    queue = None
    if code := request.args.get("queue"):
        queue = db.scalar(select(Queue).where(Queue.code == code))
        if queue is None:
            _bad_request(f"There is no queue {code!r}.", [{"field": "queue", "message": "unknown queue"}])
        if queue.department_id not in token.department_ids:
            raise ApiProblem(
                403, "Forbidden", f"Queue {code} belongs to a department outside this token's scope."
            )
    status = request.args.get("status")
    if status is not None and status not in api.LISTABLE_STATUSES:
        _bad_request(f"Unknown status {status!r}.", [{"field": "status", "message": "unknown status"}])
    changed_since = None
    if raw := request.args.get("changed_since"):
        try:
            changed_since = dt.datetime.fromisoformat(raw)
        except ValueError:
            changed_since = None
        if changed_since is None or changed_since.tzinfo is None:
            _bad_request(
                "changed_since must be an ISO 8601 time with a time zone, like 2026-03-01T08:00:00+00:00.",
                [{"field": "changed_since", "message": "not an ISO 8601 time with a time zone"}],
            )
    try:
        limit = int(request.args.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= api.MAX_PAGE_SIZE:
        _bad_request(
            f"limit must be a whole number from 1 to {api.MAX_PAGE_SIZE}.",
            [{"field": "limit", "message": "out of range"}],
        )
    try:
        page = api.list_cases(
            token.department_ids,
            queue=queue,
            status=status,
            changed_since=changed_since,
            cursor=request.args.get("cursor") or None,
            limit=limit,
        )
    except api.InvalidCursor:
        _bad_request(
            "The cursor is not one this API handed out.", [{"field": "cursor", "message": "invalid"}]
        )
    return jsonify({"items": [_summary(case) for case in page.cases], "nextCursor": page.next_cursor})


@blueprint.get("/cases/<reference>")
def get_case(reference: str) -> Response:
    case = _case_in_scope(reference)
    audit.record("read", "case", case.id, resident_id=case.resident_id, actor=_actor())
    return jsonify(_detail(case))


@blueprint.post("/cases/<reference>/status")
def change_status(reference: str) -> Response:
    case = _case_in_scope(reference)
    body = _json_body("StatusChange")
    try:
        api.change_case_status(case, body["status"], _token())
    except CaseRuleError as error:
        _conflict(error)
    return jsonify(_summary(case))


@blueprint.post("/cases/<reference>/messages")
def post_message(reference: str) -> tuple[Response, int]:
    case = _case_in_scope(reference)
    body = _json_body("NewMessage")
    try:
        event = api.post_message(case, body["body"], _token())
    except CaseRuleError as error:
        _conflict(error)
    return jsonify(_timeline_entry(event)), 201


@blueprint.post("/cases/<reference>/decision")
def record_decision(reference: str) -> tuple[Response, int]:
    case = _case_in_scope(reference)
    data: bytes | None = None
    filename: str | None = None
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("document")
        _validate("PdfDecision", {**request.form.to_dict(), **({"document": "(file)"} if upload else {})})
        assert upload is not None  # the schema requires it
        outcome, text = request.form["outcome"], request.form["text"]
        data, filename = upload.read(), upload.filename or None
    else:
        body = _json_body("TextDecision")
        outcome, text = body["outcome"], body["text"]
    try:
        event = api.record_decision(case, outcome, _token(), reasoning=text, document=data, filename=filename)
    except CaseRuleError as error:  # a ValueError too, so caught first
        _conflict(error)
    except ValueError as error:
        _bad_request(str(error), [{"field": "document", "message": str(error)}])
    return jsonify(_timeline_entry(event)), 201


@blueprint.get("/cases/<reference>/documents/<int:document_id>")
def get_case_document(reference: str, document_id: int) -> Response:
    case = _case_in_scope(reference)
    document = next((item for item in documents_for_case(case.id) if item.id == document_id), None)
    if document is None:
        raise ApiProblem(404, "Not Found", f"Case {reference} has no document {document_id}.")
    try:
        data = document_bytes(document)
    except DocumentNotReady:
        raise ApiProblem(
            409, "Conflict", "The document has not been sealed yet; try again shortly."
        ) from None
    audit.record("read", "document", document.id, resident_id=case.resident_id, actor=_actor())
    return _download(data, "application/pdf", document.filename)


@blueprint.get("/cases/<reference>/files/<int:file_id>")
def get_case_file(reference: str, file_id: int) -> Response:
    case = _case_in_scope(reference)
    attachment = next((item for item in api.case_files(case) if item.id == file_id), None)
    if attachment is None:
        raise ApiProblem(404, "Not Found", f"Case {reference} has no file {file_id}.")
    data = casework.attachment_bytes(attachment)
    audit.record("read", "case_attachment", attachment.id, resident_id=case.resident_id, actor=_actor())
    return _download(data, attachment.content_type, attachment.filename)


def _download(data: bytes, content_type: str, filename: str) -> Response:
    response = Response(data, content_type=content_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@docs_blueprint.get("/openapi.json")
def openapi_json() -> Response:
    settings: Settings = current_app.extensions["kanal.settings"]
    return jsonify(openapi_document(settings.municipality_name))
