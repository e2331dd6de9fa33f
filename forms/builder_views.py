"""The form builder on the web (/admin/forms, form admins only) and the satisfaction rating residents may give
on the confirmation page (/forms/rating, anyone).

Views are thin: they read the form, call `forms.builder` and render or redirect. Every change goes through
`builder.apply`, which checks it with the engine and audit-logs it; a refused change shows the problems and
keeps the draft as it was.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from core import audit
from core.auth import current_staff, require_staff
from core.db import db
from core.i18n import LANGUAGE_NAMES, current_language, safe_next_url
from core.models import Role, StaffUser
from core.security import limiter
from forms import builder, builder_statistics
from forms.information import render_markdown
from forms.models import Form, FormVersion
from forms.rendering import display_answer, form_values, page_view, parse_page
from forms.service import (
    DefinitionError,
    Field,
    FieldError,
    FormDefinition,
    Problem,
    evaluate_page,
    is_answered,
    label_text,
    load_definition,
    validate_definition,
    validate_page,
    visible_pages,
)

blueprint = Blueprint(
    "form_builder",
    __name__,
    url_prefix="/admin/forms",
    template_folder="templates",
    static_folder="static",
    static_url_path="/builder-static",
)
blueprint.before_request(require_staff(Role.FORM_ADMIN))

rating_blueprint = Blueprint("form_rating", __name__, url_prefix="/forms", template_folder="templates")

RATED_VERSIONS = "rated_form_versions"
PREVIEW_SESSION = "form_builder_preview"
MAX_PREVIEW_ANSWERS = 2000
CHECK_ANSWERS = "check-answers"

TYPE_NAMES = {
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "number": _l("Number"),
    "date": _l("Date"),
    "yes_no": _l("Yes or no"),
    "single_choice": _l("One choice from a list"),
    "multiple_choice": _l("Several choices from a list"),
    "personnummer": _l("Personnummer"),
    "organisationsnummer": _l("Organisationsnummer"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "postcode": _l("Postcode"),
    "address": _l("Address"),
    "file_upload": _l("File upload (attachment)"),
    "repeating_group": _l("Repeating group (add several entries)"),
    "consent": _l("Consent (a box to tick)"),
    "information": _l("Information text (no answer)"),
}
OPERATOR_NAMES = {
    "equals": _l("is"),
    "not_equals": _l("is not"),
    "one_of": _l("is one of (separate values with commas)"),
    "greater_than": _l("is more than / after"),
    "less_than": _l("is less than / before"),
    "is_answered": _l("is answered"),
}
CONDITION_NAMES = {
    "show_when": _l("Show only when"),
    "hide_when": _l("Hide when"),
    "required_when": _l("Required when"),
}
SIGNING_NAMES = {
    "none": _l("No signature"),
    "bankid": _l("The applicant signs with BankID"),
    "bankid_with_cosigners": _l("The applicant and co-signers sign with BankID"),
}
FILE_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
}
SIMPLE_TYPES = [name for name in builder.FIELD_TYPES if name not in ("repeating_group", "information")]
MEGABYTE = 1024 * 1024


# Forms ------------------------------------------------------------------------------------------------------


class CsrfOnlyForm(FlaskForm):
    """Buttons and hand-parsed forms still carry the CSRF token; this checks it."""


class NewFormForm(FlaskForm):
    key = StringField(
        _l("Form key"),
        description=_l(
            "Used in addresses and files, e.g. parking-permit. Lower-case letters, digits, - and _."
        ),
        validators=[DataRequired(_l("Enter the form key"))],
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the form’s title"))])
    languages = SelectMultipleField(
        _l("Languages the form is offered in"),
        choices=[(code, name) for code, name in LANGUAGE_NAMES.items()],
        default=["sv", "en"],
        validators=[DataRequired(_l("Choose at least one language"))],
    )
    default_language = SelectField(
        _l("Default language"),
        description=_l("Every text must exist in this language."),
        choices=[(code, name) for code, name in LANGUAGE_NAMES.items()],
        default="sv",
    )
    page_title = StringField(
        _l("Title of the first page"), validators=[DataRequired(_l("Enter the first page’s title"))]
    )
    question_key = StringField(
        _l("Key of the first question"),
        description=_l("A short name for the answer, e.g. full_name. Lower-case letters, digits and _."),
        validators=[DataRequired(_l("Enter the first question’s key"))],
    )
    question_type = SelectField(
        _l("Type of the first question"),
        choices=[(name, TYPE_NAMES[name]) for name in SIMPLE_TYPES if name not in builder.CHOICE_TYPES],
    )
    question_label = StringField(
        _l("The first question"), validators=[DataRequired(_l("Enter the first question"))]
    )


class ImportForm(FlaskForm):
    file = FileField(_l("JSON file"), description=_l("A form definition exported from Kanal."))
    text = TextAreaField(_l("Or paste the JSON"), render_kw={"rows": 8, "spellcheck": "false"})


class PageForm(FlaskForm):
    page_id = StringField(
        _l("Page id"),
        description=_l("Lower-case letters, digits and _, e.g. contact_details. It cannot be changed later."),
    )
    title = StringField(_l("Page title"), validators=[DataRequired(_l("Enter the page’s title"))])
    description = TextAreaField(_l("Description (optional)"), render_kw={"rows": 3})
    question_key = StringField(_l("Key of the page’s first question"))
    question_type = SelectField(
        _l("Type of the page’s first question"),
        choices=[(name, TYPE_NAMES[name]) for name in SIMPLE_TYPES if name not in builder.CHOICE_TYPES],
    )
    question_label = StringField(_l("The page’s first question"))


class FieldTypeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what the next page asks

    type = RadioField(
        _l("What kind of question?"),
        choices=[(name, TYPE_NAMES[name]) for name in builder.FIELD_TYPES],
        validators=[DataRequired(_l("Choose what kind of question to add"))],
    )


class FieldForm(FlaskForm):
    key = StringField(
        _l("Key"),
        description=_l(
            "A short name for the answer, e.g. child_name. Lower-case letters, digits and _. "
            "It cannot be changed later."
        ),
    )
    label = StringField(_l("Question"))
    hint = StringField(_l("Hint (optional)"), description=_l("Help shown below the question."))
    required = BooleanField(_l("An answer is required"))
    text = TextAreaField(
        _l("Information text"), description=_l("Markdown: **bold**, lists, links."), render_kw={"rows": 6}
    )
    options = TextAreaField(
        _l("Options"),
        description=_l(
            "One option per line. Write value | label, or just the label (the value is made from it)."
        ),
        render_kw={"rows": 6},
    )
    display = SelectField(
        _l("Show the options as"),
        choices=[("radio", _l("Radio buttons")), ("select", _l("A drop-down list"))],
        default="radio",
    )
    min_length = IntegerField(_l("Fewest characters"), validators=[Optional(), NumberRange(min=0)])
    max_length = IntegerField(_l("Most characters"), validators=[Optional(), NumberRange(min=1, max=20000)])
    pattern = StringField(_l("Pattern the answer must match (regular expression)"))
    pattern_message = StringField(_l("Message when it does not match"))
    minimum = StringField(
        _l("Lowest allowed value"), description=_l("A number, or for dates YYYY-MM-DD or today.")
    )
    maximum = StringField(
        _l("Highest allowed value"), description=_l("A number, or for dates YYYY-MM-DD or today.")
    )
    integer = BooleanField(_l("Whole numbers only"))
    min_choices = IntegerField(_l("Fewest choices"), validators=[Optional(), NumberRange(min=0)])
    max_choices = IntegerField(_l("Most choices"), validators=[Optional(), NumberRange(min=1)])
    allowed_types = SelectMultipleField(_l("Allowed file types"), choices=list(FILE_TYPES.items()))
    max_size_mb = IntegerField(
        _l("Largest file, in MB"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
    max_files = IntegerField(_l("Most files"), validators=[Optional(), NumberRange(min=1, max=20)])
    entry_label = StringField(
        _l("Name of one entry"), description=_l("For example Child: the entries are called Child 1, Child 2…")
    )
    min_entries = IntegerField(_l("Fewest entries"), validators=[Optional(), NumberRange(min=0)])
    max_entries = IntegerField(_l("Most entries"), validators=[Optional(), NumberRange(min=1, max=50)])
    first_key = StringField(_l("Key of the first question in each entry"))
    first_type = SelectField(
        _l("Type of the first question in each entry"),
        choices=[(name, TYPE_NAMES[name]) for name in SIMPLE_TYPES if name not in builder.CHOICE_TYPES],
        default="short_text",
    )
    first_label = StringField(_l("First question in each entry"))


class PrefillForm(FlaskForm):
    source = SelectField(_l("Fill in from"), choices=[])
    attribute = SelectField(_l("What to fill in"), choices=[])
    locked = BooleanField(_l("The resident cannot change the filled-in value"))


class SettingsForm(FlaskForm):
    anonymous_allowed = RadioField(
        _l("Who can use the form?"),
        choices=[
            ("no", _l("Only residents who log in with BankID")),
            ("yes", _l("Anyone, without logging in")),
        ],
    )
    signing = RadioField(_l("Signature"), choices=list(SIGNING_NAMES.items()))
    cosigner_field = SelectField(
        _l("Question naming the co-signers"),
        description=_l("A personnummer question; inside a repeating group, every entry names one co-signer."),
        choices=[],
    )
    draft_retention_days = IntegerField(
        _l("Days an unsent draft is kept"), validators=[Optional(), NumberRange(min=1, max=3650)]
    )
    case_retention_days = IntegerField(
        _l("Days a closed case is kept"), validators=[Optional(), NumberRange(min=1, max=36500)]
    )
    confirmation_text = TextAreaField(
        _l("Confirmation text"),
        description=_l("Shown after the application is sent (Markdown)."),
        render_kw={"rows": 4},
    )
    satisfaction_rating = BooleanField(_l("Ask “How easy was it?” on the confirmation page"))


class LanguagesForm(FlaskForm):
    languages = SelectMultipleField(_l("Languages"), choices=list(LANGUAGE_NAMES.items()))
    default_language = SelectField(_l("Default language"), choices=list(LANGUAGE_NAMES.items()))


class PublishForm(FlaskForm):
    change_note = TextAreaField(
        _l("What changed?"),
        description=_l("Shown in the version history, e.g. Added a question about allergies."),
        validators=[DataRequired(_l("Describe what changed"))],
        render_kw={"rows": 3},
    )


class RatingForm(FlaskForm):
    form_version_id = IntegerField(validators=[DataRequired()])
    score = RadioField(
        _l("How easy was it to use this e-service?"),
        choices=[
            ("1", _l("Very difficult")),
            ("2", _l("Difficult")),
            ("3", _l("Neither easy nor difficult")),
            ("4", _l("Easy")),
            ("5", _l("Very easy")),
        ],
        validators=[DataRequired(_l("Choose an answer"))],
    )
    next = StringField()


# Helpers ----------------------------------------------------------------------------------------------------


def _form_or_404(key: str) -> Form:
    form = builder.find_form(key)
    if form is None:
        abort(404)
    return form


def _staff() -> StaffUser:
    staff = current_staff()
    if staff is None:  # require_staff has already sent anyone else away
        abort(403)
    return staff


def _language() -> str:
    return current_language()


def _problem_links(
    form: Form | None, problems: list[Problem], data: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Problems as the error summary shows them: where (in words), what, and a link to where it can be fixed."""
    data = data if data is not None else (form.draft_definition if form is not None else None)
    shown = []
    for problem in problems:
        where = builder.describe_location(data, problem.location, _language()) if data else problem.location
        href = None
        if form is not None and data:
            kind, target = builder.location_target(data, problem.location)
            if kind == "field" and target:
                href = url_for("form_builder.edit_field", key=form.key, field_key=target)
                if (
                    problem.location.endswith(("show_when", "hide_when", "required_when"))
                    or "_when." in problem.location
                ):
                    condition = re.search(r"(show_when|hide_when|required_when)", problem.location)
                    if condition:
                        href = url_for(
                            "form_builder.condition",
                            key=form.key,
                            target_kind="field",
                            target=target,
                            kind=condition.group(1),
                        )
            elif kind == "page" and target:
                href = url_for("form_builder.edit_page", key=form.key, page_id=target)
                condition = re.search(r"(show_when|hide_when)", problem.location)
                if condition:
                    href = url_for(
                        "form_builder.condition",
                        key=form.key,
                        target_kind="page",
                        target=target,
                        kind=condition.group(1),
                    )
            elif kind == "settings":
                href = url_for("form_builder.settings", key=form.key)
            elif kind == "translations":
                href = url_for("form_builder.translations", key=form.key)
            if "missing translation" in problem.message:
                language = re.search(r"'([a-z]{2})'", problem.message)
                href = url_for(
                    "form_builder.translations",
                    key=form.key,
                    language=language.group(1) if language else None,
                )
        shown.append({"where": where, "message": problem.message, "href": href, "location": problem.location})
    return shown


