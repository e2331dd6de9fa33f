"""Staff login (password, then TOTP when enrolled), logout and the staff start page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Regexp

from core import audit, clock
from core.auth import (
    LoginOutcome,
    check_staff_password,
    check_staff_totp,
    current_staff,
    log_in_staff,
    log_out,
    require_staff,
)
from core.db import db
from core.i18n import safe_next_url
from core.models import Role, StaffUser
from core.security import limiter

blueprint = Blueprint("staff_auth", __name__, url_prefix="/staff")
home_blueprint = Blueprint("staff_home", __name__, url_prefix="/staff")
home_blueprint.before_request(require_staff())

PENDING_TOTP_KEY = "pending_totp_staff_id"
PENDING_TOTP_SINCE_KEY = "pending_totp_since"
# The password step only counts for a short while: a code entered much later on a shared computer must not
# complete someone else's half-finished login.
PENDING_TOTP_LIFETIME = dt.timedelta(minutes=5)


def _strip(value: str | None) -> str | None:
    # Addresses pasted from e-mails and password managers often carry a stray space.
    return value.strip() if isinstance(value, str) else value


class StaffLoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address")), Email(_l("Enter a valid e-mail address"))],
        filters=[_strip],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password"))],
        render_kw={"autocomplete": "current-password"},
    )


class TotpForm(FlaskForm):
    code = StringField(
        _l("Security code"),
        description=_l("The 6-digit code from your authenticator app"),
        validators=[
            DataRequired(_l("Enter the security code")),
            Length(min=6, max=6, message=_l("The security code has 6 digits")),
            Regexp(r"^\d{6}$", message=_l("The security code has 6 digits")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


def _fail_message(outcome: LoginOutcome) -> str:
    if outcome is LoginOutcome.LOCKED:
        return _(
            "Too many failed attempts. The account is locked for a while. Try again later or contact your administrator."  # noqa: E501
        )
    return _("The e-mail address or password is wrong.")


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login() -> Any:
    form = StaffLoginForm()
    login_error = None
    if form.validate_on_submit():
        result = check_staff_password(form.email.data or "", form.password.data or "")
        if result.outcome is LoginOutcome.OK and result.user is not None:
            audit.record("login", "staff_user", result.user.id, actor=("staff", str(result.user.id)))
            log_in_staff(result.user)
            return redirect(safe_next_url(request.args.get("next"), url_for("staff_home.index")))
        if result.outcome is LoginOutcome.NEEDS_TOTP and result.user is not None:
            session[PENDING_TOTP_KEY] = result.user.id
            session[PENDING_TOTP_SINCE_KEY] = clock.now().timestamp()
            return redirect(url_for("staff_auth.totp", next=request.args.get("next")))
        login_error = _fail_message(result.outcome)
    return render_template(
        "staff/login.html", form=form, login_error=login_error
    ), 200 if login_error is None else 400


@blueprint.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def totp() -> Any:
    user_id = session.get(PENDING_TOTP_KEY)
    since = session.get(PENDING_TOTP_SINCE_KEY, 0)
    if user_id and clock.now().timestamp() - since > PENDING_TOTP_LIFETIME.total_seconds():
        session.pop(PENDING_TOTP_KEY, None)
        user_id = None
    user = db.get(StaffUser, user_id) if isinstance(user_id, int) else None
    if user is None:
        return redirect(url_for("staff_auth.login"))
    form = TotpForm()
    login_error = None
    if form.validate_on_submit():
        result = check_staff_totp(user, form.code.data or "")
        if result.outcome is LoginOutcome.OK:
            audit.record("login", "staff_user", user.id, actor=("staff", str(user.id)))
            log_in_staff(user)
            return redirect(safe_next_url(request.args.get("next"), url_for("staff_home.index")))
        if result.outcome is LoginOutcome.LOCKED:
            session.pop(PENDING_TOTP_KEY, None)
        login_error = (
            _fail_message(result.outcome)
            if result.outcome is LoginOutcome.LOCKED
            else _("The security code is wrong.")
        )
    return render_template(
        "staff/totp.html", form=form, login_error=login_error
    ), 200 if login_error is None else 400


@blueprint.post("/logout")
def logout() -> Response:
    """Ends any session, staff or resident, and keeps only the chosen language."""
    was_staff = current_staff() is not None
    log_out()
    flash(_("You are logged out."), "success")
    return redirect(url_for("staff_auth.login") if was_staff else "/")


def role_names() -> dict[str, str]:
    return {
        Role.AGENT: _("Contact centre agent"),
        Role.CASE_OFFICER: _("Case officer"),
        Role.FORM_ADMIN: _("Form administrator"),
        Role.SYSTEM_ADMIN: _("System administrator"),
    }


# Each role's workspaces: (role, endpoint, title, description). Endpoints belong to other packages, so they are
# named here rather than imported, and left out when a package is not installed.
WORKSPACES: list[tuple[Role, str, Any, Any]] = [
    (
        Role.AGENT,
        "contact_center.workspace",
        _l("Contact centre"),
        _l("Find a resident, log contacts, file e-services on a caller's behalf and handle callbacks."),
    ),
    (
        Role.CASE_OFFICER,
        "officer.index",
        _l("Case handling"),
        _l("Work your department's queues, ask for completions and make decisions."),
    ),
    (
        Role.FORM_ADMIN,
        "form_builder.index",
        _l("Form builder"),
        _l("Build, translate and publish e-services."),
    ),
    (
        Role.FORM_ADMIN,
        "catalogue_admin.index",
        _l("Catalogue and life events"),
        _l("Edit services, categories, life events and offers."),
    ),
    (
        Role.FORM_ADMIN,
        "channel_statistics.statistics_page",
        _l("Channel statistics"),
        _l("Digital share, lead times and contacts by channel."),
    ),
    (
        Role.AGENT,
        "channel_statistics.statistics_page",
        _l("Channel statistics"),
        _l("Your department's contacts, callbacks and digital share."),
    ),
    (
        Role.SYSTEM_ADMIN,
        "channel_statistics.statistics_page",
        _l("Channel statistics"),
        _l("Digital share, lead times and contacts by channel."),
    ),
    (
        Role.SYSTEM_ADMIN,
        "admin.index",
        _l("Administration"),
        _l("API tokens, webhooks and failing deliveries."),
    ),
    (
        Role.SYSTEM_ADMIN,
        "accessibility_admin.edit_statement",
        _l("Accessibility statement"),
        _l("Keep the accessibility statement up to date."),
    ),
]


def workspaces_for(staff: StaffUser) -> list[tuple[str, str, str]]:
    links = []
    for role, endpoint, title, description in WORKSPACES:
        if staff.has_role(role) and endpoint in current_app.view_functions:
            links.append((str(title), str(description), url_for(endpoint)))
    return links


@home_blueprint.get("/")
def index() -> str:
    staff = current_staff()
    assert staff is not None  # guaranteed by require_staff
    return render_template(
        "staff/index.html", staff=staff, role_names=role_names(), workspaces=workspaces_for(staff)
    )
