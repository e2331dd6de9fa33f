"""Builders and helpers for the filing-flow tests: published forms linked to services, logged-in clients."""

from __future__ import annotations

import copy
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from core.db import db
from core.models import Resident
from eservices.models import Service
from forms import service as forms
from forms.models import Form, FormVersion
from tests.builders import make_service

FATIMA = "198512308480"
"""Fatima Ahmadi in the development population register (and the BankID emulator): children Layla and Adam."""

SMALL_FORM: dict[str, Any] = {
    "schema_version": 1,
    "key": "small-form",
    "title": {"sv": "Liten blankett", "en": "Small form"},
    "languages": ["sv", "en"],
    "settings": {"anonymous_allowed": False},
    "pages": [
        {
            "id": "about",
            "title": {"sv": "Om dig", "en": "About you"},
            "fields": [
                {
                    "key": "nickname",
                    "type": "short_text",
                    "required": True,
                    "label": {"sv": "Smeknamn", "en": "Nickname"},
                },
                {
                    "key": "has_pet",
                    "type": "yes_no",
                    "required": True,
                    "label": {"sv": "Har du husdjur?", "en": "Do you have a pet?"},
                },
                {
                    "key": "pet_name",
                    "type": "short_text",
                    "required": True,
                    "label": {"sv": "Husdjurets namn", "en": "Pet's name"},
                    "show_when": {"field": "has_pet", "operator": "equals", "value": True},
                },
            ],
        },
        {
            "id": "details",
            "title": {"sv": "Detaljer", "en": "Details"},
            "fields": [
                {"key": "story", "type": "long_text", "label": {"sv": "Berätta", "en": "Tell us"}},
                {
                    "key": "evidence",
                    "type": "file_upload",
                    "label": {"sv": "Intyg", "en": "Certificate"},
                    "validation": {
                        "allowed_types": ["application/pdf", "image/png"],
                        "max_size_bytes": 2048,
                        "max_files": 2,
                    },
                },
            ],
        },
    ],
}


def small_form(**settings: Any) -> dict[str, Any]:
    definition = copy.deepcopy(SMALL_FORM)
    definition["settings"].update(settings)
    return definition


def publish(definition: dict[str, Any], form: Form | None = None) -> FormVersion:
    """A new published version of `definition` (on `form`, or on a new form with the definition's key)."""
    forms.load_definition(definition)
    if form is None:
        form = Form(key=definition["key"], title=definition["title"], draft_definition=definition)
        db.add(form)
        db.flush()
    number = len(form.versions) + 1
    version = FormVersion(form_id=form.id, version=number, definition=definition)
    db.add(version)
    db.flush()
    db.refresh(form)
    return version


def make_eservice(definition: dict[str, Any] | None = None, **overrides: Any) -> Service:
    """A catalogue service with a published form."""
    version = publish(definition or small_form())
    return make_service(form_id=version.form_id, **overrides)


def example(key: str) -> dict[str, Any]:
    return copy.deepcopy(forms.example_definitions()[key])


def log_in(client: FlaskClient, app: Flask, resident: Resident) -> None:
    """What a finished BankID login leaves in the session (the login itself is tested in tests/signing)."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # what Flask-Login's strong session protection expects
    with client.session_transaction() as session:
        session.update({"_user_id": f"resident:{resident.id}", "_fresh": True, "_id": identifier})


def location(response: Any) -> str:
    return str(response.headers["Location"])


def draft_id_of(url: str) -> int:
    match = re.search(r"/e/(\d+)", url)
    assert match is not None, url
    return int(match.group(1))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201"
    "a5fd2c7e0000000049454e44ae426082"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
