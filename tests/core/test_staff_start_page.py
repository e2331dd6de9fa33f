"""The staff start page leads each role to its own workspaces and nowhere else."""

from __future__ import annotations

from flask.testing import FlaskClient

from core.db import db
from core.models import Role
from tests.builders import make_staff

PASSWORD = "a staff password that is long enough"


def start_page_for(client: FlaskClient, roles: list[Role]) -> str:
    staff = make_staff(roles=roles, password=PASSWORD)
    db.commit()
    client.post("/staff/login", data={"email": staff.email, "password": PASSWORD})
    response = client.get("/staff/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.text


def test_a_form_admin_is_led_to_the_form_builder_and_catalogue_only(client: FlaskClient) -> None:
    page = start_page_for(client, [Role.FORM_ADMIN])
    assert 'href="/admin/forms/"' in page
    assert 'href="/admin/catalogue/"' in page
    assert 'href="/officer/"' not in page and 'href="/agent/"' not in page


def test_an_agent_is_led_to_the_contact_centre(client: FlaskClient) -> None:
    page = start_page_for(client, [Role.AGENT])
    assert 'href="/agent/"' in page
    assert 'href="/admin/forms/"' not in page


def test_a_case_officer_is_led_to_the_queues(client: FlaskClient) -> None:
    page = start_page_for(client, [Role.CASE_OFFICER])
    assert 'href="/officer/"' in page
