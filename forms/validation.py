"""Per-field validation: raw submitted values in, cleaned JSON-ready values and error message ids out.

Message ids are English gettext ids marked with `N_` (so `pybabel extract` finds them); the web layer
translates them with `gettext(error.message, **error.params)`. Cleaned values are plain JSON (str, int, float,
bool, list, dict) so drafts and cases store them as they are.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from personnummer import personnummer as personnummer_library
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.se import orgnr

from core.clock import now
from forms.definition import Field, FormDefinition
from forms.logic import Evaluator, PageState, is_answered


def N_(message: str) -> str:
    """Marks a message id for extraction (pybabel's default keywords include N_); translated when shown."""
    return message


DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 5000}
DEFAULT_ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
FILE_METADATA_KEYS = ("filename", "content_type", "size", "sha256", "storage_key")
YES_VALUES = frozenset({"yes", "true", "on", "1"})
NO_VALUES = frozenset({"no", "false", "off", "0"})
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_POSTCODE = re.compile(r"([1-9]\d{2}) ?(\d{2})")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one answer. `path` names the input (e.g. "children[1].name", "home.postcode")."""

    path: str
    message: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)

    def translate(self, gettext: Callable[..., str]) -> str:
        return gettext(self.message, **self.params)


class _Invalid(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def label_text(texts: Mapping[str, str], language: str) -> str:
    """A definition text in the given language, falling back to Swedish, then English, then any."""
    for candidate in (language, "sv", "en"):
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()), "")


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise _Invalid(N_("Enter text."))
    return str(raw)


def _clean_text(field: Field, raw: Any) -> Any:
    text = unicodedata.normalize("NFC", _text(raw)).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARACTERS.sub("", text)
    if field.type == "short_text":
        text = " ".join(text.split())
    text = text.strip()
    if not text:
        return None
    rules = field.validation
    max_length = rules.get("max_length", DEFAULT_MAX_LENGTH[field.type])
    if len(text) > max_length:
        raise _Invalid(N_("Enter at most %(max)d characters."), max=max_length)
    min_length = rules.get("min_length", 0)
    if len(text) < min_length:
        raise _Invalid(N_("Enter at least %(min)d characters."), min=min_length)
    if field.pattern is not None and not field.pattern.fullmatch(text):
        if "pattern_message" in rules:
            # The author's own message, already translated in the definition; passed through untranslated.
            raise _Invalid("%(custom)s", custom_texts=rules["pattern_message"])
        raise _Invalid(N_("Enter the answer in the format asked for."))
    return text


def _clean_number(field: Field, raw: Any) -> Any:
    if isinstance(raw, bool):
        raise _Invalid(N_("Enter a number."))
    if isinstance(raw, int | float):
        number = Decimal(str(raw))
    else:
        text = _text(raw)
        # Swedish writes 1 234,5: spaces (also non-breaking) separate thousands and a comma marks decimals.
        text = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".").replace("\u2212", "-")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _Invalid(N_("Enter a number.")) from None
    if not number.is_finite():
        raise _Invalid(N_("Enter a number."))
    rules = field.validation
    if rules.get("integer") and number != number.to_integral_value():
        raise _Invalid(N_("Enter a whole number."))
    if "min" in rules and number < Decimal(str(rules["min"])):
        raise _Invalid(N_("Enter a number that is %(min)s or more."), min=rules["min"])
    if "max" in rules and number > Decimal(str(rules["max"])):
        raise _Invalid(N_("Enter a number that is %(max)s or less."), max=rules["max"])
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _date_limit(value: str) -> dt.date:
    return now().date() if value == "today" else dt.date.fromisoformat(value)


def _clean_date(field: Field, raw: Any) -> Any:
    text = _text(raw).strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise _Invalid(N_("Enter a date in the format YYYY-MM-DD."))
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise _Invalid(N_("Enter a date that exists.")) from None
    rules = field.validation
    if "min" in rules and date < _date_limit(rules["min"]):
        raise _Invalid(N_("Enter a date on or after %(date)s."), date=_date_limit(rules["min"]).isoformat())
    if "max" in rules and date > _date_limit(rules["max"]):
        raise _Invalid(N_("Enter a date on or before %(date)s."), date=_date_limit(rules["max"]).isoformat())
    return date.isoformat()


def _clean_yes_no(field: Field, raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).strip().lower()
    if not text:
        return None
    if text in YES_VALUES:
        return True
    if text in NO_VALUES:
        return False
    raise _Invalid(N_("Choose yes or no."))


def _clean_single_choice(field: Field, raw: Any) -> Any:
    text = _text(raw).strip()
    if not text:
        return None
    if text not in field.option_values:
        raise _Invalid(N_("Choose one of the options given."))
    return text


def _clean_multiple_choice(field: Field, raw: Any) -> Any:
    values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
    chosen: list[str] = []
    for value in values:
        text = _text(value).strip()
        if not text:
            continue
        if text not in field.option_values:
            raise _Invalid(N_("Choose only from the options given."))
        if text not in chosen:
            chosen.append(text)
    if not chosen:
        return None
    # Keep the definition's order so answers read the same whatever order the browser sent them in.
    chosen = [option.value for option in field.options if option.value in chosen]
    rules = field.validation
    if len(chosen) < rules.get("min_choices", 0):
        raise _Invalid(N_("Choose at least %(min)d options."), min=rules["min_choices"])
    if "max_choices" in rules and len(chosen) > rules["max_choices"]:
        raise _Invalid(N_("Choose at most %(max)d options."), max=rules["max_choices"])
    return chosen


def normalise_personnummer(raw: str) -> str:
    """Twelve digits (YYYYMMDDNNNN) for a valid personnummer; ValueError for a wrong date or check digit."""
    text = re.sub(r"\s", "", raw)
    try:
        parsed = personnummer_library.parse(text)
    except personnummer_library.PersonnummerException as error:
        raise ValueError("not a valid personnummer") from error
    if parsed.get_date() > now().date():
        raise ValueError("born in the future")
    return str(parsed.format(long_format=True))


def _clean_personnummer(field: Field, raw: Any) -> Any:
    text = _text(raw).strip()
    if not text:
        return None
    if not re.fullmatch(r"(\d{2})?\d{6}[-+]?\d{4}", re.sub(r"\s", "", text)):
        raise _Invalid(N_("Enter a personnummer with 12 digits, like YYYYMMDD-NNNN."))
    try:
        return normalise_personnummer(text)
    except ValueError:
        raise _Invalid(
            N_("Enter a valid personnummer: check the date of birth and the last four digits.")
        ) from None


def _clean_organisationsnummer(field: Field, raw: Any) -> Any:
    text = _text(raw).strip()
    if not text:
        return None
    try:
        return str(orgnr.validate(text))
    except StdnumValidationError:
        raise _Invalid(N_("Enter a valid organisationsnummer, like NNNNNN-NNNN.")) from None


def _clean_email(field: Field, raw: Any) -> Any:
    text = _text(raw).strip()
    if not text:
        return None
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise _Invalid(N_("Enter an e-mail address like name@example.se.")) from None


def _clean_phone(field: Field, raw: Any) -> Any:
    text = _text(raw).strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException:
        raise _Invalid(N_("Enter a phone number, like 070-123 45 67 or +46 70 123 45 67.")) from None
    if not phonenumbers.is_valid_number(number):
        raise _Invalid(N_("Enter a phone number, like 070-123 45 67 or +46 70 123 45 67."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_postcode(raw: str) -> str:
    """A Swedish postcode as five digits; ValueError otherwise ("123 45" and "12345" are both fine)."""
    match = _POSTCODE.fullmatch(raw.strip())
    if match is None:
        raise ValueError("not a Swedish postcode")
    return match.group(1) + match.group(2)


def _clean_postcode(field: Field, raw: Any) -> Any:
    text = _text(raw).strip()
    if not text:
        return None
    try:
        return normalise_postcode(text)
    except ValueError:
        raise _Invalid(N_("Enter a postcode with five digits, like 123 45.")) from None


def _clean_consent(field: Field, raw: Any) -> Any:
    # Consent is given (True) or not given at all (None): an unticked box is no answer, not a "no".
    given = raw is True or (not isinstance(raw, bool) and _text(raw).strip().lower() in YES_VALUES)
    return True if given else None


CLEANERS: dict[str, Callable[[Field, Any], Any]] = {
    "short_text": _clean_text,
    "long_text": _clean_text,
    "number": _clean_number,
    "date": _clean_date,
    "yes_no": _clean_yes_no,
    "single_choice": _clean_single_choice,
    "multiple_choice": _clean_multiple_choice,
    "personnummer": _clean_personnummer,
    "organisationsnummer": _clean_organisationsnummer,
    "email": _clean_email,
    "phone": _clean_phone,
    "postcode": _clean_postcode,
    "consent": _clean_consent,
}

REQUIRED_MESSAGES = {
    "consent": N_("You need to agree to continue."),
    "file_upload": N_("Choose a file to upload."),
    "single_choice": N_("Choose an answer."),
    "multiple_choice": N_("Choose at least one option."),
    "yes_no": N_("Choose yes or no."),
    "repeating_group": N_("Add at least one entry."),
}
DEFAULT_REQUIRED_MESSAGE = N_("Answer this question.")


def required_error(field: Field, path: str, language: str) -> FieldError:
    return FieldError(
        path,
        REQUIRED_MESSAGES.get(field.type, DEFAULT_REQUIRED_MESSAGE),
        {"label": label_text(field.label, language)},
    )


def clean_value(field: Field, raw: Any, path: str, language: str) -> tuple[Any, list[FieldError]]:
    """Clean one answer (not a repeating group) and say what is wrong with it; requiredness comes later."""
    label = label_text(field.label, language)
    if field.type == "address":
        return _clean_address(raw, path, language)
    if field.type == "file_upload":
        return _clean_files(field, raw, path, label)
    try:
        return CLEANERS[field.type](field, raw), []
    except _Invalid as invalid:
        params = dict(invalid.params)
        if "custom_texts" in params:
            params = {"custom": label_text(params.pop("custom_texts"), language)}
        return None, [FieldError(path, invalid.message, {"label": label, **params})]


ADDRESS_PARTS = ("street", "postcode", "city")
_ADDRESS_REQUIRED = {
    "street": N_("Enter the street address."),
    "postcode": N_("Enter the postcode."),
    "city": N_("Enter the town or city."),
}


def _clean_address(raw: Any, path: str, language: str) -> tuple[Any, list[FieldError]]:
    if raw in (None, ""):
        return None, []
    if not isinstance(raw, Mapping):
        return None, [FieldError(path, N_("Enter an address."))]
    parts = {name: " ".join(_safe_text(raw.get(name)).split()) for name in ADDRESS_PARTS}
    if not any(parts.values()):
        return None, []
    errors = [
        FieldError(f"{path}.{name}", _ADDRESS_REQUIRED[name]) for name in ADDRESS_PARTS if not parts[name]
    ]
    for name, limit in (("street", 200), ("city", 100)):
        if len(parts[name]) > limit:
            errors.append(
                FieldError(f"{path}.{name}", N_("Enter at most %(max)d characters."), {"max": limit})
            )
    if parts["postcode"]:
        try:
            parts["postcode"] = normalise_postcode(parts["postcode"])
        except ValueError:
            errors.append(
                FieldError(f"{path}.postcode", N_("Enter a postcode with five digits, like 123 45."))
            )
    return (None, errors) if errors else (parts, [])


def _safe_text(raw: Any) -> str:
    try:
        return _CONTROL_CHARACTERS.sub("", _text(raw))
    except _Invalid:
        return ""


def _clean_files(field: Field, raw: Any, path: str, label: str) -> tuple[Any, list[FieldError]]:
    """Check upload metadata against the field's rules; the content is checked where files are stored."""
    items = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
    rules = field.validation
    allowed = tuple(rules.get("allowed_types", DEFAULT_ALLOWED_TYPES))
    max_size = int(rules.get("max_size_bytes", DEFAULT_MAX_FILE_SIZE))
    max_files = int(rules.get("max_files", 1))
    files: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]" if max_files > 1 else path
        if not isinstance(item, Mapping) or not isinstance(item.get("filename"), str):
            errors.append(
                FieldError(where, N_("The file could not be read. Choose it again."), {"label": label})
            )
            continue
        size = item.get("size")
        content_type = str(item.get("content_type", "")).split(";")[0].strip().lower()
        if content_type not in allowed:
            errors.append(
                FieldError(
                    where,
                    N_("The file must be one of these types: %(types)s."),
                    {"types": ", ".join(allowed)},
                )
            )
        elif isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            errors.append(FieldError(where, N_("The file is empty. Choose another file."), {"label": label}))
        elif size > max_size:
            errors.append(
                FieldError(where, N_("The file must be at most %(size)s."), {"size": human_size(max_size)})
            )
        else:
            files.append(
                {key: item[key] for key in FILE_METADATA_KEYS if key in item} | {"content_type": content_type}
            )
    if len(items) > max_files:
        errors.append(FieldError(path, N_("Upload at most %(max)d files."), {"max": max_files}))
    if errors:
        return None, errors
    return (files or None), []


