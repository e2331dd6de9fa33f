"""Who is logged in: Flask-Login wiring for staff and residents, password and TOTP checks, lock-out, roles.

Staff log in with e-mail, an argon2-hashed password and, when enrolled, a TOTP code. Residents log in only with an
e-ID (see `signing`), so a staff account can never be reached through the resident path or the other way round.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from pyotp.utils import strings_equal
from sqlalchemy import CursorResult, func, or_, select, update

from core import audit, clock, passwords
from core.config import Settings
from core.db import db, get_row
from core.models import Resident, Role, StaffRole, StaffUser

password_hasher = PasswordHasher()
login_manager = LoginManager()

STAFF_PREFIX = "staff:"
RESIDENT_PREFIX = "resident:"
# A hash to verify against when the e-mail is unknown, so the response time does not reveal which accounts exist.
_DUMMY_HASH = password_hasher.hash("kanal-dummy-password")


class StaffPrincipal:
    """The logged-in staff member as Flask-Login sees them."""

    kind = "staff"
    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: StaffUser) -> None:
        self.user = user
        self.id = user.id

    @property
    def is_active(self) -> bool:
        return self.user.active

    def get_id(self) -> str:
        return f"{STAFF_PREFIX}{self.user.id}"

    def has_role(self, *roles: Role) -> bool:
        return self.user.has_role(*roles)


class ResidentPrincipal:
    """The logged-in resident as Flask-Login sees them."""

    kind = "resident"
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, resident: Resident) -> None:
        self.resident = resident
        self.id = resident.id

    def get_id(self) -> str:
        return f"{RESIDENT_PREFIX}{self.resident.id}"

    def has_role(self, *roles: Role) -> bool:
        return False


class Anonymous(AnonymousUserMixin):
    kind = "anonymous"

    def has_role(self, *roles: Role) -> bool:
        return False


def _load_principal(user_id: str) -> StaffPrincipal | ResidentPrincipal | None:
    kind, _, number = user_id.partition(":")
    if not number.isdigit():
        return None  # a session from another version of Kanal: treat as logged out rather than fail
    if f"{kind}:" == STAFF_PREFIX:
        staff = db.get(StaffUser, int(number))
        return StaffPrincipal(staff) if staff is not None and staff.active else None
    if f"{kind}:" == RESIDENT_PREFIX:
        resident = get_row(Resident, int(number))  # every request of a resident: the quick way
        return ResidentPrincipal(resident) if resident is not None else None
    return None


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class LoginOutcome(enum.Enum):
    OK = "ok"
    NEEDS_TOTP = "needs_totp"
    INVALID = "invalid"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: StaffUser | None = None


def _settings() -> Settings:
    return cast(Settings, current_app.extensions["kanal.settings"])


def find_staff_by_email(email: str) -> StaffUser | None:
    return db.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))


def _register_failure(user: StaffUser) -> LoginOutcome:
    settings = _settings()
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_attempts:
        user.locked_until = clock.now() + dt.timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
        return LoginOutcome.LOCKED
    return LoginOutcome.INVALID


def is_locked(user: StaffUser) -> bool:
    return user.locked_until is not None and user.locked_until > clock.now()


def check_staff_password(email: str, password: str) -> LoginResult:
    """First step of staff login. Unknown e-mail and wrong password look the same to the caller."""
    user = find_staff_by_email(email)
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return LoginResult(LoginOutcome.INVALID)
    if is_locked(user):
        # Hash anyway, so a locked account answers as slowly as any other.
        verify_password(_DUMMY_HASH, password)
        return LoginResult(LoginOutcome.LOCKED)
    if not verify_password(user.password_hash, password):
        return LoginResult(_register_failure(user))
    if user.totp_secret:
        return LoginResult(LoginOutcome.NEEDS_TOTP, user)
    user.failed_logins = 0
    return LoginResult(LoginOutcome.OK, user)


def _matching_totp_step(secret: str, code: str) -> int | None:
    """The time step whose code `code` is: this step or one either side (clock drift); None if none matches."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(clock.now())
    for step in (current, current - 1, current + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def _claim_totp_step(user: StaffUser, step: int) -> bool:
    """Record `step` as the user's last accepted one, only if it is later than the one recorded before.

    One conditional UPDATE, so two requests racing with the same code cannot both win: the row lock makes the
    second wait for the first and then find the step taken.
    """
    claimed = db.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.expire(user, ["totp_last_step"])
    return cast(CursorResult[Any], claimed).rowcount == 1


def check_staff_totp(user: StaffUser, code: str) -> LoginResult:
    """Second step: a six-digit code from the user's authenticator app (one step of clock drift allowed).

    Each code logs in once: a code of the step last accepted, or of an earlier one, is refused like a wrong code
    (RFC 6238 section 5.2), counts as a failed attempt and is written to the audit log, since it means someone
    replays a code they saw.
    """
    if is_locked(user):
        return LoginResult(LoginOutcome.LOCKED)
    step = _matching_totp_step(user.totp_secret, code.strip()) if user.totp_secret else None
    if step is None:
        return LoginResult(_register_failure(user))
    if not _claim_totp_step(user, step):
        audit.record("login.totp_reused", "staff_user", user.id, details={"step": step})
        return LoginResult(_register_failure(user))
    user.failed_logins = 0
    return LoginResult(LoginOutcome.OK, user)


def _fresh_session() -> None:
    """Start a new session on privilege change (against session fixation), keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def log_in_staff(user: StaffUser) -> None:
    _fresh_session()
    user.last_login_at = clock.now()
    login_user(StaffPrincipal(user))
    session.permanent = True


def log_in_resident(resident: Resident) -> None:
    _fresh_session()
    resident.last_login_at = clock.now()
    login_user(ResidentPrincipal(resident))
    session["last_seen"] = clock.now().timestamp()


def log_out() -> None:
    logout_user()
    _fresh_session()


def create_staff_user(
    email: str,
    full_name: str,
    password: str,
    roles: list[Role],
    department_id: int | None = None,
    languages: list[str] | None = None,
    totp_secret: str | None = None,
) -> StaffUser:
    """Add a staff account; raises `passwords.WeakPassword` when the password does not meet the policy."""
    passwords.check_password(password, personal=[email, full_name])
    user = StaffUser(
        email=email.strip().lower(),
        full_name=full_name,
        password_hash=hash_password(password),
        department_id=department_id,
        languages=languages or ["sv"],
        totp_secret=totp_secret,
        role_rows=[StaffRole(role=role.value) for role in roles],
    )
    db.add(user)
    db.flush()
    return user


def current_staff() -> StaffUser | None:
    principal: Any = current_user
    return principal.user if getattr(principal, "kind", None) == "staff" else None


def current_resident() -> Resident | None:
    principal: Any = current_user
    return principal.resident if getattr(principal, "kind", None) == "resident" else None


F = TypeVar("F", bound=Callable[..., Any])


def require_staff(*roles: Role) -> Callable[[], Any]:
    """A before_request check for a staff blueprint: log in first, then one of `roles` (any role if none)."""

    def check() -> Any:
        principal: Any = current_user
        if getattr(principal, "kind", None) != "staff":
            return redirect(url_for("staff_auth.login", next=request.full_path.rstrip("?")))
        if roles and not principal.has_role(*roles):
            abort(403)
        return None

    return check


def require_resident() -> Callable[[], Any]:
    """A before_request check for resident pages: BankID login first."""

    def check() -> Any:
        principal: Any = current_user
        if getattr(principal, "kind", None) != "resident":
            return redirect(url_for("resident_auth.login", next=request.full_path.rstrip("?")))
        return None

    return check


def _forget_cached_principal() -> None:
    # Flask-Login caches the principal on `g`, which lives as long as the app context. When an app context spans
    # several requests (tests, CLI-driven clients) a principal loaded by an earlier request would outlive that
    # request's database session and its logout; each request loads its own.
    g.pop("_login_user", None)


def _end_sessions_moved_to_another_client() -> None:
    """A logged-in session used from another address or browser than it logged in from is ended.

    This is Flask-Login's "strong" session protection, done here because Flask-Login's own version also rewrites
    the cookie of every *anonymous* session on every request: an image or poll answered just after a BankID login
    could then overwrite the fresh login cookie with the old anonymous one, logging the resident straight out.
    """
    if "_user_id" in session and session.get("_id") != login_manager._session_identifier_generator():
        language = session.get("lang")
        session.clear()
        if language:
            session["lang"] = language


def init_app(app: Flask) -> None:
    app.before_request(_forget_cached_principal)
    app.before_request(_end_sessions_moved_to_another_client)
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.user_loader(_load_principal)
    login_manager.login_view = "staff_auth.login"
    login_manager.login_message = lazy_gettext("Log in to continue.")
    login_manager.session_protection = None  # see _end_sessions_moved_to_another_client
