"""The catalogue pages: search without dead ends, life-event questionnaires as plain forms, saving and ticking
checklists on My pages, helpful 404s, agents acting for a caller, and offers on My pages."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient

from core import clock
from core.db import db
from core.models import Role
from eservices import life_events
from eservices.catalogue_demo import seed_catalogue_details
from eservices.catalogue_models import OfferRule, SavedChecklist, ServiceDetails
from eservices.demo import DEPARTMENTS, seed_catalogue
from eservices.models import Service
from tests.builders import make_department, make_queue, make_resident, make_staff
from tests.eservices.casework_fixtures import log_in_resident, log_in_staff

MOVING_ANSWERS = {
    "within_municipality": "no",
    "preschool_children": "yes",
    "school_children": "no",
    "own_house": "yes",
}


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo catalogue and life events (the demo staff are left out: hashing their passwords is slow)."""
    for _code, _name, queues in DEPARTMENTS:
        department = make_department()
        for code, name, sla_hours in queues:
            make_queue(department, code=code, name=name, sla_hours=sla_hours)
    seed_catalogue()
    db.flush()
    seed_catalogue_details()
    db.commit()


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_search_shows_the_matching_service_for_a_misspelt_query(client: FlaskClient, demo: None) -> None:
    html = page(client, "/search?q=bygglof")
    assert "/services/building-permit" in html
    assert "Ansök om bygglov" in html


def test_a_search_without_results_suggests_categories_life_events_and_the_contact_centre(
    client: FlaskClient, demo: None
) -> None:
    html = page(client, "/search?q=qwxzvb")
    assert "0 tjänster matchar" in html or "0 services match" in html
    assert "/categories/preschool-and-school" in html
    assert "/life-events/moving-here" in html
    assert "/callback/" in html


def test_the_home_page_has_the_search_box_and_the_life_events(client: FlaskClient, demo: None) -> None:
    html = page(client, "/")
    assert 'role="search"' in html
    assert "/life-events/expecting-a-baby" in html


def test_all_seven_life_events_are_listed(client: FlaskClient, demo: None) -> None:
    html = page(client, "/life-events/")
    for slug in (
        "moving-here",
        "expecting-a-baby",
        "starting-a-business",
        "building-or-renovating",
        "when-someone-dies",
        "growing-older",
        "starting-school",
    ):
        assert f"/life-events/{slug}" in html


def test_the_questionnaire_is_an_ordinary_form_with_fieldsets_and_legends(
    client: FlaskClient, demo: None
) -> None:
    html = page(client, "/life-events/moving-here")
    assert html.count("<fieldset") == 4 and html.count("<legend>") == 4
    assert 'method="get"' in html and "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_an_unanswered_question_is_named_in_the_error_summary(client: FlaskClient, demo: None) -> None:
    html = page(client, "/life-events/moving-here/checklist?within_municipality=no", status=400)
    assert "error-summary" in html
    assert 'href="#question-preschool_children-0"' in html


def test_the_checklist_lists_the_steps_in_order_with_external_and_own_services(
    client: FlaskClient, demo: None
) -> None:
    query = "&".join(f"{key}={value}" for key, value in MOVING_ANSWERS.items())
    html = page(client, f"/life-events/moving-here/checklist?{query}")
    skatteverket = html.index("skatteverket.se")
    preschool = html.index("/services/preschool-placement")
    waste = html.index("/services/waste-collection-subscription")
    assert skatteverket < preschool < waste
    assert "/services/change-school" not in html  # no school-age children


def test_an_unknown_life_event_gives_a_404_that_helps(client: FlaskClient, demo: None) -> None:
    html = page(client, "/life-events/moving-to-mars", status=404)
    assert "/life-events/moving-here" in html
    assert 'role="search"' in html


def test_saving_when_logged_out_asks_for_bankid_and_comes_back_to_the_checklist(
    client: FlaskClient, demo: None
) -> None:
    response = client.post("/life-events/moving-here/save", data=MOVING_ANSWERS)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login/?next=")
    assert "checklist" in response.headers["Location"]