def human_size(size: int) -> str:
    """A byte count as people read it: "10 MB", "500 kB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(1, round(size / 1024))} kB"


def group_entry_is_empty(entry: Mapping[str, Any]) -> bool:
    return not any(is_answered(value) for value in entry.values())


@dataclass(frozen=True)
class LockedValues:
    """Prefilled answers the definition locks: a top-level field keeps its prefilled value whatever is sent,
    and a locked field inside a repeating group may only hold one of the values the register gave the group.
    """

    fields: Mapping[str, Any] = dataclass_field(default_factory=dict)
    nested: Mapping[tuple[str, str], tuple[Any, ...]] = dataclass_field(default_factory=dict)


NO_LOCKS = LockedValues()


def _raw_value(raw_input: Mapping[str, Any], field: Field) -> Any:
    getlist = getattr(raw_input, "getlist", None)
    if getlist is not None and field.type in ("multiple_choice", "file_upload"):
        return getlist(field.key)
    return raw_input.get(field.key)


def _entries(raw: Any) -> list[Any]:
    if isinstance(raw, list | tuple):
        return list(raw)
    if isinstance(raw, Mapping) and all(isinstance(key, str) and key.isdigit() for key in raw):
        return [raw[key] for key in sorted(raw, key=int)]
    return []


def validate_page(
    definition: FormDefinition,
    page_id: str,
    raw_input: Mapping[str, Any],
    answers: Mapping[str, Any],
    language: str,
    locked: LockedValues = NO_LOCKS,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean and check one submitted page against the answers given on earlier pages.

    Returns a value for every input field on the page (None when empty or hidden, so `answers.update(cleaned)`
    forgets answers to questions that are no longer asked) and the errors in the page's order. Input for
    unknown or hidden fields is ignored: it is never stored. Logic sees this page's own answers, so a
    follow-up question on the same page is required only when the answer that reveals it was given.
    """
    page = definition.page(page_id)
    cleaned: dict[str, Any] = {}
    errors_by_field: dict[str, list[FieldError]] = {}
    entry_errors: dict[str, list[dict[str, list[FieldError]]]] = {}
    for field in page.fields:
        if not field.is_input:
            continue
        if field.key in locked.fields:
            cleaned[field.key] = locked.fields[field.key]
            continue
        raw = _raw_value(raw_input, field)
        if field.type == "repeating_group":
            cleaned[field.key], entry_errors[field.key] = _clean_entries(field, raw, locked, language)
        else:
            cleaned[field.key], errors_by_field[field.key] = clean_value(field, raw, field.key, language)

    evaluator = Evaluator(definition, {**answers, **cleaned})
    state = evaluator.page_state(page_id)
    errors: list[FieldError] = []
    for field in page.fields:
        if not field.is_input:
            continue
        field_state = state.fields[field.key]
        if not field_state.visible:
            cleaned[field.key] = None
            continue
        if field.type == "repeating_group":
            errors.extend(
                _group_errors(field, cleaned, entry_errors[field.key], state, field_state.required, language)
            )
            continue
        field_errors = errors_by_field.get(field.key, [])
        errors.extend(field_errors)
        value = cleaned[field.key]
        if not field_errors and field_state.required and not is_answered(value):
            errors.append(required_error(field, field.key, language))
    return cleaned, errors


