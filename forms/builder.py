"""The form builder: changes to a form's draft definition (pages, fields, conditions, prefill, settings,
languages and translations), publishing immutable versions, version history and readable diffs, and
import/export as JSON.

Every change works on a copy of the draft and is checked with the engine before it is kept: a change that
would leave the draft with errors raises `BuilderError` with problems that point at the cause, and the draft
is left exactly as it was. Warnings (say, a missing Danish translation) are allowed while editing; publishing
checks the definition as strictly as the engine can (`validate_definition(..., for_publishing=True)`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import func, select

from core import audit
from core.db import db
from core.models import StaffUser
from forms.logic import OPERATORS
from forms.models import Form, FormVersion
from forms.prefill import registry
from forms.service import Problem, label_text, validate_definition

__all__ = [
    "CHOICE_TYPES",
    "CONDITION_KINDS",
    "FIELD_TYPES",
    "OPERATORS",
    "SIGNING_CHOICES",
    "BuilderError",
    "Change",
    "FieldPlace",
    "FieldSpec",
    "Rule",
    "SettingsSpec",
    "TranslatableText",
    "add_field",
    "add_page",
    "all_forms",
    "apply",
    "condition_rules",
    "create_form",
    "describe_condition",
    "describe_location",
    "diff_definitions",
    "editable_condition",
    "export_definition",
    "find_field",
    "find_form",
    "find_version",
    "import_definition",
    "iter_fields",
    "latest_version",
    "location_target",
    "missing_translations",
    "move_field",
    "move_page",
    "new_definition",
    "prefill_sources",
    "publish",
    "publishing_problems",
    "remove_field",
    "remove_page",
    "save_draft",
    "set_condition",
    "set_languages",
    "set_prefill",
    "set_translations",
    "signing_choice",
    "translatable_texts",
    "update_field",
    "update_page",
    "update_settings",
]

Definition = dict[str, Any]

FIELD_TYPES = (
    "short_text",
    "long_text",
    "number",
    "date",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "personnummer",
    "organisationsnummer",
    "email",
    "phone",
    "postcode",
    "address",
    "file_upload",
    "repeating_group",
    "consent",
    "information",
)
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
CONDITION_KINDS = {"page": ("show_when", "hide_when"), "field": ("show_when", "hide_when", "required_when")}
SIGNING_CHOICES = ("none", "bankid", "bankid_with_cosigners")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_FORM_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,79}$")
_OPTION_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_PATH_PART = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def _(message: str, **params: Any) -> str:
    """The message in the admin's language during a request; English in commands and tests without one."""
    if has_request_context():
        return gettext(message, **params)
    return message % params if params else message


class BuilderError(ValueError):
    """A change the builder refused; `problems` say where and why. The draft was not changed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


def _refuse(location: str, message: str) -> BuilderError:
    return BuilderError([Problem(location, message)])


# Finding things in a raw definition -------------------------------------------------------------------------


def _default_language(data: Mapping[str, Any]) -> str:
    return str(data.get("default_language") or data["languages"][0])


def _page_index(data: Mapping[str, Any], page_id: str) -> int:
    for index, page in enumerate(data["pages"]):
        if page["id"] == page_id:
            return index
    raise _refuse("pages", _("There is no page with the id ‘%(id)s’.", id=page_id))


@dataclass(frozen=True)
class FieldPlace:
    """Where a field sits: its page, its list of siblings, its position, and its group if it is nested."""

    page_index: int
    siblings: list[dict[str, Any]]
    position: int
    group: dict[str, Any] | None
    location: str

    @property
    def data(self) -> dict[str, Any]:
        return self.siblings[self.position]


def iter_fields(data: Mapping[str, Any]) -> Iterator[FieldPlace]:
    for page_index, page in enumerate(data["pages"]):
        for position, field_data in enumerate(page["fields"]):
            location = f"pages[{page_index}].fields[{position}]"
            yield FieldPlace(page_index, page["fields"], position, None, location)
            for nested_position, _nested in enumerate(field_data.get("fields", [])):
                yield FieldPlace(
                    page_index,
                    field_data["fields"],
                    nested_position,
                    field_data,
                    f"{location}.fields[{nested_position}]",
                )


def find_field(data: Mapping[str, Any], key: str) -> FieldPlace:
    """Where the field with this key is; BuilderError when there is none."""
    for place in iter_fields(data):
        if place.data["key"] == key:
            return place
    raise _refuse("pages", _("There is no question with the key ‘%(key)s’.", key=key))


def _all_keys(data: Mapping[str, Any]) -> set[str]:
    return {place.data["key"] for place in iter_fields(data)}


def _conditions(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every condition in the definition with its location."""
    for page_index, page in enumerate(data["pages"]):
        for name in ("show_when", "hide_when"):
            if name in page:
                yield f"pages[{page_index}].{name}", page[name]
        for position, rule in enumerate(page.get("skip_to", [])):
            yield f"pages[{page_index}].skip_to[{position}].when", rule["when"]
    for place in iter_fields(data):
        for name in ("show_when", "hide_when", "required_when"):
            if name in place.data:
                yield f"{place.location}.{name}", place.data[name]


def _referenced_fields(condition: Mapping[str, Any]) -> Iterator[str]:
    for combinator in ("all", "any"):
        if combinator in condition:
            for item in condition[combinator]:
                yield from _referenced_fields(item)
            return
    yield str(condition["field"])


def _references_to(data: Mapping[str, Any], keys: set[str]) -> list[tuple[str, str]]:
    """(location, key) for each condition or setting that uses one of `keys`."""
    found = []
    for location, condition in _conditions(data):
        for key in _referenced_fields(condition):
            if key in keys:
                found.append((location, key))
    cosigner = data.get("settings", {}).get("cosigner_field")
    if cosigner in keys:
        found.append(("settings.cosigner_field", cosigner))
    return found


# Checking a change ------------------------------------------------------------------------------------------


def _checked(data: Definition) -> Definition:
    """The changed definition if the engine finds no errors in it; otherwise BuilderError with the errors."""
    problems = validate_definition(data)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise BuilderError(errors)
    return data


def _text(existing: Mapping[str, str] | None, language: str, value: str) -> dict[str, str]:
    """A translated text with the default language's wording replaced and the other translations kept."""
    texts = dict(existing or {})
    texts[language] = value
    return texts