def _refused(error: builder.BuilderError, form: Form | None) -> list[dict[str, Any]]:
    return _problem_links(form, error.problems)


def _apply(
    form: Form, change: Callable[[dict[str, Any]], dict[str, Any]], description: str, **details: Any
) -> builder.BuilderError | None:
    try:
        builder.apply(form, change, description, **details)
    except builder.BuilderError as error:
        return error
    return None


def _editor_url(form: Form, anchor: str | None = None) -> str:
    return url_for("form_builder.editor", key=form.key) + (f"#{anchor}" if anchor else "")


def _breadcrumbs(form: Form | None = None, current: str | None = None) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [
        (_("Staff start page"), url_for("staff_home.index")),
        (_("Forms"), url_for("form_builder.index")),
    ]
    if form is not None:
        crumbs.append(
            (
                label_text(form.title, _language()) or form.key,
                url_for("form_builder.editor", key=form.key) if current else None,
            )
        )
    if current:
        crumbs.append((current, None))
    return crumbs


def _render(
    template: str,
    form: Form | None = None,
    current: str | None = None,
    tab: str | None = None,
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    return (
        render_template(
            f"forms/builder/{template}",
            builder_form=form,
            tab=tab,
            breadcrumbs=_breadcrumbs(form, current),
            language_names=LANGUAGE_NAMES,
            type_names=TYPE_NAMES,
            label_text=label_text,
            ui_language=_language(),
            **context,
        ),
        status,
    )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:80] or "option"


