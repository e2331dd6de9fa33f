"""Rendering a form page: the small view model the filing templates turn into accessible HTML controls, and
parsing a submitted page back into the raw input the engine validates.

Names and ids follow one scheme (`children[0].child_name` → `field-children-0--child_name`), so error messages
link to the input they are about. Nothing here touches the database or the request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from forms.service import (
    Field,
    FieldError,
    FormDefinition,
    evaluate_page,
    human_size,
    label_text,
    render_information,
    upload_rules,
)

__all__ = [
    "MAX_GROUP_ENTRIES",
    "Choice",
    "Control",
    "Entry",
    "FileView",
    "PageView",
    "PrefillMarks",
    "display_answer",
    "field_id",
    "form_values",
    "page_view",
    "parse_page",
]

MAX_GROUP_ENTRIES = 50
"""Repeating-group entries read from one submission at most; anything beyond is tampering."""

ADDRESS_PARTS = ("street", "postcode", "city")
ADDRESS_AUTOCOMPLETE = {"street": "street-address", "postcode": "postal-code", "city": "address-level2"}
# Only answers about the person filling in the form get autocomplete tokens (WCAG 1.3.5); their fields are the
# ones prefilled from the resident's own profile.
PROFILE_AUTOCOMPLETE = {
    "full_name": "name",
    "given_name": "given-name",
    "family_name": "family-name",
    "email": "email",
    "phone": "tel",
}
INPUT_TYPES = {"email": "email", "phone": "tel", "date": "date"}
INPUT_MODES = {
    "number": "decimal",
    "personnummer": "numeric",
    "organisationsnummer": "numeric",
    "postcode": "numeric",
}
_ENTRY_NAME = re.compile(r"(?P<group>[a-z0-9_]+)\[(?P<index>\d{1,4})\]\.(?P<rest>.+)")

Values = Mapping[str, Any]
"""What the controls show, as a browser would send it: strings, lists of strings, part mappings, entries."""


def field_id(path: str) -> str:
    """The HTML id of the input for an answer path ("children[0].child_name" → "field-children-0--child_name")."""
    return "field-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class FileView:
    id: int
    filename: str
    size: str


@dataclass
class Entry:
    """One repeating-group entry: its own fieldset with a legend ("Child 2") and a remove button."""

    index: int
    legend: str
    controls: list[Control]
    remove_value: str
    remove_label: str


@dataclass
class Control:
    """One question on the page, ready for a template macro picked by `kind`."""

    kind: str
    key: str
    name: str
    id: str
    label: str
    hint: str = ""
    required: bool = False
    error: str | None = None
    value: str = ""
    input_type: str = "text"
    autocomplete: str | None = None
    inputmode: str | None = None
    readonly: bool = False
    prefilled_from: str | None = None
    choices: list[Choice] = field(default_factory=list)
    parts: list[Control] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    add_value: str = ""
    add_label: str = ""
    html: Markup = field(default_factory=Markup)
    files: list[FileView] = field(default_factory=list)
    multiple: bool = False
    accept: str = ""

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def prefill_id(self) -> str:
        return f"{self.id}-prefill"

    @property
    def described_by(self) -> str:
        ids = []
        if self.hint:
            ids.append(self.hint_id)
        if self.prefilled_from:
            ids.append(self.prefill_id)
        if self.error:
            ids.append(self.error_id)
        return " ".join(ids)


@dataclass
class PageView:
    page_id: str
    title: str
    description: str
    controls: list[Control]
    errors: list[tuple[str, str]]
    """(href, message) for the error summary, in page order."""


class PrefillMarks:
    """Which shown values came from a register or profile, and which of those are locked.

    A value is marked only while it still is the prefilled one: an edited e-mail address is the resident's own.
    Inside repeating groups entries can be removed, so values are matched by field, not by position.
    """

    def __init__(self, answers: Mapping[str, Any], origins: Mapping[str, Mapping[str, Any]]) -> None:
        self._marks: dict[str, tuple[str, str, bool, frozenset[str]]] = {}
        for path, origin in origins.items():
            match = _ENTRY_NAME.fullmatch(path)
            if match is None:
                key, value = path, answers.get(path)
            else:
                key = match.group("rest")
                entries = answers.get(match.group("group")) or []
                index = int(match.group("index"))
                value = entries[index].get(key) if index < len(entries) else None
            if value is None:
                continue
            source, attribute, locked = (
                str(origin["source"]),
                str(origin["attribute"]),
                bool(origin["locked"]),
            )
            previous = self._marks.get(key)
            values = (previous[3] if previous else frozenset()) | {_canonical(value)}
            self._marks[key] = (source, attribute, locked, values)

    def source(self, key: str, value: Any) -> str | None:
        mark = self._marks.get(key)
        return mark[0] if mark is not None and _canonical(value) in mark[3] else None

    def locked(self, key: str, value: Any) -> bool:
        mark = self._marks.get(key)
        return mark is not None and mark[2] and _canonical(value) in mark[3]

    def attribute(self, key: str) -> tuple[str, str] | None:
        mark = self._marks.get(key)
        return (mark[0], mark[1]) if mark is not None else None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


NO_MARKS = PrefillMarks({}, {})


# Parsing ---------------------------------------------------------------------------------------------------


def parse_page(definition: FormDefinition, page_id: str, form: Any) -> dict[str, Any]:
    """The raw input for one page from submitted form data (a werkzeug MultiDict or a plain mapping).

    Only the page's own fields are read, so unknown names are ignored; file uploads are handled by the caller.
    """
    page = definition.page(page_id)
    raw: dict[str, Any] = {}
    for page_field in page.fields:
        if not page_field.is_input or page_field.type == "file_upload":
            continue
        if page_field.type == "repeating_group":
            raw[page_field.key] = _parse_entries(page_field, form)
        else:
            raw[page_field.key] = _parse_value(page_field, page_field.key, form)
    return raw


def _getlist(form: Any, name: str) -> list[str]:
    getlist: Callable[[str], list[str]] | None = getattr(form, "getlist", None)
    if getlist is not None:
        return [value for value in getlist(name) if isinstance(value, str)]
    value = form.get(name)
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return [value] if isinstance(value, str) else []


def _parse_value(form_field: Field, name: str, form: Any) -> Any:
    if form_field.type == "multiple_choice":
        return _getlist(form, name)
    if form_field.type == "address":
        return {part: (_getlist(form, f"{name}.{part}") or [""])[0] for part in ADDRESS_PARTS}
    values = _getlist(form, name)
    return values[0] if values else None


def _parse_entries(group: Field, form: Any) -> list[dict[str, Any]]:
    indices: set[int] = set()
    keys = form.keys() if hasattr(form, "keys") else []
    for name in keys:
        match = _ENTRY_NAME.fullmatch(name)
        if match is not None and match.group("group") == group.key:
            index = int(match.group("index"))
            if index < MAX_GROUP_ENTRIES:
                indices.add(index)
    entries = []
    for index in sorted(indices):
        entry = {}
        for nested in group.fields:
            if nested.is_input and nested.type != "file_upload":
                entry[nested.key] = _parse_value(nested, f"{group.key}[{index}].{nested.key}", form)
        entries.append(entry)
    return entries


# Showing answers -------------------------------------------------------------------------------------------


def form_values(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored (cleaned) answers of one page as the controls show them."""
    values: dict[str, Any] = {}
    for page_field in definition.page(page_id).fields:
        if not page_field.is_input or page_field.key not in answers:
            continue
        value = answers[page_field.key]
        if page_field.type == "repeating_group":
            values[page_field.key] = [
                {nested.key: _form_value(nested, entry.get(nested.key)) for nested in page_field.fields}
                for entry in (value or [])
                if isinstance(entry, Mapping)
            ]
        else:
            values[page_field.key] = _form_value(page_field, value)
    return values


