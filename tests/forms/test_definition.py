"""Loading definitions: JSON Schema structure, references, cycles, translations and the shipped examples."""

from __future__ import annotations

import json

import pytest

from forms.service import (
    EXAMPLES_DIRECTORY,
    DefinitionError,
    PrefillRegistry,
    example_definitions,
    load_definition,
    validate_definition,
)
from tests.forms.definitions import build, definition_data, field, page, when


def messages(data: object, **options: object) -> list[str]:
    return [str(problem) for problem in validate_definition(data, **options) if problem.severity == "error"]  # type: ignore[arg-type]


def test_a_minimal_definition_loads_with_its_pages_and_fields() -> None:
    definition = build(page("start", [field("name"), field("age", "number")]))

    assert definition.key == "test-form"
    assert [page.id for page in definition.pages] == ["start"]
    assert definition.field("age").type == "number"
    assert definition.warnings == []


def test_a_definition_can_be_given_as_json_text() -> None:
    assert load_definition(json.dumps(definition_data())).key == "test-form"


def test_text_that_is_not_json_is_reported_not_raised() -> None:
    assert messages("{not json")[0].startswith("form: not valid JSON")


def test_an_unknown_property_is_rejected_with_its_location() -> None:
    data = definition_data(page("start", [field("name", colour="red")]))

    assert messages(data) == [
        "pages[0].fields[0]: Unevaluated properties are not allowed ('colour' was unexpected)"
    ]


def test_a_field_without_a_label_is_rejected() -> None:
    data = definition_data(page("start", [{"key": "name", "type": "short_text"}]))

    assert messages(data) == ["pages[0].fields[0]: 'label' is a required property"]


def test_an_unknown_field_type_is_rejected() -> None:
    data = definition_data(page("start", [field("name", "hologram")]))

    assert any(
        message.startswith("pages[0].fields[0].type: 'hologram' is not one of") for message in messages(data)
    )


def test_validation_rules_belong_to_the_field_type() -> None:
    data = definition_data(page("start", [field("email", "email", validation={"max_length": 10})]))

    assert messages(data) == [
        "pages[0].fields[0]: Unevaluated properties are not allowed ('validation' was unexpected)"
    ]


def test_a_choice_field_needs_options() -> None:
    data = definition_data(
        page("start", [{"key": "colour", "type": "single_choice", "label": {"sv": "F", "en": "C"}}])
    )

    assert messages(data) == ["pages[0].fields[0]: 'options' is a required property"]


def test_a_field_key_must_be_a_simple_identifier() -> None:
    data = definition_data(page("start", [field("Name With Spaces")]))

    assert messages(data)[0].startswith("pages[0].fields[0].key: 'Name With Spaces' does not match")


def test_a_malformed_condition_is_located_precisely() -> None:
    data = definition_data(page("start", [field("a"), field("b", show_when={"all": [{"field": "a"}]})]))

    assert messages(data) == ["pages[0].fields[1].show_when.all[0]: 'operator' is a required property"]


def test_a_condition_referring_to_an_unknown_field_is_rejected() -> None:
    data = definition_data(
        page("start", [field("name")]),
        page(
            "more", [field("a"), field("b"), field("c"), field("d", show_when=when("sibling", "is_answered"))]
        ),
    )

    assert messages(data) == ["pages[1].fields[3].show_when: refers to unknown field 'sibling'"]
    with pytest.raises(DefinitionError, match="refers to unknown field 'sibling'"):
        load_definition(data)


def test_unknown_references_inside_nested_conditions_are_located() -> None:
    condition = {"any": [when("a", "is_answered"), {"all": [when("ghost", "equals", "x")]}]}
    data = definition_data(page("start", [field("a"), field("b", required_when=condition)]))

    assert messages(data) == [
        "pages[0].fields[1].required_when.any[1].all[0]: refers to unknown field 'ghost'"
    ]


def test_duplicate_field_keys_are_rejected_even_inside_repeating_groups() -> None:
    data = definition_data(
        page("start", [field("name"), field("children", "repeating_group", fields=[field("name")])]),
    )

    assert messages(data) == [
        "pages[0].fields[1].fields[0].key: duplicate field key 'name' (first used at pages[0].fields[0])"
    ]


