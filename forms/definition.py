"""Form definitions: loading JSON, checking it against the JSON Schema and for meaning (unknown
references, cycles, operators that do not fit a field, missing translations), and the immutable objects the
engine works on.
"""

from __future__ import annotations

import datetime as dt
import graphlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator

from core.clock import now
from forms.logic import (
    PAGE_NODE_PREFIX,
    AllOf,
    Comparison,
    Condition,
    iter_comparisons,
    page_node,
    parse_condition,
)

SCHEMA_PATH = Path(__file__).parent / "schema" / "form-definition.schema.json"

Translated = Mapping[str, str]
Severity = Literal["error", "warning"]

CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
BOOLEAN_TYPES = frozenset({"yes_no", "consent"})
ORDERED_TYPES = frozenset({"number", "date"})
TEXT_TYPES = frozenset(
    {"short_text", "long_text", "personnummer", "organisationsnummer", "email", "phone", "postcode"}
)
ANSWERED_ONLY_TYPES = frozenset({"address", "file_upload", "repeating_group"})
"""Answers too structured to compare with a value; conditions can only ask whether they are answered."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a definition, located like "pages[1].fields[3].show_when"."""

    location: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class DefinitionError(ValueError):
    """A definition that cannot be used; `problems` says precisely why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: Translated


@dataclass(frozen=True, slots=True)
class PrefillSpec:
    """Where a field's initial value comes from; nested fields inherit the source of their group."""

    source: str
    attribute: str
    locked: bool


@dataclass(frozen=True, eq=False)
class Field:
    key: str
    type: str
    location: str
    page_id: str
    label: Translated
    hint: Translated
    required: bool
    show_when: Condition | None
    hide_when: Condition | None
    required_when: Condition | None
    prefill: PrefillSpec | None
    validation: Mapping[str, Any]
    options: tuple[Option, ...] = ()
    display: str = "radio"
    text: Translated = dataclass_field(default_factory=dict)
    entry_label: Translated = dataclass_field(default_factory=dict)
    fields: tuple[Field, ...] = ()
    group_key: str | None = None
    pattern: re.Pattern[str] | None = None

    @property
    def nested_keys(self) -> frozenset[str]:
        return frozenset(nested.key for nested in self.fields)

    @property
    def option_values(self) -> frozenset[str]:
        return frozenset(option.value for option in self.options)

    @property
    def is_input(self) -> bool:
        return self.type != "information"


@dataclass(frozen=True, slots=True)
class SkipRule:
    """After `from_page`, when the condition holds, go straight to `to_page`, skipping the pages between."""

    from_page: str
    to_page: str
    when: Condition


@dataclass(frozen=True, eq=False)
class Page:
    id: str
    index: int
    location: str
    title: Translated
    description: Translated
    fields: tuple[Field, ...]
    show_when: Condition | None
    hide_when: Condition | None
    skip_to: tuple[SkipRule, ...]


class FormDefinition:
    """A checked, immutable form definition with its logic's dependency order worked out once."""

    def __init__(
        self,
        raw: Mapping[str, Any],
        pages: tuple[Page, ...],
        fields: Mapping[str, Field],
        node_plans: Mapping[str, tuple[str, ...]],
        page_plans: Mapping[str, tuple[str, ...]],
        group_orders: Mapping[str, tuple[str, ...]],
        skips: Mapping[str, tuple[SkipRule, ...]],
        warnings: list[Problem],
    ) -> None:
        self.raw = raw
        self.key: str = raw["key"]
        self.title: Translated = raw["title"]
        self.description: Translated = raw.get("description", {})
        self.languages: tuple[str, ...] = tuple(raw["languages"])
        self.default_language: str = raw.get("default_language", self.languages[0])
        self.settings: Mapping[str, Any] = raw.get("settings", {})
        self.pages = pages
        self._pages = {page.id: page for page in pages}
        self._fields = fields
        self._node_plans = node_plans
        self._page_plans = page_plans
        self._group_orders = group_orders
        self._skips = skips
        self.warnings = warnings

    @property
    def anonymous_allowed(self) -> bool:
        return bool(self.settings.get("anonymous_allowed", False))

    @property
    def requires_signature(self) -> bool:
        """Whether the applicant must sign the answers (with BankID, or on paper when an agent files)."""
        return bool(self.settings.get("requires_signature", False))

    def page(self, page_id: str) -> Page:
        """The page with this id; KeyError for an unknown (e.g. forged) id."""
        return self._pages[page_id]

    def has_page(self, page_id: str) -> bool:
        return page_id in self._pages

    def field(self, key: str) -> Field:
        """Any field by key, including fields inside repeating groups."""
        return self._fields[key]

    def fields(self) -> Iterator[Field]:
        return iter(self._fields.values())

    def page_plan(self, page_id: str) -> tuple[str, ...]:
        """Every node a page's logic depends on, in evaluation order."""
        return self._page_plans[page_id]

    def node_plan(self, key: str) -> tuple[str, ...]:
        return self._node_plans[key]

    def group_order(self, group_key: str) -> tuple[str, ...]:
        return self._group_orders[group_key]

    def skips_over(self, page_id: str) -> tuple[SkipRule, ...]:
        return self._skips.get(page_id, ())