def _parse_options(text: str) -> list[tuple[str, str]]:
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, separator, label = line.partition("|")
        if separator:
            options.append((value.strip(), label.strip()))
        else:
            options.append((_slug(line.strip()), line.strip()))
    return options


def _number(text: str | None) -> Any:
    if text is None or not text.strip():
        return None
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return text.strip()
    return int(number) if number.is_integer() else number


def _field_spec(field_form: FieldForm, field_type: str, key: str) -> builder.FieldSpec:
    validation: dict[str, Any] = {}
    if field_type in ("short_text", "long_text"):
        validation = {
            "min_length": field_form.min_length.data,
            "max_length": field_form.max_length.data,
            "pattern": (field_form.pattern.data or "").strip() or None,
            "pattern_message": (field_form.pattern_message.data or "").strip() or None,
        }
    elif field_type == "number":
        validation = {
            "min": _number(field_form.minimum.data),
            "max": _number(field_form.maximum.data),
            "integer": True if field_form.integer.data else None,
        }
    elif field_type == "date":
        validation = {
            "min": (field_form.minimum.data or "").strip() or None,
            "max": (field_form.maximum.data or "").strip() or None,
        }
    elif field_type == "multiple_choice":
        validation = {"min_choices": field_form.min_choices.data, "max_choices": field_form.max_choices.data}
    elif field_type == "file_upload":
        validation = {
            "allowed_types": list(field_form.allowed_types.data or []) or None,
            "max_size_bytes": field_form.max_size_mb.data * MEGABYTE if field_form.max_size_mb.data else None,
            "max_files": field_form.max_files.data,
        }
    elif field_type == "repeating_group":
        validation = {"min_entries": field_form.min_entries.data, "max_entries": field_form.max_entries.data}
    first = None
    if field_type == "repeating_group" and (field_form.first_key.data or "").strip():
        first = builder.FieldSpec(
            key=field_form.first_key.data.strip(),
            type=field_form.first_type.data or "short_text",
            label=field_form.first_label.data or "",
        )
    return builder.FieldSpec(
        key=key,
        type=field_type,
        label=field_form.label.data or "",
        hint=field_form.hint.data or "",
        required=bool(field_form.required.data),
        options=_parse_options(field_form.options.data or ""),
        display=field_form.display.data or "radio",
        validation=validation,
        entry_label=field_form.entry_label.data or "",
        text=field_form.text.data or "",
        first_question=first,
    )


def _fill_field_form(field_form: FieldForm, data: Mapping[str, Any], language: str) -> None:
    field_form.key.data = data["key"]
    field_form.label.data = data.get("label", {}).get(language, "")
    field_form.hint.data = data.get("hint", {}).get(language, "")
    field_form.required.data = bool(data.get("required"))
    field_form.text.data = data.get("text", {}).get(language, "")
    field_form.options.data = "\n".join(
        f"{option['value']} | {option['label'].get(language, '')}" for option in data.get("options", [])
    )
    field_form.display.data = data.get("display", "radio")
    rules = data.get("validation", {})
    field_form.min_length.data = rules.get("min_length")
    field_form.max_length.data = rules.get("max_length")
    field_form.pattern.data = rules.get("pattern", "")
    field_form.pattern_message.data = rules.get("pattern_message", {}).get(language, "")
    field_form.minimum.data = "" if rules.get("min") is None else str(rules["min"])
    field_form.maximum.data = "" if rules.get("max") is None else str(rules["max"])
    field_form.integer.data = bool(rules.get("integer"))
    field_form.min_choices.data = rules.get("min_choices")
    field_form.max_choices.data = rules.get("max_choices")
    field_form.allowed_types.data = rules.get("allowed_types", [])
    field_form.max_size_mb.data = rules["max_size_bytes"] // MEGABYTE if rules.get("max_size_bytes") else None
    field_form.max_files.data = rules.get("max_files")
    field_form.entry_label.data = data.get("entry_label", {}).get(language, "")
    field_form.min_entries.data = rules.get("min_entries")
    field_form.max_entries.data = rules.get("max_entries")


def _default_language(form: Form) -> str:
    data = form.draft_definition
    return str(data.get("default_language") or data["languages"][0])


# The list of forms, new forms and imports -------------------------------------------------------------------


@blueprint.get("/")
def index() -> Any:
    forms_list = builder.all_forms()
    latest = {form.id: builder.latest_version(form) for form in forms_list}
    return _render("index.html", forms_list=forms_list, latest=latest)


@blueprint.route("/new", methods=["GET", "POST"])
def new() -> Any:
    new_form = NewFormForm()
    problems: list[dict[str, Any]] = []
    if new_form.validate_on_submit():
        try:
            definition = builder.new_definition(
                key=new_form.key.data.strip(),
                title=new_form.title.data,
                languages=new_form.languages.data,
                default_language=new_form.default_language.data,
                page_title=new_form.page_title.data,
                first_question=builder.FieldSpec(
                    key=new_form.question_key.data.strip(),
                    type=new_form.question_type.data,
                    label=new_form.question_label.data,
                ),
            )
            form = builder.create_form(definition)
        except builder.BuilderError as error:
            problems = _refused(error, None)
        else:
            flash(_("The form was created. It is a draft until you publish it."), "success")
            return redirect(_editor_url(form), code=303)
    status = 400 if problems or new_form.errors else 200
    return _render("new.html", current=_("New form"), new_form=new_form, problems=problems, status=status)


def _import_text(import_form: ImportForm) -> str | bytes:
    upload: Any = import_form.file.data
    if upload is not None and upload.filename:
        content: bytes = upload.read()
        return content
    return import_form.text.data or ""


@blueprint.route("/import", methods=["GET", "POST"])
def import_new() -> Any:
    import_form = ImportForm()
    problems: list[dict[str, Any]] = []
    if import_form.validate_on_submit():
        text = _import_text(import_form)
        if not text:
            problems = [
                {
                    "where": _("JSON file"),
                    "message": _("Choose a file or paste the JSON."),
                    "href": "#file",
                    "location": "file",
                }
            ]
        else:
            try:
                form = builder.import_definition(text)
            except builder.BuilderError as error:
                problems = _problem_links(None, error.problems)
            else:
                flash(_("The form was imported as a draft."), "success")
                return redirect(_editor_url(form), code=303)
    status = 400 if problems else 200
    return _render(
        "import.html",
        current=_("Import a form"),
        import_form=import_form,
        problems=problems,
        status=status,
        into=None,
    )


