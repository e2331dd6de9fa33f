"""The accessibility statement, display settings and the reading tools every page carries."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from core.audit import verify_chain
from core.db import db
from core.models import AccessibilityStatement, Role
from tests.builders import make_staff

PASSWORD = "an admin password that is long enough"


def log_in(client: FlaskClient, role: Role) -> None:
    staff = make_staff(roles=[role], password=PASSWORD)
    db.commit()
    response = client.post("/staff/login", data={"email": staff.email, "password": PASSWORD})
    assert response.status_code == 302


def test_every_page_links_to_the_accessibility_statement(client: FlaskClient) -> None:
    for path in ("/", "/staff/login", "/no-such-page"):
        assert 'href="/accessibility"' in client.get(path).text


def test_the_statement_has_what_the_dos_law_requires(client: FlaskClient) -> None:
    page = client.get("/accessibility", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.text
    assert "Exempelstad kommun" in text
    assert "partially compliant" in text
    assert "https://www.digg.se/tdosanmalan" in text
    assert "tillganglighet@exempelstad.se" in text
    assert "How we assessed the service" in text
    assert "last updated" in text


def test_a_system_admin_edits_the_statement_and_it_is_audit_logged(app: Flask, client: FlaskClient) -> None:
    log_in(client, Role.SYSTEM_ADMIN)
    form = {
        "compliance": "fully",
        "assessed_on": "2026-11-01",
        "contact_email": "a11y@exempelstad.se",
        "contact_phone": "010-1",
    }
    for language in ("sv", "en", "da", "ar"):
        form[f"service_name_{language}"] = f"Kanal {language}"
        form[f"shortcomings_{language}"] = ""
        form[f"assessment_{language}"] = f"Assessed ({language})"
    response = client.post("/admin/accessibility-statement/", data=form)
    assert response.status_code == 302

    page = client.get("/accessibility", headers={"Accept-Language": "en"})
    assert "fully compliant" in page.text and "a11y@exempelstad.se" in page.text
    assert "Assessed (en)" in page.text and "2026-11-01" in page.text
    assert db.query(AccessibilityStatement).count() == 1
    assert verify_chain().ok


def test_an_invalid_contact_address_is_refused_and_changes_nothing(client: FlaskClient) -> None:
    log_in(client, Role.SYSTEM_ADMIN)
    response = client.post(
        "/admin/accessibility-statement/", data={"compliance": "fully", "contact_email": "not-an-address"}
    )
    assert response.status_code == 200
    assert 'href="#contact_email"' in response.text
    assert db.query(AccessibilityStatement).count() == 0


def test_other_roles_cannot_edit_the_statement(client: FlaskClient) -> None:
    log_in(client, Role.AGENT)
    assert client.get("/admin/accessibility-statement/").status_code == 403


def test_display_settings_are_remembered_in_this_browser(client: FlaskClient) -> None:
    response = client.post("/display-settings?next=/", data={"text_size": "larger", "contrast": "high"})
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/")
    assert 'class="text-larger high-contrast"' in page.text


def test_forged_display_settings_are_ignored(client: FlaskClient) -> None:
    client.set_cookie("kanal_display", "huge.<script>")
    page = client.get("/")
    assert '<html lang="sv" dir="ltr">' in page.text


def test_the_listen_button_is_hidden_until_the_browser_can_speak(client: FlaskClient) -> None:
    page = client.get("/")
    assert "data-listen hidden" in page.text
    assert "/static/js/listen.js" in page.text
