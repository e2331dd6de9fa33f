"""Resident-facing catalogue pages: the home page, categories and service pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from core.auth import current_resident, require_resident
from eservices import service
from eservices.models import CaseStatus

blueprint = Blueprint("eservices", __name__, template_folder="templates")


@blueprint.get("/")
def home() -> str:
    return render_template(
        "eservices/home.html", categories=service.categories(), popular=service.popular_services()
    )


@blueprint.get("/categories/<slug>")
def category(slug: str) -> str:
    found = service.find_category(slug)
    if found is None:
        abort(404)
    return render_template("eservices/category.html", category=found)


@blueprint.get("/services/<slug>")
def service_page(slug: str) -> str:
    found = service.find_service(slug)
    if found is None:
        abort(404)
    return render_template("eservices/service.html", service=found)


my_pages_blueprint = Blueprint("my_pages", __name__, url_prefix="/my-pages", template_folder="templates")
my_pages_blueprint.before_request(require_resident())


@my_pages_blueprint.get("/")
def index() -> str:
    resident = current_resident()
    assert resident is not None  # guaranteed by require_resident
    return render_template(
        "eservices/my_pages.html",
        resident=resident,
        cases=service.cases_for_resident(resident.id),
        case_status_names=case_status_names(),
    )


def case_status_names() -> dict[str, str]:
    return {
        CaseStatus.DRAFT_SIGNING: _("Waiting for signatures"),
        CaseStatus.SUBMITTED: _("Submitted"),
        CaseStatus.IN_PROGRESS: _("In progress"),
        CaseStatus.AWAITING_COMPLETION: _("Waiting for your completion"),
        CaseStatus.DECIDED: _("Decided"),
        CaseStatus.CLOSED: _("Closed"),
        CaseStatus.WITHDRAWN: _("Withdrawn"),
    }