# The editor -------------------------------------------------------------------------------------------------


@blueprint.get("/<key>/")
def editor(key: str) -> Any:
    form = _form_or_404(key)
    data = form.draft_definition
    warnings = [problem for problem in validate_definition(data) if problem.severity == "warning"]
    return _render(
        "editor.html",
        form,
        tab="editor",
        data=data,
        language=_default_language(form),
        warnings=_problem_links(form, warnings),
        describe_condition=builder.describe_condition,
        action_form=CsrfOnlyForm(),
        latest=builder.latest_version(form),
    )


@blueprint.route("/<key>/pages/new", methods=["GET", "POST"])
def add_page(key: str) -> Any:
    form = _form_or_404(key)
    page_form = PageForm()
    problems: list[dict[str, Any]] = []
    if page_form.validate_on_submit():
        error = _apply(
            form,
            lambda data: builder.add_page(
                data,
                page_id=(page_form.page_id.data or "").strip(),
                title=page_form.title.data,
                first_question=builder.FieldSpec(
                    key=(page_form.question_key.data or "").strip(),
                    type=page_form.question_type.data,
                    label=page_form.question_label.data or "",
                ),
            ),
            "page added",
            page=page_form.page_id.data,
        )
        if error is None:
            flash(_("The page was added."), "success")
            return redirect(_editor_url(form, f"page-{page_form.page_id.data.strip()}"), code=303)
        problems = _refused(error, form)
    status = 400 if problems or page_form.errors else 200
    return _render(
        "page_form.html",
        form,
        current=_("Add a page"),
        tab="editor",
        page_form=page_form,
        problems=problems,
        adding=True,
        status=status,
    )


@blueprint.route("/<key>/pages/<page_id>", methods=["GET", "POST"])
def edit_page(key: str, page_id: str) -> Any:
    form = _form_or_404(key)
    data = form.draft_definition
    page = next((page for page in data["pages"] if page["id"] == page_id), None)
    if page is None:
        abort(404)
    language = _default_language(form)
    page_form = PageForm()
    problems: list[dict[str, Any]] = []
    if request.method == "GET":
        page_form.title.data = page["title"].get(language, "")
        page_form.description.data = page.get("description", {}).get(language, "")
    elif page_form.validate_on_submit():
        error = _apply(
            form,
            lambda data: builder.update_page(
                data, page_id, title=page_form.title.data, description=page_form.description.data or ""
            ),
            "page changed",
            page=page_id,
        )
        if error is None:
            flash(_("The page was saved."), "success")
            return redirect(_editor_url(form, f"page-{page_id}"), code=303)
        problems = _refused(error, form)
    status = 400 if problems or page_form.errors else 200
    return _render(
        "page_form.html",
        form,
        current=label_text(page["title"], _language()),
        tab="editor",
        page_form=page_form,
        problems=problems,
        adding=False,
        page=page,
        status=status,
    )


def _move_or_remove(
    form: Form,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    description: str,
    anchor: str,
    done: str,
    **details: Any,
) -> WerkzeugResponse:
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    error = _apply(form, change, description, **details)
    if error is not None:
        for problem in _refused(error, form):
            flash(f"{problem['where']}: {problem['message']}", "error")
    else:
        flash(done, "success")
    return redirect(_editor_url(form, anchor), code=303)


@blueprint.post("/<key>/pages/<page_id>/move")
def move_page(key: str, page_id: str) -> WerkzeugResponse:
    form = _form_or_404(key)
    direction = request.form.get("direction", "")
    return _move_or_remove(
        form,
        lambda data: builder.move_page(data, page_id, direction),
        "page moved",
        f"page-{page_id}",
        _("The page was moved up.") if direction == "up" else _("The page was moved down."),
        page=page_id,
        direction=direction,
    )


@blueprint.route("/<key>/pages/<page_id>/remove", methods=["GET", "POST"])
def remove_page(key: str, page_id: str) -> Any:
    form = _form_or_404(key)
    page = next((page for page in form.draft_definition["pages"] if page["id"] == page_id), None)
    if page is None:
        abort(404)
    if request.method == "POST":
        return _move_or_remove(
            form,
            lambda data: builder.remove_page(data, page_id),
            "page removed",
            "pages",
            _("The page was removed."),
            page=page_id,
        )
    name = label_text(page["title"], _language())
    return _render(
        "confirm_remove.html",
        form,
        current=_("Remove a page"),
        tab="editor",
        what=_("the page ‘%(name)s’ and all its questions", name=name),
        action_form=CsrfOnlyForm(),
    )


def _field_or_404(form: Form, field_key: str) -> builder.FieldPlace:
    try:
        return builder.find_field(form.draft_definition, field_key)
    except builder.BuilderError:
        abort(404)


@blueprint.route("/<key>/pages/<page_id>/questions/new", methods=["GET", "POST"])
def add_field(key: str, page_id: str) -> Any:
    form = _form_or_404(key)
    page = next((page for page in form.draft_definition["pages"] if page["id"] == page_id), None)
    if page is None:
        abort(404)
    group_key = request.args.get("group") or None
    type_form = FieldTypeForm(request.args)
    chosen = request.args.get("type")
    if chosen not in builder.FIELD_TYPES or (group_key and chosen == "repeating_group"):
        if group_key:
            type_form.type.choices = [
                choice for choice in type_form.type.choices if choice[0] != "repeating_group"
            ]
        status = 200
        if "type" in request.args:
            type_form.validate()
            status = 400
        return _render(
            "field_type.html",
            form,
            current=_("Add a question"),
            tab="editor",
            type_form=type_form,
            page=page,
            group_key=group_key,
            status=status,
        )
    field_form = FieldForm()
    problems: list[dict[str, Any]] = []
    if request.method == "POST" and field_form.validate_on_submit():
        new_key = (field_form.key.data or "").strip()
        spec = _field_spec(field_form, chosen, new_key)
        error = _apply(
            form,
            lambda data: builder.add_field(data, page_id, spec, group_key=group_key),
            "question added",
            question=new_key,
            page=page_id,
        )
        if error is None:
            flash(_("The question was added."), "success")
            return redirect(_editor_url(form, f"field-{new_key}"), code=303)
        problems = _refused(error, form)
    status = 400 if problems or field_form.errors else 200
    return _render(
        "field_form.html",
        form,
        current=_("Add a question"),
        tab="editor",
        field_form=field_form,
        field_type=chosen,
        adding=True,
        page=page,
        group_key=group_key,
        problems=problems,
        status=status,
    )


