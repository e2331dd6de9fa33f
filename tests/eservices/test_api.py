"""The REST API for external case systems, its OpenAPI document, the admin pages for tokens, webhooks and
failing deliveries, and signed webhooks delivered through the outbox."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import select

from core import clock, outbox
from core.db import db
from core.models import OutboxMessage, OutboxStatus, Role
from eservices import api
from eservices.casework_models import CaseDecision, CaseMessage
from eservices.models import Case, CaseEvent
from eservices.service import create_case
from eservices.webhooks import DELIVER_JOB, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from tests.app_process import free_port
from tests.builders import (
    DEFAULT_PASSWORD,
    follow_up_submissions,
    make_api_token,
    make_case,
    make_department,
    make_queue,
    make_resident,
    make_service,
    make_staff,
    make_webhook,
)
from tests.eservices.casework_fixtures import (  # noqa: F401 - fixtures
    casework_seal_settings,
    log_in_resident,
    sealing,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Scope:
    """Two departments with a service each; a token for the first; cases in both."""

    def __init__(self) -> None:
        self.department = make_department(code="building", name="Building")
        self.queue = make_queue(self.department, code="permits")
        self.service = make_service(queue=self.queue)
        self.other_department = make_department(code="schools", name="Schools")
        self.other_queue = make_queue(self.other_department, code="school-places")
        self.other_service = make_service(queue=self.other_queue)
        self.token, self.secret = make_api_token([self.department])
        self.resident = make_resident(preferred_language="en")
        self.case = make_case(self.service, self.resident, {"address": "Storgatan 1"})
        self.other_case = make_case(self.other_service, make_resident())
        db.commit()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def scope(app: Flask) -> Scope:
    return Scope()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def fresh_view() -> None:
    db.rollback()
    db.expire_all()


def jobs_of(kind: str) -> list[OutboxMessage]:
    fresh_view()
    return list(
        db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
    )


# --- authentication ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Token kanal_abc",
        "Basic dXNlcjpwYXNz",
        "Bearer kanal_not-a-real-token",
        "Bearer x y",
    ],
)
def test_a_missing_malformed_or_unknown_token_is_refused_with_401(
    client: FlaskClient, scope: Scope, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/api/v1/cases", headers=headers)

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_with_401(client: FlaskClient, scope: Scope) -> None:
    assert client.get("/api/v1/cases", headers=scope.headers).status_code == 200
    api.revoke_api_token(scope.token.id)
    db.commit()

    assert_problem(client.get("/api/v1/cases", headers=scope.headers), 401)


def test_a_token_is_stored_only_as_a_hash_and_records_its_last_use(client: FlaskClient, scope: Scope) -> None:
    assert scope.secret not in (scope.token.token_hash, scope.token.token_prefix)
    assert scope.token.token_hash == api.hash_token(scope.secret)
    assert scope.token.last_used_at is None

    client.get("/api/v1/cases", headers=scope.headers)

    fresh_view()
    assert scope.token.last_used_at is not None


def test_the_api_needs_no_csrf_token(csrf_app: Flask) -> None:
    scope = Scope()
    response = csrf_app.test_client().post(
        f"/api/v1/cases/{scope.case.reference}/messages", headers=scope.headers, json={"body": "Hello"}
    )
    assert response.status_code == 201


# --- scope ------------------------------------------------------------------------------------------------


def test_cases_of_another_department_are_forbidden(client: FlaskClient, scope: Scope) -> None:
    reference = scope.other_case.reference
    for method, path, body in [
        ("get", f"/api/v1/cases/{reference}", None),
        ("post", f"/api/v1/cases/{reference}/status", {"status": "in_progress"}),
        ("post", f"/api/v1/cases/{reference}/messages", {"body": "Hello"}),
        ("post", f"/api/v1/cases/{reference}/decision", {"outcome": "approved", "text": "Yes."}),
        ("get", f"/api/v1/cases/{reference}/documents/1", None),
        ("get", f"/api/v1/cases/{reference}/files/1", None),
        ("get", "/api/v1/cases?queue=school-places", None),
    ]:
        response = getattr(client, method)(path, headers=scope.headers, json=body)
        assert_problem(response, 403)
    fresh_view()
    assert db.get(Case, scope.other_case.id).status == "submitted"  # type: ignore[union-attr]


def test_an_unknown_case_is_404(client: FlaskClient, scope: Scope) -> None:
    assert_problem(client.get("/api/v1/cases/2026-999999", headers=scope.headers), 404)


# --- listing ----------------------------------------------------------------------------------------------


def test_listing_shows_only_the_tokens_departments_oldest_change_first(
    client: FlaskClient, scope: Scope
) -> None:
    response = client.get("/api/v1/cases", headers=scope.headers)

    assert response.status_code == 200
    body = response.get_json()
    assert [item["reference"] for item in body["items"]] == [scope.case.reference]
    assert body["nextCursor"] is None
    item = body["items"][0]
    assert item["queue"] == "permits" and item["department"] == "building" and item["status"] == "submitted"
    assert item["url"].endswith(f"/api/v1/cases/{scope.case.reference}")


def test_listing_pages_through_every_case_once_in_a_stable_order(client: FlaskClient, scope: Scope) -> None:
    for _ in range(6):
        make_case(scope.service, make_resident())
    db.commit()
    expected = [
        case.reference
        for case in db.scalars(
            select(Case).where(Case.queue_id == scope.queue.id).order_by(Case.updated_at, Case.id)
        )
    ]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(f"/api/v1/cases?{query}", headers=scope.headers).get_json()
        seen += [item["reference"] for item in body["items"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break

    assert seen == expected and len(seen) == 7
    assert pages == 3


def test_listing_filters_by_queue_status_and_changed_since(client: FlaskClient, scope: Scope) -> None:
    second_queue = make_queue(scope.department, code="inspections")
    inspection = make_case(make_service(queue=second_queue), make_resident())
    db.commit()
    clock.advance(dt.timedelta(hours=1))
    since = clock.now()
    api.change_case_status(scope.case, "in_progress", scope.token)
    db.commit()

    def references(query: str) -> list[str]:
        response = client.get(f"/api/v1/cases?{query}", headers=scope.headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["reference"] for item in response.get_json()["items"]]

    assert references("queue=inspections") == [inspection.reference]
    assert references("status=in_progress") == [scope.case.reference]
    assert references("status=submitted") == [inspection.reference]
    assert references("changed_since=" + since.isoformat().replace("+", "%2B")) == [scope.case.reference]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("queue=no-such-queue", "queue"),
        ("changed_since=yesterday", "changed_since"),
        ("changed_since=2026-01-01T00:00:00", "changed_since"),
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(
    client: FlaskClient, scope: Scope, query: str, field: str
) -> None:
    body = assert_problem(client.get(f"/api/v1/cases?{query}", headers=scope.headers), 400)
    assert [error["field"] for error in body["errors"]] == [field]


# --- one case ---------------------------------------------------------------------------------------------


def test_a_case_comes_with_its_answers_resident_timeline_and_file_links(
    client: FlaskClient, scope: Scope
) -> None:
    api.record_decision(
        scope.case,
        "approved",
        scope.token,
        reasoning="Approved as applied for.",
        document=PDF,
        filename="beslut.pdf",
    )
    db.commit()

    response = client.get(f"/api/v1/cases/{scope.case.reference}", headers=scope.headers)

    assert response.status_code == 200
    body = response.get_json()
    assert body["answers"] == {"address": "Storgatan 1"}
    assert body["resident"]["personnummer"] == scope.resident.personnummer
    assert [entry["kind"] for entry in body["timeline"]] == ["submitted", "decided", "status_changed"]
    # Every submitted case has its receipt as well; the decision letter is the one the decision added.
    [document] = [item for item in body["documents"] if item["kind"] == "decision"]
    assert document["sealed"] is False
    [file] = body["files"]
    assert (file["name"], file["contentType"]) == ("beslut.pdf", "application/pdf")
    download = client.get(file["url"], headers=scope.headers)
    assert download.status_code == 200
    assert download.get_data() == PDF
    assert "attachment" in download.headers["Content-Disposition"]


def test_reading_a_case_is_audited_with_the_token_as_actor(client: FlaskClient, scope: Scope) -> None:
    from core.models import AuditEntry

    client.get(f"/api/v1/cases/{scope.case.reference}", headers=scope.headers)

    fresh_view()
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id.desc()))
    assert entry is not None
    assert (entry.actor_kind, entry.actor_id, entry.subject_id) == (
        "api_token",
        str(scope.token.id),
        str(scope.case.id),
    )


# --- writes -----------------------------------------------------------------------------------------------


def test_changing_the_status_records_it_and_tells_the_resident(client: FlaskClient, scope: Scope) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/status", headers=scope.headers, json={"status": "in_progress"}
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "in_progress"
    fresh_view()
    case = db.get(Case, scope.case.id)
    assert case is not None and case.status == "in_progress" and case.first_action_at is not None
    assert case.events[-1].kind == "status_changed" and case.events[-1].actor_kind == "api_token"
    notified = {job.payload["kind"] for job in jobs_of("notify.email")}
    assert "case_status_changed" in notified


def test_posting_a_message_adds_it_to_the_timeline_and_notifies(client: FlaskClient, scope: Scope) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/messages",
        headers=scope.headers,
        json={"body": "Please send the drawings."},
    )

    assert response.status_code == 201
    event = db.get(CaseEvent, response.get_json()["id"])
    assert event is not None and event.kind == "message_to_resident" and event.actor_kind == "api_token"
    message = db.get(CaseMessage, event.data["message_id"])
    assert message is not None and message.body == "Please send the drawings."
    assert message.author_name == scope.token.name
    assert "message_to_resident" in {job.payload["kind"] for job in jobs_of("notify.email")}


def test_a_pdf_decision_is_stored_and_the_case_is_decided(client: FlaskClient, scope: Scope) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/decision",
        headers=scope.headers,
        data={
            "outcome": "partly_approved",
            "text": "Garage yes, carport no.",
            "document": (io.BytesIO(PDF), "beslut.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    fresh_view()
    case = db.get(Case, scope.case.id)
    assert case is not None and case.status == "decided" and case.decided_at is not None
    detail = client.get(f"/api/v1/cases/{scope.case.reference}", headers=scope.headers).get_json()
    [file] = detail["files"]
    assert file["contentType"] == "application/pdf"
    assert client.get(file["url"], headers=scope.headers).get_data() == PDF
    assert "decision_made" in {job.payload["kind"] for job in jobs_of("notify.email")}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("status", {"status": "lost"}, "status"),
        ("status", {}, "(body)"),
        ("status", {"status": "in_progress", "extra": 1}, "(body)"),
        ("status", {"status": "awaiting_signatures"}, "status"),
        ("status", {"status": "decided"}, "status"),
        ("messages", {"body": ""}, "body"),
        ("messages", {"body": "  \n "}, "body"),
        ("messages", {"body": 42}, "body"),
        ("decision", {"outcome": "maybe", "text": "Hm."}, "outcome"),
        ("decision", {"outcome": "approved"}, "(body)"),
        ("decision", {"outcome": "approved", "text": " "}, "text"),
    ],
)
def test_bad_payloads_are_400_problems_naming_the_field(
    client: FlaskClient, scope: Scope, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.post(f"/api/v1/cases/{scope.case.reference}/{path}", headers=scope.headers, json=body)

    problem = assert_problem(response, 400)
    assert field in [error["field"] for error in problem["errors"]]
    fresh_view()
    assert db.get(Case, scope.case.id).status == "submitted"  # type: ignore[union-attr]


def test_a_body_that_is_not_json_is_a_400_problem(client: FlaskClient, scope: Scope) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/status", headers=scope.headers, data="status=closed"
    )
    assert_problem(response, 400)


def test_a_decision_upload_that_is_not_a_pdf_is_a_400_problem(client: FlaskClient, scope: Scope) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/decision",
        headers=scope.headers,
        data={"outcome": "approved", "text": "Yes.", "document": (io.BytesIO(b"MZ\x90\x00"), "beslut.pdf")},
        content_type="multipart/form-data",
    )
    assert_problem(response, 400)


def test_a_pdf_decision_without_its_reasoning_is_a_400_problem(client: FlaskClient, scope: Scope) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/decision",
        headers=scope.headers,
        data={"outcome": "approved", "document": (io.BytesIO(PDF), "beslut.pdf")},
        content_type="multipart/form-data",
    )

    problem = assert_problem(response, 400)
    assert "text" in problem["errors"][0]["message"]
    fresh_view()
    assert db.get(Case, scope.case.id).status == "submitted"  # type: ignore[union-attr]


def test_a_status_the_services_workflow_does_not_allow_is_a_409_conflict(
    client: FlaskClient, scope: Scope
) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/status", headers=scope.headers, json={"status": "closed"}
    )

    assert "cannot move to that status" in assert_problem(response, 409)["detail"]
    fresh_view()
    assert db.get(Case, scope.case.id).status == "submitted"  # type: ignore[union-attr]


def test_a_decided_case_cannot_be_decided_again_through_the_api(client: FlaskClient, scope: Scope) -> None:
    decision = {"outcome": "approved", "text": "Yes."}
    first = client.post(
        f"/api/v1/cases/{scope.case.reference}/decision", headers=scope.headers, json=decision
    )
    again = client.post(
        f"/api/v1/cases/{scope.case.reference}/decision", headers=scope.headers, json=decision
    )

    assert first.status_code == 201
    assert_problem(again, 409)
    fresh_view()
    assert len(list(db.scalars(select(CaseDecision).where(CaseDecision.case_id == scope.case.id)))) == 1


# --- what the resident sees of the case system's writes --------------------------------------------------


def test_a_message_posted_through_the_api_shows_on_the_residents_case_page(
    app: Flask, client: FlaskClient, scope: Scope
) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/messages",
        headers=scope.headers,
        json={"body": "Please send the drawings of the garage."},
    )
    assert response.status_code == 201

    log_in_resident(app, client, scope.resident)
    page = client.get(f"/my-pages/cases/{scope.case.reference}", headers={"Accept-Language": "en"})

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Please send the drawings of the garage." in text
    assert scope.token.name in text
    assert "Message from the case officer." in text


@pytest.mark.usefixtures("sealing")
def test_a_decision_recorded_through_the_api_shows_on_the_case_page_with_its_sealed_pdf(
    app: Flask, client: FlaskClient, scope: Scope
) -> None:
    response = client.post(
        f"/api/v1/cases/{scope.case.reference}/decision",
        headers=scope.headers,
        data={
            "outcome": "approved",
            "text": "The garage may be built as drawn.",
            "document": (io.BytesIO(PDF), "bygglov.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    run_worker_until_idle()

    fresh_view()
    decision = db.scalar(select(CaseDecision).where(CaseDecision.case_id == scope.case.id))
    assert decision is not None and decision.decided_by_id is None
    assert decision.decider_name == scope.token.name and decision.document_id is not None
    [attachment] = decision.attachments
    assert attachment.filename == "bygglov.pdf"

    log_in_resident(app, client, scope.resident)
    page = client.get(f"/my-pages/cases/{scope.case.reference}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Approved" in text and "The garage may be built as drawn." in text
    assert "bygglov.pdf" in text and "being prepared" not in text
    sealed = client.get(f"/my-pages/cases/{scope.case.reference}/documents/{decision.document_id}")
    assert sealed.status_code == 200 and sealed.mimetype == "application/pdf"
    assert sealed.data.startswith(b"%PDF") and sealed.data != PDF
    own_pdf = client.get(f"/my-pages/cases/{scope.case.reference}/attachments/{attachment.id}")
    assert own_pdf.status_code == 200 and own_pdf.data == PDF
    detail = client.get(f"/api/v1/cases/{scope.case.reference}", headers=scope.headers).get_json()
    assert [item["sealed"] for item in detail["documents"] if item["kind"] == "decision"] == [True]


# --- the OpenAPI document ---------------------------------------------------------------------------------


def test_the_openapi_document_is_valid_openapi_3(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_the_openapi_document_describes_every_route_of_the_api(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    prefix = document["servers"][0]["url"]
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item}

    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = rule.rule.removeprefix(prefix)
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", f"{{{argument}}}").replace(
                f"<{argument}>", f"{{{argument}}}"
            )
        routes |= {(path, method) for method in rule.methods or () if method not in {"HEAD", "OPTIONS"}}

    assert routes, "the API blueprint has routes"
    assert routes - described == set(), "routes missing from /api/openapi.json"
    assert described - routes == set(), "documented routes that do not exist"


# --- webhooks ---------------------------------------------------------------------------------------------


class Receiver:
    """A tiny HTTP server in a thread that records what it is sent and answers 204."""

    def __init__(self, port: int | None = None) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(({key: value for key, value in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", port or free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/kanal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def run_worker_until_idle() -> int:
    return outbox.run_worker("test-worker", once=True).performed


def test_a_submission_the_worker_reports_later_says_when_it_was_submitted(app: Flask) -> None:
    department = make_department()
    make_webhook("http://127.0.0.1:9/hooks", department, events=["case.submitted"])
    case = create_case(make_service(queue=make_queue(department)), make_resident().id, {})
    db.commit()

    clock.advance(dt.timedelta(minutes=5))  # the worker gets to the follow-up a while later
    follow_up_submissions()

    [delivery] = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == DELIVER_JOB))
    assert case.submitted_at is not None
    assert delivery.payload["body"]["occurred_at"] == case.submitted_at.isoformat()


def test_case_events_reach_a_webhook_signed_so_the_receiver_can_verify_them(
    app: Flask, client: FlaskClient, receiver: Receiver
) -> None:
    department = make_department()
    webhook = make_webhook(receiver.url, department, events=["case.submitted", "case.status_changed"])
    other = make_webhook(receiver.url, make_department())
    case = make_case(make_service(queue=make_queue(department)), make_resident())
    token, _secret = make_api_token([department])
    api.change_case_status(case, "in_progress", token)
    api.post_message(case, "Not subscribed", token)
    db.commit()

    run_worker_until_idle()

    assert [headers["Kanal-Event"] for headers, _body in receiver.requests] == [
        "case.submitted",
        "case.status_changed",
    ]
    for headers, body in receiver.requests:
        assert verify_signature(webhook.secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
        assert not verify_signature(other.secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
        tampered = body.replace(case.reference.encode(), b"2026-999999")
        assert not verify_signature(
            webhook.secret, headers[TIMESTAMP_HEADER], tampered, headers[SIGNATURE_HEADER]
        )
        payload = json.loads(body)
        assert payload["case"]["reference"] == case.reference
        assert "answers" not in payload["case"]
    assert json.loads(receiver.requests[1][1])["data"] == {
        "old_status": "submitted",
        "new_status": "in_progress",
    }


def test_a_signature_is_rejected_once_it_is_too_old(app: Flask, receiver: Receiver) -> None:
    department = make_department()
    webhook = make_webhook(receiver.url, department)
    make_case(make_service(queue=make_queue(department)), make_resident())
    db.commit()
    run_worker_until_idle()
    [(headers, body)] = receiver.requests

    clock.advance(dt.timedelta(minutes=10))

    assert not verify_signature(webhook.secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])


def log_in_as_admin(client: FlaskClient) -> None:
    admin = make_staff(roles=[Role.SYSTEM_ADMIN])
    db.commit()
    response = client.post("/staff/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_an_unreachable_webhook_backs_off_shows_as_failing_and_can_be_retried(
    app: Flask, client: FlaskClient
) -> None:
    port = free_port()  # nothing listens here yet
    department = make_department()
    make_webhook(f"http://127.0.0.1:{port}/hooks/kanal", department, events=["case.submitted"])
    make_case(make_service(queue=make_queue(department)), make_resident())
    db.commit()

    run_worker_until_idle()
    run_worker_until_idle()

    [job] = jobs_of("webhook.deliver")
    assert job.status == OutboxStatus.PENDING and job.attempts == 1
    assert job.available_at > clock.now(), "the next attempt waits"
    log_in_as_admin(client)
    page = client.get("/admin/deliveries")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "webhook.deliver" in text and "ConnectError" in text

    receiver = Receiver(port)
    try:
        response = client.post(f"/admin/deliveries/{job.id}/retry")
        assert response.status_code == 302
        run_worker_until_idle()
        assert len(receiver.requests) == 1
    finally:
        receiver.close()
    [job] = jobs_of("webhook.deliver")
    assert job.status == OutboxStatus.DONE
    assert "webhook.deliver" not in client.get("/admin/deliveries").get_data(as_text=True)


def test_a_webhook_answering_with_an_error_is_retried_later(app: Flask) -> None:
    class Failing(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", free_port()), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        department = make_department()
        make_webhook(f"http://127.0.0.1:{server.server_port}/", department, events=["case.submitted"])
        make_case(make_service(queue=make_queue(department)), make_resident())
        db.commit()
        run_worker_until_idle()
    finally:
        server.shutdown()
        server.server_close()

    [job] = jobs_of("webhook.deliver")
    assert job.status == OutboxStatus.PENDING
    assert "answered 500" in (job.last_error or "")


# --- admin pages ------------------------------------------------------------------------------------------


def test_an_admin_creates_a_token_sees_it_once_and_can_revoke_it(app: Flask, client: FlaskClient) -> None:
    department = make_department(name="Building")
    log_in_as_admin(client)

    response = client.post(
        "/admin/api-tokens", data={"name": "Permit system", "departments": [str(department.id)]}
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith("kanal_")
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "Permit system" in listing and secret not in listing

    fresh_view()
    [token] = api.list_api_tokens()
    assert token.department_ids == {department.id}
    assert client.post(f"/admin/api-tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_an_admin_adds_and_switches_off_a_webhook(app: Flask, client: FlaskClient) -> None:
    department = make_department(name="Building")
    log_in_as_admin(client)

    response = client.post(
        "/admin/webhooks",
        data={
            "url": "https://cases.example/hooks",
            "department": str(department.id),
            "events": ["case.decided"],
        },
    )

    assert response.status_code == 200
    assert '<code id="new-secret">whsec_' in response.get_data(as_text=True)
    fresh_view()
    [webhook] = api.list_webhooks()
    assert (webhook.url, webhook.events, webhook.active) == (
        "https://cases.example/hooks",
        ["case.decided"],
        True,
    )
    client.post(f"/admin/webhooks/{webhook.id}/disable")
    fresh_view()
    assert api.list_webhooks()[0].active is False


def test_an_invalid_webhook_form_is_shown_again_with_its_errors(app: Flask, client: FlaskClient) -> None:
    make_department()
    log_in_as_admin(client)

    response = client.post("/admin/webhooks", data={"url": "not a url", "events": []})

    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)
    assert api.list_webhooks() == []


def test_admin_pages_are_for_system_admins_only(app: Flask, client: FlaskClient) -> None:
    officer = make_staff(roles=[Role.CASE_OFFICER])
    db.commit()
    for path in ("/admin/deliveries", "/admin/api-tokens", "/admin/webhooks"):
        assert client.get(path).status_code == 302, "visitors are sent to the login"
    client.post("/staff/login", data={"email": officer.email, "password": DEFAULT_PASSWORD})
    for path in ("/admin/deliveries", "/admin/api-tokens", "/admin/webhooks"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/api-tokens", data={"name": "Sneaky"}).status_code == 403
