"""Resident login with BankID through the web pages, against the emulator running as a real process."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import clock
from core.db import db
from core.models import Resident
from signing.emulator.process import EmulatorControl
from signing.models import BankIDOrder
from signing.rfa import rfa_message
from tests.builders import make_staff
from tests.conftest import running_app, test_environ

PNR = "198512308480"  # one of the emulator's test identities (Fatima Ahmadi)
ORDER_PATH = re.compile(r"/login/order/([0-9a-f-]+)$")


@pytest.fixture
def app(database_url: str, tmp_path: Path, bankid_emulator: str) -> Iterator[Flask]:
    with running_app(
        test_environ(database_url, tmp_path, KANAL_BANKID_URL=bankid_emulator), csrf=False
    ) as application:
        yield application


def start_login(client: FlaskClient, device: str = "other", next_url: str = "") -> str:
    response = client.post("/login/", data={"device": device, "next": next_url})
    assert response.status_code == 302, response.text
    match = ORDER_PATH.search(response.location)
    assert match, response.location
    return match.group(1)


def collect(client: FlaskClient, order_ref: str) -> dict[str, object]:
    clock.advance(dt.timedelta(seconds=2))  # BankID's collect pace, without sleeping
    response = client.post(f"/login/order/{order_ref}/collect", headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    payload: dict[str, object] = response.get_json()
    return payload


def test_login_page_offers_both_ways_to_start_bankid(client: FlaskClient) -> None:
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'value="other"' in page.text and 'value="this"' in page.text


def test_resident_logs_in_by_scanning_the_qr_code(
    client: FlaskClient, emulator_control: EmulatorControl
) -> None:
    order_ref = start_login(client, "other")

    page = client.get(f"/login/order/{order_ref}")
    assert page.status_code == 200
    assert rfa_message("RFA1", "sv") in page.text
    qr = client.get(f"/login/order/{order_ref}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data

    emulator_control.approve(order_ref, PNR)
    result = collect(client, order_ref)
    assert result["state"] == "complete"
    assert result["redirect"] == "/my-pages/"

    my_pages = client.get("/my-pages/")
    assert my_pages.status_code == 200
    assert "Fatima Ahmadi" in my_pages.text
    resident = db.query(Resident).filter_by(personnummer=PNR).one()
    assert resident.given_name == "Fatima"


def test_same_device_login_offers_the_autostart_link(
    client: FlaskClient, emulator_control: EmulatorControl
) -> None:
    order_ref = start_login(client, "this")
    page = client.get(f"/login/order/{order_ref}")
    assert "bankid:///?autostarttoken=" in page.text and "redirect=null" in page.text
    assert rfa_message("RFA13", "sv") in page.text


def test_progress_messages_follow_the_hint_codes(
    client: FlaskClient, emulator_control: EmulatorControl
) -> None:
    order_ref = start_login(client, "other")
    emulator_control.scan(order_ref, PNR)
    result = collect(client, order_ref)
    assert result["state"] == "pending"
    assert result["message"] in {rfa_message("RFA15A", "sv"), rfa_message("RFA9", "sv")}
    assert result["showQr"] is False


def test_the_login_returns_to_the_page_the_resident_came_from(
    client: FlaskClient, emulator_control: EmulatorControl
) -> None:
    order_ref = start_login(client, "other", next_url="/services/x")
    emulator_control.approve(order_ref, PNR)
    assert collect(client, order_ref)["redirect"] == "/services/x"


def test_an_external_next_address_is_ignored(client: FlaskClient, emulator_control: EmulatorControl) -> None:
    order_ref = start_login(client, "other", next_url="https://evil.example/")
    emulator_control.approve(order_ref, PNR)
    assert collect(client, order_ref)["redirect"] == "/my-pages/"


@pytest.mark.parametrize(
    ("hint_code", "rfa_id"),
    [
        ("userCancel", "RFA6"),
        ("expiredTransaction", "RFA8"),
        ("certificateErr", "RFA16"),
        ("startFailed", "RFA17B"),
    ],
)
def test_each_failure_shows_bankids_message_and_offers_a_restart(
    client: FlaskClient, emulator_control: EmulatorControl, hint_code: str, rfa_id: str
) -> None:
    order_ref = start_login(client, "other")
    emulator_control.fail(order_ref, hint_code)
    result = collect(client, order_ref)
    assert result["state"] == "failed"
    assert result["message"] == rfa_message(rfa_id, "sv")
    page = client.get(f"/login/order/{order_ref}")
    assert rfa_message(rfa_id, "sv") in page.text
    assert "Try again" in page.text or "Försök igen" in page.text


def test_messages_are_shown_in_the_residents_language(
    client: FlaskClient, emulator_control: EmulatorControl
) -> None:
    client.get("/language/ar?next=/")
    order_ref = start_login(client, "other")
    emulator_control.fail(order_ref, "userCancel")
    assert collect(client, order_ref)["message"] == rfa_message("RFA6", "ar")


@pytest.mark.parametrize("fault", ["maintenance", "internalError", "requestTimeout"])
def test_bankid_trouble_when_starting_shows_rfa5_and_never_a_500(
    client: FlaskClient, emulator_control: EmulatorControl, fault: str
) -> None:
    emulator_control.inject_fault(fault, count=1)
    response = client.post("/login/", data={"device": "other"})
    assert response.status_code == 503
    assert rfa_message("RFA5", "sv") in response.text


def test_bankid_trouble_while_collecting_keeps_the_order_for_a_retry(
    client: FlaskClient, emulator_control: EmulatorControl
) -> None:
    order_ref = start_login(client, "other")
    emulator_control.inject_fault("maintenance", count=1)
    result = collect(client, order_ref)
    assert result["state"] == "pending"
    assert result["message"] == rfa_message("RFA5", "sv")
    emulator_control.approve(order_ref, PNR)
    assert collect(client, order_ref)["state"] == "complete"


def test_unreachable_bankid_shows_rfa5(database_url: str, tmp_path: Path) -> None:
    environ = test_environ(database_url, tmp_path, KANAL_BANKID_URL="http://127.0.0.1:9")
    with running_app(environ, csrf=False) as application:
        response = application.test_client().post("/login/", data={"device": "other"})
    assert response.status_code == 503
    assert rfa_message("RFA5", "sv") in response.text


def test_an_order_past_its_lifetime_offers_a_clean_restart(
    client: FlaskClient, emulator_control: EmulatorControl
) -> None:
    order_ref = start_login(client, "other")
    clock.advance(dt.timedelta(minutes=4))
    result = collect(client, order_ref)
    assert result["state"] == "failed"
    assert result["message"] == rfa_message("RFA8", "sv")


def test_cancel_stops_the_order(client: FlaskClient, emulator_control: EmulatorControl) -> None:
    order_ref = start_login(client, "other")
    response = client.post(f"/login/order/{order_ref}/cancel")
    assert response.status_code == 302 and response.location.endswith("/login/")
    assert db.query(BankIDOrder).filter_by(order_ref=order_ref).one().state == "cancelled"
    assert order_ref not in {order["orderRef"] for order in emulator_control.orders(include_finished=True)}


def test_a_foreign_or_forged_order_ref_gives_404(app: Flask, emulator_control: EmulatorControl) -> None:
    owner = app.test_client()
    order_ref = start_login(owner, "other")
    stranger = app.test_client()
    stranger.get("/login/")
    for path in (f"/login/order/{order_ref}", f"/login/order/{order_ref}/qr.svg"):
        assert stranger.get(path).status_code == 404
    assert stranger.post(f"/login/order/{order_ref}/collect").status_code == 404
    assert owner.get("/login/order/00000000-0000-4000-8000-000000000000").status_code == 404


def test_a_completed_order_logs_in_exactly_one_session(app: Flask, emulator_control: EmulatorControl) -> None:
    client = app.test_client()
    order_ref = start_login(client, "other")
    with client.session_transaction() as browser_session:
        stolen_cookie = dict(browser_session)
    emulator_control.approve(order_ref, PNR)
    assert collect(client, order_ref)["state"] == "complete"

    replay = app.test_client()
    with replay.session_transaction() as browser_session:
        browser_session.update(stolen_cookie)
    assert (
        replay.post(f"/login/order/{order_ref}/collect", headers={"Accept": "application/json"}).status_code
        == 404
    )
    assert replay.get("/my-pages/").status_code == 302


def test_staff_cannot_log_in_through_the_resident_path(app: Flask, client: FlaskClient) -> None:
    staff = make_staff(password="a password only staff would know")
    db.commit()
    client.post("/staff/login", data={"email": staff.email, "password": "a password only staff would know"})
    assert client.post("/login/", data={"device": "other"}).status_code == 403


def test_idle_residents_are_logged_out(client: FlaskClient, emulator_control: EmulatorControl) -> None:
    order_ref = start_login(client, "other")
    emulator_control.approve(order_ref, PNR)
    collect(client, order_ref)
    assert client.get("/my-pages/").status_code == 200
    clock.advance(dt.timedelta(minutes=16))
    response = client.get("/my-pages/")
    assert response.status_code == 302
    assert "/login/" in response.location
