"""Resident-facing catalogue pages: search, life events with their questionnaires and checklists, saved
checklists and offers on My pages, and the agent's view of a resident's checklists.

Agents walk a caller through a questionnaire on the same pages as residents, by adding `on_behalf_of=<resident
id>`: the checklist is then saved on that resident's My pages and the save is audit-logged with the agent.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.auth import current_resident, current_staff, require_resident, require_staff
from core.db import db, unit_of_work
from core.i18n import current_language, text_direction
from core.models import Resident, Role
from eservices import catalogue, life_events
from eservices.catalogue_models import LifeEvent, SavedChecklist
from eservices.models import Service

blueprint = Blueprint("catalogue", __name__, template_folder="templates")
checklists_blueprint = Blueprint(
    "checklists", __name__, url_prefix="/my-pages/checklists", template_folder="templates"
)
checklists_blueprint.before_request(require_resident())
agent_checklists_blueprint = Blueprint(
    "agent_checklists", __name__, url_prefix="/staff/life-events", template_folder="templates"
)
agent_checklists_blueprint.before_request(require_staff(Role.AGENT))


def not_found(kind: str) -> tuple[str, int]:
    """A 404 that helps: what was not found, and the life events, search and contact centre instead."""
    return (
        render_template(
            "eservices/catalogue/not_found.html", kind=kind, life_events=life_events.life_events()
        ),
        404,
    )


# --- Template helpers (the service page and My pages include our partials) -----------------------------------


@blueprint.app_context_processor
def catalogue_helpers() -> dict[str, Any]:
    return {
        "catalogue_service_details": _service_details,
        "catalogue_my_pages": _my_pages_content,
        "catalogue_channel_names": _channel_names,
        "catalogue_life_events": life_events.life_events,
        "catalogue_popular_services": catalogue.popular_services,
        "catalogue_text_direction": text_direction,
    }


def _service_details(service: Service) -> dict[str, Any]:
    details = catalogue.details_of(service)
    return {"details": details, "channels": catalogue.channels_of(service, details)}


def _my_pages_content(resident: Resident) -> dict[str, Any]:
    # Offers are worked out when the resident looks (as well as by the daily `flask catalogue offers`), so a
    # newly qualifying resident sees the offer at once; each is made and notified only once.
    life_events.evaluate_offers(resident)
    return {
        "checklists": life_events.checklists_for_resident(resident.id),
        "offers": life_events.offers_for_resident(resident.id),
        "offer_text": life_events.offer_text,
        "offer_title": life_events.offer_title,
        "e_service_url": catalogue.e_service_url,
    }


def _channel_names() -> dict[str, str]:
    return {
        "e_service": _("Online"),
        "phone": _("By phone"),
        "visit": _("Visit us"),
        "letter": _("By letter"),
    }


# --- Commands (`flask catalogue ...`) ---------------------------------------------------------------------------


@blueprint.cli.command("offers")
def evaluate_offers_command() -> None:
    """Run the proactive-offer rules for every resident (daily, from cron); each offer is made once."""
    with unit_of_work():
        made = life_events.evaluate_offers_for_everyone()
    click.echo(f"{made} new offers")


@blueprint.cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index of the whole catalogue (after a bulk import)."""
    with unit_of_work():
        count = catalogue.reindex_all()
    click.echo(f"{count} services indexed")


# --- Search --------------------------------------------------------------------------------------------------


@blueprint.get("/search")
def search() -> str:
    query = request.args.get("q", "")
    results = catalogue.search(query, current_language()) if query.strip() else None
    return render_template(
        "eservices/catalogue/search.html",
        query=query,
        results=results,
        life_events=life_events.life_events(),
    )


# --- Life events ---------------------------------------------------------------------------------------------


def _on_behalf_of() -> Resident | None:
    """The resident an agent is helping, from `on_behalf_of`; only agents may act for someone else."""
    raw = request.values.get("on_behalf_of", "")
    if not raw:
        return None
    staff = current_staff()
    if staff is None or not staff.has_role(Role.AGENT):
        abort(403)
    if not raw.isdigit() or (resident := db.get(Resident, int(raw))) is None:
        abort(404)
    return resident


@blueprint.get("/life-events/")
def life_event_list() -> str:
    return render_template(
        "eservices/life_events/index.html",
        life_events=life_events.life_events(),
        on_behalf_of=_on_behalf_of(),
    )


def _life_event_or_404(slug: str) -> LifeEvent | tuple[str, int]:
    found = life_events.find_life_event(slug)
    return found if found is not None else not_found("life_event")


@blueprint.get("/life-events/<slug>")
def questionnaire(slug: str) -> Any:
    found = _life_event_or_404(slug)
    if not isinstance(found, LifeEvent):
        return found
    return render_template(
        "eservices/life_events/questionnaire.html",
        life_event=found,
        answers={},
        errors={},
        options_of=life_events.options_of,
        on_behalf_of=_on_behalf_of(),
    )


