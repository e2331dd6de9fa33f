"""Builders for the contact centre's tests: an agent in a department with a queue, and a logged-in client."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from core.models import Department, Queue, Role, StaffUser
from tests.builders import DEFAULT_PASSWORD, make_department, make_queue, make_staff


def make_agent(department: Department | None = None, **overrides: object) -> StaffUser:
    return make_staff(roles=[Role.AGENT], department=department or make_department(), **overrides)


def agent_with_queue(sla_hours: int = 48) -> tuple[StaffUser, Queue]:
    department = make_department()
    queue = make_queue(department, sla_hours=sla_hours)
    return make_agent(department), queue


def logged_in(app: Flask, staff: StaffUser) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the tests read the English wording
    response = client.post("/staff/login", data={"email": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