def _require_text(value: str, location: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(location, message)
    return value


# Creating a definition --------------------------------------------------------------------------------------


@dataclass
class FieldSpec:
    """A question as the builder's form describes it; texts are in the form's default language.

    Options are (value, label) pairs; `first_question` is the first question inside a new repeating group.
    """

    key: str
    type: str
    label: str = ""
    hint: str = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    display: str = "radio"
    validation: dict[str, Any] = field(default_factory=dict)
    entry_label: str = ""
    text: str = ""
    first_question: FieldSpec | None = None


def _field_data(
    spec: FieldSpec, language: str, existing: Mapping[str, Any] | None, location: str
) -> Definition:
    if spec.type not in FIELD_TYPES:
        raise _refuse(f"{location}.type", _("Choose a question type."))
    data: Definition = copy.deepcopy(dict(existing)) if existing is not None else {}
    data["key"] = spec.key
    data["type"] = spec.type
    if spec.type == "information":
        text = _require_text(spec.text, f"{location}.text", _("Enter the information text."))
        data["text"] = _text(data.get("text"), language, text)
        for name in ("label", "hint", "required", "required_when", "prefill", "validation"):
            data.pop(name, None)
        return data
    label = _require_text(spec.label, f"{location}.label", _("Enter the question’s label."))
    data["label"] = _text(data.get("label"), language, label)
    if spec.hint.strip():
        data["hint"] = _text(data.get("hint"), language, spec.hint.strip())
    else:
        data.pop("hint", None)
    if spec.required:
        data["required"] = True
    else:
        data.pop("required", None)
    if spec.type in CHOICE_TYPES:
        if not spec.options:
            raise _refuse(f"{location}.options", _("A choice question needs at least one option."))
        old_labels = {option["value"]: option["label"] for option in data.get("options", [])}
        options = []
        for value, option_label in spec.options:
            options.append({"value": value, "label": _text(old_labels.get(value), language, option_label)})
        data["options"] = options
    else:
        data.pop("options", None)
    if spec.type == "single_choice" and spec.display == "select":
        data["display"] = "select"
    else:
        data.pop("display", None)
    validation = {name: value for name, value in spec.validation.items() if value not in (None, "", [])}
    if "pattern_message" in validation:
        validation["pattern_message"] = _text(
            data.get("validation", {}).get("pattern_message"), language, validation["pattern_message"]
        )
    if validation:
        data["validation"] = validation
    else:
        data.pop("validation", None)
    if spec.type == "repeating_group":
        if spec.entry_label.strip():
            data["entry_label"] = _text(data.get("entry_label"), language, spec.entry_label.strip())
        else:
            data.pop("entry_label", None)
        if not data.get("fields"):
            if spec.first_question is None or not spec.first_question.key:
                raise _refuse(
                    f"{location}.fields",
                    _("A repeating group needs a first question: fill in the question asked in each entry."),
                )
            _check_new_key(spec.first_question.key, f"{location}.fields[0].key")
            if spec.first_question.type in ("repeating_group",):
                raise _refuse(
                    f"{location}.fields[0].type",
                    _("A repeating group cannot contain another repeating group."),
                )
            data["fields"] = [
                _field_data(spec.first_question, language, None, f"{location}.fields[0]"),
            ]
    else:
        data.pop("fields", None)
        data.pop("entry_label", None)
    return data


def _check_new_key(key: str, location: str) -> None:
    if not _KEY.fullmatch(key or ""):
        raise _refuse(
            location,
            _(
                "The key must start with a lower-case letter and use only lower-case letters, digits and _ "
                "(at most 63 characters)."
            ),
        )


def new_definition(
    *,
    key: str,
    title: str,
    languages: Sequence[str],
    default_language: str,
    page_title: str,
    first_question: FieldSpec,
) -> Definition:
    """A new form's first draft: one page with one question (the engine needs at least that)."""
    if not _FORM_KEY.fullmatch(key or ""):
        raise _refuse(
            "key",
            _("The form key must start with a lower-case letter and use only a–z, 0–9, - and _."),
        )
    if default_language not in languages:
        raise _refuse("languages", _("The default language must be one of the form’s languages."))
    title = _require_text(title, "title", _("Enter the form’s title."))
    page_title = _require_text(page_title, "pages[0].title", _("Enter the first page’s title."))
    _check_new_key(first_question.key, "pages[0].fields[0].key")
    ordered = [default_language] + [language for language in languages if language != default_language]
    data: Definition = {
        "schema_version": 1,
        "key": key,
        "title": {default_language: title},
        "languages": ordered,
        "default_language": default_language,
        "settings": {"anonymous_allowed": False, "requires_signature": False},
        "pages": [
            {
                "id": "start",
                "title": {default_language: page_title},
                "fields": [_field_data(first_question, default_language, None, "pages[0].fields[0]")],
            }
        ],
    }
    return _checked(data)


# Pages ------------------------------------------------------------------------------------------------------


def add_page(data: Mapping[str, Any], *, page_id: str, title: str, first_question: FieldSpec) -> Definition:
    """A new page at the end, with its first question (a page needs at least one)."""
    result = copy.deepcopy(dict(data))
    location = f"pages[{len(result['pages'])}]"
    if not _KEY.fullmatch(page_id or ""):
        raise _refuse(
            f"{location}.id",
            _("The page id must start with a lower-case letter and use only a–z, 0–9 and _."),
        )
    if any(page["id"] == page_id for page in result["pages"]):
        raise _refuse(f"{location}.id", _("There is already a page with the id ‘%(id)s’.", id=page_id))
    title = _require_text(title, f"{location}.title", _("Enter the page’s title."))
    _check_new_key(first_question.key, f"{location}.fields[0].key")
    _check_key_is_free(result, first_question.key, f"{location}.fields[0].key")
    language = _default_language(result)
    result["pages"].append(
        {
            "id": page_id,
            "title": {language: title},
            "fields": [_field_data(first_question, language, None, f"{location}.fields[0]")],
        }
    )
    return _checked(result)


def update_page(data: Mapping[str, Any], page_id: str, *, title: str, description: str) -> Definition:
    result = copy.deepcopy(dict(data))
    index = _page_index(result, page_id)
    page = result["pages"][index]
    language = _default_language(result)
    page["title"] = _text(
        page["title"], language, _require_text(title, f"pages[{index}].title", _("Enter the page’s title."))
    )
    if description.strip():
        page["description"] = _text(page.get("description"), language, description.strip())
    else:
        page.pop("description", None)
    return _checked(result)


def remove_page(data: Mapping[str, Any], page_id: str) -> Definition:
    """The definition without the page; refused while anything refers to the page or its questions."""
    result = copy.deepcopy(dict(data))
    index = _page_index(result, page_id)
    if len(result["pages"]) == 1:
        raise _refuse(
            f"pages[{index}]", _("A form needs at least one page; add another before removing this one.")
        )
    page = result["pages"][index]
    keys = {field_data["key"] for field_data in page["fields"]} | {
        nested["key"] for field_data in page["fields"] for nested in field_data.get("fields", [])
    }
    outside = [
        (location, key)
        for location, key in _references_to(result, keys)
        if not location.startswith(f"pages[{index}].")
    ]
    if outside:
        raise BuilderError(
            [
                Problem(
                    location,
                    _(
                        "uses ‘%(key)s’ on the page you want to remove; change or remove this first.",
                        key=key,
                    ),
                )
                for location, key in outside
            ]
        )
    skips_here = [
        f"pages[{other_index}].skip_to[{position}].page"
        for other_index, other in enumerate(result["pages"])
        for position, rule in enumerate(other.get("skip_to", []))
        if rule["page"] == page_id
    ]
    if skips_here:
        raise BuilderError(
            [
                Problem(location, _("skips to the page you want to remove; change this first."))
                for location in skips_here
            ]
        )
    del result["pages"][index]
    return _checked(result)


def move_page(data: Mapping[str, Any], page_id: str, direction: str) -> Definition:
    """The page moved one step up or down; refused when the move would break the form's logic."""
    result = copy.deepcopy(dict(data))
    index = _page_index(result, page_id)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(result["pages"]):
        message = _("The page is already first.") if direction == "up" else _("The page is already last.")
        raise _refuse(f"pages[{index}]", message)
    pages = result["pages"]
    pages[index], pages[target] = pages[target], pages[index]
    return _checked(result)


# Fields -----------------------------------------------------------------------------------------------------


def _check_key_is_free(data: Mapping[str, Any], key: str, location: str) -> None:
    if key in _all_keys(data):
        first = find_field(data, key)
        raise _refuse(
            location,
            _(
                "The key ‘%(key)s’ is already used by another question (%(where)s); keys must be unique in "
                "the whole form.",
                key=key,
                where=describe_location(data, first.location),
            ),
        )


def add_field(
    data: Mapping[str, Any], page_id: str, spec: FieldSpec, *, group_key: str | None = None
) -> Definition:
    """A new question at the end of a page, or at the end of a repeating group's entry."""
    result = copy.deepcopy(dict(data))
    index = _page_index(result, page_id)
    if group_key is not None:
        group_place = find_field(result, group_key)
        if group_place.data["type"] != "repeating_group" or group_place.page_index != index:
            raise _refuse("pages", _("‘%(key)s’ is not a repeating group on this page.", key=group_key))
        siblings = group_place.data["fields"]
        location = f"{group_place.location}.fields[{len(siblings)}]"
        if spec.type == "repeating_group":
            raise _refuse(f"{location}.type", _("A repeating group cannot contain another repeating group."))
    else:
        siblings = result["pages"][index]["fields"]
        location = f"pages[{index}].fields[{len(siblings)}]"
    _check_new_key(spec.key, f"{location}.key")
    _check_key_is_free(result, spec.key, f"{location}.key")
    siblings.append(_field_data(spec, _default_language(result), None, location))
    return _checked(result)


def update_field(data: Mapping[str, Any], key: str, spec: FieldSpec) -> Definition:
    """The question with new wording, options and rules; its key and type stay (delete and add to change them)."""
    result = copy.deepcopy(dict(data))
    place = find_field(result, key)
    if spec.type != place.data["type"]:
        raise _refuse(
            f"{place.location}.type",
            _("A question’s type cannot be changed; add a new question and remove this one."),
        )
    spec.key = key
    removed_options = {option["value"] for option in place.data.get("options", [])} - {
        value for value, _label in spec.options
    }
    new_data = _field_data(spec, _default_language(result), place.data, place.location)
    place.siblings[place.position] = new_data
    if removed_options:
        _refuse_conditions_on_removed_options(result, key, removed_options)
    return _checked(result)


def _refuse_conditions_on_removed_options(data: Mapping[str, Any], key: str, removed: set[str]) -> None:
    problems = []
    for location, condition in _conditions(data):
        for comparison in _comparisons(condition):
            if comparison.get("field") != key:
                continue
            values = comparison.get("value")
            used = set(values) if isinstance(values, list) else {values}
            for value in sorted(used & removed, key=str):
                problems.append(
                    Problem(
                        location,
                        _(
                            "uses the option ‘%(value)s’ of ‘%(key)s’, which you want to remove; change this "
                            "condition first.",
                            value=value,
                            key=key,
                        ),
                    )
                )
    if problems:
        raise BuilderError(problems)


def _comparisons(condition: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for combinator in ("all", "any"):
        if combinator in condition:
            for item in condition[combinator]:
                yield from _comparisons(item)
            return
    yield condition


def remove_field(data: Mapping[str, Any], key: str) -> Definition:
    """The definition without the question; refused while a condition or setting uses it."""
    result = copy.deepcopy(dict(data))
    place = find_field(result, key)
    keys = {key} | {nested["key"] for nested in place.data.get("fields", [])}
    own_prefix = place.location + "."
    references = [
        (location, used)
        for location, used in _references_to(result, keys)
        if not location.startswith(own_prefix)
    ]
    if references:
        raise BuilderError(
            [
                Problem(
                    location,
                    _("uses ‘%(key)s’, which you want to remove; change or remove this first.", key=used),
                )
                for location, used in references
            ]
        )
    if len(place.siblings) == 1:
        message = (
            _("A repeating group needs at least one question; add another before removing this one.")
            if place.group is not None
            else _("A page needs at least one question; add another or remove the whole page.")
        )
        raise _refuse(place.location, message)
    del place.siblings[place.position]
    return _checked(result)


def move_field(data: Mapping[str, Any], key: str, direction: str) -> Definition:
    """The question moved one step up or down on its page (or inside its group)."""
    result = copy.deepcopy(dict(data))
    place = find_field(result, key)
    target = place.position - 1 if direction == "up" else place.position + 1
    if direction not in ("up", "down") or not 0 <= target < len(place.siblings):
        message = (
            _("The question is already first on its page.")
            if direction == "up"
            else _("The question is already last on its page.")
        )
        raise _refuse(place.location, message)
    siblings = place.siblings
    siblings[place.position], siblings[target] = siblings[target], siblings[place.position]
    return _checked(result)


# Conditions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One row of the condition builder: a question, an operator and (unless "is answered") a value."""

    field: str
    operator: str
    value: str = ""


def _condition_value(data: Mapping[str, Any], rule: Rule, location: str) -> Any:
    target = find_field(data, rule.field).data
    field_type = target["type"]
    raw = rule.value.strip()
    label = label_text(target.get("label", {}), _default_language(data)) or rule.field
    if rule.operator == "one_of":
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        if not parts:
            raise _refuse(
                location, _("Give one or more values for ‘%(label)s’, separated by commas.", label=label)
            )
        return [_single_value(target, field_type, part, label, location) for part in parts]
    return _single_value(target, field_type, raw, label, location)


def _single_value(target: Mapping[str, Any], field_type: str, raw: str, label: str, location: str) -> Any:
    if not raw:
        raise _refuse(location, _("Give the value to compare ‘%(label)s’ with.", label=label))
    if field_type in ("yes_no", "consent"):
        lowered = raw.lower()
        if lowered in ("yes", "true", "ja", "1"):
            return True
        if lowered in ("no", "false", "nej", "0"):
            return False
        raise _refuse(
            location, _("‘%(label)s’ is answered yes or no; choose Yes or No as the value.", label=label)
        )
    if field_type == "number":
        try:
            number = float(raw.replace(" ", "").replace(",", "."))
        except ValueError:
            raise _refuse(
                location, _("‘%(label)s’ is a number; ‘%(value)s’ is not.", label=label, value=raw)
            ) from None
        return int(number) if number.is_integer() else number
    if field_type in CHOICE_TYPES:
        values = {option["value"]: option for option in target.get("options", [])}
        if raw in values:
            return raw
        for value, option in values.items():
            if raw.casefold() in (text.casefold() for text in option["label"].values()):
                return value
        raise _refuse(
            location,
            _("‘%(value)s’ is not one of the options of ‘%(label)s’.", value=raw, label=label),
        )
    return raw


def set_condition(
    data: Mapping[str, Any],
    *,
    target_kind: str,
    target: str,
    kind: str,
    rules: Sequence[Rule],
    combinator: str = "all",
) -> Definition:
    """Replace one condition (show_when, hide_when or required_when) of a page or question; no rules removes it."""
    result = copy.deepcopy(dict(data))
    if kind not in CONDITION_KINDS.get(target_kind, ()):
        raise _refuse("pages", _("Choose when the condition applies."))
    if target_kind == "page":
        index = _page_index(result, target)
        holder = result["pages"][index]
        location = f"pages[{index}].{kind}"
    else:
        place = find_field(result, target)
        holder = place.data
        location = f"{place.location}.{kind}"
    comparisons = []
    known = _all_keys(result)
    for position, rule in enumerate(rules):
        where = f"{location}[{position}]"
        if rule.field not in known:
            raise _refuse(
                where, _("The question ‘%(key)s’ no longer exists; choose another.", key=rule.field)
            )
        if rule.operator not in OPERATORS:
            raise _refuse(where, _("Choose how to compare the answer."))
        comparison: dict[str, Any] = {"field": rule.field, "operator": rule.operator}
        if rule.operator != "is_answered":
            comparison["value"] = _condition_value(result, rule, where)
        comparisons.append(comparison)
    if not comparisons:
        holder.pop(kind, None)
    elif len(comparisons) == 1:
        holder[kind] = comparisons[0]
    else:
        holder[kind] = {"any" if combinator == "any" else "all": comparisons}
    return _checked(result)


def editable_condition(condition: Mapping[str, Any] | None) -> tuple[str, list[Rule]] | None:
    """A condition as (combinator, rows) for the condition builder; None when it nests deeper than that."""
    if condition is None:
        return "all", []
    for combinator in ("all", "any"):
        if combinator in condition:
            rows = []
            for item in condition[combinator]:
                if "all" in item or "any" in item:
                    return None
                rows.append(_rule_of(item))
            return combinator, rows
    return "all", [_rule_of(condition)]


def condition_rules(condition: Mapping[str, Any] | None) -> list[Rule]:
    editable = editable_condition(condition)
    return editable[1] if editable is not None else []


def _rule_of(comparison: Mapping[str, Any]) -> Rule:
    value = comparison.get("value")
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list):
        text = ", ".join(str(item) for item in value)
    elif value is None:
        text = ""
    else:
        text = str(value)
    return Rule(str(comparison["field"]), str(comparison["operator"]), text)


def describe_condition(data: Mapping[str, Any], condition: Mapping[str, Any], language: str) -> str:
    """A condition as a sentence: "‘Type of fault’ is ‘Something else’ and ‘Dangerous’ is Yes"."""
    for combinator, joiner in (("all", _(" and ")), ("any", _(" or "))):
        if combinator in condition:
            parts = [describe_condition(data, item, language) for item in condition[combinator]]
            return joiner.join(
                f"({part})" if ("all" in item or "any" in item) else part
                for part, item in zip(parts, condition[combinator], strict=True)
            )
    key = str(condition["field"])
    try:
        target = find_field(data, key).data
        label = label_text(target.get("label", {}), language) or key
    except BuilderError:
        target, label = {}, key
    operator = condition["operator"]
    value = condition.get("value")
    shown_value = _shown_value(target, value, language)
    sentences = {
        "equals": _("‘%(label)s’ is %(value)s"),
        "not_equals": _("‘%(label)s’ is not %(value)s"),
        "one_of": _("‘%(label)s’ is one of %(value)s"),
        "greater_than": _("‘%(label)s’ is more than %(value)s"),
        "less_than": _("‘%(label)s’ is less than %(value)s"),
        "is_answered": _("‘%(label)s’ is answered"),
    }
    return sentences.get(operator, "%(label)s %(value)s") % {"label": label, "value": shown_value}


def _shown_value(target: Mapping[str, Any], value: Any, language: str) -> str:
    if isinstance(value, list):
        return ", ".join(_shown_value(target, item, language) for item in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    for option in target.get("options", []):
        if option["value"] == value:
            return f"‘{label_text(option['label'], language)}’"
    return f"‘{value}’" if isinstance(value, str) else str(value)


# Prefill ----------------------------------------------------------------------------------------------------


def prefill_sources() -> dict[str, list[str]]:
    """The registered prefill providers and what each can supply, for the prefill dropdowns."""
    return {source: sorted(attributes) for source, attributes in sorted(registry.catalogue().items())}


def set_prefill(
    data: Mapping[str, Any], key: str, *, source: str | None, attribute: str | None, locked: bool
) -> Definition:
    """Fill a question from a register or the resident's profile, or (source None) stop prefilling it."""
    result = copy.deepcopy(dict(data))
    place = find_field(result, key)
    if place.data["type"] == "information":
        raise _refuse(f"{place.location}.prefill", _("Information text cannot be prefilled."))
    if not source:
        place.data.pop("prefill", None)
        return _checked(result)
    if not attribute:
        raise _refuse(f"{place.location}.prefill.attribute", _("Choose what to fill the question with."))
    spec: dict[str, Any] = {"attribute": attribute}
    group_source = (place.group or {}).get("prefill", {}).get("source")
    if group_source is None:
        spec = {"source": source, "attribute": attribute}
    elif source != group_source:
        raise _refuse(
            f"{place.location}.prefill.source",
            _(
                "Questions in this group are filled from the group’s source (%(source)s).",
                source=group_source,
            ),
        )
    if locked:
        spec["locked"] = True
    place.data["prefill"] = spec
    return _checked(result)


# Settings ---------------------------------------------------------------------------------------------------


@dataclass
class SettingsSpec:
    """The form-wide settings as the settings page edits them; texts in the default language."""

    anonymous_allowed: bool = False
    signing: str = "none"
    cosigner_field: str | None = None
    draft_retention_days: int | None = None
    case_retention_days: int | None = None
    confirmation_text: str = ""
    satisfaction_rating: bool = False


def signing_choice(settings: Mapping[str, Any]) -> str:
    """Which of SIGNING_CHOICES the settings amount to."""
    if not settings.get("requires_signature"):
        return "none"
    return "bankid_with_cosigners" if settings.get("cosigner_field") else "bankid"


def update_settings(data: Mapping[str, Any], spec: SettingsSpec) -> Definition:
    result = copy.deepcopy(dict(data))
    settings = dict(result.get("settings", {}))
    language = _default_language(result)
    if spec.signing not in SIGNING_CHOICES:
        raise _refuse("settings.requires_signature", _("Choose how the form is signed."))
    if spec.anonymous_allowed and spec.signing != "none":
        raise _refuse(
            "settings.anonymous_allowed",
            _("A form that must be signed cannot be filed anonymously: signing identifies the person."),
        )
    settings["anonymous_allowed"] = spec.anonymous_allowed
    settings["requires_signature"] = spec.signing != "none"
    if spec.signing == "bankid_with_cosigners":
        if not spec.cosigner_field:
            raise _refuse(
                "settings.cosigner_field", _("Choose the personnummer question that names the co-signers.")
            )
        settings["cosigner_field"] = spec.cosigner_field
    else:
        settings.pop("cosigner_field", None)
    for name in ("draft_retention_days", "case_retention_days"):
        value = getattr(spec, name)
        if value in (None, ""):
            settings.pop(name, None)
        else:
            settings[name] = value
    if spec.confirmation_text.strip():
        settings["confirmation_text"] = _text(
            settings.get("confirmation_text"), language, spec.confirmation_text.strip()
        )
    else:
        settings.pop("confirmation_text", None)
    if spec.satisfaction_rating:
        settings["satisfaction_rating"] = True
    else:
        settings.pop("satisfaction_rating", None)
    result["settings"] = settings
    return _checked(result)


# Languages and translations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslatableText:
    """One text of the definition in every language it has, with where it is and what it belongs to."""

    path: str
    context: str
    texts: Mapping[str, str]
    multiline: bool = False


def translatable_texts(data: Mapping[str, Any]) -> list[TranslatableText]:
    """Every translated text of the form, in reading order."""
    language = _default_language(data)
    found = [TranslatableText("title", _("Form title"), data["title"])]
    if "description" in data:
        found.append(TranslatableText("description", _("Form description"), data["description"], True))
    confirmation = data.get("settings", {}).get("confirmation_text")
    if confirmation:
        found.append(
            TranslatableText("settings.confirmation_text", _("Confirmation text"), confirmation, True)
        )
    for page_index, page in enumerate(data["pages"]):
        page_name = _("Page %(number)d", number=page_index + 1)
        found.append(
            TranslatableText(
                f"pages[{page_index}].title", _("%(page)s: title", page=page_name), page["title"]
            )
        )
        if "description" in page:
            found.append(
                TranslatableText(
                    f"pages[{page_index}].description",
                    _("%(page)s: description", page=page_name),
                    page["description"],
                    True,
                )
            )
    for place in iter_fields(data):
        field_data = place.data
        name = label_text(field_data.get("label") or field_data.get("text", {}), language)[:60]
        context = f"{field_data['key']} ({name})"
        for part, part_name, multiline in (
            ("label", _("label"), False),
            ("hint", _("hint"), False),
            ("text", _("information text"), True),
            ("entry_label", _("entry name"), False),
        ):
            if part in field_data:
                found.append(
                    TranslatableText(
                        f"{place.location}.{part}", f"{context}: {part_name}", field_data[part], multiline
                    )
                )
        for position, option in enumerate(field_data.get("options", [])):
            found.append(
                TranslatableText(
                    f"{place.location}.options[{position}].label",
                    _("%(question)s: option %(value)s", question=context, value=option["value"]),
                    option["label"],
                )
            )
        pattern_message = field_data.get("validation", {}).get("pattern_message")
        if pattern_message:
            found.append(
                TranslatableText(
                    f"{place.location}.validation.pattern_message",
                    _("%(question)s: format message", question=context),
                    pattern_message,
                )
            )
    # Texts are found in reading order, which puts the page titles ahead of their questions.
    return sorted(found, key=lambda text: _reading_order(text.path))


def _reading_order(path: str) -> tuple[int, ...]:
    if not path.startswith("pages["):
        return (-1,)
    positions = [int(number) for number in re.findall(r"\[(\d+)\]", path)]
    return (*positions, 0 if path.endswith("title") else 1)


def missing_translations(data: Mapping[str, Any]) -> dict[str, list[TranslatableText]]:
    """For each of the form's languages, the texts that have no translation in it yet."""
    texts = translatable_texts(data)
    return {
        language: [text for text in texts if not text.texts.get(language)] for language in data["languages"]
    }


def _resolve(data: Any, path: str) -> dict[str, str]:
    node = data
    for part in path.split("."):
        match = _PATH_PART.fullmatch(part)
        if match is None:
            raise KeyError(path)
        node = node[match.group(1)]
        if match.group(2) is not None:
            node = node[int(match.group(2))]
    if not isinstance(node, dict):
        raise KeyError(path)
    return node


def set_translations(data: Mapping[str, Any], language: str, texts: Mapping[str, str]) -> Definition:
    """Store translations into `language` by text path; an empty text removes that translation."""
    result = copy.deepcopy(dict(data))
    if language not in result["languages"]:
        raise _refuse("languages", _("‘%(language)s’ is not one of the form’s languages.", language=language))
    default = _default_language(result)
    known = {text.path for text in translatable_texts(result)}
    for path, value in texts.items():
        if path not in known:
            raise _refuse(path, _("The form has no text here any more; reload the page."))
        target = _resolve(result, path)
        value = value.strip()
        if value:
            target[language] = value
        elif language == default:
            raise _refuse(path, _("A text cannot be empty in the default language."))
        else:
            target.pop(language, None)
    return _checked(result)


def set_languages(data: Mapping[str, Any], languages: Sequence[str], default_language: str) -> Definition:
    """Which languages the form is offered in; texts in a language that is dropped are removed with it."""
    result = copy.deepcopy(dict(data))
    if not languages:
        raise _refuse("languages", _("Choose at least one language."))
    if default_language not in languages:
        raise _refuse("default_language", _("The default language must be one of the form’s languages."))
    missing_default = [
        text.path for text in translatable_texts(result) if not text.texts.get(default_language)
    ]
    if missing_default:
        raise BuilderError(
            [
                Problem(
                    path,
                    _(
                        "has no text in %(language)s, so it cannot be the default language yet.",
                        language=default_language,
                    ),
                )
                for path in missing_default
            ]
        )
    dropped = set(result["languages"]) - set(languages)
    for text in translatable_texts(result):
        target = _resolve(result, text.path)
        for language in dropped:
            target.pop(language, None)
    result["languages"] = [default_language] + [
        language for language in languages if language != default_language
    ]
    result["default_language"] = default_language
    return _checked(result)


# Describing locations ---------------------------------------------------------------------------------------


def describe_location(data: Mapping[str, Any], location: str, language: str | None = None) -> str:
    """A problem's location as people read it: "Page 2 ‘Your child’ › question ‘Child’s name’ › show condition"."""
    language = language or _default_language(data)
    parts: list[str] = []
    node: Any = data
    names = {
        "show_when": _("show condition"),
        "hide_when": _("hide condition"),
        "required_when": _("required condition"),
        "skip_to": _("skip rule"),
        "settings": _("settings"),
        "title": _("title"),
        "label": _("label"),
        "options": _("options"),
        "prefill": _("prefill"),
        "validation": _("validation"),
        "languages": _("languages"),
        "cosigner_field": _("co-signers"),
        "confirmation_text": _("confirmation text"),
    }
    for part in location.split("."):
        match = _PATH_PART.fullmatch(part)
        if match is None:
            break
        name, index = match.group(1), match.group(2)
        child = node.get(name) if isinstance(node, Mapping) else None
        if name == "pages" and index is not None and isinstance(child, list) and int(index) < len(child):
            node = child[int(index)]
            parts.append(
                _(
                    "Page %(number)d ‘%(title)s’",
                    number=int(index) + 1,
                    title=label_text(node["title"], language),
                )
            )
        elif name == "fields" and index is not None and isinstance(child, list) and int(index) < len(child):
            node = child[int(index)]
            title = label_text(node.get("label") or node.get("text") or {}, language) or node.get("key", "")
            parts.append(_("question ‘%(label)s’", label=title[:60]))
        elif name in ("form",):
            parts.append(_("the form"))
            break
        else:
            parts.append(names.get(name, name))
            if name in ("all", "any") or child is None:
                break
            node = child
            if index is not None and isinstance(node, list) and int(index) < len(node):
                node = node[int(index)]
    return " › ".join(parts) if parts else _("the form")


def location_target(data: Mapping[str, Any], location: str) -> tuple[str, str | None]:
    """What a location is about, for a link to where it can be fixed: ("field", key), ("page", id),
    ("settings", None), ("translations", None) or ("form", None)."""
    match = re.match(r"pages\[(\d+)\](?:\.fields\[(\d+)\](?:\.fields\[(\d+)\])?)?", location)
    if match is not None:
        try:
            page = data["pages"][int(match.group(1))]
            if match.group(2) is None:
                return "page", str(page["id"])
            field_data = page["fields"][int(match.group(2))]
            if match.group(3) is not None:
                field_data = field_data["fields"][int(match.group(3))]
            return "field", str(field_data["key"])
        except (IndexError, KeyError, TypeError):
            return "form", None
    if location.startswith("settings"):
        return "settings", None
    if location.startswith(("languages", "default_language")):
        return "translations", None
    return "form", None


# Diff -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One readable difference between two versions: what changed, where, and from what to what."""

    kind: str  # "added", "removed", "changed" or "moved"
    subject: str
    detail: str = ""
    before: str | None = None
    after: str | None = None


def diff_definitions(old: Mapping[str, Any], new: Mapping[str, Any], language: str) -> list[Change]:
    """The differences between two definitions, field by field: added and removed pages and questions, and
    changed texts (per language), options, conditions, validation, prefill and settings."""
    changes: list[Change] = []
    form_subject = _("The form")
    _diff_texts(changes, form_subject, _("Title"), old.get("title"), new.get("title"))
    _diff_texts(changes, form_subject, _("Description"), old.get("description"), new.get("description"))
    if list(old.get("languages", [])) != list(new.get("languages", [])):
        changes.append(
            Change(
                "changed",
                form_subject,
                _("Languages"),
                ", ".join(old["languages"]),
                ", ".join(new["languages"]),
            )
        )
    _diff_settings(changes, old.get("settings", {}), new.get("settings", {}), old, new, language)

    old_pages = {page["id"]: (index, page) for index, page in enumerate(old["pages"])}
    new_pages = {page["id"]: (index, page) for index, page in enumerate(new["pages"])}
    for page_id, (_index, page) in old_pages.items():
        if page_id not in new_pages:
            changes.append(Change("removed", _page_subject(page, language)))
    old_order = [page_id for page_id in old_pages if page_id in new_pages]
    new_order = [page_id for page_id in new_pages if page_id in old_pages]
    for page_id, (index, page) in new_pages.items():
        subject = _page_subject(page, language)
        if page_id not in old_pages:
            changes.append(Change("added", subject, _("Page %(number)d", number=index + 1)))
            continue
        old_page = old_pages[page_id][1]
        if old_order.index(page_id) != new_order.index(page_id):
            changes.append(
                Change("moved", subject, _("Position"), str(old_pages[page_id][0] + 1), str(index + 1))
            )
        _diff_texts(changes, subject, _("Title"), old_page.get("title"), page.get("title"))
        _diff_texts(changes, subject, _("Description"), old_page.get("description"), page.get("description"))
        for name, label in (("show_when", _("Shown when")), ("hide_when", _("Hidden when"))):
            _diff_condition(changes, subject, label, old_page.get(name), page.get(name), old, new, language)
        if old_page.get("skip_to") != page.get("skip_to"):
            changes.append(
                Change(
                    "changed",
                    subject,
                    _("Skip rules"),
                    _json(old_page.get("skip_to")),
                    _json(page.get("skip_to")),
                )
            )

    old_fields = {place.data["key"]: place for place in iter_fields(old)}
    new_fields = {place.data["key"]: place for place in iter_fields(new)}
    for key, place in old_fields.items():
        if key not in new_fields:
            changes.append(
                Change("removed", _field_subject(place.data, language), _where(old, place, language))
            )
    for key, place in new_fields.items():
        subject = _field_subject(place.data, language)
        if key not in old_fields:
            changes.append(Change("added", subject, _where(new, place, language)))
            continue
        old_place = old_fields[key]
        before, after = old_place.data, place.data
        old_where, new_where = _where(old, old_place, language), _where(new, place, language)
        if old_where != new_where:
            changes.append(Change("moved", subject, _("Place"), old_where, new_where))
        if before["type"] != after["type"]:
            changes.append(Change("changed", subject, _("Type"), before["type"], after["type"]))
        for name, label in (
            ("label", _("Label")),
            ("hint", _("Hint")),
            ("text", _("Information text")),
            ("entry_label", _("Entry name")),
        ):
            _diff_texts(changes, subject, label, before.get(name), after.get(name))
        if bool(before.get("required")) != bool(after.get("required")):
            changes.append(
                Change(
                    "changed",
                    subject,
                    _("Required"),
                    _("Yes") if before.get("required") else _("No"),
                    _("Yes") if after.get("required") else _("No"),
                )
            )
        _diff_options(changes, subject, before.get("options", []), after.get("options", []), language)
        if before.get("display", "radio") != after.get("display", "radio"):
            changes.append(
                Change(
                    "changed",
                    subject,
                    _("Shown as"),
                    before.get("display", "radio"),
                    after.get("display", "radio"),
                )
            )
        for name, label in (
            ("show_when", _("Shown when")),
            ("hide_when", _("Hidden when")),
            ("required_when", _("Required when")),
        ):
            _diff_condition(changes, subject, label, before.get(name), after.get(name), old, new, language)
        if before.get("validation") != after.get("validation"):
            changes.append(
                Change(
                    "changed",
                    subject,
                    _("Validation"),
                    _json(before.get("validation")),
                    _json(after.get("validation")),
                )
            )
        if before.get("prefill") != after.get("prefill"):
            changes.append(
                Change(
                    "changed",
                    subject,
                    _("Prefill"),
                    _json(before.get("prefill")),
                    _json(after.get("prefill")),
                )
            )
    return changes


def _json(value: Any) -> str:
    if value is None:
        return _("none")
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _page_subject(page: Mapping[str, Any], language: str) -> str:
    return _("Page ‘%(title)s’", title=label_text(page["title"], language))


def _field_subject(field_data: Mapping[str, Any], language: str) -> str:
    text = label_text(field_data.get("label") or field_data.get("text") or {}, language)[:80]
    return _("Question ‘%(label)s’ (%(key)s)", label=text, key=field_data["key"])


def _where(data: Mapping[str, Any], place: FieldPlace, language: str) -> str:
    page = data["pages"][place.page_index]
    where = _("on page ‘%(title)s’", title=label_text(page["title"], language))
    if place.group is not None:
        group_label = label_text(place.group.get("label", {}), language)
        where = _("%(where)s, in the group ‘%(group)s’", where=where, group=group_label)
    return where


def _diff_texts(
    changes: list[Change],
    subject: str,
    label: str,
    before: Mapping[str, str] | None,
    after: Mapping[str, str] | None,
) -> None:
    before, after = before or {}, after or {}
    for language in sorted(set(before) | set(after)):
        if before.get(language) != after.get(language):
            changes.append(
                Change(
                    "changed",
                    subject,
                    f"{label} ({language})",
                    before.get(language) or _("none"),
                    after.get(language) or _("none"),
                )
            )


def _diff_options(
    changes: list[Change],
    subject: str,
    before: list[Mapping[str, Any]],
    after: list[Mapping[str, Any]],
    language: str,
) -> None:
    old_options = {option["value"]: option for option in before}
    new_options = {option["value"]: option for option in after}
    for value, option in old_options.items():
        if value not in new_options:
            changes.append(
                Change(
                    "removed", subject, _("Option ‘%(label)s’", label=label_text(option["label"], language))
                )
            )
    for value, option in new_options.items():
        name = _("Option ‘%(label)s’", label=label_text(option["label"], language))
        if value not in old_options:
            changes.append(Change("added", subject, name))
        else:
            _diff_texts(changes, subject, name, old_options[value]["label"], option["label"])
    if [value for value in old_options if value in new_options] != [
        value for value in new_options if value in old_options
    ]:
        changes.append(
            Change(
                "moved",
                subject,
                _("Order of options"),
                ", ".join(label_text(option["label"], language) for option in before),
                ", ".join(label_text(option["label"], language) for option in after),
            )
        )


def _diff_condition(
    changes: list[Change],
    subject: str,
    label: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    language: str,
) -> None:
    if before == after:
        return
    changes.append(
        Change(
            "changed" if before and after else ("added" if after else "removed"),
            subject,
            label,
            describe_condition(old, before, language) if before else _("always"),
            describe_condition(new, after, language) if after else _("always"),
        )
    )


def _diff_settings(
    changes: list[Change],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    language: str,
) -> None:
    subject = _("Settings")
    labels: dict[str, str] = {
        "anonymous_allowed": _("Can be filed without logging in"),
        "requires_signature": _("Must be signed with BankID"),
        "cosigner_field": _("Co-signers named by"),
        "draft_retention_days": _("Days drafts are kept"),
        "case_retention_days": _("Days cases are kept"),
        "satisfaction_rating": _("Satisfaction question on the confirmation page"),
        "one_question_per_page": _("One question per page"),
    }
    for name, label in labels.items():
        if before.get(name) != after.get(name):
            changes.append(
                Change(
                    "changed", subject, label, _setting_text(before.get(name)), _setting_text(after.get(name))
                )
            )
    _diff_texts(
        changes,
        subject,
        _("Confirmation text"),
        before.get("confirmation_text"),
        after.get("confirmation_text"),
    )


def _setting_text(value: Any) -> str:
    if value is None:
        return _("not set")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


# Forms, drafts and versions in the database -----------------------------------------------------------------


def all_forms() -> list[Form]:
    return list(db.scalars(select(Form).order_by(Form.key)))


def find_form(key: str) -> Form | None:
    return db.scalar(select(Form).where(Form.key == key))


def find_version(form: Form, number: int) -> FormVersion | None:
    return db.scalar(select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.version == number))


def create_form(definition: Mapping[str, Any]) -> Form:
    """A new form whose draft is `definition` (already checked); refused when the key is taken."""
    key = str(definition["key"])
    if find_form(key) is not None:
        raise _refuse("key", _("There is already a form with the key ‘%(key)s’.", key=key))
    form = Form(key=key, title=dict(definition["title"]), draft_definition=copy.deepcopy(dict(definition)))
    db.add(form)
    db.flush()
    audit.record("form.created", "form", form.id, details={"key": key})
    return form


def save_draft(
    form: Form, definition: Mapping[str, Any], change: str, details: Mapping[str, Any] | None = None
) -> None:
    """Keep a changed draft and write who changed what to the audit log."""
    form.draft_definition = copy.deepcopy(dict(definition))
    form.title = dict(definition["title"])
    db.flush()
    audit.record(
        "form.draft_changed", "form", form.id, details={"key": form.key, "change": change, **(details or {})}
    )


def latest_version(form: Form) -> FormVersion | None:
    return db.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == form.id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


def publishing_problems(form: Form) -> list[Problem]:
    """Everything that stops the draft from being published, each pointing at its cause."""
    data = form.draft_definition
    problems = [
        problem for problem in validate_definition(data, for_publishing=True) if problem.severity == "error"
    ]
    if problems:
        return problems
    latest = latest_version(form)
    if latest is not None and latest.definition == data:
        problems.append(
            Problem(
                "form",
                _("nothing has changed since version %(number)d was published.", number=latest.version),
            )
        )
    return problems


def publish(form: Form, *, change_note: str, publisher: StaffUser) -> FormVersion:
    """Publish the draft as the next immutable version; BuilderError (nothing published) when it is not ready."""
    note = change_note.strip()
    if not note:
        raise _refuse("change_note", _("Describe what changed, for the version history."))
    problems = publishing_problems(form)
    if problems:
        raise BuilderError(problems)
    number = (db.scalar(select(func.max(FormVersion.version)).where(FormVersion.form_id == form.id)) or 0) + 1
    version = FormVersion(
        form_id=form.id,
        version=number,
        definition=copy.deepcopy(form.draft_definition),
        published_by_id=publisher.id,
        change_note=note,
    )
    db.add(version)
    db.flush()
    audit.record(
        "form.published", "form", form.id, details={"key": form.key, "version": number, "change_note": note}
    )
    return version


def export_definition(form: Form, version: FormVersion | None = None) -> str:
    """The draft (or a published version) as a JSON file in the engine's schema."""
    data = version.definition if version is not None else form.draft_definition
    audit.record(
        "form.exported",
        "form",
        form.id,
        details={"key": form.key, "version": version.version if version is not None else "draft"},
    )
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def import_definition(text: str | bytes, *, into: Form | None = None) -> Form:
    """Import a JSON file: a new form, or (into) a replacement of an existing form's draft.

    Published versions are never touched: an import only ever becomes a draft. Invalid JSON, a definition the
    engine rejects, or a key that clashes with another form raise BuilderError and change nothing.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise _refuse("file", _("The file is not valid JSON: %(error)s", error=str(error))) from None
    if not isinstance(data, dict):
        raise _refuse("file", _("The file does not contain a form definition (a JSON object)."))
    errors = [problem for problem in validate_definition(data) if problem.severity == "error"]
    if errors:
        raise BuilderError(errors)
    if into is None:
        return create_form(data)
    if data["key"] != into.key:
        raise _refuse(
            "key",
            _(
                "The file is the form ‘%(file_key)s’, not ‘%(key)s’; import it as a new form instead.",
                file_key=data["key"],
                key=into.key,
            ),
        )
    into.draft_definition = data
    into.title = dict(data["title"])
    db.flush()
    audit.record("form.imported", "form", into.id, details={"key": into.key})
    return into


def apply(form: Form, change: Callable[[Definition], Definition], description: str, **details: Any) -> None:
    """Run one builder change on the form's draft and keep it (BuilderError leaves the draft as it was)."""
    save_draft(form, change(copy.deepcopy(form.draft_definition)), description, details)