@blueprint.get("/life-events/<slug>/checklist")
def checklist(slug: str) -> Any:
    found = _life_event_or_404(slug)
    if not isinstance(found, LifeEvent):
        return found
    on_behalf_of = _on_behalf_of()
    answers, errors = life_events.validate_answers(found, request.args)
    if errors:
        return (
            render_template(
                "eservices/life_events/questionnaire.html",
                life_event=found,
                answers=request.args,
                errors=errors,
                options_of=life_events.options_of,
                on_behalf_of=on_behalf_of,
            ),
            400,
        )
    return render_template(
        "eservices/life_events/checklist.html",
        life_event=found,
        answers=answers,
        steps=life_events.checklist_steps(found, answers),
        e_service_url=catalogue.e_service_url,
        on_behalf_of=on_behalf_of,
        resident=current_resident(),
    )


@blueprint.post("/life-events/<slug>/save")
def save(slug: str) -> Any:
    found = _life_event_or_404(slug)
    if not isinstance(found, LifeEvent):
        return found
    on_behalf_of = _on_behalf_of()
    resident = on_behalf_of or current_resident()
    answers, errors = life_events.validate_answers(found, request.form)
    if errors:
        abort(400)
    if resident is None:
        # Not logged in: BankID first, then back to the same checklist (its address holds the answers).
        arguments: dict[str, Any] = {"slug": slug, **answers}
        back = url_for("catalogue.checklist", **arguments)
        return redirect(url_for("resident_auth.login", next=back), code=303)
    staff = current_staff() if on_behalf_of is not None else None
    saved = life_events.save_checklist(
        resident, found, answers, saved_by_staff_id=staff.id if staff is not None else None
    )
    if on_behalf_of is not None:
        flash(_("The checklist is saved on the resident's My pages."), "success")
        return redirect(url_for("agent_checklists.resident", resident_id=resident.id), code=303)
    flash(_("The checklist is saved on My pages."), "success")
    return redirect(url_for("checklists.show", checklist_id=saved.id), code=303)


# --- Saved checklists and offers (My pages) ------------------------------------------------------------------


def _own_resident() -> Resident:
    resident = current_resident()
    assert resident is not None  # guaranteed by require_resident
    return resident


def _own_checklist(checklist_id: int) -> SavedChecklist | None:
    try:
        return life_events.find_checklist(_own_resident().id, checklist_id)
    except life_events.ChecklistNotFound:
        return None


@checklists_blueprint.get("/<int:checklist_id>")
def show(checklist_id: int) -> Any:
    saved = _own_checklist(checklist_id)
    if saved is None:
        return not_found("checklist")
    return render_template(
        "eservices/life_events/saved_checklist.html",
        checklist=saved,
        e_service_url=catalogue.e_service_url,
        services={step.service_id: step.service for step in saved.steps if step.service is not None},
    )


@checklists_blueprint.post("/<int:checklist_id>/steps/<int:step_id>")
def tick(checklist_id: int, step_id: int) -> Any:
    done = request.form.get("done") == "1"
    try:
        life_events.set_step_done(_own_resident().id, checklist_id, step_id, done)
    except life_events.ChecklistNotFound:
        return not_found("step")
    flash(_("The step is marked as done.") if done else _("The step is marked as not done."), "success")
    return redirect(
        url_for("checklists.show", checklist_id=checklist_id, _anchor=f"step-{step_id}"), code=303
    )


@checklists_blueprint.post("/<int:checklist_id>/delete")
def delete(checklist_id: int) -> Any:
    try:
        life_events.delete_checklist(_own_resident().id, checklist_id)
    except life_events.ChecklistNotFound:
        return not_found("checklist")
    flash(_("The checklist is removed from My pages."), "success")
    return redirect(url_for("my_pages.index"), code=303)


@checklists_blueprint.post("/offers/<int:offer_id>/dismiss")
def dismiss_offer(offer_id: int) -> Any:
    try:
        life_events.dismiss_offer(_own_resident().id, offer_id)
    except life_events.ChecklistNotFound:
        return not_found("offer")
    flash(_("The offer is hidden. You can still apply whenever you like."), "success")
    return redirect(url_for("my_pages.index"), code=303)


# --- Agents --------------------------------------------------------------------------------------------------


@agent_checklists_blueprint.get("/residents/<int:resident_id>")
def resident(resident_id: int) -> Any:
    found = db.get(Resident, resident_id)
    if found is None:
        abort(404)
    return render_template(
        "eservices/life_events/agent_resident.html",
        resident=found,
        checklists=life_events.checklists_for_resident(found.id),
        life_events=life_events.life_events(),
    )


@agent_checklists_blueprint.post(
    "/residents/<int:resident_id>/checklists/<int:checklist_id>/steps/<int:step_id>"
)
def agent_tick(resident_id: int, checklist_id: int, step_id: int) -> Response | tuple[str, int]:
    done = request.form.get("done") == "1"
    try:
        life_events.set_step_done(resident_id, checklist_id, step_id, done, by="agent")
    except life_events.ChecklistNotFound:
        return not_found("step")
    return redirect(url_for("agent_checklists.resident", resident_id=resident_id), code=303)