def test_duplicate_page_ids_are_rejected() -> None:
    data = definition_data(page("start", [field("a")]), page("start", [field("b")]))

    assert messages(data) == ["pages[1].id: duplicate page id 'start' (first used at pages[0])"]


def test_a_field_shown_depending_on_itself_is_a_cycle() -> None:
    data = definition_data(page("start", [field("a", show_when=when("a", "is_answered"))]))

    assert messages(data) == ["pages[0].fields[0]: conditions form a cycle: 'a' depends on itself"]


def test_a_cycle_through_several_fields_is_rejected() -> None:
    data = definition_data(
        page(
            "start",
            [
                field("a", show_when=when("c", "is_answered")),
                field("b", show_when=when("a", "is_answered")),
                field("c", hide_when=when("b", "is_answered")),
            ],
        )
    )

    (message,) = messages(data)
    assert "conditions form a cycle" in message
    assert all(f"'{key}'" in message for key in "abc")


def test_a_page_hidden_by_its_own_answers_is_a_cycle() -> None:
    data = definition_data(
        page("start", [field("a")]), page("more", [field("b")], hide_when=when("b", "is_answered"))
    )

    (message,) = messages(data)
    assert message.startswith("pages[1].fields[0]: conditions form a cycle")
    assert "page 'more'" in message


def test_required_depending_on_its_own_answer_is_rejected() -> None:
    data = definition_data(page("start", [field("a", required_when=when("a", "is_answered"))]))

    assert messages(data) == [
        "pages[0].fields[0].required_when: 'a' cannot be required depending on its own answer"
    ]


def test_skipping_back_to_an_earlier_page_would_loop_and_is_rejected() -> None:
    data = definition_data(
        page("first", [field("a")]),
        page("second", [field("b")], skip_to=[{"when": when("b", "is_answered"), "page": "first"}]),
    )

    assert messages(data) == ["pages[1].skip_to[0].page: skips back to page 'first', which would loop"]


def test_skipping_to_an_unknown_page_is_rejected() -> None:
    data = definition_data(
        page("first", [field("a")], skip_to=[{"when": when("a", "is_answered"), "page": "nowhere"}])
    )

    assert messages(data) == ["pages[0].skip_to[0].page: skips to unknown page 'nowhere'"]


@pytest.mark.parametrize(
    ("target", "condition", "problem"),
    [
        (field("n", "number"), when("n", "greater_than", "ten"), "'n' is a number; \"ten\" is not"),
        (
            field("t"),
            when("t", "less_than", "b"),
            "'less_than' needs a number or date field; 't' is short_text",
        ),
        (field("c", "single_choice"), when("c", "equals", "purple"), "'purple' is not an option of 'c'"),
        (
            field("y", "yes_no"),
            when("y", "equals", "yes"),
            "'y' is answered yes or no; compare with true or false",
        ),
        (
            field("d", "date"),
            when("d", "greater_than", "2024-02-30"),
            "'d' is a date; \"2024-02-30\" is not a date",
        ),
        (field("t"), {"field": "t", "operator": "equals"}, "'equals' needs a value"),
        (field("t"), {"field": "t", "operator": "is_answered", "value": "x"}, "'is_answered' takes no value"),
        (field("t"), when("t", "one_of", []), "'one_of' needs a non-empty list of values"),
        (field("home", "address"), when("home", "equals", "x"), "can only be tested with 'is_answered'"),
        (
            field("i", "information"),
            when("i", "is_answered"),
            "refers to information text 'i', which has no answer",
        ),
    ],
)
def test_conditions_must_fit_the_field_they_test(target: dict, condition: dict, problem: str) -> None:
    data = definition_data(page("start", [target, field("follow_up", show_when=condition)]))

    (message,) = messages(data)
    assert message.startswith("pages[0].fields[1].show_when: ")
    assert problem in message


