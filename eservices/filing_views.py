"""The filing flow on the web: start page, one page (or question) at a time, check answers, submit, confirmation.

Thin views over `eservices.filing`. Forms that need an identified resident send the visitor to BankID login
first; anonymous forms keep their draft's token in the signed session, so only that browser can reopen it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.auth import current_resident
from core.i18n import current_language, translated
from eservices import filing
from eservices import service as catalogue
from eservices.attachment_models import Attachment
from eservices.attachments import attachments_for_draft
from eservices.models import Channel, Service
from forms import service as forms
from forms.models import Draft
from forms.rendering import FileView, PrefillMarks, field_id, form_values, page_view, parse_page

blueprint = Blueprint(
    "filing", __name__, template_folder="templates", static_folder="static", static_url_path="/filing-static"
)

SESSION_TOKENS = "filing_drafts"
MAX_REMEMBERED_TOKENS = 10


# Who may open which draft ------------------------------------------------------------------------------------


def _access() -> filing.DraftAccess:
    resident = current_resident()
    tokens = session.get(SESSION_TOKENS, [])
    return filing.DraftAccess(
        resident_id=resident.id if resident is not None else None,
        tokens=frozenset(token for token in tokens if isinstance(token, str)),
    )


def _remember_token(token: str) -> None:
    tokens = [item for item in session.get(SESSION_TOKENS, []) if isinstance(item, str) and item != token]
    session[SESSION_TOKENS] = [*tokens, token][-MAX_REMEMBERED_TOKENS:]


def _login_redirect() -> Response:
    return redirect(url_for("resident_auth.login", next=request.full_path.rstrip("?")))


def _draft_or_abort(draft_id: int, *, for_update: bool = False) -> Draft:
    """The draft for this visitor; a visitor who is not logged in is asked to log in, anyone else gets a 404."""
    try:
        return filing.load_draft(draft_id, _access(), for_update=for_update)
    except filing.DraftNotFound:
        if current_resident() is None:
            abort(_login_redirect())
        abort(404)


def _actor() -> filing.Actor:
    resident = current_resident()
    return filing.Actor.resident(resident) if resident is not None else filing.Actor.anonymous()


def _step_url(draft: Draft, step: filing.Step | None, **arguments: Any) -> str:
    if step is None:
        return url_for("filing.check", draft_id=draft.id)
    if step.field_key is not None:
        return url_for(
            "filing.question", draft_id=draft.id, page_id=step.page_id, field_key=step.field_key, **arguments
        )
    return url_for("filing.page", draft_id=draft.id, page_id=step.page_id, **arguments)


def _submitted_redirect(draft: Draft) -> Response | None:
    if filing.submitted_case(draft) is not None:
        return redirect(url_for("filing.done", draft_id=draft.id), code=303)
    return None


# Starting ---------------------------------------------------------------------------------------------------


def _service_with_form(slug: str) -> tuple[Service, forms.FormDefinition]:
    found = catalogue.find_service(slug)
    version = filing.published_version(found) if found is not None else None
    if found is None or version is None:
        abort(404)
    return found, filing.definition_for_version(version)


@blueprint.get("/services/<slug>/start")
def start_page(slug: str) -> Any:
    found, definition = _service_with_form(slug)
    resident = current_resident()
    if resident is None and not definition.anonymous_allowed:
        return _login_redirect()
    drafts = [
        draft
        for draft in (filing.drafts_for_resident(resident.id) if resident is not None else [])
        if draft.form_version.form_id == found.form_id
    ]
    return render_template(
        "eservices/filing/start.html",
        service=found,
        definition=definition,
        description=forms.label_text(definition.description, current_language())
        if definition.description
        else "",
        drafts=drafts,
    )


@blueprint.post("/services/<slug>/start")
def start(slug: str) -> Any:
    found, definition = _service_with_form(slug)
    resident = current_resident()
    if resident is None and not definition.anonymous_allowed:
        return _login_redirect()
    try:
        draft = filing.start_draft(found, _actor(), Channel.SELF_SERVICE, resident)
    except (filing.NoPublishedForm, filing.LoginRequired):
        abort(404)
    if draft.token is not None:
        _remember_token(draft.token)
    return redirect(_step_url(draft, filing.resume_step(draft, current_language())), code=303)


@blueprint.get("/e/<int:draft_id>")
def resume(draft_id: int) -> Any:
    draft = _draft_or_abort(draft_id)
    return _submitted_redirect(draft) or redirect(
        _step_url(draft, filing.resume_step(draft, current_language()))
    )


# Pages ------------------------------------------------------------------------------------------------------


def _files(draft: Draft) -> dict[str, list[FileView]]:
    files: dict[str, list[FileView]] = {}
    for item in attachments_for_draft(draft.id):
        files.setdefault(item.field_path, []).append(_file_view(item))
    return files


def _file_view(item: Attachment) -> FileView:
    return FileView(item.id, item.filename, forms.human_size(item.size))


def _render_page(
    draft: Draft,
    step: filing.Step,
    values: dict[str, Any],
    logic_answers: dict[str, Any],
    errors: list[forms.FieldError],
    status: int = 200,
) -> tuple[str, int]:
    definition = filing.definition_of(draft)
    language = current_language()
    prefilled_answers, origins = filing.prefill_marks_of(draft)
    view = page_view(
        definition,
        step.page_id,
        values,
        language,
        errors=errors,
        marks=PrefillMarks(prefilled_answers, origins),
        files=_files(draft),
        only_field=step.field_key,
        logic_answers=logic_answers,
    )
    shown = filing.steps(definition, logic_answers)
    position = shown.index(step) + 1 if step in shown else len(shown)
    previous = filing.step_before(definition, step, draft.answers)
    service = filing.service_of(draft)
    return render_template(
        "eservices/filing/page.html",
        draft=draft,
        step=step,
        view=view,
        service=service,
        form_title=forms.label_text(definition.title, language),
        position=position,
        total=len(shown),
        previous_url=_step_url(draft, previous) if previous is not None else None,
        service_url=url_for("eservices.service_page", slug=service.slug),
        changing=request.values.get("change") == "1",
        question_heading=step.field_key is not None,
    ), status


def _step_from(draft: Draft, page_id: str, field_key: str | None) -> filing.Step:
    step = filing.Step(page_id, field_key)
    if not filing.valid_step(filing.definition_of(draft), step):
        abort(404)
    return step


@blueprint.get("/e/<int:draft_id>/pages/<page_id>")
@blueprint.get("/e/<int:draft_id>/pages/<page_id>/<field_key>", endpoint="question")
def page(draft_id: int, page_id: str, field_key: str | None = None) -> Any:
    draft = _draft_or_abort(draft_id)
    submitted = _submitted_redirect(draft)
    if submitted is not None:
        return submitted
    step = _step_from(draft, page_id, field_key)
    definition = filing.definition_of(draft)
    if step not in filing.steps(definition, draft.answers):
        # A page the answers skip (or a stale bookmark): continue where the draft needs attention instead.
        return redirect(_step_url(draft, filing.resume_step(draft, current_language())))
    return _render_page(draft, step, form_values(definition, page_id, draft.answers), draft.answers, [])


@blueprint.post("/e/<int:draft_id>/pages/<page_id>")
@blueprint.post("/e/<int:draft_id>/pages/<page_id>/<field_key>", endpoint="save_question")
def save(draft_id: int, page_id: str, field_key: str | None = None) -> Any:
    draft = _draft_or_abort(draft_id)
    submitted = _submitted_redirect(draft)
    if submitted is not None:
        return submitted
    step = _step_from(draft, page_id, field_key)
    definition = filing.definition_of(draft)
    uploads = {
        key: [
            filing.Upload(item.stream, item.filename) for item in request.files.getlist(key) if item.filename
        ]
        for key in request.files
    }
    action = request.form.get("action", "continue")
    outcome = filing.save_page(
        draft, step, parse_page(definition, page_id, request.form), uploads, current_language(), action
    )
    changing = request.form.get("change") == "1"
    if outcome.went_back:
        if outcome.next_step is None:
            return redirect(url_for("eservices.service_page", slug=filing.service_of(draft).slug), code=303)
        return redirect(_step_url(draft, outcome.next_step), code=303)
    if outcome.saved:
        if changing:
            problem = filing.check_answers(draft, current_language()).first_problem
            target = _step_url(draft, problem, change="1") if problem is not None else None
            return redirect(target or url_for("filing.check", draft_id=draft.id), code=303)
        return redirect(_step_url(draft, outcome.next_step), code=303)
    status = 400 if outcome.errors else 200
    return _render_page(draft, step, outcome.values, outcome.logic_answers, outcome.errors, status)


# Check answers, submit, confirmation ---------------------------------------------------------------------------


@blueprint.get("/e/<int:draft_id>/check")
def check(draft_id: int) -> Any:
    draft = _draft_or_abort(draft_id)
    submitted = _submitted_redirect(draft)
    if submitted is not None:
        return submitted
    language = current_language()
    definition = filing.definition_of(draft)
    summary = filing.check_answers(draft, language)
    shown = filing.steps(definition, draft.answers)
    return render_template(
        "eservices/filing/check.html",
        draft=draft,
        summary=summary,
        service=filing.service_of(draft),
        form_title=forms.label_text(definition.title, language),
        change_url=lambda row: _step_url(draft, row.step, change="1") + "#" + field_id(row.field_key),
        problem_url=_step_url(draft, summary.first_problem) if summary.first_problem else None,
        previous_url=_step_url(draft, shown[-1]) if shown else None,
        requires_signature=definition.requires_signature,
    )


@blueprint.post("/e/<int:draft_id>/submit")
def submit(draft_id: int) -> Any:
    access = _access()
    resident = current_resident()
    try:
        submission = filing.submit_draft(
            draft_id,
            access,
            _actor(),
            current_language(),
            identity_method="bankid" if resident is not None else None,
        )
    except filing.DraftNotFound:
        if resident is None:
            return _login_redirect()
        abort(404)
    except filing.DraftIncomplete:
        flash(_("Some answers need your attention before you can send the application."), "error")
        return redirect(url_for("filing.check", draft_id=draft_id), code=303)
    except filing.SignatureRequired:
        # A form that must be signed is sent by signing it (eservices.signing_views), never from here.
        return redirect(url_for("submission_signing.sign_page", draft_id=draft_id), code=303)
    return redirect(url_for("filing.done", draft_id=submission.case.draft_id or draft_id), code=303)


@blueprint.get("/e/<int:draft_id>/done")
def done(draft_id: int) -> Any:
    draft = _draft_or_abort(draft_id)
    case = filing.submitted_case(draft)
    if case is None:
        return redirect(url_for("filing.check", draft_id=draft.id))
    return render_template(
        "eservices/filing/done.html",
        case=case,
        service=case.service,
        service_title=translated(case.service.title),
        resident=current_resident(),
    )


@blueprint.app_context_processor
def filing_context() -> dict[str, Any]:
    """For the catalogue and My pages: whether a service can be filed online, and the resident's drafts."""

    def has_eservice(found: Service) -> bool:
        return found.form_id is not None and filing.published_version(found) is not None

    def resident_drafts() -> list[Draft]:
        resident = current_resident()
        return filing.drafts_for_resident(resident.id) if resident is not None else []

    return {"has_eservice": has_eservice, "resident_drafts": resident_drafts}