def test_a_resident_saves_the_checklist_and_ticks_a_step(app: Flask, client: FlaskClient, demo: None) -> None:
    resident = make_resident()
    log_in_resident(app, client, resident)

    response = client.post("/life-events/moving-here/save", data=MOVING_ANSWERS)
    assert response.status_code == 303
    (saved,) = life_events.checklists_for_resident(resident.id)
    assert response.headers["Location"] == f"/my-pages/checklists/{saved.id}"
    assert "Flytta till kommunen" in page(client, "/my-pages/")

    first = saved.steps[0]
    response = client.post(f"/my-pages/checklists/{saved.id}/steps/{first.id}", data={"done": "1"})
    assert response.status_code == 303
    html = page(client, f"/my-pages/checklists/{saved.id}")
    assert f'id="step-{first.id}" data-done="yes"' in html
    assert "1 av 3 steg klara" in html or "1 of 3 steps done" in html


def test_unknown_or_someone_elses_checklist_steps_give_a_helpful_404(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    owner = make_resident()
    event = life_events.find_life_event("moving-here")
    assert event is not None
    saved = life_events.save_checklist(owner, event, MOVING_ANSWERS)
    db.commit()
    log_in_resident(app, client, make_resident())

    html = page(client, f"/my-pages/checklists/{saved.id}", status=404)
    assert "/life-events/moving-here" in html
    response = client.post(f"/my-pages/checklists/{saved.id}/steps/{saved.steps[0].id}", data={"done": "1"})
    assert response.status_code == 404
    db.expire_all()
    assert db.get(SavedChecklist, saved.id).steps[0].done_at is None  # type: ignore[union-attr]


def test_an_agent_walks_a_caller_through_the_questionnaire_and_saves_it_on_their_my_pages(
    client: FlaskClient, demo: None
) -> None:
    agent = make_staff(roles=[Role.AGENT])
    caller = make_resident()
    log_in_staff(client, agent)

    html = page(client, f"/life-events/moving-here?on_behalf_of={caller.id}")
    assert f'name="on_behalf_of" value="{caller.id}"' in html
    response = client.post(
        "/life-events/moving-here/save", data={**MOVING_ANSWERS, "on_behalf_of": caller.id}
    )
    assert response.status_code == 303
    (saved,) = life_events.checklists_for_resident(caller.id)
    assert saved.saved_by_staff_id == agent.id
    assert "Flytta till kommunen" in page(client, f"/staff/life-events/residents/{caller.id}")


def test_only_agents_may_act_for_someone_else(app: Flask, client: FlaskClient, demo: None) -> None:
    other = make_resident()
    log_in_resident(app, client, make_resident())
    page(client, f"/life-events/moving-here?on_behalf_of={other.id}", status=403)
    response = client.post("/life-events/moving-here/save", data={**MOVING_ANSWERS, "on_behalf_of": other.id})
    assert response.status_code == 403
    assert life_events.checklists_for_resident(other.id) == []


def test_the_agents_checklist_page_is_for_agents_only(app: Flask, client: FlaskClient, demo: None) -> None:
    resident = make_resident()
    log_in_staff(client, make_staff(roles=[Role.CASE_OFFICER]))
    assert client.get(f"/staff/life-events/residents/{resident.id}").status_code == 403


def test_my_pages_shows_an_offer_from_the_register(
    app: Flask, client: FlaskClient, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.eservices.test_life_events import child, register_with

    resident = make_resident()
    today = clock.now().date()
    register = register_with(
        {resident.personnummer: [child("7", today.replace(year=today.year - 1) + dt.timedelta(days=30))]}
    )
    monkeypatch.setattr(life_events, "prefill_providers", register)
    log_in_resident(app, client, resident)

    html = page(client, "/my-pages/")
    assert 'data-offer="preschool_at_one"' in html
    assert "Förskoleplats för Alva" in html
    rule = db.query(OfferRule).one()
    assert rule.service.slug == "preschool-placement"


def test_the_service_details_partial_lists_facts_and_channels_digital_first(app: Flask, demo: None) -> None:
    service = db.query(Service).filter_by(slug="building-permit").one()
    details = db.get(ServiceDetails, service.id)
    assert details is not None
    details.external_url = "https://example.se/bygglov"
    db.flush()
    with app.test_request_context():
        html = render_template("eservices/catalogue/_service_details.html", service=service)
    order = [html.index(f'data-channel="{kind}"') for kind in ("e_service", "phone", "visit", "letter")]
    assert order == sorted(order)
    assert "Vem kan ansöka" in html or "Who can apply" in html


def test_other_agencies_steps_link_to_their_websites(client: FlaskClient, demo: None) -> None:
    html = page(client, "/life-events/expecting-a-baby/checklist?first_child=yes&need_preschool=yes")
    assert "forsakringskassan.se" in html
