"""The application factory: what it builds, from which settings, and what every page promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.app import create_app
from core.config import ConfigError
from core.db import dispose_engines
from tests.builders import make_service
from tests.conftest import test_environ


def test_home_page_lists_popular_services(app: Flask, client: FlaskClient) -> None:
    make_service(popular=True, title={"sv": "Ansök om förskoleplats"})
    response = client.get("/")
    assert response.status_code == 200
    assert "Ansök om förskoleplats" in response.text


def test_unknown_page_gives_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "<h1>" in response.text


def test_the_home_page_is_served_in_all_four_languages(client: FlaskClient) -> None:
    for language in ("sv", "en", "da", "ar"):
        response = client.get("/", headers={"Accept-Language": language})
        assert response.status_code == 200
        assert f'<html lang="{language}"' in response.text


def test_the_factory_reads_only_the_environment_it_is_given(
    environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KANAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("KANAL_MUNICIPALITY_NAME", "Fel kommun")
    application = create_app({**environ, "KANAL_MUNICIPALITY_NAME": "Rätt kommun"})
    with application.app_context():
        response = application.test_client().get("/")
    dispose_engines(application)
    assert "Rätt kommun" in response.text
    assert "Fel kommun" not in response.text


def test_without_an_explicit_environment_the_factory_reads_the_process_environment(
    environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in {**environ, "KANAL_MUNICIPALITY_NAME": "Processtad kommun"}.items():
        monkeypatch.setenv(variable, value)
    application = create_app()
    assert application.extensions["kanal.settings"].municipality_name == "Processtad kommun"
    dispose_engines(application)
    monkeypatch.delenv("KANAL_SECRET_KEY")
    with pytest.raises(ConfigError, match="KANAL_SECRET_KEY"):
        create_app()


def test_two_apps_in_one_process_keep_their_own_settings(database_url: str, tmp_path: Path) -> None:
    names = ("Norrby kommun", "Söderby kommun")
    pages = []
    for name in names:
        application = create_app(test_environ(database_url, tmp_path, KANAL_MUNICIPALITY_NAME=name))
        with application.app_context():
            pages.append(application.test_client().get("/").text)
        dispose_engines(application)
    assert names[0] in pages[0] and names[1] not in pages[0]
    assert names[1] in pages[1] and names[0] not in pages[1]


def test_every_operator_command_is_registered(app: Flask) -> None:
    assert {"db-upgrade", "seed-demo", "verify-audit", "settings", "create-staff", "worker"} <= set(
        app.cli.commands
    )


def _plain_get_routes(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and not rule.arguments and rule.endpoint != "static"
    )


def test_no_page_answers_a_visitor_with_a_server_error(app: Flask, client: FlaskClient) -> None:
    for path in _plain_get_routes(app):
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code in {301, 302, 303}:
            assert response.headers["Location"].startswith(("/", "http://localhost")), path


def test_staff_pages_send_visitors_to_the_staff_login(app: Flask, client: FlaskClient) -> None:
    open_to_all = {"/staff/login", "/staff/login/code"}
    staff_pages = [
        path for path in _plain_get_routes(app) if path.startswith("/staff/") and path not in open_to_all
    ]
    assert "/staff/" in staff_pages
    for path in staff_pages:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/staff/login"), path