def test_top_level_conditions_cannot_look_inside_a_repeating_group() -> None:
    data = definition_data(
        page(
            "start",
            [
                field("children", "repeating_group"),
                field("x", show_when=when("children_name", "is_answered")),
            ],
        )
    )

    assert messages(data) == [
        "pages[0].fields[1].show_when: refers to 'children_name' inside repeating group 'children'; "
        "only fields of the same group entry can use it"
    ]


def test_a_repeating_group_cannot_contain_another() -> None:
    inner = field("inner", "repeating_group")
    data = definition_data(page("start", [field("outer", "repeating_group", fields=[inner])]))

    assert messages(data) == [
        "pages[0].fields[0].fields[0].type: a repeating group cannot sit inside another repeating group"
    ]


def test_impossible_validation_ranges_and_bad_patterns_are_rejected() -> None:
    data = definition_data(
        page(
            "start",
            [
                field("n", "number", validation={"min": 10, "max": 1}),
                field("t", validation={"pattern": "([a-z"}),
            ],
        )
    )

    problems = messages(data)
    assert problems[0] == "pages[0].fields[0].validation: 'min' is greater than 'max'"
    assert problems[1].startswith("pages[0].fields[1].validation.pattern: not a valid regular expression")


def test_missing_translations_are_warnings_while_editing_and_errors_when_publishing() -> None:
    data = definition_data(page("start", [field("name", label={"sv": "Namn"})]))

    (warning,) = validate_definition(data)
    assert warning.severity == "warning"
    assert str(warning) == "pages[0].fields[0].label: missing translation for 'en'"
    assert load_definition(data).warnings == [warning]
    assert messages(data, for_publishing=True) == ["pages[0].fields[0].label: missing translation for 'en'"]
    with pytest.raises(DefinitionError):
        load_definition(data, for_publishing=True)


def test_a_text_missing_in_the_default_language_is_always_an_error() -> None:
    data = definition_data(page("start", [field("name", label={"en": "Name"})]))

    assert messages(data) == ["pages[0].fields[0].label: missing translation for 'sv'"]


def test_an_unknown_prefill_source_or_attribute_is_rejected() -> None:
    data = definition_data(
        page(
            "start",
            [
                field("a", prefill={"source": "tax_agency", "attribute": "income"}),
                field("b", prefill={"source": "resident_profile", "attribute": "shoe_size"}),
            ],
        )
    )

    assert messages(data) == [
        "pages[0].fields[0].prefill.source: unknown prefill source 'tax_agency' "
        "(known: population_register, resident_profile)",
        "pages[0].fields[1].prefill.attribute: "
        "prefill source 'resident_profile' has no attribute 'shoe_size'",
    ]
    assert messages(data, providers=PrefillRegistry())[0].endswith("(known: none)")


def test_an_information_text_cannot_be_required() -> None:
    data = definition_data(page("start", [field("info", "information", required=True)]))

    assert messages(data) == [
        "pages[0].fields[0].required: information text is never an answer, so it cannot have this"
    ]


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIRECTORY.glob("*.json")), ids=lambda path: path.stem)
def test_every_example_definition_is_ready_to_publish(path: object) -> None:
    assert validate_definition(path, for_publishing=True) == []  # type: ignore[arg-type]


def test_the_five_demo_e_services_are_shipped_in_four_languages() -> None:
    examples = example_definitions()

    assert set(examples) == {
        "preschool-placement",
        "parking-permit-disability",
        "report-street-fault",
        "home-care-assistance",
        "food-business-registration",
    }
    assert all(data["languages"] == ["sv", "en", "da", "ar"] for data in examples.values())
    assert examples["report-street-fault"]["settings"]["anonymous_allowed"] is True


def test_the_example_in_the_schema_documentation_is_a_valid_definition() -> None:
    document = (EXAMPLES_DIRECTORY.parent.parent / "docs" / "form-definition.md").read_text(encoding="utf-8")
    example = next(block for block in document.split("```json")[1:] if "schema_version" in block).split(
        "```"
    )[0]

    assert validate_definition(example, for_publishing=True) == []
