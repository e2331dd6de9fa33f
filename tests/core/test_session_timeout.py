"""The resident idle timeout: never before the idle minutes are up, at most half a minute after, and a session
cookie that is not signed and sent again on every request."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from core import clock
from core.session_timeout import LAST_SEEN_REFRESH_SECONDS
from tests.builders import make_resident
from tests.eservices.casework_fixtures import log_in_resident

IDLE = dt.timedelta(minutes=15)  # KANAL_RESIDENT_IDLE_MINUTES's default
SLACK = dt.timedelta(seconds=LAST_SEEN_REFRESH_SECONDS)


def _my_pages(client: FlaskClient) -> TestResponse:
    return client.get("/my-pages/", headers={"Accept-Language": "en"})


def _logged_in(app: Flask, client: FlaskClient) -> FlaskClient:
    log_in_resident(app, client, make_resident())
    assert _my_pages(client).status_code == 200
    return client


def test_a_resident_idle_longer_than_the_timeout_is_sent_to_log_in_again(
    app: Flask, client: FlaskClient
) -> None:
    _logged_in(app, client)
    clock.advance(IDLE + SLACK + dt.timedelta(seconds=2))
    response = _my_pages(client)
    assert response.status_code == 302
    assert "/login/" in response.location
    assert "inactive for a while" in client.get(response.location, headers={"Accept-Language": "en"}).text
    assert _my_pages(client).status_code == 302  # logged out for good, not only redirected once


def test_a_request_counts_as_activity_even_when_the_cookie_is_left_alone(
    app: Flask, client: FlaskClient
) -> None:
    _logged_in(app, client)
    clock.advance(SLACK - dt.timedelta(seconds=5))
    assert _my_pages(client).status_code == 200  # too soon to renew what the cookie holds
    clock.advance(IDLE - dt.timedelta(seconds=5))
    # Fifteen minutes less five seconds after the last request, the resident is still logged in, although the
    # cookie's time is older than the timeout by then.
    assert _my_pages(client).status_code == 200


def test_the_session_cookie_is_sent_again_only_when_its_time_is_half_a_minute_old(
    app: Flask, client: FlaskClient
) -> None:
    _logged_in(app, client)
    clock.advance(dt.timedelta(seconds=10))
    quiet = _my_pages(client)
    assert quiet.status_code == 200
    assert "Set-Cookie" not in quiet.headers
    clock.advance(SLACK)
    renewed = _my_pages(client)
    assert renewed.status_code == 200
    assert "kanal_session=" in renewed.headers["Set-Cookie"]


def test_staying_logged_in_from_the_warning_gives_the_whole_timeout_again(
    app: Flask, client: FlaskClient
) -> None:
    _logged_in(app, client)
    clock.advance(IDLE - dt.timedelta(minutes=2))  # when the page shows its warning
    assert client.post("/session/keepalive").get_json() == {"ok": True}
    clock.advance(IDLE - dt.timedelta(seconds=5))
    assert _my_pages(client).status_code == 200
