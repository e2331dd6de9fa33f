"""Shared set-up for the case handling tests: a department with an officer and a case, a second department, files,
and logging staff and residents into a test client.

Test modules import what they use from here (`from tests.eservices.casework_fixtures import ...`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, Department, Queue, Resident, Role, StaffUser
from eservices.models import Case, Service
from forms.models import Form, FormVersion
from forms.service import example_definitions
from signing.documents import service as documents
from signing.pki import SealSettings
from tests.builders import (
    DEFAULT_PASSWORD,
    make_case,
    make_department,
    make_queue,
    make_resident,
    make_service,
    make_staff,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class DepartmentSetup:
    department: Department
    queue: Queue
    service: Service
    officer: StaffUser


def make_department_with_officer(name: str = "Miljö") -> DepartmentSetup:
    department = make_department(name=name)
    queue = make_queue(department, name=f"{name} – ärenden")
    service = make_service(queue=queue)
    officer = make_staff(roles=[Role.CASE_OFFICER], department=department, full_name=f"Officer {name}")
    return DepartmentSetup(department, queue, service, officer)


def make_form_case(service: Service, resident: Resident, answers: dict[str, object]) -> Case:
    """A case filed on the street-fault form (its e-mail and phone answers have the form engine's validators)."""
    definition = example_definitions()["report-street-fault"]
    form = Form(key=f"street-fault-{service.id}", title=definition["title"], draft_definition=definition)
    db.add(form)
    version = FormVersion(form=form, version=1, definition=definition, change_note="")
    db.add(version)
    db.flush()
    return make_case(service, resident, answers, form_version_id=version.id)


@pytest.fixture(scope="session")
def casework_seal_settings(tmp_path_factory: pytest.TempPathFactory) -> SealSettings:
    """A development PKI for this session's decisions (RSA keys take a moment, so it is made once)."""
    directory: Path = tmp_path_factory.mktemp("casework-pki")
    return SealSettings(
        municipality_name="Exempelstad kommun",
        verify_url="http://localhost:5000/verify",
        development_pki_dir=str(directory),
    )


@pytest.fixture
def sealing(casework_seal_settings: SealSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[SealSettings]:
    """Documents are sealed with the session's PKI (instead of one under the instance folder)."""
    monkeypatch.setattr(documents, "seal_settings", lambda: casework_seal_settings)
    yield casework_seal_settings


def log_in_staff(client: FlaskClient, staff: StaffUser) -> None:
    response = client.post("/staff/login", data={"email": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def log_in_resident(app: Flask, client: FlaskClient, resident: Resident) -> None:
    """What a finished BankID login leaves in the session (the login itself is tested in tests/signing)."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # what Flask-Login's strong session protection expects
    with client.session_transaction() as session:
        session.update({"_user_id": f"resident:{resident.id}", "_fresh": True, "_id": identifier})


def audit_entries(action: str, subject_kind: str | None = None) -> list[AuditEntry]:
    db.expire_all()
    statement = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    if subject_kind is not None:
        statement = statement.where(AuditEntry.subject_kind == subject_kind)
    return list(db.scalars(statement))


__all__ = [
    "PDF_BYTES",
    "PNG_BYTES",
    "DepartmentSetup",
    "audit_entries",
    "casework_seal_settings",
    "log_in_resident",
    "log_in_staff",
    "make_department_with_officer",
    "make_form_case",
    "make_resident",
    "sealing",
]