@blueprint.route("/<key>/questions/<field_key>", methods=["GET", "POST"])
def edit_field(key: str, field_key: str) -> Any:
    form = _form_or_404(key)
    place = _field_or_404(form, field_key)
    field_type = place.data["type"]
    field_form = FieldForm()
    problems: list[dict[str, Any]] = []
    if request.method == "GET":
        _fill_field_form(field_form, place.data, _default_language(form))
    elif field_form.validate_on_submit():
        spec = _field_spec(field_form, field_type, field_key)
        error = _apply(
            form,
            lambda data: builder.update_field(data, field_key, spec),
            "question changed",
            question=field_key,
        )
        if error is None:
            flash(_("The question was saved."), "success")
            return redirect(_editor_url(form, f"field-{field_key}"), code=303)
        problems = _refused(error, form)
    status = 400 if problems or field_form.errors else 200
    page = form.draft_definition["pages"][place.page_index]
    name = label_text(place.data.get("label") or place.data.get("text") or {}, _language())
    return _render(
        "field_form.html",
        form,
        current=name[:60],
        tab="editor",
        field_form=field_form,
        field_type=field_type,
        adding=False,
        page=page,
        field=place.data,
        group_key=None,
        problems=problems,
        status=status,
    )


@blueprint.post("/<key>/questions/<field_key>/move")
def move_field(key: str, field_key: str) -> WerkzeugResponse:
    form = _form_or_404(key)
    direction = request.form.get("direction", "")
    return _move_or_remove(
        form,
        lambda data: builder.move_field(data, field_key, direction),
        "question moved",
        f"field-{field_key}",
        _("The question was moved up.") if direction == "up" else _("The question was moved down."),
        question=field_key,
        direction=direction,
    )


@blueprint.route("/<key>/questions/<field_key>/remove", methods=["GET", "POST"])
def remove_field(key: str, field_key: str) -> Any:
    form = _form_or_404(key)
    place = _field_or_404(form, field_key)
    if request.method == "POST":
        return _move_or_remove(
            form,
            lambda data: builder.remove_field(data, field_key),
            "question removed",
            f"page-{form.draft_definition['pages'][place.page_index]['id']}",
            _("The question was removed."),
            question=field_key,
        )
    name = label_text(place.data.get("label") or place.data.get("text") or {}, _language())
    return _render(
        "confirm_remove.html",
        form,
        current=_("Remove a question"),
        tab="editor",
        what=_("the question ‘%(name)s’", name=name),
        action_form=CsrfOnlyForm(),
    )


# Conditions and prefill -------------------------------------------------------------------------------------


def _condition_fields(
    data: Mapping[str, Any], target_kind: str, target: str, language: str
) -> list[dict[str, Any]]:
    """The questions a condition may test: top-level answers, plus the same entry's questions inside a group."""
    group_key = None
    if target_kind == "field":
        place = builder.find_field(data, target)
        group_key = place.group["key"] if place.group is not None else None
    choices = []
    for place in builder.iter_fields(data):
        field_data = place.data
        if field_data["type"] == "information" or field_data["key"] == target:
            continue
        if place.group is not None and place.group["key"] != group_key:
            continue
        values: list[tuple[str, str]] = []
        if field_data["type"] in ("yes_no", "consent"):
            values = [("yes", _("Yes")), ("no", _("No"))]
        for option in field_data.get("options", []):
            values.append((option["value"], label_text(option["label"], language)))
        choices.append(
            {
                "key": field_data["key"],
                "label": label_text(field_data.get("label", {}), language),
                "type": field_data["type"],
                "values": values,
            }
        )
    return choices


@blueprint.route(
    "/<key>/conditions/<any(page, field):target_kind>/<target>/<any(show_when, hide_when, required_when):kind>",
    methods=["GET", "POST"],
)
def condition(key: str, target_kind: str, target: str, kind: str) -> Any:
    form = _form_or_404(key)
    data = form.draft_definition
    if kind not in builder.CONDITION_KINDS[target_kind]:
        abort(404)
    if target_kind == "page":
        holder = next((page for page in data["pages"] if page["id"] == target), None)
        if holder is None:
            abort(404)
        name = label_text(holder["title"], _language())
    else:
        holder = _field_or_404(form, target).data
        name = label_text(holder.get("label") or holder.get("text") or {}, _language())
    editable = builder.editable_condition(holder.get(kind))
    combinator, rules = editable if editable is not None else ("all", [])
    problems: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        if not CsrfOnlyForm().validate_on_submit():
            abort(400)
        rows = _posted_rules()
        combinator = request.form.get("combinator", "all")
        action = request.form.get("action", "save")
        if action == "add_row":
            rules = [*rows, builder.Rule("", "equals", "")]
        elif action.startswith("remove_row:"):
            index = int(action.split(":", 1)[1]) if action.split(":", 1)[1].isdigit() else -1
            rules = [row for position, row in enumerate(rows) if position != index]
        else:
            chosen = [row for row in rows if row.field] if action != "clear" else []
            error = _apply(
                form,
                lambda data: builder.set_condition(
                    data,
                    target_kind=target_kind,
                    target=target,
                    kind=kind,
                    rules=chosen,
                    combinator=combinator,
                ),
                "condition changed",
                target=target,
                condition=kind,
            )
            if error is None:
                flash(_("The condition was saved.") if chosen else _("The condition was removed."), "success")
                anchor = f"page-{target}" if target_kind == "page" else f"field-{target}"
                return redirect(_editor_url(form, anchor), code=303)
            problems = _refused(error, form)
            rules = rows
            status = 400
    if not rules:
        rules = [builder.Rule("", "equals", "")]
    return _render(
        "condition.html",
        form,
        current=str(CONDITION_NAMES[kind]),
        tab="editor",
        name=name,
        kind=kind,
        rules=rules,
        combinator=combinator,
        complex_condition=editable is None,
        existing=builder.describe_condition(data, holder[kind], _language()) if holder.get(kind) else None,
        fields=_condition_fields(data, target_kind, target, _language()),
        operator_names=OPERATOR_NAMES,
        condition_names=CONDITION_NAMES,
        condition_kinds=builder.CONDITION_KINDS[target_kind],
        target_kind=target_kind,
        target=target,
        problems=problems,
        status=status,
    )


def _posted_rules() -> list[builder.Rule]:
    rows = []
    for index in range(50):
        if f"rule-{index}-field" not in request.form:
            break
        typed = request.form.get(f"rule-{index}-value", "").strip()
        picked = request.form.get(f"rule-{index}-choice", "").strip()
        rows.append(
            builder.Rule(
                request.form.get(f"rule-{index}-field", ""),
                request.form.get(f"rule-{index}-operator", "equals"),
                typed or picked,
            )
        )
    return rows


