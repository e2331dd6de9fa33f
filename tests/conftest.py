"""Fixtures shared by every test: the app on a fresh database, test clients, a CLI runner, the clock, BankID."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner

from core import clock
from core.app import create_app
from core.db import dispose_engines
from signing.emulator.process import EmulatorControl, EmulatorProcess, start_emulator_process
from tests.database import PostgresDatabase, SqliteTemplate, using_postgres

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def database_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SqliteTemplate | PostgresDatabase]:
    if using_postgres():
        database = PostgresDatabase()
        yield database
        database.dispose()
    else:
        yield SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture
def database_url(database_template: SqliteTemplate | PostgresDatabase, tmp_path: Path) -> str:
    if isinstance(database_template, PostgresDatabase):
        return database_template.fresh()
    return database_template.fresh(tmp_path)


def test_environ(database_url: str, tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment a test app runs with; tests override single variables through `overrides`."""
    environ = {
        "KANAL_ENV": "test",
        "KANAL_SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "KANAL_SESSION_COOKIE_SECURE": "false",
        "KANAL_BANKID_URL": "http://127.0.0.1:9",
        "KANAL_STORAGE_DIR": str(tmp_path / "files"),
        "KANAL_RATE_LIMIT_STORAGE_URL": "memory://",
        # One development PKI per test process: its RSA keys take a moment to make, and the repo's instance/
        # directory is no place for test certificates.
        "KANAL_DEV_PKI_DIR": str(Path(tempfile.gettempdir()) / f"kanal-test-pki-{os.getpid()}"),
    }
    environ.update(overrides)
    return environ


test_environ.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture
def environ(database_url: str, tmp_path: Path) -> dict[str, str]:
    return test_environ(database_url, tmp_path)


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as it would in production.

    Without this, requests reuse the test's app context and share `g` with it and with each other, so
    Flask-Login's cached user leaks from one request (or one client) to the next. What the test body has built
    is committed before each request, and its objects are refreshed afterwards, so tests read what the request
    wrote.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        outer = g.get("db_session")
        if outer is not None:
            outer.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer is not None:
            outer.expire_all()
        return response


@contextmanager
def running_app(environ: dict[str, str], *, csrf: bool) -> Iterator[Flask]:
    """The app, inside an app context for the test body, with isolated test clients."""
    application = create_app(environ)
    application.config["WTF_CSRF_ENABLED"] = csrf
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
    dispose_engines(application)


@pytest.fixture
def app(environ: dict[str, str]) -> Iterator[Flask]:
    with running_app(environ, csrf=False) as application:
        yield application


@pytest.fixture
def csrf_app(environ: dict[str, str]) -> Iterator[Flask]:
    """The app with CSRF protection on, for tests of the security baseline itself."""
    with running_app(environ, csrf=True) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


# The BankID emulator as a real process, shared by the signing, filing and browser tests.


@pytest.fixture(scope="session")
def bankid_emulator_process() -> Iterator[EmulatorProcess]:
    """One emulator process for the test session (per xdist worker)."""
    with start_emulator_process() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def bankid_emulator(bankid_emulator_process: EmulatorProcess) -> str:
    """The base URL of a running BankID emulator, e.g. ``http://127.0.0.1:40123``."""
    return bankid_emulator_process.url


@pytest.fixture
def emulator_control(bankid_emulator_process: EmulatorProcess) -> Iterator[EmulatorControl]:
    """Scripting access to the emulator, with orders and faults cleared before each test."""
    control = bankid_emulator_process.control
    control.reset()
    yield control
    control.clear_faults()
