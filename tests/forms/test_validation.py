"""Validating submitted pages: every field type's cleaning, limits, tampering and requiredness."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import clock
from forms.service import FormDefinition, validate_page
from tests.forms.definitions import build, field, page


def single(definition_field: dict[str, Any]) -> FormDefinition:
    return build(page("start", [definition_field]))


def check(definition_field: dict[str, Any], raw: Any, language: str = "en") -> tuple[Any, list[str]]:
    definition = single(definition_field)
    cleaned, errors = validate_page(definition, "start", {definition_field["key"]: raw}, {}, language)
    return cleaned[definition_field["key"]], [error.message % dict(error.params) for error in errors]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198507152398", "198507152398"),
        ("19850715-2398", "198507152398"),
        ("850715-2398", "198507152398"),
        ("8507152398", "198507152398"),
        (" 19850715 - 2398 ", "198507152398"),
        ("450303-2395", "194503032395"),
    ],
)
def test_a_valid_personnummer_is_normalised_to_twelve_digits(raw: str, expected: str) -> None:
    assert check(field("pnr", "personnummer"), raw) == (expected, [])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("19900101-2384", "Enter a valid personnummer: check the date of birth and the last four digits."),
        ("19900231-2384", "Enter a valid personnummer: check the date of birth and the last four digits."),
        ("19901301-2384", "Enter a valid personnummer: check the date of birth and the last four digits."),
        ("abc", "Enter a personnummer with 12 digits, like YYYYMMDD-NNNN."),
        ("19900101238", "Enter a personnummer with 12 digits, like YYYYMMDD-NNNN."),
    ],
)
def test_a_wrong_check_digit_or_impossible_date_is_not_a_personnummer(raw: str, message: str) -> None:
    assert check(field("pnr", "personnummer"), raw) == (None, [message])


def test_a_personnummer_born_in_the_future_is_rejected() -> None:
    tomorrow = clock.now().date() + dt.timedelta(days=1)
    digits = tomorrow.strftime("%Y%m%d") + "238"
    number = next(digits + str(check) for check in range(10) if check_digit_ok(digits + str(check)))

    assert check(field("pnr", "personnummer"), number) == (
        None,
        ["Enter a valid personnummer: check the date of birth and the last four digits."],
    )
    clock.advance(dt.timedelta(days=2))
    assert check(field("pnr", "personnummer"), number) == (number, [])


def check_digit_ok(number: str) -> bool:
    from personnummer import personnummer

    return bool(personnummer.valid(number))


def test_an_organisationsnummer_is_checked_and_normalised() -> None:
    assert check(field("org", "organisationsnummer"), "556016-0680") == ("5560160680", [])
    assert check(field("org", "organisationsnummer"), "556016-0681") == (
        None,
        ["Enter a valid organisationsnummer, like NNNNNN-NNNN."],
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("070-123 45 67", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("08-123 456 78", "+46812345678"),
    ],
)
def test_a_swedish_phone_number_is_normalised_to_e164(raw: str, expected: str) -> None:
    assert check(field("phone", "phone"), raw) == (expected, [])


@pytest.mark.parametrize("raw", ["123", "not a number", "070-123"])
def test_an_impossible_phone_number_is_rejected(raw: str) -> None:
    assert check(field("phone", "phone"), raw) == (
        None,
        ["Enter a phone number, like 070-123 45 67 or +46 70 123 45 67."],
    )


def test_an_email_address_is_checked_without_asking_dns() -> None:
    assert check(field("email", "email"), " Anna@Example.SE ") == ("Anna@example.se", [])
    assert check(field("email", "email"), "anna@") == (
        None,
        ["Enter an e-mail address like name@example.se."],
    )
    assert check(field("email", "email"), "anna.andersson@invalid-domain-that-does-not-exist.se")[1] == []


@pytest.mark.parametrize(("raw", "expected"), [("12345", "12345"), ("123 45", "12345")])
def test_a_swedish_postcode_is_accepted_with_or_without_the_space(raw: str, expected: str) -> None:
    assert check(field("postcode", "postcode"), raw) == (expected, [])


@pytest.mark.parametrize("raw", ["1234", "123456", "023 45", "12a45", "12  345"])
def test_anything_but_five_digits_is_not_a_postcode(raw: str) -> None:
    assert check(field("postcode", "postcode"), raw) == (
        None,
        ["Enter a postcode with five digits, like 123 45."],
    )


def test_numbers_accept_swedish_notation_and_respect_the_range() -> None:
    number = field("n", "number", validation={"min": 1, "max": 10000})

    assert check(number, "1 234,5") == (1234.5, [])
    assert check(number, "42") == (42, [])
    assert check(number, "0") == (None, ["Enter a number that is 1 or more."])
    assert check(number, "10001") == (None, ["Enter a number that is 10000 or less."])
    assert check(number, "twelve") == (None, ["Enter a number."])
    assert check(number, "NaN") == (None, ["Enter a number."])
    assert check(field("n", "number", validation={"integer": True}), "2,5") == (
        None,
        ["Enter a whole number."],
    )


def test_text_length_and_pattern_are_enforced() -> None:
    limited = field("t", validation={"min_length": 3, "max_length": 5})

    assert check(limited, "  abcd  ") == ("abcd", [])
    assert check(limited, "ab") == (None, ["Enter at least 3 characters."])
    assert check(limited, "abcdef") == (None, ["Enter at most 5 characters."])
    assert check(field("t"), "x" * 201) == (None, ["Enter at most 200 characters."])
    patterned = field("t", validation={"pattern": "[0-9]{4}"})
    assert check(patterned, "1234") == ("1234", [])
    assert check(patterned, "12345") == (None, ["Enter the answer in the format asked for."])


def test_a_pattern_can_carry_the_authors_own_translated_message() -> None:
    patterned = field(
        "t",
        validation={"pattern": "[0-9]{4}", "pattern_message": {"sv": "Fyra siffror.", "en": "Four digits."}},
    )

    assert check(patterned, "12", language="sv") == (None, ["Fyra siffror."])
    assert check(patterned, "12", language="en") == (None, ["Four digits."])


def test_long_text_keeps_line_breaks_and_drops_control_characters() -> None:
    assert check(field("t", "long_text"), "line one\r\nline\x00 two") == ("line one\nline two", [])


def test_html_in_text_answers_is_kept_as_plain_text_to_be_escaped_when_shown() -> None:
    assert check(field("t"), "<script>alert(1)</script>") == ("<script>alert(1)</script>", [])


def test_dates_must_be_real_and_within_limits() -> None:
    date = field("d", "date", validation={"min": "2020-01-01", "max": "today"})
    today = clock.now().date()

    assert check(date, "2024-02-29") == ("2024-02-29", [])
    assert check(date, "2023-02-29") == (None, ["Enter a date that exists."])
    assert check(date, "29/02/2024") == (None, ["Enter a date in the format YYYY-MM-DD."])
    assert check(date, "2019-12-31") == (None, ["Enter a date on or after 2020-01-01."])
    assert check(date, (today + dt.timedelta(days=1)).isoformat()) == (
        None,
        [f"Enter a date on or before {today.isoformat()}."],
    )


def test_yes_no_answers_become_booleans() -> None:
    assert check(field("y", "yes_no"), "yes") == (True, [])
    assert check(field("y", "yes_no"), "no") == (False, [])
    assert check(field("y", "yes_no"), "maybe") == (None, ["Choose yes or no."])


def test_a_choice_that_is_not_among_the_options_is_rejected_as_tampering() -> None:
    assert check(field("c", "single_choice"), "green") == ("green", [])
    assert check(field("c", "single_choice", display="select"), "purple") == (
        None,
        ["Choose one of the options given."],
    )
    assert check(field("m", "multiple_choice"), ["blue", "red", "blue"]) == (["red", "blue"], [])
    assert check(field("m", "multiple_choice"), ["red", "purple"]) == (
        None,
        ["Choose only from the options given."],
    )


def test_multiple_choice_limits_the_number_of_choices() -> None:
    limited = field("m", "multiple_choice", validation={"min_choices": 2, "max_choices": 2})

    assert check(limited, ["red"]) == (None, ["Choose at least 2 options."])
    assert check(limited, ["red", "green", "blue"]) == (None, ["Choose at most 2 options."])


def test_an_address_is_cleaned_part_by_part() -> None:
    definition = single(field("home", "address", required=True))

    cleaned, errors = validate_page(
        definition,
        "start",
        {"home": {"street": " Storgatan  1 ", "postcode": "123 45", "city": "Exempelstad"}},
        {},
        "en",
    )
    assert cleaned["home"] == {"street": "Storgatan 1", "postcode": "12345", "city": "Exempelstad"}
    assert errors == []

    cleaned, errors = validate_page(
        definition, "start", {"home": {"street": "Storgatan 1", "postcode": "999"}}, {}, "en"
    )
    assert cleaned["home"] is None
    assert [(error.path, error.message) for error in errors] == [
        ("home.city", "Enter the town or city."),
        ("home.postcode", "Enter a postcode with five digits, like 123 45."),
    ]
    _cleaned, errors = validate_page(definition, "start", {}, {}, "en")
    assert [(error.path, error.message) for error in errors] == [("home", "Answer this question.")]


def test_file_metadata_is_checked_against_type_and_size() -> None:
    upload = field(
        "doc", "file_upload", validation={"allowed_types": ["application/pdf"], "max_size_bytes": 1000}
    )
    pdf = {
        "filename": "intyg.pdf",
        "content_type": "application/pdf",
        "size": 900,
        "sha256": "ab" * 32,
        "evil": "x",
    }

    assert check(upload, pdf) == (
        [{"filename": "intyg.pdf", "content_type": "application/pdf", "size": 900, "sha256": "ab" * 32}],
        [],
    )
    assert check(upload, {**pdf, "content_type": "text/html"}) == (
        None,
        ["The file must be one of these types: application/pdf."],
    )
    assert check(upload, {**pdf, "size": 1001}) == (None, ["The file must be at most 1 kB."])
    assert check(upload, {**pdf, "size": 0}) == (None, ["The file is empty. Choose another file."])
    assert check(upload, [pdf, pdf]) == (None, ["Upload at most 1 files."])


def test_a_required_consent_must_be_ticked() -> None:
    consent = field("ok", "consent", required=True)

    assert check(consent, "on") == (True, [])
    assert check(consent, None) == (None, ["You need to agree to continue."])


def test_every_required_question_left_empty_is_reported_in_page_order() -> None:
    definition = build(
        page(
            "start",
            [
                field("name", required=True),
                field("colour", "single_choice", required=True),
                field("info", "information"),
                field("optional"),
            ],
        )
    )

    cleaned, errors = validate_page(definition, "start", {"name": "  "}, {}, "sv")

    assert cleaned == {"name": None, "colour": None, "optional": None}
    assert [(error.path, error.message, error.params["label"]) for error in errors] == [
        ("name", "Answer this question.", "Fråga name"),
        ("colour", "Choose an answer.", "Fråga colour"),
    ]


def test_unknown_field_names_in_the_input_are_never_kept() -> None:
    definition = single(field("name"))

    cleaned, errors = validate_page(
        definition, "start", {"name": "Anna", "is_admin": "yes", "csrf_token": "x"}, {}, "en"
    )

    assert cleaned == {"name": "Anna"}
    assert errors == []


def test_a_page_id_that_does_not_exist_is_refused() -> None:
    with pytest.raises(KeyError):
        validate_page(single(field("name")), "forged", {}, {}, "en")


def group_definition(**group_options: Any) -> FormDefinition:
    return single(
        field(
            "children",
            "repeating_group",
            fields=[
                field("child_name", required=True),
                field("age", "number", validation={"min": 0, "max": 18}),
            ],
            **group_options,
        )
    )


def test_repeating_group_entries_are_validated_one_by_one() -> None:
    definition = group_definition()

    cleaned, errors = validate_page(
        definition,
        "start",
        {"children": [{"child_name": "Elsa", "age": "4"}, {"child_name": "", "age": "40"}]},
        {},
        "en",
    )

    assert cleaned["children"] == [{"child_name": "Elsa", "age": 4}, {"child_name": None, "age": None}]
    assert [(error.path, error.message % error.params) for error in errors] == [
        ("children[1].child_name", "Answer this question."),
        ("children[1].age", "Enter a number that is 18 or less."),
    ]


def test_repeating_group_respects_its_minimum_and_maximum_entries() -> None:
    definition = group_definition(validation={"min_entries": 2, "max_entries": 3})
    entry = {"child_name": "Elsa"}

    _cleaned, errors = validate_page(definition, "start", {"children": [entry]}, {}, "en")
    assert [error.message % error.params for error in errors] == ["Add at least 2 entries."]
    _cleaned, errors = validate_page(definition, "start", {"children": [entry] * 4}, {}, "en")
    assert [error.message % error.params for error in errors] == ["Add at most 3 entries."]
    cleaned, errors = validate_page(
        definition, "start", {"children": [entry, entry, {"child_name": ""}]}, {}, "en"
    )
    assert errors == []
    assert len(cleaned["children"]) == 2  # the blank spare row is not an entry


def test_a_required_repeating_group_needs_one_entry() -> None:
    definition = group_definition(required=True)

    _cleaned, errors = validate_page(definition, "start", {"children": []}, {}, "en")

    assert [(error.path, error.message) for error in errors] == [("children", "Add at least one entry.")]


def test_repeating_group_entries_may_come_as_numbered_form_data() -> None:
    definition = group_definition()

    cleaned, _errors = validate_page(
        definition,
        "start",
        {"children": {"1": {"child_name": "Olle"}, "0": {"child_name": "Elsa"}}},
        {},
        "en",
    )

    assert [entry["child_name"] for entry in cleaned["children"]] == ["Elsa", "Olle"]