@blueprint.route("/<key>/questions/<field_key>/prefill", methods=["GET", "POST"])
def prefill(key: str, field_key: str) -> Any:
    form = _form_or_404(key)
    place = _field_or_404(form, field_key)
    sources = builder.prefill_sources()
    prefill_form = PrefillForm()
    prefill_form.source.choices = [("", _("Nothing (the resident answers)"))] + [
        (name, name) for name in sources
    ]
    prefill_form.attribute.choices = [("", _("Choose"))] + [
        (attribute, f"{source}: {attribute}")
        for source, attributes in sources.items()
        for attribute in attributes
    ]
    group_source = (place.group or {}).get("prefill", {}).get("source")
    problems: list[dict[str, Any]] = []
    if request.method == "GET":
        current = place.data.get("prefill", {})
        prefill_form.source.data = current.get("source", group_source if current else "")
        attribute = current.get("attribute", "")
        prefill_form.attribute.data = attribute
        prefill_form.locked.data = bool(current.get("locked"))
        if group_source and attribute:
            group_attribute = place.group["prefill"]["attribute"] if place.group else ""
            prefill_form.attribute.data = f"{group_attribute}.{attribute}" if group_attribute else attribute
    elif prefill_form.validate_on_submit():
        source = prefill_form.source.data or None
        attribute = prefill_form.attribute.data or None
        if attribute and group_source and place.group is not None:
            # Inside a group the attribute is one of each entry's: "children.personnummer" → "personnummer".
            prefix = place.group["prefill"]["attribute"] + "."
            attribute = attribute[len(prefix) :] if attribute.startswith(prefix) else attribute
        error = _apply(
            form,
            lambda data: builder.set_prefill(
                data, field_key, source=source, attribute=attribute, locked=bool(prefill_form.locked.data)
            ),
            "prefill changed",
            question=field_key,
        )
        if error is None:
            flash(_("Prefill was saved."), "success")
            return redirect(_editor_url(form, f"field-{field_key}"), code=303)
        problems = _refused(error, form)
    name = label_text(place.data.get("label", {}), _language())
    status = 400 if problems else 200
    return _render(
        "prefill.html",
        form,
        current=_("Prefill"),
        tab="editor",
        prefill_form=prefill_form,
        name=name,
        problems=problems,
        group_source=group_source,
        status=status,
    )


# Settings and translations ----------------------------------------------------------------------------------


@blueprint.route("/<key>/settings", methods=["GET", "POST"])
def settings(key: str) -> Any:
    form = _form_or_404(key)
    data = form.draft_definition
    current = data.get("settings", {})
    settings_form = SettingsForm()
    language = _default_language(form)
    personnummer_fields = [
        place.data for place in builder.iter_fields(data) if place.data["type"] == "personnummer"
    ]
    settings_form.cosigner_field.choices = [("", _("Choose a question"))] + [
        (field_data["key"], label_text(field_data["label"], _language()))
        for field_data in personnummer_fields
    ]
    problems: list[dict[str, Any]] = []
    if request.method == "GET":
        settings_form.anonymous_allowed.data = "yes" if current.get("anonymous_allowed") else "no"
        settings_form.signing.data = builder.signing_choice(current)
        settings_form.cosigner_field.data = current.get("cosigner_field", "")
        settings_form.draft_retention_days.data = current.get("draft_retention_days")
        settings_form.case_retention_days.data = current.get("case_retention_days")
        settings_form.confirmation_text.data = current.get("confirmation_text", {}).get(language, "")
        settings_form.satisfaction_rating.data = bool(current.get("satisfaction_rating"))
    elif settings_form.validate_on_submit():
        spec = builder.SettingsSpec(
            anonymous_allowed=settings_form.anonymous_allowed.data == "yes",
            signing=settings_form.signing.data or "none",
            cosigner_field=settings_form.cosigner_field.data or None,
            draft_retention_days=settings_form.draft_retention_days.data,
            case_retention_days=settings_form.case_retention_days.data,
            confirmation_text=settings_form.confirmation_text.data or "",
            satisfaction_rating=bool(settings_form.satisfaction_rating.data),
        )
        error = _apply(form, lambda data: builder.update_settings(data, spec), "settings changed")
        if error is None:
            flash(_("The settings were saved."), "success")
            return redirect(url_for("form_builder.settings", key=form.key), code=303)
        problems = _refused(error, form)
    status = 400 if problems or settings_form.errors else 200
    return _render(
        "settings.html",
        form,
        current=_("Settings"),
        tab="settings",
        settings_form=settings_form,
        problems=problems,
        status=status,
    )


@blueprint.route("/<key>/translations", methods=["GET", "POST"])
def translations(key: str) -> Any:
    form = _form_or_404(key)
    data = form.draft_definition
    default = _default_language(form)
    others = [language for language in data["languages"] if language != default]
    language = request.values.get("language") or (others[0] if others else default)
    if language not in data["languages"]:
        abort(404)
    problems: list[dict[str, Any]] = []
    texts = builder.translatable_texts(data)
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not CsrfOnlyForm().validate_on_submit():
            abort(400)
        posted = {
            text.path: request.form.get(f"text-{index}", "")
            for index, text in enumerate(texts)
            if f"text-{index}" in request.form
        }
        error = _apply(
            form,
            lambda data: builder.set_translations(data, language, posted),
            "translations changed",
            language=language,
        )
        if error is None:
            flash(_("The translations were saved."), "success")
            return redirect(url_for("form_builder.translations", key=form.key, language=language), code=303)
        problems = _refused(error, form)
    languages_form = LanguagesForm(formdata=None, languages=data["languages"], default_language=default)
    return _render(
        "translations.html",
        form,
        current=_("Translations"),
        tab="translations",
        texts=texts,
        language=language,
        default=default,
        posted=posted,
        missing=builder.missing_translations(data),
        languages=data["languages"],
        languages_form=languages_form,
        action_form=CsrfOnlyForm(),
        problems=problems,
        status=400 if problems else 200,
    )


@blueprint.post("/<key>/languages")
def languages(key: str) -> Any:
    form = _form_or_404(key)
    languages_form = LanguagesForm()
    if not languages_form.validate_on_submit():
        abort(400)
    chosen = list(languages_form.languages.data or [])
    error = _apply(
        form,
        lambda data: builder.set_languages(data, chosen, languages_form.default_language.data),
        "languages changed",
        languages=chosen,
    )
    if error is not None:
        for problem in _refused(error, form):
            flash(f"{problem['where']}: {problem['message']}", "error")
    else:
        flash(_("The languages were saved."), "success")
    return redirect(url_for("form_builder.translations", key=form.key), code=303)


# Preview ----------------------------------------------------------------------------------------------------


def _preview_definition(form: Form) -> FormDefinition | None:
    try:
        return load_definition(form.draft_definition)
    except DefinitionError:
        return None


def _preview_answers(form: Form) -> dict[str, Any]:
    state = session.get(PREVIEW_SESSION)
    if isinstance(state, dict) and state.get("form") == form.key and isinstance(state.get("answers"), dict):
        return dict(state["answers"])
    return {}


def _keep_preview_answers(form: Form, answers: Mapping[str, Any]) -> None:
    # The preview keeps its answers in the signed session cookie, which holds a few kilobytes; a preview with
    # more text than that simply starts the next page without the earlier answers.
    if len(json.dumps(answers, ensure_ascii=False)) <= MAX_PREVIEW_ANSWERS:
        session[PREVIEW_SESSION] = {"form": form.key, "answers": dict(answers)}
    else:
        session.pop(PREVIEW_SESSION, None)