def _form_value(form_field: Field, value: Any) -> Any:
    if value is None:
        return None
    if form_field.type in ("yes_no", "consent") and isinstance(value, bool):
        return "yes" if value else "no"
    if form_field.type == "multiple_choice":
        return [str(item) for item in value] if isinstance(value, list) else []
    if form_field.type == "address":
        return dict(value) if isinstance(value, Mapping) else {}
    if form_field.type == "file_upload":
        return None
    return str(value)


def display_answer(form_field: Field, value: Any, language: str) -> str | list[str]:
    """A stored answer as text for the check-answers page and the case: option labels, "Yes", address lines."""
    if value is None or value == [] or value == "":
        return _("Not answered")
    kind = form_field.type
    if kind == "yes_no":
        return _("Yes") if value else _("No")
    if kind == "consent":
        return _("Yes") if value else _("No")
    if kind == "single_choice":
        return _option_label(form_field, value, language)
    if kind == "multiple_choice":
        return [_option_label(form_field, item, language) for item in value]
    if kind == "address" and isinstance(value, Mapping):
        return [str(value.get("street", "")), f"{value.get('postcode', '')} {value.get('city', '')}".strip()]
    if kind == "file_upload" and isinstance(value, list):
        return [str(item.get("filename", "")) for item in value if isinstance(item, Mapping)]
    if kind == "personnummer" and isinstance(value, str) and len(value) == 12:
        return f"{value[:8]}-{value[8:]}"
    if kind == "organisationsnummer" and isinstance(value, str) and len(value) == 10:
        return f"{value[:6]}-{value[6:]}"
    return str(value)