def _clean_entries(
    group: Field, raw: Any, locked: LockedValues, language: str
) -> tuple[list[dict[str, Any]] | None, list[dict[str, list[FieldError]]]]:
    entries: list[dict[str, Any]] = []
    entry_errors: list[dict[str, list[FieldError]]] = []
    for raw_entry in _entries(raw):
        source = raw_entry if isinstance(raw_entry, Mapping) else {}
        entry: dict[str, Any] = {}
        errors: dict[str, list[FieldError]] = {}
        index = len(entries)
        for nested in group.fields:
            if not nested.is_input:
                continue
            path = f"{group.key}[{index}].{nested.key}"
            entry[nested.key], errors[nested.key] = clean_value(
                nested, _raw_value(source, nested), path, language
            )
            allowed = locked.nested.get((group.key, nested.key))
            if allowed is not None and entry[nested.key] is not None and entry[nested.key] not in allowed:
                entry[nested.key] = None
                errors[nested.key] = [
                    FieldError(path, N_("This answer comes from a register and cannot be changed."))
                ]
        if group_entry_is_empty(entry) and not any(errors.values()):
            continue  # a blank row (e.g. the spare entry of a form without JavaScript) is not an entry
        entries.append(entry)
        entry_errors.append(errors)
    return (entries or None), entry_errors