def _preview_files(definition: FormDefinition, page_id: str) -> dict[str, list[dict[str, Any]]]:
    """Uploaded files' metadata only: the preview checks them like the filing flow but stores nothing."""
    files: dict[str, list[dict[str, Any]]] = {}
    for page_field in definition.page(page_id).fields:
        if page_field.type != "file_upload":
            continue
        chosen = []
        for upload in request.files.getlist(page_field.key):
            if not upload.filename:
                continue
            size = len(upload.stream.read())
            chosen.append({"filename": upload.filename, "content_type": upload.mimetype, "size": size})
        files[page_field.key] = chosen
    return files


def _preview_url(form: Form, page_id: str, language: str) -> str:
    return url_for("form_builder.preview", key=form.key, page=page_id, language=language)


@blueprint.route("/<key>/preview", methods=["GET", "POST"])
def preview(key: str) -> Any:
    """Any page of the draft, or its check-answers page, exactly as a resident sees it, in any of its languages.

    The page is rendered by the filing flow's templates from `forms.rendering`'s view model. Sent pages are
    checked like a resident's; the answers are kept in the admin's session (never in the database), so the
    preview can be walked from page to page, conditions and all.
    """
    form = _form_or_404(key)
    definition = _preview_definition(form)
    if definition is None:
        flash(_("The draft has problems, so it cannot be previewed. Fix them first."), "error")
        return redirect(_editor_url(form), code=303)
    language = request.args.get("language") or definition.default_language
    if language not in definition.languages:
        language = definition.default_language
    page_id = request.args.get("page") or definition.pages[0].id
    if page_id != CHECK_ANSWERS and not definition.has_page(page_id):
        abort(404)
    if request.args.get("restart"):
        session.pop(PREVIEW_SESSION, None)
        return redirect(_preview_url(form, definition.pages[0].id, language), code=303)
    answers = _preview_answers(form)
    banner = Markup(  # noqa: S704 - our own template, rendered in the admin's language before the resident's
        render_template(
            "forms/builder/preview_banner.html",
            builder_form=form,
            pages=[(page.id, label_text(page.title, _language())) for page in definition.pages],
            languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in definition.languages],
            current_page=page_id,
            preview_language=language,
            check_answers=CHECK_ANSWERS,
            ui_language=_language(),
        )
    )
    with force_locale(language):
        if page_id == CHECK_ANSWERS:
            return _preview_check(form, definition, language, answers, banner)
        errors: list[FieldError] = []
        values = form_values(definition, page_id, answers)
        logic_answers = answers
        if request.method == "POST":
            if not CsrfOnlyForm().validate_on_submit():
                abort(400)
            raw = parse_page(definition, page_id, request.form)
            action = request.form.get("action", "continue")
            if action.startswith(("add:", "remove:")):
                values = _changed_entries(definition, page_id, raw, action)
                return _preview_page(form, definition, language, page_id, answers, values, [], banner)
            raw.update(_preview_files(definition, page_id))
            cleaned, errors = validate_page(definition, page_id, raw, answers, language)
            if action == "back" or not errors:
                if not errors:
                    answers.update(cleaned)
                    _keep_preview_answers(form, answers)
                shown = visible_pages(definition, answers)
                position = shown.index(page_id) if page_id in shown else 0
                if action == "back":
                    target = shown[position - 1] if position > 0 else page_id
                else:
                    target = shown[position + 1] if position + 1 < len(shown) else CHECK_ANSWERS
                return redirect(_preview_url(form, target, language), code=303)
            values = dict(raw)
            logic_answers = {**answers, **cleaned}
        return _preview_page(form, definition, language, page_id, logic_answers, values, errors, banner)


def _changed_entries(
    definition: FormDefinition, page_id: str, raw: dict[str, Any], action: str
) -> dict[str, Any]:
    parts = action.split(":")
    group_key = parts[1] if len(parts) > 1 else ""
    page_keys = {page_field.key for page_field in definition.page(page_id).fields}
    if group_key in page_keys and definition.field(group_key).type == "repeating_group":
        entries = list(raw.get(group_key) or [])
        if parts[0] == "add":
            entries = entries or [{}]
            entries.append({})
        elif len(parts) == 3 and parts[2].isdigit() and int(parts[2]) < len(entries):
            del entries[int(parts[2])]
        raw[group_key] = entries
    return raw


def _preview_page(
    form: Form,
    definition: FormDefinition,
    language: str,
    page_id: str,
    answers: Mapping[str, Any],
    values: Mapping[str, Any],
    errors: list[FieldError],
    banner: Markup,
) -> tuple[str, int]:
    view = page_view(definition, page_id, values, language, errors=errors, logic_answers=answers)
    shown = visible_pages(definition, answers)
    position = shown.index(page_id) + 1 if page_id in shown else 1
    return (
        render_template(
            "forms/builder/preview_page.html",
            view=view,
            draft=SimpleNamespace(id=0, resident_id=None if definition.anonymous_allowed else 1),
            form_title=label_text(definition.title, language),
            position=position,
            total=max(len(shown), position),
            previous_url=_preview_url(form, shown[position - 2], language) if position > 1 else None,
            service_url=url_for("form_builder.editor", key=form.key),
            changing=False,
            question_heading=False,
            preview_banner=banner,
            breadcrumbs=_breadcrumbs(form, _("Preview")),
        ),
        400 if errors else 200,
    )


def _preview_check(
    form: Form, definition: FormDefinition, language: str, answers: Mapping[str, Any], banner: Markup
) -> tuple[str, int]:
    sections = []
    for page_id in visible_pages(definition, answers):
        page = definition.page(page_id)
        state = evaluate_page(definition, page_id, answers)
        rows = [
            SimpleNamespace(
                label=label_text(page_field.label, language),
                value=_shown_answer(page_field, answers.get(page_field.key), language),
                step=page_id,
                field_key=page_field.key,
            )
            for page_field in page.fields
            if page_field.is_input and state.is_visible(page_field.key)
        ]
        sections.append(SimpleNamespace(title=label_text(page.title, language), rows=rows))
    shown = visible_pages(definition, answers)
    return (
        render_template(
            "forms/builder/preview_check.html",
            draft=SimpleNamespace(id=0),
            summary=SimpleNamespace(sections=sections, first_problem=None),
            form_title=label_text(definition.title, language),
            change_url=lambda step: _preview_url(form, step, language),
            problem_url=None,
            previous_url=_preview_url(form, shown[-1], language) if shown else None,
            requires_signature=bool(definition.settings.get("requires_signature", False)),
            preview_banner=banner,
            breadcrumbs=_breadcrumbs(form, _("Preview")),
        ),
        200,
    )