def _option_label(form_field: Field, value: Any, language: str) -> str:
    for option in form_field.options:
        if option.value == value:
            return label_text(option.label, language)
    return str(value)


# The page view model ----------------------------------------------------------------------------------------


def _prefill_label(source: str | None) -> str | None:
    if source is None:
        return None
    if source == "population_register":
        return _("From the population register")
    if source == "resident_profile":
        return _("From your personal details")
    return _("Filled in for you")


def page_view(
    definition: FormDefinition,
    page_id: str,
    values: Values,
    language: str,
    *,
    errors: Sequence[FieldError] = (),
    marks: PrefillMarks = NO_MARKS,
    files: Mapping[str, Sequence[FileView]] | None = None,
    only_field: str | None = None,
    logic_answers: Mapping[str, Any] | None = None,
) -> PageView:
    """Everything a template needs to show one page (or, with `only_field`, one question of it).

    `values` are what the inputs show: the stored answers (through `form_values`) or what was just submitted.
    `logic_answers` decide which fields are shown; hidden fields are left out, so the page works without
    JavaScript (a follow-up question appears after the page is sent with the answer that reveals it).
    """
    page = definition.page(page_id)
    logic = logic_answers if logic_answers is not None else {}
    state = evaluate_page(definition, page_id, logic)
    messages = _error_messages(definition, page_id, errors)
    files = files or {}
    controls: list[Control] = []
    for page_field in page.fields:
        if only_field is not None and page_field.key != only_field and page_field.is_input:
            continue
        if not state.is_visible(page_field.key):
            continue
        controls.append(
            _control(
                definition,
                page_field,
                page_field.key,
                values.get(page_field.key),
                language,
                messages,
                marks,
                files,
                logic,
                required=state.is_required(page_field.key),
            )
        )
    summary = []
    for error in errors:
        path = _summary_path(definition, error.path)
        summary.append((f"#{field_id(path)}", messages[error.path]))
    return PageView(
        page_id=page.id,
        title=label_text(page.title, language),
        description=label_text(page.description, language) if page.description else "",
        controls=controls,
        errors=summary,
    )


def _summary_path(definition: FormDefinition, path: str) -> str:
    # A file error for the second file of a field ("photos[1]") belongs to the field's one file input.
    base = path.split("[", 1)[0]
    try:
        if definition.field(base).type == "file_upload":
            return base
    except KeyError:
        return path
    return path


