"""The security baseline every response carries: strict CSP, framing and sniffing rules, no inline code."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from core.app import create_app
from core.db import db, dispose_engines
from core.models import AuditEntry
from tests.builders import DEFAULT_PASSWORD, make_category, make_service, make_staff
from tests.conftest import test_environ


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def _assert_security_headers(response: TestResponse) -> None:
    policy = response.headers["Content-Security-Policy"]
    directives = _directives(policy)
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    }


def _assert_no_inline_code(response: TestResponse) -> None:
    """What a strict CSP would block: inline scripts, style elements and attributes, event-handler attributes."""
    page = lxml.html.fromstring(response.text)
    inline_scripts = [script for script in page.iter("script") if not script.get("src")]
    assert inline_scripts == [], "inline <script>"
    assert list(page.iter("style")) == [], "<style> element"
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        attributes = set(element.attrib)
        assert "style" not in attributes, f"style= on <{element.tag}>"
        handlers = {name for name in attributes if name.startswith("on")}
        assert handlers == set(), f"event handler attribute on <{element.tag}>"
        for name in ("href", "src", "action"):
            assert not element.get(name, "").strip().lower().startswith("javascript:"), (
                f"javascript: URL on <{element.tag}>"
            )


def _pages(app: Flask, client: FlaskClient) -> dict[str, TestResponse]:
    category = make_category(slug="schools")
    make_service(category=category, slug="preschool-place", popular=True)
    secret = pyotp.random_base32()
    staff = make_staff(totp_secret=secret)
    plain_staff = make_staff()
    pages = {
        "home": client.get("/"),
        "category": client.get("/categories/schools"),
        "service": client.get("/services/preschool-place"),
        "login": client.get("/staff/login"),
        "login with errors": client.post("/staff/login", data={"email": "not-an-address", "password": ""}),
        "404": client.get("/no-such-page"),
        "405": client.post("/"),
    }
    client.post("/staff/login", data={"email": staff.email, "password": DEFAULT_PASSWORD})
    pages["security code"] = client.get("/staff/login/code")
    pages["security code with errors"] = client.post("/staff/login/code", data={"code": "12"})
    client.post("/staff/login/code", data={"code": pyotp.TOTP(secret).now()})
    client.post("/staff/logout")
    client.post("/staff/login", data={"email": plain_staff.email, "password": DEFAULT_PASSWORD})
    pages["staff start"] = client.get("/staff/")
    client.post("/staff/logout")
    pages["logged out"] = client.get("/staff/login")
    return pages


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_every_reachable_page_has_the_security_headers_and_no_inline_code(
    app: Flask, client: FlaskClient, language: str
) -> None:
    client.get(f"/language/{language}")
    pages = _pages(app, client)
    statuses = {name: response.status_code for name, response in pages.items()}
    assert statuses == {
        "home": 200,
        "category": 200,
        "service": 200,
        "login": 200,
        "login with errors": 200,
        "404": 404,
        "405": 405,
        "security code": 200,
        "security code with errors": 200,
        "staff start": 200,
        "logged out": 200,
    }
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
        assert f'<html lang="{language}"' in response.text, name
        _assert_security_headers(response)
        _assert_no_inline_code(response)


def test_error_pages_and_redirects_carry_the_security_headers_too(client: FlaskClient) -> None:
    for response in (client.get("/no-such-page"), client.get("/staff/"), client.post("/")):
        _assert_security_headers(response)


def test_static_files_carry_the_security_headers(client: FlaskClient) -> None:
    response = client.get("/static/css/kanal.css")
    assert response.status_code == 200
    _assert_security_headers(response)


def test_pages_that_may_show_personal_data_are_not_cached(client: FlaskClient) -> None:
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"


def test_a_header_the_view_sets_itself_is_kept_and_not_doubled(app: Flask) -> None:
    @app.get("/test-own-headers")
    def own_headers() -> tuple[str, int, dict[str, str]]:
        return "<p>hej</p>", 200, {"cache-control": "private, max-age=60", "X-Frame-Options": "SAMEORIGIN"}

    response = app.test_client().get("/test-own-headers")

    assert response.headers.getlist("Cache-Control") == ["private, max-age=60"]
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]  # the rest of the baseline
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_https_only_deployments_tell_browsers_to_stay_on_https(database_url: str, tmp_path: Path) -> None:
    secure = create_app(test_environ(database_url, tmp_path, KANAL_SESSION_COOKIE_SECURE="true"))
    with secure.app_context():
        response = secure.test_client().get("/staff/login")
    dispose_engines(secure)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_every_form_carries_a_csrf_token(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    make_staff()
    page = lxml.html.fromstring(client.get("/staff/login").text)
    forms = page.findall(".//form")
    assert forms
    for form in forms:
        if (form.get("method") or "get").lower() == "post":
            assert form.xpath(".//input[@name='csrf_token']/@value"), lxml.html.tostring(form)[:200]


def test_logging_out_needs_the_csrf_token(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    assert client.post("/staff/logout").status_code == 400


def _failed_logins(client: FlaskClient, count: int, forwarded_for: str) -> list[int]:
    return [
        client.post(
            "/staff/login",
            data={"email": "nobody@exempelstad.se", "password": "guess"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for _ in range(count)
    ]


def test_without_trusted_proxies_a_forged_forwarded_address_does_not_escape_the_rate_limit(
    client: FlaskClient,
) -> None:
    _failed_logins(client, 20, "203.0.113.1")
    assert _failed_logins(client, 1, "203.0.113.2") == [429]


def test_behind_a_trusted_proxy_each_visitor_has_their_own_rate_limit_and_audited_address(
    database_url: str, tmp_path: Path
) -> None:
    application = create_app(test_environ(database_url, tmp_path, KANAL_TRUSTED_PROXIES="1"))
    application.config["WTF_CSRF_ENABLED"] = False
    with application.app_context():
        client = application.test_client()
        assert 429 not in _failed_logins(client, 20, "203.0.113.1")
        assert _failed_logins(client, 1, "203.0.113.1") == [429]
        assert _failed_logins(client, 1, "203.0.113.2") == [400]

        staff = make_staff()
        db.commit()
        client.post(
            "/staff/login",
            data={"email": staff.email, "password": DEFAULT_PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        db.rollback()
        entry = db.scalars(select(AuditEntry)).one()
        assert entry.ip_address == "198.51.100.7"
    dispose_engines(application)
