"""System administration of integrations: failing outbox deliveries (with Retry), API tokens and webhooks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import URL, DataRequired, Length

from core import audit, outbox
from core.auth import current_staff, require_staff
from core.db import db
from core.models import Department, Role
from eservices import api
from eservices.webhooks import EVENT_NAMES

__all__ = ["blueprint"]

blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
blueprint.before_request(require_staff(Role.SYSTEM_ADMIN))

FAILING_LIMIT = 100


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        description=_l("Which system uses the token, e.g. the building permits case system"),
        validators=[DataRequired(_l("Enter a name")), Length(max=200)],
    )
    departments = SelectMultipleField(
        _l("Departments"),
        description=_l("The token sees and changes only the cases of these departments"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one department"))],
    )


class WebhookForm(FlaskForm):
    url = URLField(
        _l("Address (URL)"),
        validators=[
            DataRequired(_l("Enter the address")),
            URL(require_tld=False, message=_l("Enter an address starting with https:// or http://")),
            Length(max=500),
        ],
    )
    department = SelectField(_l("Department"), coerce=int)
    events = SelectMultipleField(
        _l("Events"),
        choices=[(name, name) for name in EVENT_NAMES],
        validators=[DataRequired(_l("Choose events"))],
    )


def _department_choices() -> list[tuple[int, str]]:
    return [
        (department.id, department.name)
        for department in db.scalars(select(Department).order_by(Department.name))
    ]


def _staff_id() -> int | None:
    staff = current_staff()
    return staff.id if staff is not None else None


def _breadcrumbs(label: str) -> list[tuple[str, str | None]]:
    return [(_("Staff"), url_for("staff_home.index")), (label, None)]


@blueprint.get("/")
def index() -> Response:
    return redirect(url_for("admin.deliveries"))


@blueprint.get("/deliveries")
def deliveries() -> str:
    jobs = outbox.failing_jobs(FAILING_LIMIT)
    return render_template(
        "eservices/admin/deliveries.html",
        jobs=jobs,
        form=ActionForm(),
        breadcrumbs=_breadcrumbs(_("Failing deliveries")),
        summary=_first_line,
    )


def _first_line(error: str | None) -> str:
    return (error or "").strip().splitlines()[0] if error else ""


@blueprint.post("/deliveries/<int:job_id>/retry")
def retry_delivery(job_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        job = outbox.retry_job(job_id)
    except LookupError:
        abort(404)
    except ValueError:
        flash(_("That delivery has already been made."), "success")
        return redirect(url_for("admin.deliveries"))
    audit.record("retry", "outbox_message", job.id, details={"kind": job.kind})
    flash(_("The delivery will be tried again shortly."), "success")
    return redirect(url_for("admin.deliveries"))


def _tokens_page(form: ApiTokenForm, new_secret: str | None = None, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "eservices/admin/api_tokens.html",
        form=form,
        action_form=ActionForm(),
        tokens=api.list_api_tokens(),
        new_secret=new_secret,
        breadcrumbs=_breadcrumbs(_("API tokens")),
    )
    return page, status


@blueprint.get("/api-tokens")
def api_tokens() -> tuple[str, int]:
    form = ApiTokenForm()
    form.departments.choices = _department_choices()
    return _tokens_page(form)


@blueprint.post("/api-tokens")
def create_api_token() -> tuple[str, int]:
    form = ApiTokenForm()
    form.departments.choices = _department_choices()
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    departments = [db.get(Department, department_id) for department_id in form.departments.data or []]
    _token, secret = api.create_api_token(form.name.data or "", [d for d in departments if d], _staff_id())
    # Shown on this response only: the secret is not stored, so it cannot be shown again.
    fresh = ApiTokenForm(formdata=None)
    fresh.departments.choices = form.departments.choices
    return _tokens_page(fresh, new_secret=secret)


@blueprint.post("/api-tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        token = api.revoke_api_token(token_id)
    except LookupError:
        abort(404)
    flash(_("The token %(name)s has been revoked.", name=token.name), "success")
    return redirect(url_for("admin.api_tokens"))


def _webhooks_page(form: WebhookForm, new_secret: str | None = None, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "eservices/admin/webhooks.html",
        form=form,
        action_form=ActionForm(),
        webhooks=api.list_webhooks(),
        new_secret=new_secret,
        breadcrumbs=_breadcrumbs(_("Webhooks")),
    )
    return page, status


def _webhook_form(**kwargs: Any) -> WebhookForm:
    form = WebhookForm(**kwargs)
    form.department.choices = _department_choices()
    return form


@blueprint.get("/webhooks")
def webhooks() -> tuple[str, int]:
    return _webhooks_page(_webhook_form())


@blueprint.post("/webhooks")
def create_webhook() -> tuple[str, int]:
    form = _webhook_form()
    if not form.validate_on_submit():
        return _webhooks_page(form, status=400)
    department = db.get(Department, form.department.data)
    if department is None:
        abort(400)
    _webhook, secret = api.create_webhook(
        form.url.data or "", department, form.events.data or [], _staff_id()
    )
    return _webhooks_page(_webhook_form(formdata=None), new_secret=secret)


@blueprint.post("/webhooks/<int:webhook_id>/<any(enable, disable):action>")
def switch_webhook(webhook_id: int, action: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        api.set_webhook_active(webhook_id, action == "enable")
    except LookupError:
        abort(404)
    flash(
        _("The webhook has been switched on.")
        if action == "enable"
        else _("The webhook has been switched off."),
        "success",
    )
    return redirect(url_for("admin.webhooks"))
