"""Faults and bad input get the right status and a friendly page in the user's language, never a stack trace."""

from __future__ import annotations

import socket
from pathlib import Path

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from flask_login.utils import _create_identifier
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.app import create_app
from core.db import db, dispose_engines
from core.models import Department
from tests.builders import make_department
from tests.conftest import test_environ

LANGUAGES = ("sv", "en", "da", "ar")


def _assert_friendly_page(response, status: int, language: str = "sv") -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.mimetype == "text/html"
    text = response.text
    for leak in ("Traceback", 'File "', "sqlalchemy", "psycopg", "werkzeug", "Error:</b>"):
        assert leak not in text
    page = lxml.html.fromstring(text)
    assert page.get("lang") == language
    assert page.get("dir") == ("rtl" if language == "ar" else "ltr")
    assert len(page.findall(".//h1")) == 1
    assert f"{status}" in page.text_content()
    return page


def _expected(app: Flask, language: str, message: str) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return gettext(message)


def _h1(page: lxml.html.HtmlElement) -> str:
    return page.findall(".//h1")[0].text_content().strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_address_gives_a_friendly_404_in_the_users_language(
    app: Flask, client: FlaskClient, language: str
) -> None:
    page = _assert_friendly_page(
        client.get("/no-such-page", headers={"Accept-Language": language}), 404, language
    )
    assert _h1(page) == _expected(app, language, "Page not found")


def test_the_404_page_links_back_to_the_home_page(client: FlaskClient) -> None:
    page = _assert_friendly_page(client.get("/no-such-page"), 404)
    assert "/" in [link.get("href") for link in page.findall(".//main//a")]


def test_an_unknown_category_or_service_is_a_404(client: FlaskClient) -> None:
    _assert_friendly_page(client.get("/categories/no-such-category"), 404)
    _assert_friendly_page(client.get("/services/no-such-service"), 404)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_method_gives_a_friendly_405(app: Flask, client: FlaskClient, language: str) -> None:
    response = client.post("/", headers={"Accept-Language": language})
    page = _assert_friendly_page(response, 405, language)
    assert _h1(page) == _expected(app, language, "That action is not possible here")
    assert "GET" in response.headers["Allow"]


def test_logging_out_with_get_is_not_allowed(client: FlaskClient) -> None:
    _assert_friendly_page(client.get("/staff/logout"), 405)


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_form_post_without_its_csrf_token_says_the_session_expired(csrf_app: Flask, language: str) -> None:
    client = csrf_app.test_client()
    response = client.post(
        "/staff/login",
        data={"email": "anna@exempelstad.se", "password": "secret"},
        headers={"Accept-Language": language},
    )
    page = _assert_friendly_page(response, 400, language)
    assert _h1(page) == _expected(csrf_app, language, "Your session has expired")


def test_a_form_post_with_a_forged_csrf_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"email": "anna@exempelstad.se", "password": "secret", "csrf_token": "forged"}
    )
    _assert_friendly_page(response, 400)


