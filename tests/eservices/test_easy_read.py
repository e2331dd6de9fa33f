"""Easy-to-read ("lättläst") summaries: shown behind a clear link on the service page, written by form admins."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, Role
from eservices.easy_read_demo import EASY_READ_TEXTS, seed_easy_read_summaries
from eservices.easy_read_models import EasyReadSummary
from tests.builders import make_service, make_staff
from tests.eservices.casework_fixtures import log_in_staff


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_a_service_with_a_summary_links_to_it_and_shows_it_paragraph_by_paragraph(
    app: Flask, client: FlaskClient
) -> None:
    service = make_service(slug="home-care")
    db.add(EasyReadSummary(service_id=service.id, text={"sv": "Första meningen.\n\nAndra meningen."}))

    service_page = page(client.get("/services/home-care"))
    response = client.get("/services/home-care/easy-read")

    assert 'href="/services/home-care/easy-read"' in service_page
    assert response.status_code == 200
    body = page(response)
    assert "<p>Första meningen.</p>" in body and "<p>Andra meningen.</p>" in body
    assert 'lang="sv" dir="ltr"' in body


def test_in_arabic_the_summary_reads_right_to_left_and_a_missing_language_says_so(
    app: Flask, client: FlaskClient
) -> None:
    service = make_service(slug="waste")
    db.add(
        EasyReadSummary(
            service_id=service.id, text={"sv": "Sopor hämtas varje vecka.", "ar": "تُجمع القمامة."}
        )
    )
    other = make_service(slug="permit")
    db.add(EasyReadSummary(service_id=other.id, text={"sv": "Bara på svenska."}))

    arabic = page(client.get("/services/waste/easy-read", headers={"Accept-Language": "ar"}))
    fallback = page(client.get("/services/permit/easy-read", headers={"Accept-Language": "ar"}))

    assert 'lang="ar" dir="rtl"' in arabic and "تُجمع القمامة." in arabic
    assert 'lang="sv" dir="ltr"' in fallback and "Bara på svenska." in fallback


def test_a_service_without_a_summary_has_no_link_and_its_summary_page_is_not_found(
    app: Flask, client: FlaskClient
) -> None:
    make_service(slug="noise")

    assert "/easy-read" not in page(client.get("/services/noise"))
    assert client.get("/services/noise/easy-read").status_code == 404
    assert client.get("/services/no-such-service/easy-read").status_code == 404


def test_a_form_admin_writes_a_summary_which_is_audit_logged(app: Flask, client: FlaskClient) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    service = make_service(slug="preschool")
    log_in_staff(client, admin)

    form_page = page(client.get("/admin/easy-read/preschool"))
    saved = client.post(
        "/admin/easy-read/preschool",
        data={"text_sv": "Förskola är för barn.", "text_ar": "الروضة للأطفال.", "text_en": "", "text_da": ""},
    )

    assert 'lang="ar"' in form_page
    assert saved.status_code == 302
    summary = db.get(EasyReadSummary, service.id)
    assert summary is not None and summary.text["ar"] == "الروضة للأطفال."
    entry = db.scalar(select(AuditEntry).where(AuditEntry.subject_kind == "easy_read_summary"))
    assert entry is not None and entry.details == {"languages": ["ar", "sv"]}
    assert "sv" in page(client.get("/admin/easy-read/"))


def test_only_form_and_system_admins_edit_summaries(app: Flask, client: FlaskClient) -> None:
    make_service(slug="preschool")
    log_in_staff(client, make_staff(roles=[Role.CASE_OFFICER]))

    assert client.get("/admin/easy-read/preschool").status_code == 403
    assert client.get("/admin/easy-read/").status_code == 403


def test_the_demo_adds_summaries_in_four_languages_once_and_keeps_edited_ones(app: Flask) -> None:
    for slug in EASY_READ_TEXTS:
        make_service(slug=slug)
    first = seed_easy_read_summaries()
    summary = db.scalar(select(EasyReadSummary).order_by(EasyReadSummary.service_id))
    assert summary is not None
    summary.text = {"sv": "Ändrad."}

    second = seed_easy_read_summaries()

    assert first and not second
    assert summary.text == {"sv": "Ändrad."}
    assert all(set(texts) == {"sv", "en", "da", "ar"} for texts in EASY_READ_TEXTS.values())
