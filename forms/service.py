"""The form engine's public face: load and check definitions, evaluate logic, validate pages and prefill.

Everything here is pure (no database, no request): the filing flow stores what it returns. Other packages use
only this module.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import forms.contrib.population_register
import forms.contrib.resident_profile  # noqa: F401 - importing registers the built-in providers
from forms import logic, validation
from forms.definition import (
    DefinitionError,
    Field,
    FormDefinition,
    Page,
    Problem,
    check_definition,
    read_json,
)
from forms.information import render_markdown
from forms.logic import FieldState, PageState
from forms.models import FormVersion, definition_digest
from forms.prefill import PrefillContext, PrefillRegistry, PrefillResult, registry
from forms.prefill import prefill as apply_prefill
from forms.validation import FieldError, LockedValues, label_text

__all__ = [
    "EXAMPLES_DIRECTORY",
    "DefinitionError",
    "Field",
    "FieldError",
    "FieldState",
    "FormDefinition",
    "LockedValues",
    "Page",
    "PageState",
    "PrefillContext",
    "PrefillRegistry",
    "PrefillResult",
    "Problem",
    "evaluate_page",
    "example_definitions",
    "label_text",
    "load_definition",
    "next_page",
    "prefill",
    "previous_page",
    "published_definition",
    "record_submission",
    "render_information",
    "submission_statistics",
    "validate_definition",
    "validate_page",
    "visible_pages",
]

EXAMPLES_DIRECTORY = Path(__file__).resolve().parent / "examples"

DefinitionSource = Mapping[str, Any] | str | bytes | Path


def validate_definition(
    source: DefinitionSource, *, for_publishing: bool = False, providers: PrefillRegistry | None = None
) -> list[Problem]:
    """Every problem in a definition, each with a location like "pages[1].fields[3].show_when".

    Missing translations are warnings while editing and errors when `for_publishing`.
    """
    try:
        data = read_json(source)
    except ValueError as error:
        return [Problem("form", f"not valid JSON: {error}")]
    providers = providers if providers is not None else registry
    _definition, problems = check_definition(
        data, for_publishing=for_publishing, prefill_sources=providers.catalogue()
    )
    return problems


def load_definition(
    source: DefinitionSource, *, for_publishing: bool = False, providers: PrefillRegistry | None = None
) -> FormDefinition:
    """A checked definition ready for the engine; DefinitionError (with its problems) when it has errors."""
    try:
        data = read_json(source)
    except ValueError as error:
        raise DefinitionError([Problem("form", f"not valid JSON: {error}")]) from error
    providers = providers if providers is not None else registry
    definition, problems = check_definition(
        data, for_publishing=for_publishing, prefill_sources=providers.catalogue()
    )
    if definition is None:
        raise DefinitionError([problem for problem in problems if problem.severity == "error"])
    return definition


def published_definition(version: FormVersion) -> FormDefinition:
    """The checked definition of a published form version.

    Published versions never change, so each distinct content (by the version's `definition_digest`) is checked
    against the schema once per process — the check is by far the most expensive step of loading — and the
    engine's immutable result is shared. Once cached, the version's JSON is not even read: a caller may load the
    version with its `definition` column deferred.
    """
    # A version not stored yet has no digest until its insert (tests and previews build such versions).
    digest = version.definition_digest or definition_digest(version.definition)
    found = _checked_definitions.get(digest)
    if found is None:
        found = load_definition(json.dumps(version.definition))
        if len(_checked_definitions) >= _CHECKED_DEFINITIONS_KEPT:
            # Forget the oldest; a process rarely sees that many versions.
            _checked_definitions.pop(next(iter(_checked_definitions)))
        _checked_definitions[digest] = found
    return found


_CHECKED_DEFINITIONS_KEPT = 256
_checked_definitions: dict[str, FormDefinition] = {}


def evaluate_page(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> PageState:
    """Which of the page's fields are shown and required given the answers (only this page's logic is run)."""
    return logic.evaluate_page(definition, page_id, answers)


def validate_page(
    definition: FormDefinition,
    page_id: str,
    raw_input: Mapping[str, Any],
    answers: Mapping[str, Any],
    language: str,
    *,
    prefilled: PrefillResult | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean one submitted page: (a value for each input field on the page, errors in page order).

    `raw_input` maps field keys to what was submitted: a string, a list of strings (multiple choice), a
    mapping (address: street/postcode/city), a list of mappings (repeating group entries; file metadata with
    filename, content_type and size). Locked prefilled values in `prefilled` cannot be changed by what is
    submitted.
    """
    locked = prefilled.locked_values(definition) if prefilled is not None else validation.NO_LOCKS
    return validation.validate_page(definition, page_id, raw_input, answers, language, locked)


def visible_pages(definition: FormDefinition, answers: Mapping[str, Any]) -> list[str]:
    """The ids of the pages shown for these answers, in order (skipped and hidden pages left out)."""
    return logic.visible_pages(definition, answers)


def next_page(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> str | None:
    """The page after `page_id` for these answers, or None when the check-answers page comes next."""
    return logic.next_page(definition, page_id, answers)


def previous_page(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> str | None:
    """The page before `page_id` for these answers, or None on the first page."""
    return logic.previous_page(definition, page_id, answers)


def prefill(
    definition: FormDefinition, context: PrefillContext, providers: PrefillRegistry | None = None
) -> PrefillResult:
    """Initial answers from the definition's prefill sources, each marked with its origin and lock."""
    return apply_prefill(definition, context, providers)


def render_information(field: Field, language: str) -> str:
    """An information field's Markdown as sanitised HTML in the given language."""
    return render_markdown(label_text(field.text, language))


def example_definitions() -> dict[str, dict[str, Any]]:
    """The demo e-services' definitions shipped in forms/examples, by form key."""
    definitions: dict[str, dict[str, Any]] = {}
    for path in sorted(EXAMPLES_DIRECTORY.glob("*.json")):
        data = read_json(path)
        definitions[data["key"]] = data
    return definitions


# Added for the filing flow (eservices.filing, forms.rendering): upload rules and answer helpers.

from dataclasses import dataclass  # noqa: E402 - kept with the additions it serves

__all__ += ["UploadRules", "human_size", "is_answered", "upload_rules"]


@dataclass(frozen=True, slots=True)
class UploadRules:
    """What a file-upload field accepts: content types, the size of each file, and how many files."""

    allowed_types: tuple[str, ...]
    max_size_bytes: int
    max_files: int


def upload_rules(field: Field) -> UploadRules:
    """A file-upload field's rules with the engine's defaults filled in."""
    rules = field.validation
    return UploadRules(
        allowed_types=tuple(rules.get("allowed_types", validation.DEFAULT_ALLOWED_TYPES)),
        max_size_bytes=int(rules.get("max_size_bytes", validation.DEFAULT_MAX_FILE_SIZE)),
        max_files=int(rules.get("max_files", 1)),
    )


def human_size(size: int) -> str:
    """A byte count as people read it: "10 MB", "500 kB"."""
    return validation.human_size(size)


def is_answered(value: Any) -> bool:
    """Whether an answer counts as given (False is an answer; an empty string or list is not)."""
    return logic.is_answered(value)


def submission_statistics(draft: Any) -> dict[str, Any]:
    """What the form's statistics keep of a draft being submitted (JSON, for `record_submission`)."""
    from forms.builder_statistics import submission_statistics as statistics

    return statistics(draft)


def record_submission(statistics: Mapping[str, Any]) -> Any:
    """Remember a submission for the form's statistics (submitted, time to complete, share prefilled)."""
    from forms.builder_statistics import record_submission as record

    return record(statistics)