def test_a_form_post_with_its_csrf_token_goes_through(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    form = lxml.html.fromstring(client.get("/staff/login").text)
    token = form.xpath("//input[@name='csrf_token']/@value")[0]
    response = client.post(
        "/staff/login", data={"email": "anna@exempelstad.se", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400  # the wrong-password answer, not the expired-session page
    assert (
        "The e-mail address or password is wrong."
        in client.post(
            "/staff/login",
            data={"email": "anna@exempelstad.se", "password": "x", "csrf_token": token},
            headers={"Accept-Language": "en"},
        ).text
    )


def test_a_malformed_form_body_does_not_break_the_page(client: FlaskClient) -> None:
    response = client.post(
        "/staff/login", data=b"%%%&&&=\xff\xfe", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in {200, 400}
    assert "Traceback" not in response.text


def test_an_oversized_request_body_gives_a_friendly_413(app: Flask, client: FlaskClient) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 50 * 1024 * 1024
    response = client.post(
        "/staff/login",
        data=b"x" * (limit + 1),
        content_type="application/x-www-form-urlencoded",
        headers={"Accept-Language": "en"},
    )
    page = _assert_friendly_page(response, 413, "en")
    assert _h1(page) == "The file is too large"


def test_an_error_in_a_view_gives_a_friendly_500_without_the_error_details(app: Flask) -> None:
    def broken() -> str:
        raise RuntimeError("secret internal detail: password=hunter2")

    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/broken", headers={"Accept-Language": "en"})
    page = _assert_friendly_page(response, 500, "en")
    assert _h1(page) == "Something went wrong on our side"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text


def test_a_view_error_rolls_back_what_the_view_wrote(app: Flask) -> None:
    def half_done() -> str:
        db.add(Department(code="half-done", name="Half done"))
        db.flush()
        raise RuntimeError("failed halfway")

    app.add_url_rule("/half-done", "half_done", half_done)
    assert app.test_client().get("/half-done").status_code == 500
    db.rollback()
    assert db.scalar(select(Department).where(Department.code == "half-done")) is None


def test_a_database_that_fails_while_saving_gives_the_unavailable_page(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handlers answer

    def saving() -> str:
        make_department()
        return "saved"

    def commit_fails(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    app.add_url_rule("/saving", "saving", saving)
    monkeypatch.setattr(Session, "commit", commit_fails)
    response = app.test_client().get("/saving", headers={"Accept-Language": "en"})
    monkeypatch.undo()
    page = _assert_friendly_page(response, 503, "en")
    assert _h1(page) == "The service is temporarily unavailable"
    assert "server closed the connection" not in response.text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "unreachable",
    [
        pytest.param(
            lambda tmp: f"postgresql://kanal@127.0.0.1:{_closed_port()}/kanal", id="postgresql-port-closed"
        ),
        pytest.param(lambda tmp: f"sqlite:///{tmp}/no-such-directory/kanal.db", id="sqlite-path-unusable"),
    ],
)
@pytest.mark.parametrize("path", ["/", "/staff/login", "/categories/schools"])
def test_an_unreachable_database_gives_a_friendly_503(tmp_path: Path, unreachable, path: str) -> None:  # type: ignore[no-untyped-def]
    environ = test_environ(unreachable(tmp_path), tmp_path)
    application = create_app(environ)
    application.config["PROPAGATE_EXCEPTIONS"] = False
    client = application.test_client()
    with application.app_context():
        response = client.get(path, headers={"Accept-Language": "en"})
    dispose_engines(application)
    if path == "/staff/login":
        # The login form needs no database until it is sent.
        assert response.status_code == 200
        return
    page = _assert_friendly_page(response, 503, "en")
    assert _h1(page) == "The service is temporarily unavailable"


def test_an_unreachable_database_while_sending_the_login_form_gives_a_friendly_503(tmp_path: Path) -> None:
    environ = test_environ(f"postgresql://kanal@127.0.0.1:{_closed_port()}/kanal", tmp_path)
    application = create_app(environ)
    application.config["WTF_CSRF_ENABLED"] = False
    application.config["PROPAGATE_EXCEPTIONS"] = False
    with application.app_context():
        response = application.test_client().post(
            "/staff/login", data={"email": "anna@exempelstad.se", "password": "secret"}
        )
    dispose_engines(application)
    _assert_friendly_page(response, 503)


def test_a_logged_in_staff_member_also_gets_the_friendly_503_when_the_database_is_unreachable(
    tmp_path: Path,
) -> None:
    environ = test_environ(f"postgresql://kanal@127.0.0.1:{_closed_port()}/kanal", tmp_path)
    application = create_app(environ)
    application.config["PROPAGATE_EXCEPTIONS"] = False
    with application.app_context():
        client = application.test_client()
        with application.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()  # what Flask-Login's strong session protection expects
        with client.session_transaction() as session:
            session.update({"_user_id": "staff:1", "_fresh": True, "_id": identifier})
        home = client.get("/", headers={"Accept-Language": "en"})
        staff_page = client.get("/staff/", headers={"Accept-Language": "en"})
    dispose_engines(application)
    _assert_friendly_page(home, 503, "en")
    _assert_friendly_page(staff_page, 503, "en")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_when_the_layout_itself_fails_a_bare_error_page_still_explains_in_the_users_language(
    app: Flask, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    def layout_broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("template trouble")

    monkeypatch.setattr("core.errors.render_template", layout_broken)
    response = app.test_client().get("/no-such-page", headers={"Accept-Language": language})
    page = _assert_friendly_page(response, 404, language)
    assert _h1(page) == _expected(app, language, "Page not found")
    assert "template trouble" not in response.text