def _error_messages(definition: FormDefinition, page_id: str, errors: Sequence[FieldError]) -> dict[str, str]:
    return {error.path: error.translate(_) for error in errors}


def _control(
    definition: FormDefinition,
    form_field: Field,
    path: str,
    value: Any,
    language: str,
    messages: Mapping[str, str],
    marks: PrefillMarks,
    files: Mapping[str, Sequence[FileView]],
    logic: Mapping[str, Any],
    *,
    required: bool,
) -> Control:
    kind = form_field.type
    control = Control(
        kind=kind,
        key=form_field.key,
        name=path,
        id=field_id(path),
        label=label_text(form_field.label, language) if form_field.is_input else "",
        hint=label_text(form_field.hint, language) if form_field.hint else "",
        required=required,
        error=_error_for(messages, path, kind),
    )
    if kind == "information":
        control.html = Markup(render_information(form_field, language))  # noqa: S704 - sanitised by the engine
        return control
    origin = marks.attribute(form_field.key)
    comparable = _comparable(form_field, value)
    control.prefilled_from = _prefill_label(marks.source(form_field.key, comparable))
    control.readonly = marks.locked(form_field.key, comparable)
    if origin is not None and origin[0] == "resident_profile" and form_field.group_key is None:
        control.autocomplete = PROFILE_AUTOCOMPLETE.get(origin[1])
    if kind in (
        "short_text",
        "long_text",
        "number",
        "date",
        "personnummer",
        "organisationsnummer",
        "email",
        "phone",
        "postcode",
    ):
        control.kind = "textarea" if kind == "long_text" else "text"
        control.value = value if isinstance(value, str) else ""
        control.input_type = INPUT_TYPES.get(kind, "text")
        control.inputmode = INPUT_MODES.get(kind)
        if kind == "date" and not control.hint:
            control.hint = _("For example 2027-08-15.")
        if kind in ("personnummer",) and not control.hint:
            control.hint = _("12 digits, for example 19850412-1234.")
        return control
    if kind in ("yes_no", "single_choice"):
        options = (
            [("yes", _("Yes")), ("no", _("No"))]
            if kind == "yes_no"
            else [(option.value, label_text(option.label, language)) for option in form_field.options]
        )
        control.kind = "select" if kind == "single_choice" and form_field.display == "select" else "radios"
        chosen = value if isinstance(value, str) else ""
        control.value = chosen
        control.choices = [
            Choice(
                option_value,
                label,
                control.id if index == 0 else f"{control.id}-{index}",
                option_value == chosen,
            )
            for index, (option_value, label) in enumerate(options)
        ]
        return control
    if kind == "multiple_choice":
        chosen_values = set(value) if isinstance(value, list) else set()
        control.kind = "checkboxes"
        control.choices = [
            Choice(
                option.value,
                label_text(option.label, language),
                control.id if index == 0 else f"{control.id}-{index}",
                option.value in chosen_values,
            )
            for index, option in enumerate(form_field.options)
        ]
        return control
    if kind == "consent":
        control.kind = "consent"
        control.value = "yes" if value in ("yes", True) else ""
        return control
    if kind == "address":
        parts = value if isinstance(value, Mapping) else {}
        part_labels = {"street": _("Street address"), "postcode": _("Postcode"), "city": _("Town or city")}
        profile = origin is not None and origin[0] == "resident_profile" and form_field.group_key is None
        control.kind = "address"
        control.parts = [
            Control(
                kind="text",
                key=f"{form_field.key}.{part}",
                name=f"{path}.{part}",
                id=field_id(f"{path}.{part}"),
                label=part_labels[part],
                value=str(parts.get(part) or ""),
                error=messages.get(f"{path}.{part}"),
                autocomplete=ADDRESS_AUTOCOMPLETE[part] if profile else None,
                inputmode="numeric" if part == "postcode" else None,
                readonly=control.readonly,
            )
            for part in ADDRESS_PARTS
        ]
        # The fieldset's own error (e.g. "Answer this question") is linked from the first part.
        control.id = control.parts[0].id if control.error is None else control.id
        return control
    if kind == "file_upload":
        rules = upload_rules(form_field)
        control.kind = "file"
        control.files = list(files.get(form_field.key, ()))
        control.multiple = rules.max_files > 1
        control.accept = ",".join(rules.allowed_types)
        if not control.hint:
            control.hint = _(
                "You can upload %(types)s, at most %(size)s per file.",
                types=", ".join(_TYPE_NAMES.get(t, t) for t in rules.allowed_types),
                size=human_size(rules.max_size_bytes),
            )
        return control
    if kind == "repeating_group":
        return _group_control(definition, form_field, control, value, language, messages, marks, files, logic)
    return control


_TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def _comparable(form_field: Field, value: Any) -> Any:
    """A shown value in the form the prefill gave it, to tell whether it is still the prefilled one."""
    if form_field.type == "personnummer" and isinstance(value, str):
        digits = re.sub(r"\D", "", value)
        return digits if len(digits) == 12 else value
    if form_field.type == "address" and isinstance(value, Mapping):
        return {part: value.get(part) for part in ADDRESS_PARTS}
    return value


def _error_for(messages: Mapping[str, str], path: str, kind: str) -> str | None:
    if path in messages:
        return messages[path]
    if kind == "file_upload":
        for error_path, message in messages.items():
            if error_path.startswith(f"{path}["):
                return message
    return None


def _group_control(
    definition: FormDefinition,
    group: Field,
    control: Control,
    value: Any,
    language: str,
    messages: Mapping[str, str],
    marks: PrefillMarks,
    files: Mapping[str, Sequence[FileView]],
    logic: Mapping[str, Any],
) -> Control:
    entries = list(value) if isinstance(value, list) else []
    if not entries:
        entries = [{}]  # one blank entry to start from; a blank entry is not stored as an answer
    entry_label = label_text(group.entry_label, language) if group.entry_label else _("Entry")
    maximum = group.validation.get("max_entries", MAX_GROUP_ENTRIES)
    control.kind = "group"
    entry_states = _entry_states(definition, group, entries, logic)
    for index, entry in enumerate(entries):
        entry_values = entry if isinstance(entry, Mapping) else {}
        nested_controls = []
        for nested in group.fields:
            nested_state = entry_states[index].get(nested.key) if index < len(entry_states) else None
            if nested_state is not None and not nested_state.visible:
                continue
            nested_controls.append(
                _control(
                    definition,
                    nested,
                    f"{group.key}[{index}].{nested.key}",
                    entry_values.get(nested.key),
                    language,
                    messages,
                    marks,
                    files,
                    logic,
                    required=bool(nested_state.required) if nested_state is not None else nested.required,
                )
            )
        legend = f"{entry_label} {index + 1}"
        control.entries.append(
            Entry(
                index=index,
                legend=legend,
                controls=nested_controls,
                remove_value=f"remove:{group.key}:{index}",
                remove_label=_("Remove %(entry)s", entry=legend),
            )
        )
    if len(entries) < maximum:
        control.add_value = f"add:{group.key}"
        control.add_label = _("Add another %(entry)s", entry=entry_label.lower())
    return control


def _entry_states(
    definition: FormDefinition, group: Field, entries: list[Any], answers: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    # Entry logic depends on the entry's own answers as shown (possibly just submitted, not yet stored).
    cleaned_entries = [
        {nested.key: _logic_value(nested, entry.get(nested.key)) for nested in group.fields}
        for entry in entries
        if isinstance(entry, Mapping)
    ]
    evaluated = evaluate_page(definition, group.page_id, {**answers, group.key: cleaned_entries})
    return list(evaluated.entries.get(group.key, ()))


def _logic_value(form_field: Field, shown: Any) -> Any:
    if form_field.type in ("yes_no", "consent"):
        if shown in ("yes", True):
            return True
        if shown in ("no", False):
            return False
        return None
    return shown
