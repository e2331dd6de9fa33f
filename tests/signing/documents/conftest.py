"""Fixtures for documents, seals and verification: one development PKI per test session, and an app that seals
with it and serves the verification page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from signing.documents import service as documents
from signing.pki import SealSettings
from tests.signing.documents.receipts import MUNICIPALITY


@pytest.fixture(scope="session")
def seal_settings(tmp_path_factory: pytest.TempPathFactory) -> SealSettings:
    """The development PKI, made once per session (RSA keys take a moment) in a directory of the test run."""
    directory: Path = tmp_path_factory.mktemp("pki")
    return SealSettings(
        municipality_name=MUNICIPALITY,
        verify_url="http://localhost:5000/verify",
        development_pki_dir=str(directory),
    )


@pytest.fixture
def sealing_app(app: Flask, seal_settings: SealSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app, sealing with the session's PKI, with the verification page registered."""
    # The seal settings come from core.config once its owner adds them; until then the tests choose them here.
    monkeypatch.setattr(documents, "seal_settings", lambda: seal_settings)
    from signing.verify_views import blueprint

    if blueprint.name not in app.blueprints:
        app.register_blueprint(blueprint)
    yield app
