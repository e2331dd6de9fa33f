"""The form builder's web pages: who may use them, building and publishing a form without JSON, the history
and diff, import and export, the preview, statistics, and the satisfaction rating on the confirmation page."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.audit import verify_chain
from core.db import db
from core.models import AuditEntry, Role, StaffUser
from forms import builder
from forms.builder_models import FormRating
from forms.models import Form, FormVersion
from forms.service import example_definitions
from tests.builders import make_staff

PASSWORD = "a form admin password that is long enough"
ENGLISH = {"Accept-Language": "en"}


def log_in(client: FlaskClient, role: Role = Role.FORM_ADMIN) -> StaffUser:
    staff = make_staff(roles=[role], password=PASSWORD)
    db.commit()
    response = client.post("/staff/login", data={"email": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    return staff


def create_pets_form(client: FlaskClient) -> Form:
    response = client.post(
        "/admin/forms/new",
        data={
            "key": "pets",
            "title": "Husdjur",
            "languages": ["sv", "en"],
            "default_language": "sv",
            "page_title": "Om dig",
            "question_key": "has_pet",
            "question_type": "yes_no",
            "question_label": "Har du husdjur?",
        },
    )
    assert response.status_code == 303, response.text
    form = db.scalar(select(Form).where(Form.key == "pets"))
    assert form is not None
    return form


def audit_actions(form: Form) -> list[tuple[str, str | None, Any]]:
    db.expire_all()
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_kind == "form", AuditEntry.subject_id == str(form.id))
        .order_by(AuditEntry.id)
    )
    return [(entry.action, entry.actor_id, entry.details.get("change")) for entry in entries]


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.AGENT, Role.SYSTEM_ADMIN])
def test_other_staff_roles_are_refused(client: FlaskClient, role: Role) -> None:
    log_in(client, role)
    for path in ("/admin/forms/", "/admin/forms/new", "/admin/forms/import"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/forms/new", data={"key": "x"}).status_code == 403


def test_visitors_who_are_not_logged_in_are_sent_to_the_staff_login(client: FlaskClient) -> None:
    response = client.get("/admin/forms/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_a_form_admin_builds_a_form_page_by_page_and_every_change_is_audit_logged(
    client: FlaskClient,
) -> None:
    admin = log_in(client)
    form = create_pets_form(client)
    response = client.post(
        "/admin/forms/pets/pages/new",
        data={
            "page_id": "pet",
            "title": "Ditt djur",
            "question_key": "pet_name",
            "question_type": "short_text",
            "question_label": "Djurets namn",
        },
    )
    assert response.status_code == 303
    response = client.post(
        "/admin/forms/pets/pages/pet/questions/new?type=single_choice",
        data={"key": "kind", "label": "Vilket djur?", "required": "y", "options": "cat | Katt\nHund"},
    )
    assert response.status_code == 303
    response = client.post(
        "/admin/forms/pets/conditions/page/pet/show_when",
        data={
            "rule-0-field": "has_pet",
            "rule-0-operator": "equals",
            "rule-0-choice": "yes",
            "rule-0-value": "",
            "action": "save",
        },
    )
    assert response.status_code == 303
    response = client.post("/admin/forms/pets/questions/kind/move", data={"direction": "up"})
    assert response.status_code == 303

    db.expire_all()
    pages = form.draft_definition["pages"]
    assert pages[1]["show_when"] == {"field": "has_pet", "operator": "equals", "value": True}
    assert [item["key"] for item in pages[1]["fields"]] == ["kind", "pet_name"]
    assert pages[1]["fields"][0]["options"] == [
        {"value": "cat", "label": {"sv": "Katt"}},
        {"value": "hund", "label": {"sv": "Hund"}},
    ]
    editor = client.get("/admin/forms/pets/", headers=ENGLISH).text
    assert "Shown only when: ‘Har du husdjur?’ is Yes" in editor or "‘Har du husdjur?’ is Yes" in editor
    assert audit_actions(form) == [
        ("form.created", str(admin.id), None),
        ("form.draft_changed", str(admin.id), "page added"),
        ("form.draft_changed", str(admin.id), "question added"),
        ("form.draft_changed", str(admin.id), "condition changed"),
        ("form.draft_changed", str(admin.id), "question moved"),
    ]
    assert verify_chain()


def test_a_clashing_key_gets_a_precise_message_and_changes_nothing(client: FlaskClient) -> None:
    log_in(client)
    form = create_pets_form(client)
    before = json.dumps(form.draft_definition, sort_keys=True)
    response = client.post(
        "/admin/forms/pets/pages/start/questions/new?type=short_text",
        data={"key": "has_pet", "label": "Igen"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "The key ‘has_pet’ is already used by another question" in response.text
    assert 'class="error-summary"' in response.text
    db.expire_all()
    assert json.dumps(form.draft_definition, sort_keys=True) == before


def test_removing_a_question_a_condition_uses_is_refused_with_a_link_to_that_condition(
    client: FlaskClient,
) -> None:
    log_in(client)
    form = create_pets_form(client)
    builder.apply(
        form,
        lambda data: builder.add_field(
            data, "start", builder.FieldSpec(key="pet_name", type="short_text", label="Namn")
        ),
        "question added",
    )
    builder.apply(
        form,
        lambda data: builder.set_condition(
            data,
            target_kind="field",
            target="pet_name",
            kind="show_when",
            rules=[builder.Rule("has_pet", "is_answered")],
        ),
        "condition changed",
    )
    db.commit()
    response = client.post(
        "/admin/forms/pets/questions/has_pet/remove", headers=ENGLISH, follow_redirects=True
    )
    assert "uses ‘has_pet’, which you want to remove" in response.text
    assert "question ‘Namn’" in response.text
    db.expire_all()
    assert [item["key"] for item in form.draft_definition["pages"][0]["fields"]] == ["has_pet", "pet_name"]


def test_publishing_is_refused_with_messages_that_point_at_the_problems(client: FlaskClient) -> None:
    log_in(client)
    form = create_pets_form(client)
    response = client.post("/admin/forms/pets/publish", data={"change_note": "Första"}, headers=ENGLISH)
    assert response.status_code == 400
    assert "Page 1 ‘Om dig’ › title: missing translation for &#39;en&#39;" in response.text
    assert "/admin/forms/pets/translations?language=en" in response.text
    assert db.scalar(select(FormVersion).where(FormVersion.form_id == form.id)) is None

    texts = builder.translatable_texts(form.draft_definition)
    translations = {f"text-{index}": f"{text.texts['sv']} (en)" for index, text in enumerate(texts)}
    response = client.post("/admin/forms/pets/translations?language=en", data=translations)
    assert response.status_code == 303
    response = client.post("/admin/forms/pets/publish", data={"change_note": "Första versionen"})
    assert response.status_code == 303
    versions = client.get("/admin/forms/pets/versions", headers=ENGLISH).text
    assert "Första versionen" in versions
    assert "Staff Member" in versions
    assert [action for action, _actor, _change in audit_actions(form)][-1] == "form.published"


def test_the_diff_between_versions_is_readable(client: FlaskClient) -> None:
    admin = log_in(client)
    form = builder.import_definition(json.dumps(example_definitions()["report-street-fault"]))
    builder.publish(form, change_note="First", publisher=admin)
    builder.apply(
        form,
        lambda data: builder.update_field(
            data,
            "dangerous",
            builder.FieldSpec(key="dangerous", type="yes_no", label="Är det farligt?", required=True),
        ),
        "question changed",
    )
    builder.publish(form, change_note="Shorter question", publisher=admin)
    db.commit()
    response = client.get("/admin/forms/report-street-fault/versions/diff?from=1&to=2", headers=ENGLISH)
    assert response.status_code == 200
    assert "Label (sv)" in response.text
    assert "Är det farligt just nu?" in response.text and "Är det farligt?" in response.text
    assert "{" not in response.text.split("<main", 1)[1].split("</main>", 1)[0]  # no raw JSON
    assert client.get("/admin/forms/report-street-fault/versions/diff?from=1&to=9").status_code == 404


def test_export_and_import_round_trip_over_the_web(client: FlaskClient) -> None:
    admin = log_in(client)
    form = create_pets_form(client)
    db.expire_all()
    form.draft_definition = {**form.draft_definition, "languages": ["sv"]}
    builder.publish(form, change_note="First", publisher=admin)
    db.commit()
    exported = client.get("/admin/forms/pets/export?version=1")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="pets-v1.json"'
    data = json.loads(exported.data)
    data["title"] = {"sv": "Husdjur och boende"}
    response = client.post(
        "/admin/forms/pets/import",
        data={"file": (io.BytesIO(json.dumps(data).encode()), "pets.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.expire_all()
    assert form.draft_definition["title"] == {"sv": "Husdjur och boende"}
    published = builder.find_version(form, 1)
    assert published is not None and published.definition["title"] == {"sv": "Husdjur"}
    assert json.loads(client.get("/admin/forms/pets/export").data) == data


def test_a_bad_import_is_shown_precisely_and_changes_nothing(client: FlaskClient) -> None:
    log_in(client)
    form = create_pets_form(client)
    before = json.dumps(form.draft_definition, sort_keys=True)
    response = client.post("/admin/forms/pets/import", data={"text": "{broken"}, headers=ENGLISH)
    assert response.status_code == 400
    assert "The file is not valid JSON" in response.text
    broken = dict(form.draft_definition, pages=[])
    response = client.post("/admin/forms/pets/import", data={"text": json.dumps(broken)}, headers=ENGLISH)
    assert response.status_code == 400
    assert "should be non-empty" in response.text
    db.expire_all()
    assert json.dumps(form.draft_definition, sort_keys=True) == before
    response = client.post(
        "/admin/forms/import", data={"text": json.dumps(form.draft_definition)}, headers=ENGLISH
    )
    assert "There is already a form with the key ‘pets’" in response.text


def test_the_preview_shows_a_page_as_residents_see_it_in_any_language(client: FlaskClient) -> None:
    log_in(client)
    builder.import_definition(json.dumps(example_definitions()["report-street-fault"]))
    db.commit()
    response = client.get("/admin/forms/report-street-fault/preview?page=fault&language=ar", headers=ENGLISH)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text
    assert "نوع العطل" in response.text
    assert "Preview of the draft" in response.text  # the banner stays in the admin's language
    response = client.post(
        "/admin/forms/report-street-fault/preview?page=fault&language=en", data={"action": "continue"}
    )
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    response = client.post(
        "/admin/forms/report-street-fault/preview?page=fault&language=en",
        data={"fault_type": "litter", "dangerous": "no", "action": "continue"},
    )
    assert response.status_code == 303
    assert "page=location_and_description" in response.headers["Location"]
    check = client.get("/admin/forms/report-street-fault/preview?page=check-answers&language=en")
    assert "Litter" in check.text
    assert "Check your answers" in check.text


def test_statistics_show_figures_with_tables_beside_the_charts(client: FlaskClient) -> None:
    log_in(client)
    create_pets_form(client)
    response = client.get("/admin/forms/pets/statistics", headers=ENGLISH)
    assert response.status_code == 200
    assert "<svg" in response.text and "<table>" in response.text
    assert "Completion rate" in response.text


def test_a_resident_rates_the_e_service_once_on_the_confirmation_page(
    app: Flask, client: FlaskClient
) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    data = builder.update_settings(
        json.loads(json.dumps(example_definitions()["report-street-fault"])),
        builder.SettingsSpec(anonymous_allowed=True, satisfaction_rating=True),
    )
    data["settings"]["confirmation_text"] = {language: "**Tack!**" for language in data["languages"]}
    version = builder.publish(builder.create_form(data), change_note="First", publisher=admin)
    db.commit()
    with app.test_request_context("/e/1/done"):
        from flask import render_template_string

        html = render_template_string(
            '{% from "forms/rating.html" import confirmation_text, rating %}{{ confirmation_text(v) }}{{ rating(v) }}',
            v=version.id,
        )
    assert "<strong>Tack!</strong>" in html
    assert 'name="score"' in html
    response = client.post(
        "/forms/rating", data={"form_version_id": version.id, "score": "4", "next": "/e/1/done"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/e/1/done"
    client.post("/forms/rating", data={"form_version_id": version.id, "score": "1", "next": "/e/1/done"})
    assert [rating.score for rating in db.scalars(select(FormRating))] == [4]
    assert client.post("/forms/rating", data={"form_version_id": 999, "score": "4"}).status_code == 400
