"""Staff login: password, TOTP, lock-out, rate limit, logout, safe redirects, cookie flags and role checks."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pyotp
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core import clock
from core.app import create_app
from core.auth import require_staff
from core.db import db, dispose_engines
from core.models import AuditEntry, Role, StaffUser
from tests.builders import DEFAULT_PASSWORD, make_staff
from tests.conftest import test_environ

WRONG_OR_UNKNOWN = "The e-mail address or password is wrong."
LOCKED = "Too many failed attempts"


def _log_in(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD, next_url: str | None = None):  # type: ignore[no-untyped-def]
    path = "/staff/login" if next_url is None else f"/staff/login?next={next_url}"
    return client.post(path, data={"email": email, "password": password}, headers={"Accept-Language": "en"})


def _staff(email: str) -> StaffUser:
    user = db.scalar(select(StaffUser).where(StaffUser.email == email))
    assert user is not None
    return user


def test_a_staff_member_logs_in_with_the_right_password_and_reaches_the_staff_start_page(
    client: FlaskClient,
) -> None:
    user = make_staff(full_name="Ada Andersson")
    response = _log_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Ada Andersson" in page.text


def test_the_e_mail_address_is_matched_without_regard_to_case_or_spaces(client: FlaskClient) -> None:
    user = make_staff(email="case.officer@exempelstad.se")
    assert _log_in(client, "  Case.Officer@Exempelstad.se ").status_code == 302
    assert client.get("/staff/").status_code == 200
    assert user.id


def test_a_wrong_password_and_an_unknown_e_mail_get_the_same_message(client: FlaskClient) -> None:
    user = make_staff()
    wrong_password = _log_in(client, user.email, "not the password")
    unknown_email = _log_in(client, "nobody@exempelstad.se")
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert WRONG_OR_UNKNOWN in wrong_password.text
    assert WRONG_OR_UNKNOWN in unknown_email.text
    assert client.get("/staff/").status_code == 302


def test_an_empty_form_names_each_missing_field(client: FlaskClient) -> None:
    response = client.post("/staff/login", data={}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Enter your e-mail address" in response.text
    assert "Enter your password" in response.text


def test_the_account_locks_after_the_configured_number_of_failures_even_for_the_right_password(
    client: FlaskClient, app: Flask
) -> None:
    user = make_staff()
    attempts = app.extensions["kanal.settings"].login_max_attempts
    for _ in range(attempts - 1):
        assert WRONG_OR_UNKNOWN in _log_in(client, user.email, "guess").text
    locked = _log_in(client, user.email, "last guess")
    assert locked.status_code == 400
    assert LOCKED in locked.text
    right_password = _log_in(client, user.email)
    assert right_password.status_code == 400
    assert LOCKED in right_password.text
    assert client.get("/staff/").status_code == 302


def test_a_locked_account_opens_again_after_the_lock_out_time(client: FlaskClient, app: Flask) -> None:
    user = make_staff()
    settings = app.extensions["kanal.settings"]
    for _ in range(settings.login_max_attempts):
        _log_in(client, user.email, "guess")
    clock.advance(dt.timedelta(minutes=settings.login_lockout_minutes - 1))
    assert LOCKED in _log_in(client, user.email).text
    clock.advance(dt.timedelta(minutes=1, seconds=1))
    assert _log_in(client, user.email).status_code == 302


def test_a_successful_login_resets_the_failure_count(client: FlaskClient, app: Flask) -> None:
    user = make_staff()
    attempts = app.extensions["kanal.settings"].login_max_attempts
    for _ in range(attempts - 1):
        _log_in(client, user.email, "guess")
    assert _log_in(client, user.email).status_code == 302
    client.post("/staff/logout")
    for _ in range(attempts - 1):
        assert LOCKED not in _log_in(client, user.email, "guess").text
    assert _staff(user.email).failed_logins == attempts - 1


def test_an_inactive_staff_member_cannot_log_in_and_is_told_nothing_more(client: FlaskClient) -> None:
    user = make_staff(active=False)
    response = _log_in(client, user.email)
    assert response.status_code == 400
    assert WRONG_OR_UNKNOWN in response.text


def test_deactivating_a_logged_in_staff_member_ends_their_session(client: FlaskClient) -> None:
    user = make_staff()
    _log_in(client, user.email)
    assert client.get("/staff/").status_code == 200
    _staff(user.email).active = False
    db.commit()
    assert client.get("/staff/").status_code == 302


def test_with_totp_the_password_leads_to_the_code_page_and_the_right_code_logs_in(
    client: FlaskClient,
) -> None:
    secret = pyotp.random_base32()
    user = make_staff(totp_secret=secret)
    response = _log_in(client, user.email, next_url="/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login/code")
    assert client.get("/staff/").status_code == 302  # not logged in yet
    code_page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "Enter your security code" in code_page.text
    logged_in = client.post(response.headers["Location"], data={"code": pyotp.TOTP(secret).now()})
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_wrong_totp_code_is_refused_and_counts_as_a_failed_login(client: FlaskClient) -> None:
    secret = pyotp.random_base32()
    user = make_staff(totp_secret=secret)
    _log_in(client, user.email)
    wrong = str((int(pyotp.TOTP(secret).now()) + 500000) % 1000000).zfill(6)
    response = client.post("/staff/login/code", data={"code": wrong}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The security code is wrong." in response.text
    assert client.get("/staff/").status_code == 302
    assert _staff(user.email).failed_logins == 1


def test_repeated_wrong_totp_codes_lock_the_account(client: FlaskClient, app: Flask) -> None:
    secret = pyotp.random_base32()
    user = make_staff(totp_secret=secret)
    _log_in(client, user.email)
    wrong = str((int(pyotp.TOTP(secret).now()) + 500000) % 1000000).zfill(6)
    for _ in range(app.extensions["kanal.settings"].login_max_attempts - 1):
        client.post("/staff/login/code", data={"code": wrong})
    locked = client.post("/staff/login/code", data={"code": wrong}, headers={"Accept-Language": "en"})
    assert LOCKED in locked.text
    # The pending login is gone: the code page now sends the user back to the password step.
    assert client.get("/staff/login/code").status_code == 302


def _code_at(secret: str, when: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def _enter_code(client: FlaskClient, email: str, code: str):  # type: ignore[no-untyped-def]
    """A fresh login: the password step, then `code` on the code page."""
    client.post("/staff/logout")
    _log_in(client, email)
    return client.post("/staff/login/code", data={"code": code}, headers={"Accept-Language": "en"})


def test_a_totp_code_logs_in_only_once_and_the_next_steps_code_works(client: FlaskClient) -> None:
    secret = pyotp.random_base32()
    user = make_staff(totp_secret=secret)
    code = _code_at(secret, clock.now())

    first = _enter_code(client, user.email, code)
    assert first.status_code == 302 and client.get("/staff/").status_code == 200

    replayed = _enter_code(client, user.email, code)
    assert replayed.status_code == 400
    assert "The security code is wrong." in replayed.text
    assert client.get("/staff/").status_code == 302
    db.expire_all()
    assert _staff(user.email).failed_logins == 1
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "login.totp_reused")).all()
    assert entry.subject_kind == "staff_user" and entry.subject_id == str(user.id)

    clock.advance(dt.timedelta(seconds=30))
    following = _enter_code(client, user.email, _code_at(secret, clock.now()))
    assert following.status_code == 302 and client.get("/staff/").status_code == 200
    db.expire_all()
    assert _staff(user.email).failed_logins == 0


def test_a_code_of_an_earlier_step_than_the_last_one_used_is_refused(client: FlaskClient) -> None:
    secret = pyotp.random_base32()
    user = make_staff(totp_secret=secret)
    assert _enter_code(client, user.email, _code_at(secret, clock.now())).status_code == 302

    # Within the one step of clock drift allowed, but older than the code that has just logged in.
    earlier = _enter_code(client, user.email, _code_at(secret, clock.now() - dt.timedelta(seconds=30)))

    assert earlier.status_code == 400 and "The security code is wrong." in earlier.text
    db.expire_all()
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "login.totp_reused")) is not None


def test_the_same_code_entered_in_two_browsers_at_once_logs_in_only_one(app: Flask) -> None:
    secret = pyotp.random_base32()
    user = make_staff(totp_secret=secret)
    db.commit()
    code = _code_at(secret, clock.now())
    clients = [app.test_client() for _ in range(2)]
    for each in clients:
        _log_in(each, user.email)
    start = threading.Barrier(2)
    statuses: list[int] = []

    def enter(each: FlaskClient) -> None:
        with app.app_context():
            start.wait(timeout=30)
            statuses.append(each.post("/staff/login/code", data={"code": code}).status_code)

    threads = [threading.Thread(target=enter, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302, 400]


def test_the_code_page_without_a_pending_login_sends_the_user_to_the_login_page(client: FlaskClient) -> None:
    response = client.get("/staff/login/code")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert client.post("/staff/login/code", data={"code": "123456"}).status_code == 302


def test_logging_out_ends_the_session(client: FlaskClient) -> None:
    user = make_staff()
    _log_in(client, user.email)
    assert client.get("/staff/").status_code == 200
    response = client.post("/staff/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    after = client.get("/staff/")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/staff/login")


def test_logging_in_and_out_keeps_the_chosen_language(client: FlaskClient) -> None:
    user = make_staff()
    client.get("/language/en")
    _log_in(client, user.email)
    assert '<html lang="en"' in client.get("/staff/").text
    client.post("/staff/logout")
    assert '<html lang="en"' in client.get("/staff/login").text


def test_a_staff_page_sends_visitors_to_login_and_back_afterwards(client: FlaskClient) -> None:
    user = make_staff()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/staff/"
    assert _log_in(client, user.email, next_url="/staff/").headers["Location"] == "/staff/"


def test_login_refuses_to_redirect_to_another_site(client: FlaskClient) -> None:
    user = make_staff()
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"):
        response = _log_in(client, user.email, next_url=evil)
        assert response.status_code == 302
        assert response.headers["Location"] == "/staff/", evil
        client.post("/staff/logout")


def test_more_than_twenty_login_attempts_a_minute_get_a_friendly_too_many_requests_page(
    client: FlaskClient,
) -> None:
    statuses = [_log_in(client, f"nobody{n}@exempelstad.se").status_code for n in range(20)]
    assert 429 not in statuses
    response = _log_in(client, "nobody@exempelstad.se")
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Traceback" not in response.text
    clock.advance(dt.timedelta(minutes=2))


def test_the_session_cookie_is_http_only_same_site_lax_and_secure_when_configured(
    database_url: str, tmp_path: Path
) -> None:
    application = create_app(test_environ(database_url, tmp_path, KANAL_SESSION_COOKIE_SECURE="true"))
    application.config["WTF_CSRF_ENABLED"] = False
    with application.app_context():
        user = make_staff()
        db.commit()
    client = application.test_client()
    response = _log_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    dispose_engines(application)


def test_without_secure_cookies_configured_the_cookie_still_is_http_only_and_same_site(
    client: FlaskClient,
) -> None:
    user = make_staff()
    cookie = _log_in(client, user.email).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_a_page_for_one_role_is_forbidden_to_staff_with_another_role(app: Flask) -> None:
    admin_pages = Blueprint("admin_only", __name__, url_prefix="/admin-only")
    admin_pages.before_request(require_staff(Role.SYSTEM_ADMIN))
    admin_pages.add_url_rule("/", "index", lambda: "admin area")
    app.register_blueprint(admin_pages)
    client = app.test_client()
    officer = make_staff(roles=[Role.CASE_OFFICER])
    admin = make_staff(roles=[Role.SYSTEM_ADMIN, Role.FORM_ADMIN])

    assert client.get("/admin-only/").status_code == 302  # anonymous: log in first
    _log_in(client, officer.email)
    forbidden = client.get("/admin-only/", headers={"Accept-Language": "en"})
    assert forbidden.status_code == 403
    assert "You do not have access to this page" in forbidden.text
    client.post("/staff/logout")
    _log_in(client, admin.email)
    allowed = client.get("/admin-only/")
    assert allowed.status_code == 200
    assert allowed.text == "admin area"


def test_every_staff_role_reaches_the_staff_start_page(client: FlaskClient) -> None:
    for role in Role:
        user = make_staff(roles=[role])
        _log_in(client, user.email)
        assert client.get("/staff/").status_code == 200, role
        client.post("/staff/logout")


def test_a_session_naming_no_valid_account_counts_as_logged_out(client: FlaskClient) -> None:
    for stale in ("staff:abc", "staff:999999", "resident:", "someone:1"):
        with client.session_transaction() as session:
            session["_user_id"] = stale
        response = client.get("/staff/")
        assert response.status_code == 302, stale


def test_staff_logging_in_at_the_same_moment_all_get_in(app: Flask) -> None:
    # Each login reads the account, then writes (last login, audit entry); on SQLite such transactions must queue
    # for the write lock rather than fail with "database is locked".
    users = [make_staff() for _ in range(8)]
    db.commit()
    start = threading.Barrier(len(users))
    statuses: dict[str, int] = {}

    def log_in(email: str) -> None:
        with app.app_context():
            client = app.test_client()
            start.wait(timeout=30)
            statuses[email] = _log_in(client, email).status_code

    threads = [threading.Thread(target=log_in, args=(user.email,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == {user.email: 302 for user in users}


def test_a_password_step_left_waiting_for_its_code_expires(client: FlaskClient) -> None:
    secret = pyotp.random_base32()
    user = make_staff(totp_secret=secret)
    _log_in(client, user.email)
    assert client.get("/staff/login/code").status_code == 200
    clock.advance(dt.timedelta(minutes=6))
    response = client.post("/staff/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302


def test_a_session_taken_to_another_browser_is_logged_out(client: FlaskClient) -> None:
    staff = make_staff()
    db.commit()
    _log_in(client, staff.email)
    assert client.get("/staff/").status_code == 200

    client.environ_base["HTTP_USER_AGENT"] = "Some other browser"
    assert client.get("/staff/").status_code == 302


def test_anonymous_requests_leave_the_session_cookie_alone(client: FlaskClient) -> None:
    client.get("/language/en?next=/")
    # An anonymous page view must not rewrite the cookie: a late response could otherwise overwrite a login.
    response = client.get("/")
    assert "Set-Cookie" not in response.headers