@cache
def _schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _location(path: Iterator[Any] | Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "form"


def read_json(source: Mapping[str, Any] | str | bytes | Path) -> Any:
    """A definition given as parsed JSON, JSON text or a file path."""
    if isinstance(source, Path):
        return json.loads(source.read_text(encoding="utf-8"))
    if isinstance(source, str | bytes):
        return json.loads(source)
    return source


def check_definition(
    data: Any,
    *,
    for_publishing: bool = False,
    prefill_sources: Mapping[str, frozenset[str]] | None = None,
) -> tuple[FormDefinition | None, list[Problem]]:
    """Check a definition's structure and meaning; the built definition comes back only when nothing is wrong.

    Missing translations are warnings while a form is edited and errors when it is about to be published.
    `prefill_sources` maps each known prefill provider to its attributes; None skips that check.
    """
    validator = _schema_validator()
    schema_problems = sorted(
        (Problem(_location(error.absolute_path), error.message) for error in validator.iter_errors(data)),
        key=lambda problem: problem.location,
    )
    if schema_problems:
        return None, schema_problems
    builder = _Builder(data, for_publishing, prefill_sources)
    definition = builder.build()
    errors = [problem for problem in builder.problems if problem.severity == "error"]
    if errors:
        return None, builder.problems
    return definition, builder.problems


class _Builder:
    """Builds the definition objects and collects every semantic problem on the way."""

    def __init__(
        self,
        data: Mapping[str, Any],
        for_publishing: bool,
        prefill_sources: Mapping[str, frozenset[str]] | None,
    ) -> None:
        self.data = data
        self.translation_severity: Severity = "error" if for_publishing else "warning"
        # Problems an editor may pass through on the way to a finished form, but that must not be published.
        self.publishing_severity: Severity = "error" if for_publishing else "warning"
        self.prefill_sources = prefill_sources
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = tuple(data["languages"])
        self.default_language: str = data.get("default_language", self.languages[0])
        self.fields: dict[str, Field] = {}
        self.field_locations: dict[str, str] = {}
        self.field_data: dict[str, Mapping[str, Any]] = {}

    def problem(self, location: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(location, message, severity))

    # Building ---------------------------------------------------------------------------------------------

    def build(self) -> FormDefinition:
        data = self.data
        if self.default_language not in self.languages:
            self.problem("default_language", f"'{self.default_language}' is not among the form's languages")
        self.check_translations(data["title"], "title")
        if "description" in data:
            self.check_translations(data["description"], "description")
        page_locations: dict[str, str] = {}
        raw_pages: list[tuple[int, Mapping[str, Any], str]] = []
        for index, page_data in enumerate(data["pages"]):
            location = f"pages[{index}]"
            page_id = page_data["id"]
            if page_id in page_locations:
                self.problem(
                    f"{location}.id",
                    f"duplicate page id '{page_id}' (first used at {page_locations[page_id]})",
                )
            else:
                page_locations[page_id] = location
            raw_pages.append((index, page_data, location))

        built_pages: list[Page] = []
        for index, page_data, location in raw_pages:
            fields = tuple(
                self.build_field(field_data, f"{location}.fields[{position}]", page_data["id"], None)
                for position, field_data in enumerate(page_data["fields"])
            )
            self.check_translations(page_data["title"], f"{location}.title")
            if "description" in page_data:
                self.check_translations(page_data["description"], f"{location}.description")
            built_pages.append(
                Page(
                    id=page_data["id"],
                    index=index,
                    location=location,
                    title=page_data["title"],
                    description=page_data.get("description", {}),
                    fields=fields,
                    show_when=self.condition(page_data, "show_when"),
                    hide_when=self.condition(page_data, "hide_when"),
                    skip_to=tuple(
                        SkipRule(page_data["id"], rule["page"], parse_condition(rule["when"]))
                        for rule in page_data.get("skip_to", [])
                    ),
                )
            )
        pages = tuple(built_pages)
        self.check_references(pages)
        self.check_settings(data.get("settings", {}))
        skips = self.check_skips(pages, page_locations)
        self.check_reachable(pages)
        node_plans, page_plans, group_orders = self.dependency_order(pages, skips)
        warnings = [problem for problem in self.problems if problem.severity == "warning"]
        return FormDefinition(data, pages, self.fields, node_plans, page_plans, group_orders, skips, warnings)

    @staticmethod
    def condition(data: Mapping[str, Any], name: str) -> Condition | None:
        return parse_condition(data[name]) if name in data else None

    def build_field(self, data: Mapping[str, Any], location: str, page_id: str, group: Field | None) -> Field:
        key = data["key"]
        field_type = data["type"]
        if key in self.field_locations:
            self.problem(
                f"{location}.key", f"duplicate field key '{key}' (first used at {self.field_locations[key]})"
            )
        else:
            self.field_locations[key] = location
            self.field_data[key] = data
        group_key = group.key if group is not None else None
        validation = data.get("validation", {})
        self.check_validation(field_type, validation, location)
        for name in ("label", "hint", "text", "entry_label"):
            if name in data:
                self.check_translations(data[name], f"{location}.{name}")
        if "pattern_message" in validation:
            self.check_translations(validation["pattern_message"], f"{location}.validation.pattern_message")
        options = tuple(Option(option["value"], option["label"]) for option in data.get("options", []))
        seen_options: set[str] = set()
        for position, option in enumerate(options):
            self.check_translations(option.label, f"{location}.options[{position}].label")
            if option.value in seen_options:
                self.problem(
                    f"{location}.options[{position}].value", f"duplicate option value '{option.value}'"
                )
            seen_options.add(option.value)
        if field_type == "information":
            for name in ("required", "required_when", "prefill"):
                if name in data:
                    self.problem(
                        f"{location}.{name}", "information text is never an answer, so it cannot have this"
                    )
        pattern = None
        if "pattern" in validation:
            try:
                pattern = re.compile(validation["pattern"])
            except re.error as error:
                self.problem(f"{location}.validation.pattern", f"not a valid regular expression: {error}")
        field = Field(
            key=key,
            type=field_type,
            location=location,
            page_id=page_id,
            label=data.get("label", {}),
            hint=data.get("hint", {}),
            required=bool(data.get("required", False)),
            show_when=self.condition(data, "show_when"),
            hide_when=self.condition(data, "hide_when"),
            required_when=self.condition(data, "required_when"),
            prefill=self.prefill_spec(data, location, group),
            validation=validation,
            options=options,
            display=data.get("display", "radio"),
            text=data.get("text", {}),
            entry_label=data.get("entry_label", {}),
            group_key=group_key,
            pattern=pattern,
        )
        if field_type == "repeating_group":
            if group is not None:
                self.problem(
                    f"{location}.type", "a repeating group cannot sit inside another repeating group"
                )
            nested = tuple(
                self.build_field(nested_data, f"{location}.fields[{position}]", page_id, field)
                for position, nested_data in enumerate(data["fields"])
            )
            # The nested fields are built after their group because they inherit its prefill source.
            object.__setattr__(field, "fields", nested)
        self.fields.setdefault(key, field)
        return field

    def prefill_spec(self, data: Mapping[str, Any], location: str, group: Field | None) -> PrefillSpec | None:
        spec = data.get("prefill")
        if spec is None:
            return None
        source = spec.get("source")
        if source is None and group is not None and group.prefill is not None:
            source = group.prefill.source
        if source is None:
            message = (
                "a field inside a repeating group takes its prefill source from the group, which has none"
                if group is not None
                else "prefill needs a source"
            )
            self.problem(f"{location}.prefill", message)
            return None
        if group is not None and group.prefill is not None and source != group.prefill.source:
            self.problem(f"{location}.prefill.source", f"must be the group's source '{group.prefill.source}'")
        if self.prefill_sources is not None:
            if source not in self.prefill_sources:
                known = ", ".join(sorted(self.prefill_sources)) or "none"
                self.problem(
                    f"{location}.prefill.source", f"unknown prefill source '{source}' (known: {known})"
                )
            else:
                # Inside a group the attribute is read from each entry: "children.personnummer".
                attribute = (
                    spec["attribute"]
                    if group is None or group.prefill is None
                    else (f"{group.prefill.attribute}.{spec['attribute']}")
                )
                if attribute not in self.prefill_sources[source]:
                    self.problem(
                        f"{location}.prefill.attribute",
                        f"prefill source '{source}' has no attribute '{attribute}'",
                    )
        return PrefillSpec(source, spec["attribute"], bool(spec.get("locked", False)))

    # Checks -----------------------------------------------------------------------------------------------

    def check_translations(self, texts: Mapping[str, str], location: str) -> None:
        for language in self.languages:
            if language not in texts:
                severity: Severity = (
                    "error" if language == self.default_language else self.translation_severity
                )
                self.problem(location, f"missing translation for '{language}'", severity)
        for language in texts:
            if language not in self.languages:
                self.problem(
                    location,
                    f"translation for '{language}', which is not one of the form's languages",
                    "warning",
                )

    def check_validation(self, field_type: str, validation: Mapping[str, Any], location: str) -> None:
        for low, high in (
            ("min_length", "max_length"),
            ("min", "max"),
            ("min_choices", "max_choices"),
            ("min_entries", "max_entries"),
        ):
            if low in validation and high in validation:
                low_value, high_value = validation[low], validation[high]
                if field_type == "date":
                    today = now().date().isoformat()
                    low_value = today if low_value == "today" else low_value
                    high_value = today if high_value == "today" else high_value
                if low_value > high_value:
                    self.problem(f"{location}.validation", f"'{low}' is greater than '{high}'")
        if field_type == "date":
            for name in ("min", "max"):
                value = validation.get(name)
                if value is not None and value != "today":
                    try:
                        dt.date.fromisoformat(value)
                    except ValueError:
                        self.problem(f"{location}.validation.{name}", f"'{value}' is not a date (YYYY-MM-DD)")

    def check_references(self, pages: tuple[Page, ...]) -> None:
        for page in pages:
            for name in ("show_when", "hide_when"):
                if name in page_data_of(self.data, page.index):
                    self.check_condition(
                        page_data_of(self.data, page.index)[name], f"{page.location}.{name}", None, None
                    )
            for position, rule in enumerate(page_data_of(self.data, page.index).get("skip_to", [])):
                self.check_condition(rule["when"], f"{page.location}.skip_to[{position}].when", None, None)
            for field in page.fields:
                self.check_field_conditions(field, None)
                for nested in field.fields:
                    self.check_field_conditions(nested, field)

    def check_field_conditions(self, field: Field, group: Field | None) -> None:
        data = self.field_data.get(field.key)
        if data is None or self.fields.get(field.key) is not field:
            return
        for name in ("show_when", "hide_when", "required_when"):
            if name in data:
                self.check_condition(
                    data[name],
                    f"{field.location}.{name}",
                    group,
                    field.key if name == "required_when" else None,
                )

    def check_condition(
        self, data: Mapping[str, Any], location: str, group: Field | None, itself: str | None
    ) -> None:
        for comparison, where in iter_comparisons(data, location):
            key = comparison["field"]
            operator = comparison["operator"]
            target = self.fields.get(key)
            if target is None:
                self.problem(where, f"refers to unknown field '{key}'")
                continue
            if key == itself:
                self.problem(where, f"'{key}' cannot be required depending on its own answer")
                continue
            if target.group_key is not None and (group is None or target.group_key != group.key):
                self.problem(
                    where,
                    f"refers to '{key}' inside repeating group '{target.group_key}'; "
                    "only fields of the same group entry can use it",
                )
                continue
            if not target.is_input:
                self.problem(where, f"refers to information text '{key}', which has no answer")
                continue
            self.check_operator(comparison, where, target, operator)

    def check_operator(self, comparison: Mapping[str, Any], where: str, target: Field, operator: str) -> None:
        has_value = "value" in comparison
        value = comparison.get("value")
        if operator == "is_answered":
            if has_value:
                self.problem(where, "'is_answered' takes no value")
            return
        if target.type in ANSWERED_ONLY_TYPES:
            self.problem(where, f"a {target.type} field '{target.key}' can only be tested with 'is_answered'")
            return
        if operator in ("greater_than", "less_than") and target.type not in ORDERED_TYPES:
            self.problem(where, f"'{operator}' needs a number or date field; '{target.key}' is {target.type}")
            return
        if not has_value:
            self.problem(where, f"'{operator}' needs a value")
            return
        if operator == "one_of":
            if not isinstance(value, list) or not value:
                self.problem(where, "'one_of' needs a non-empty list of values")
                return
            for item in value:
                self.check_value(item, where, target)
            return
        if isinstance(value, list):
            self.problem(where, f"'{operator}' compares with one value, not a list")
            return
        self.check_value(value, where, target)

    def check_value(self, value: Any, where: str, target: Field) -> None:
        field_type = target.type
        if field_type in BOOLEAN_TYPES:
            if not isinstance(value, bool):
                self.problem(where, f"'{target.key}' is answered yes or no; compare with true or false")
        elif field_type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.problem(where, f"'{target.key}' is a number; {json.dumps(value)} is not")
        elif field_type == "date":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                self.problem(
                    where, f"'{target.key}' is a date; {json.dumps(value)} is not a date (YYYY-MM-DD)"
                )
        elif field_type in CHOICE_TYPES:
            if value not in target.option_values:
                self.problem(where, f"'{value}' is not an option of '{target.key}'")
        elif not isinstance(value, str):
            self.problem(where, f"'{target.key}' is text; compare with a string")

    def check_settings(self, settings: Mapping[str, Any]) -> None:
        if "confirmation_text" in settings:
            self.check_translations(settings["confirmation_text"], "settings.confirmation_text")
        cosigner_key = settings.get("cosigner_field")
        if cosigner_key is None:
            return
        target = self.fields.get(cosigner_key)
        if target is None:
            self.problem("settings.cosigner_field", f"refers to unknown field '{cosigner_key}'")
        elif target.type != "personnummer":
            self.problem(
                "settings.cosigner_field",
                f"co-signers are named by a personnummer field; '{cosigner_key}' is {target.type}",
            )
        if not settings.get("requires_signature", False):
            self.problem(
                "settings.cosigner_field",
                "co-signers sign after the applicant, so the form must require a signature",
            )

    def check_reachable(self, pages: tuple[Page, ...]) -> None:
        """Pages nobody can reach: shown only on answers not yet given when the page comes, or always skipped.

        Walking the pages in order, the fields of the page itself, of later pages and of unreachable pages
        certainly have no answer yet; a condition that is settled by those alone settles the page for good.
        """
        page_of = {field.key: page.id for page in pages for field in page.fields}
        unreachable: set[str] = set()
        always_skipped: dict[str, str] = {}
        for page in pages:
            unanswered = {key for key, page_id in page_of.items() if page_id in unreachable} | {
                field.key for later in pages[page.index :] for field in later.fields
            }
            reason = None
            if page.show_when is not None and _settled(page.show_when, unanswered) is False:
                reason = ("show_when", page.show_when)
            elif page.hide_when is not None and _settled(page.hide_when, unanswered) is True:
                reason = ("hide_when", page.hide_when)
            if reason is not None:
                name, condition = reason
                culprit = next(key for key in condition.fields() if key in unanswered)
                where = (
                    "on this page"
                    if page_of.get(culprit) == page.id
                    else f"on page '{page_of.get(culprit)}', which "
                    + ("can never be shown" if page_of.get(culprit) in unreachable else "comes later")
                )
                self.problem(
                    f"{page.location}.{name}",
                    f"page '{page.id}' can never be shown: its {name} depends on '{culprit}', "
                    f"which is asked {where}",
                    self.publishing_severity,
                )
                unreachable.add(page.id)
            elif page.id in always_skipped:
                self.problem(
                    page.location,
                    f"page '{page.id}' can never be shown: {always_skipped[page.id]} always skips past it",
                    self.publishing_severity,
                )
                unreachable.add(page.id)
            if page.id in unreachable:
                continue
            self.check_fields_reachable(
                page, page_of, unanswered - {field.key for field in page.fields}, unreachable
            )
            later_or_lost = {key for key, page_id in page_of.items() if page_id in unreachable} | {
                field.key for later in pages[page.index + 1 :] for field in later.fields
            }
            index_of = {candidate.id: candidate.index for candidate in pages}
            for position, rule in enumerate(page.skip_to):
                if rule.to_page in index_of and _settled(rule.when, later_or_lost) is True:
                    for skipped in pages[page.index + 1 : index_of[rule.to_page]]:
                        always_skipped.setdefault(
                            skipped.id, f"{page.location}.skip_to[{position}] on page '{page.id}'"
                        )

    def check_fields_reachable(
        self, page: Page, page_of: Mapping[str, str], unanswered: set[str], unreachable: set[str]
    ) -> None:
        """Questions shown only on answers given after them (on later pages) are never asked on the way."""
        for field in page.fields:
            for name, condition, never in (
                ("show_when", field.show_when, False),
                ("hide_when", field.hide_when, True),
            ):
                if condition is None or _settled(condition, unanswered) is not never:
                    continue
                culprit = next(key for key in condition.fields() if key in unanswered)
                later = page_of.get(culprit)
                self.problem(
                    f"{field.location}.{name}",
                    f"'{field.key}' can never be shown: its {name} depends on '{culprit}', which is asked on "
                    f"page '{later}', which "
                    + ("can never be shown" if later in unreachable else "comes later"),
                    self.publishing_severity,
                )
                break

    def check_skips(
        self, pages: tuple[Page, ...], page_locations: Mapping[str, str]
    ) -> dict[str, tuple[SkipRule, ...]]:
        index_of = {page.id: page.index for page in pages}
        covering: dict[str, list[SkipRule]] = {}
        for page in pages:
            for position, rule in enumerate(page.skip_to):
                where = f"{page.location}.skip_to[{position}].page"
                if rule.to_page not in index_of:
                    self.problem(where, f"skips to unknown page '{rule.to_page}'")
                    continue
                if index_of[rule.to_page] <= page.index:
                    self.problem(where, f"skips back to page '{rule.to_page}', which would loop")
                    continue
                for skipped in pages[page.index + 1 : index_of[rule.to_page]]:
                    covering.setdefault(skipped.id, []).append(rule)
        return {page_id: tuple(rules) for page_id, rules in covering.items()}

    def dependency_order(
        self, pages: tuple[Page, ...], skips: Mapping[str, tuple[SkipRule, ...]]
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """Order pages and fields so each is evaluated after everything its visibility depends on.

        A cycle (a field shown depending on itself, through any chain of conditions or pages) is an error.
        """
        top_level = {key for key, field in self.fields.items() if field.group_key is None}
        needs: dict[str, set[str]] = {}
        extra: dict[str, set[str]] = {}

        def refs(condition: Condition | None, allowed: set[str] | frozenset[str]) -> set[str]:
            return {key for key in condition.fields() if key in allowed} if condition is not None else set()

        for page in pages:
            node = page_node(page.id)
            needs[node] = refs(page.show_when, top_level) | refs(page.hide_when, top_level)
            for rule in skips.get(page.id, ()):
                needs[node] |= {page_node(rule.from_page)} | refs(rule.when, top_level)
            for field in page.fields:
                needs[field.key] = (
                    {node} | refs(field.show_when, top_level) | refs(field.hide_when, top_level)
                )
                extra[field.key] = refs(field.required_when, top_level)
                for nested in field.fields:
                    for condition in (nested.show_when, nested.hide_when, nested.required_when):
                        extra[field.key] |= refs(condition, top_level)

        order = self.sorted_or_cycle(needs)
        group_orders: dict[str, tuple[str, ...]] = {}
        for field in self.fields.values():
            if field.type == "repeating_group" and field.fields:
                nested_keys = field.nested_keys
                graph = {
                    nested.key: refs(nested.show_when, nested_keys) | refs(nested.hide_when, nested_keys)
                    for nested in field.fields
                }
                group_orders[field.key] = tuple(
                    self.sorted_or_cycle(graph) or [nested.key for nested in field.fields]
                )
        if order is None:
            return {}, {}, group_orders
        position = {node: index for index, node in enumerate(order)}

        closure_cache: dict[str, frozenset[str]] = {}

        def closure(node: str) -> frozenset[str]:
            if node not in closure_cache:
                result = {node}
                for dependency in needs.get(node, ()):
                    result |= closure(dependency)
                closure_cache[node] = frozenset(result)
            return closure_cache[node]

        for node in order:  # dependencies first, so the recursion above stays shallow
            closure(node)

        def plan(nodes: set[str]) -> tuple[str, ...]:
            collected: set[str] = set()
            for node in nodes:
                collected |= closure(node)
            return tuple(sorted(collected, key=position.__getitem__))

        node_plans = {key: plan({key} | extra.get(key, set())) for key in top_level}
        page_plans = {}
        for page in pages:
            wanted = {page_node(page.id)}
            for field in page.fields:
                wanted |= {field.key} | extra.get(field.key, set())
            page_plans[page.id] = plan(wanted)
        return node_plans, page_plans, group_orders

    def sorted_or_cycle(self, graph: Mapping[str, set[str]]) -> list[str] | None:
        try:
            return list(graphlib.TopologicalSorter(graph).static_order())
        except graphlib.CycleError as error:
            cycle: list[str] = list(reversed(error.args[1]))
            first_field = next((node for node in cycle if not node.startswith(PAGE_NODE_PREFIX)), cycle[0])
            location = self.field_locations.get(first_field) or _page_location(self.data, first_field)
            if len(cycle) == 2:
                self.problem(
                    location, f"conditions form a cycle: {_describe_node(cycle[0])} depends on itself"
                )
            else:
                chain = ", which depends on ".join(_describe_node(node) for node in cycle)
                self.problem(location, f"conditions form a cycle: {chain}")
            return None


def _settled(condition: Condition, unanswered: set[str]) -> bool | None:
    """The condition's outcome when the `unanswered` fields have no answer, or None when other answers decide."""
    if isinstance(condition, Comparison):
        if condition.field not in unanswered:
            return None
        return condition.evaluate(lambda _key: None)
    outcomes = [_settled(part, unanswered) for part in condition.conditions]
    if isinstance(condition, AllOf):
        if False in outcomes:
            return False
        return True if all(outcome is True for outcome in outcomes) else None
    if True in outcomes:
        return True
    return False if all(outcome is False for outcome in outcomes) else None


def page_data_of(data: Mapping[str, Any], index: int) -> Mapping[str, Any]:
    page: Mapping[str, Any] = data["pages"][index]
    return page


def _page_location(data: Mapping[str, Any], node: str) -> str:
    page_id = node[len(PAGE_NODE_PREFIX) :]
    for index, page in enumerate(data["pages"]):
        if page["id"] == page_id:
            return f"pages[{index}]"
    return "pages"


def _describe_node(node: str) -> str:
    if node.startswith(PAGE_NODE_PREFIX):
        return f"page '{node[len(PAGE_NODE_PREFIX) :]}'"
    return f"'{node}'"