def _shown_answer(page_field: Field, value: Any, language: str) -> str | list[str]:
    if page_field.type != "repeating_group":
        return display_answer(page_field, value, language)
    entry_label = label_text(page_field.entry_label, language) if page_field.entry_label else _("Entry")
    lines = []
    for index, entry in enumerate(value or []):
        parts = []
        for nested in page_field.fields:
            if nested.is_input and is_answered(entry.get(nested.key)):
                shown = display_answer(nested, entry.get(nested.key), language)
                parts.append(
                    f"{label_text(nested.label, language)}: {', '.join(shown) if isinstance(shown, list) else shown}"
                )
        lines.append(f"{entry_label} {index + 1}: " + "; ".join(parts))
    return lines or display_answer(page_field, None, language)


# Publishing, versions, diff, import and export --------------------------------------------------------------


@blueprint.route("/<key>/publish", methods=["GET", "POST"])
def publish(key: str) -> Any:
    form = _form_or_404(key)
    publish_form = PublishForm()
    problems = _problem_links(form, builder.publishing_problems(form))
    status = 200
    if request.method == "POST":
        if publish_form.validate_on_submit():
            try:
                version = builder.publish(form, change_note=publish_form.change_note.data, publisher=_staff())
            except builder.BuilderError as error:
                problems = _refused(error, form)
            else:
                flash(
                    _(
                        "Version %(number)d was published. New applications use it from now on.",
                        number=version.version,
                    ),
                    "success",
                )
                return redirect(url_for("form_builder.versions", key=form.key), code=303)
        status = 400
    latest = builder.latest_version(form)
    changes = (
        builder.diff_definitions(latest.definition, form.draft_definition, _language()) if latest else None
    )
    return _render(
        "publish.html",
        form,
        current=_("Publish"),
        tab="publish",
        publish_form=publish_form,
        problems=problems,
        latest=latest,
        changes=changes,
        status=status,
    )


@blueprint.get("/<key>/versions")
def versions(key: str) -> Any:
    form = _form_or_404(key)
    history = list(reversed(form.versions))
    publishers = {
        version.published_by_id: db.get(StaffUser, version.published_by_id)
        for version in history
        if version.published_by_id is not None
    }
    return _render(
        "versions.html", form, current=_("Versions"), tab="versions", history=history, publishers=publishers
    )


@blueprint.get("/<key>/versions/diff")
def diff(key: str) -> Any:
    form = _form_or_404(key)
    older_number = request.args.get("from", "")
    newer_number = request.args.get("to", "draft")

    def definition_of(number: str) -> tuple[str, Mapping[str, Any]] | None:
        if number == "draft":
            return _("the draft"), form.draft_definition
        if not number.isdigit():
            return None
        version = builder.find_version(form, int(number))
        return (_("version %(number)d", number=version.version), version.definition) if version else None

    older = definition_of(older_number)
    newer = definition_of(newer_number)
    if older is None or newer is None:
        abort(404)
    changes = builder.diff_definitions(older[1], newer[1], _language())
    return _render(
        "diff.html",
        form,
        current=_("Compare versions"),
        tab="versions",
        older=older[0],
        newer=newer[0],
        changes=changes,
        versions_list=list(form.versions),
        older_number=older_number,
        newer_number=newer_number,
    )


@blueprint.get("/<key>/export")
def export(key: str) -> WerkzeugResponse:
    form = _form_or_404(key)
    number = request.args.get("version")
    version: FormVersion | None = None
    if number:
        if not number.isdigit():
            abort(404)
        version = builder.find_version(form, int(number))
        if version is None:
            abort(404)
    text = builder.export_definition(form, version)
    suffix = f"-v{version.version}" if version is not None else "-draft"
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{form.key}{suffix}.json"'},
    )


@blueprint.route("/<key>/import", methods=["GET", "POST"])
def import_into(key: str) -> Any:
    form = _form_or_404(key)
    import_form = ImportForm()
    problems: list[dict[str, Any]] = []
    if import_form.validate_on_submit():
        text = _import_text(import_form)
        if not text:
            problems = [
                {
                    "where": _("JSON file"),
                    "message": _("Choose a file or paste the JSON."),
                    "href": "#file",
                    "location": "file",
                }
            ]
        else:
            try:
                builder.import_definition(text, into=form)
            except builder.BuilderError as error:
                problems = _problem_links(None, error.problems)
            else:
                flash(
                    _("The draft was replaced by the imported file. Published versions are unchanged."),
                    "success",
                )
                return redirect(_editor_url(form), code=303)
    status = 400 if problems else 200
    return _render(
        "import.html",
        form,
        current=_("Import and export"),
        tab="import",
        import_form=import_form,
        problems=problems,
        into=form,
        status=status,
    )


# Statistics -------------------------------------------------------------------------------------------------


@blueprint.get("/<key>/statistics")
def statistics(key: str) -> Any:
    form = _form_or_404(key)
    figures = builder_statistics.form_statistics(form, _language())
    return _render("statistics.html", form, current=_("Statistics"), tab="statistics", figures=figures)


# The satisfaction rating on the confirmation page -----------------------------------------------------------


@rating_blueprint.post("/rating")
@limiter.limit("20 per minute")
def rate() -> WerkzeugResponse:
    rating_form = RatingForm()
    target = safe_next_url(rating_form.next.data, url_for("eservices.home"))
    if not rating_form.validate_on_submit():
        flash(_("Choose an answer before you send your rating."), "error")
        return redirect(target + "#rating", code=303)
    version_id = int(rating_form.form_version_id.data)
    rated = [item for item in session.get(RATED_VERSIONS, []) if isinstance(item, int)]
    if version_id not in rated:
        try:
            builder_statistics.record_rating(version_id, int(rating_form.score.data))
        except builder_statistics.RatingRefused:
            abort(400)
        session[RATED_VERSIONS] = [*rated, version_id][-20:]
        audit.record("form.rated", "form_version", version_id, details={"score": int(rating_form.score.data)})
    flash(_("Thank you for your answer."), "success")
    return redirect(target, code=303)


@rating_blueprint.app_template_global()
def form_rating_offered(form_version_id: int | None) -> bool:
    """Whether the confirmation page asks for a rating: the version asks, and this browser has not answered."""
    if form_version_id is None or form_version_id in session.get(RATED_VERSIONS, []):
        return False
    version = db.get(FormVersion, form_version_id)
    return version is not None and builder_statistics.rating_offered(version)


@rating_blueprint.app_template_global()
def form_rating_form(form_version_id: int) -> RatingForm:
    return RatingForm(formdata=None, form_version_id=form_version_id, next=request.path)


@rating_blueprint.app_template_global()
def form_confirmation_text(form_version_id: int | None) -> Markup:
    """The version's confirmation text in the current language, as sanitised HTML (empty when it has none)."""
    version = db.get(FormVersion, form_version_id) if form_version_id is not None else None
    texts = version.definition.get("settings", {}).get("confirmation_text") if version is not None else None
    if not texts:
        return Markup("")
    return Markup(render_markdown(label_text(texts, current_language())))  # noqa: S704 - sanitised by nh3
