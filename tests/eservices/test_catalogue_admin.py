"""The catalogue admin for form admins: services with details, channels and synonyms, categories, life events
with their rules, offer rules; translations in every language, previews that save nothing, audit-logged saves."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.db import db
from core.models import Role
from eservices import catalogue
from eservices.catalogue_models import LifeEvent, LifeEventQuestion, LifeEventStep, OfferRule, ServiceDetails
from eservices.models import Category, Service
from tests.builders import make_category, make_queue, make_service, make_staff
from tests.eservices.casework_fixtures import audit_entries, log_in_staff

LANGUAGES = ("sv", "en", "da", "ar")


@pytest.fixture
def admin_client(client: FlaskClient) -> FlaskClient:
    log_in_staff(client, make_staff(roles=[Role.FORM_ADMIN]))
    return client


def translations(name: str, text: str) -> dict[str, str]:
    return {f"{name}-{code}": f"{text} ({code})" for code in LANGUAGES}


def service_form(service: Service, **overrides: Any) -> dict[str, Any]:
    form = {
        "slug": service.slug,
        "category": service.category_id,
        "queue": service.queue_id,
        "active": "on",
        **translations("title", "Hundtillstånd"),
        **translations("summary", "Tillstånd att hålla hund"),
        **translations("who_can_apply", "Hundägare"),
        "synonyms-sv": "hundlicens, valp",
        "phone": "0123-45 60 00",
        "printable_form_url": "/forms/dog.pdf",
        "action": "save",
    }
    form.update(overrides)
    return form


def test_only_form_admins_may_edit_the_catalogue(client: FlaskClient) -> None:
    assert client.get("/admin/catalogue/").status_code == 302
    log_in_staff(client, make_staff(roles=[Role.AGENT]))
    assert client.get("/admin/catalogue/").status_code == 403


def test_a_form_admin_edits_a_service_with_details_channels_and_synonyms(admin_client: FlaskClient) -> None:
    service = make_service()
    response = admin_client.post(f"/admin/catalogue/services/{service.id}", data=service_form(service))
    assert response.status_code == 303

    db.expire_all()
    assert service.title["ar"] == "Hundtillstånd (ar)"
    details = db.get(ServiceDetails, service.id)
    assert details is not None and details.synonyms == {"sv": ["hundlicens", "valp"]}
    assert [service.slug for service in catalogue.search("valpen", "sv").services] == [service.slug]
    assert [entry.subject_id for entry in audit_entries("update", "service")] == [str(service.id)]


def test_a_name_missing_in_one_language_is_refused_with_the_language_named(admin_client: FlaskClient) -> None:
    service = make_service()
    response = admin_client.post(
        f"/admin/catalogue/services/{service.id}", data=service_form(service, **{"title-da": ""})
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="#title-da"' in html and "Dansk" in html
    db.expire_all()
    assert "da" not in service.title or service.title["da"] != ""


def test_the_preview_shows_the_page_but_saves_nothing(admin_client: FlaskClient) -> None:
    service = make_service()
    before = dict(service.title)
    response = admin_client.post(
        f"/admin/catalogue/services/{service.id}", data=service_form(service, action="preview")
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hundtillstånd" in html and 'data-channel="phone"' in html
    db.expire_all()
    assert service.title == before
    assert db.get(ServiceDetails, service.id) is None
    assert audit_entries("update", "service") == []


def test_a_new_service_can_be_added(admin_client: FlaskClient) -> None:
    category, queue = make_category(), make_queue()
    form = service_form(make_service(), slug="dog-licence", category=category.id, queue=queue.id)
    response = admin_client.post("/admin/catalogue/services/new", data=form)
    assert response.status_code == 303
    assert db.query(Service).filter_by(slug="dog-licence").one().category_id == category.id


def test_a_category_is_edited_in_every_language(admin_client: FlaskClient) -> None:
    category = make_category()
    data = {"slug": "animals", "position": "3", **translations("title", "Djur"), "action": "save"}
    assert admin_client.post(f"/admin/catalogue/categories/{category.id}", data=data).status_code == 303
    db.expire_all()
    assert category.slug == "animals" and category.title["en"] == "Djur (en)"
    assert db.get(Category, category.id) is not None


def definition(show_when: list[dict[str, Any]], service: str | None = None) -> str:
    return json.dumps(
        {
            "questions": [{"key": "children", "text": {"sv": "Har du barn?"}}],
            "steps": [
                {"key": "address", "title": {"sv": "Anmäl flytt"}, "external_url": "https://skatteverket.se"},
                {"key": "preschool", "title": {"sv": "Förskola"}, "service": service, "show_when": show_when},
            ],
        }
    )


def life_event_form(text: str, **overrides: Any) -> dict[str, Any]:
    return {
        "slug": "moving-here",
        "position": "0",
        "active": "on",
        **translations("title", "Flytta hit"),
        "definition": text,
        "action": "save",
        **overrides,
    }


def test_a_rule_that_refers_to_an_unknown_question_is_rejected_when_saved(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/admin/catalogue/life-events/new",
        data=life_event_form(definition([{"question": "pets", "in": ["yes"]}])),
    )
    assert response.status_code == 400
    assert "pets" in response.get_data(as_text=True)
    assert db.query(LifeEvent).count() == 0


def test_a_rule_with_an_answer_the_question_does_not_have_is_rejected(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/admin/catalogue/life-events/new",
        data=life_event_form(definition([{"question": "children", "in": ["several"]}])),
    )
    assert response.status_code == 400
    assert db.query(LifeEvent).count() == 0


def test_a_life_event_with_questions_steps_and_rules_is_saved_and_keeps_step_ids_on_edit(
    admin_client: FlaskClient,
) -> None:
    service = make_service(slug="preschool-placement")
    text = definition([{"question": "children", "in": ["yes"]}], service="preschool-placement")
    assert (
        admin_client.post("/admin/catalogue/life-events/new", data=life_event_form(text)).status_code == 303
    )
    event = db.query(LifeEvent).one()
    assert [step.key for step in event.steps] == ["address", "preschool"]
    preschool_id = event.steps[1].id
    assert event.steps[1].service_id == service.id

    changed = json.loads(text)
    changed["steps"][1]["title"] = {"sv": "Ansök om förskola"}
    response = admin_client.post(
        f"/admin/catalogue/life-events/{event.id}", data=life_event_form(json.dumps(changed))
    )
    assert response.status_code == 303
    db.expire_all()
    step = db.get(LifeEventStep, preschool_id)
    assert step is not None and step.title == {"sv": "Ansök om förskola"}
    assert db.query(LifeEventQuestion).count() == 1
    assert len(audit_entries("update", "life_event")) == 1


def test_the_life_event_preview_shows_questions_and_rules(admin_client: FlaskClient) -> None:
    text = definition([{"question": "children", "in": ["yes"]}])
    response = admin_client.post(
        "/admin/catalogue/life-events/new", data=life_event_form(text, action="preview")
    )
    assert response.status_code == 200
    assert "Har du barn?" in response.get_data(as_text=True)
    assert db.query(LifeEvent).count() == 0


def test_an_offer_rule_is_saved_with_its_texts(admin_client: FlaskClient, app: Flask) -> None:
    service = make_service()
    data = {
        "key": "preschool_at_one",
        "kind": "child_turns_age_without_case",
        "service": service.id,
        "age_years": "1",
        "within_months": "3",
        "active": "on",
        **translations("title", "Förskoleplats för {child_name}"),
        **translations("text", "{child_name} fyller ett år {date}"),
        "action": "save",
    }
    assert admin_client.post("/admin/catalogue/offer-rules/new", data=data).status_code == 303
    rule = db.query(OfferRule).one()
    assert rule.parameters == {"age_years": 1, "within_months": 3} and rule.service_id == service.id


def test_every_admin_page_renders(admin_client: FlaskClient) -> None:
    service = make_service()
    for path in (
        "/admin/catalogue/",
        "/admin/catalogue/services/new",
        f"/admin/catalogue/services/{service.id}",
        "/admin/catalogue/categories/new",
        f"/admin/catalogue/categories/{service.category_id}",
        "/admin/catalogue/life-events/new",
        "/admin/catalogue/offer-rules/new",
    ):
        assert admin_client.get(path).status_code == 200, path
    assert admin_client.get("/admin/catalogue/services/999999").status_code == 404