def _group_errors(
    group: Field,
    cleaned: dict[str, Any],
    entry_errors: list[dict[str, list[FieldError]]],
    state: PageState,
    required: bool,
    language: str,
) -> list[FieldError]:
    entries: list[dict[str, Any]] = cleaned[group.key] or []
    errors: list[FieldError] = []
    rules = group.validation
    minimum = max(rules.get("min_entries", 0), 1 if required else 0)
    if len(entries) < minimum:
        if minimum == 1:
            errors.append(required_error(group, group.key, language))
        else:
            errors.append(FieldError(group.key, N_("Add at least %(min)d entries."), {"min": minimum}))
    if "max_entries" in rules and len(entries) > rules["max_entries"]:
        errors.append(
            FieldError(group.key, N_("Add at most %(max)d entries."), {"max": rules["max_entries"]})
        )
    for index, (entry, entry_state) in enumerate(
        zip(entries, state.entries.get(group.key, ()), strict=False)
    ):
        for nested in group.fields:
            if not nested.is_input:
                continue
            nested_state = entry_state[nested.key]
            if not nested_state.visible:
                entry[nested.key] = None
                continue
            nested_errors = entry_errors[index].get(nested.key, [])
            errors.extend(nested_errors)
            value = entry[nested.key]
            if not nested_errors and nested_state.required and not is_answered(value):
                errors.append(required_error(nested, f"{group.key}[{index}].{nested.key}", language))
    return errors
