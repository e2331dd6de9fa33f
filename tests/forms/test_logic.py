"""Form logic on the server: operators, and/or, showing and hiding fields and pages, skips, requiredness."""

from __future__ import annotations

from typing import Any

import pytest

from forms.service import evaluate_page, next_page, previous_page, validate_page, visible_pages
from tests.forms.definitions import build, field, page, when


def shown_with(target: dict[str, Any], condition: dict[str, Any], answers: dict[str, Any]) -> bool:
    definition = build(page("start", [target]), page("more", [field("follow_up", show_when=condition)]))
    return evaluate_page(definition, "more", answers).is_visible("follow_up")


@pytest.mark.parametrize(
    ("target", "condition", "answers", "shown"),
    [
        (field("c", "single_choice"), when("c", "equals", "red"), {"c": "red"}, True),
        (field("c", "single_choice"), when("c", "equals", "red"), {"c": "blue"}, False),
        (field("c", "single_choice"), when("c", "not_equals", "red"), {"c": "blue"}, True),
        (field("c", "single_choice"), when("c", "not_equals", "red"), {"c": "red"}, False),
        (field("c", "single_choice"), when("c", "not_equals", "red"), {}, True),
        (field("c", "single_choice"), when("c", "one_of", ["red", "green"]), {"c": "green"}, True),
        (field("c", "single_choice"), when("c", "one_of", ["red", "green"]), {"c": "blue"}, False),
        (field("m", "multiple_choice"), when("m", "equals", "red"), {"m": ["green", "red"]}, True),
        (field("m", "multiple_choice"), when("m", "one_of", ["blue"]), {"m": ["green", "red"]}, False),
        (field("n", "number"), when("n", "greater_than", 10), {"n": 11}, True),
        (field("n", "number"), when("n", "greater_than", 10), {"n": 10}, False),
        (field("n", "number"), when("n", "less_than", 10), {"n": 9.5}, True),
        (field("n", "number"), when("n", "less_than", 10), {}, False),
        (field("d", "date"), when("d", "less_than", "2020-01-01"), {"d": "2019-12-31"}, True),
        (field("d", "date"), when("d", "greater_than", "2020-01-01"), {"d": "2019-12-31"}, False),
        (field("y", "yes_no"), when("y", "equals", False), {"y": False}, True),
        (field("y", "yes_no"), when("y", "equals", False), {}, False),
        (field("t"), when("t", "is_answered"), {"t": "x"}, True),
        (field("t"), when("t", "is_answered"), {"t": ""}, False),
        (field("y", "yes_no"), when("y", "is_answered"), {"y": False}, True),
        (field("g", "repeating_group"), when("g", "is_answered"), {"g": []}, False),
    ],
)
def test_each_operator_decides_whether_a_field_is_shown(
    target: dict[str, Any], condition: dict[str, Any], answers: dict[str, Any], shown: bool
) -> None:
    assert shown_with(target, condition, answers) is shown


def test_all_and_any_combine_and_nest() -> None:
    condition = {
        "all": [
            when("age", "greater_than", 17),
            {"any": [when("colour", "equals", "red"), when("colour", "equals", "blue")]},
        ]
    }
    targets = [field("age", "number"), field("colour", "single_choice")]
    definition = build(page("start", targets), page("more", [field("x", show_when=condition)]))

    def shown(answers: dict[str, Any]) -> bool:
        return evaluate_page(definition, "more", answers).is_visible("x")

    assert shown({"age": 18, "colour": "blue"})
    assert not shown({"age": 18, "colour": "green"})
    assert not shown({"age": 17, "colour": "red"})


def test_hide_when_hides_a_field_and_its_answer_stops_counting() -> None:
    definition = build(
        page(
            "start",
            [
                field("has_pet", "yes_no"),
                field("pet_name", hide_when=when("has_pet", "equals", False)),
                field("pet_food", show_when=when("pet_name", "is_answered")),
            ],
        )
    )

    state = evaluate_page(definition, "start", {"has_pet": False, "pet_name": "Rex"})

    assert not state.is_visible("pet_name")
    assert not state.is_visible("pet_food")  # the hidden field's old answer does not reveal further questions


def test_required_when_makes_a_field_required_only_when_the_condition_holds() -> None:
    definition = build(
        page(
            "start",
            [
                field("contact_me", "yes_no"),
                field("email", "email", required_when=when("contact_me", "equals", True)),
            ],
        )
    )

    assert evaluate_page(definition, "start", {"contact_me": True}).is_required("email")
    assert not evaluate_page(definition, "start", {"contact_me": False}).is_required("email")
    _cleaned, errors = validate_page(definition, "start", {"contact_me": "yes"}, {}, "en")
    assert [error.path for error in errors] == ["email"]
    _cleaned, errors = validate_page(definition, "start", {"contact_me": "no"}, {}, "en")
    assert errors == []


def test_a_follow_up_on_the_same_page_is_judged_by_the_answer_submitted_with_it() -> None:
    definition = build(
        page(
            "start",
            [
                field("sibling", "yes_no", required=True),
                field("sibling_name", required=True, show_when=when("sibling", "equals", True)),
            ],
        )
    )

    cleaned, errors = validate_page(
        definition, "start", {"sibling": "no", "sibling_name": "Tampered"}, {}, "en"
    )
    assert errors == []
    assert cleaned == {"sibling": False, "sibling_name": None}  # a hidden field's input is never kept

    _cleaned, errors = validate_page(definition, "start", {"sibling": "yes"}, {}, "en")
    assert [error.path for error in errors] == ["sibling_name"]


def three_pages(**middle: Any) -> Any:
    return build(
        page("first", [field("route", "single_choice")]),
        page("middle", [field("details")], **middle),
        page("last", [field("done")]),
    )


def test_a_page_can_be_hidden_and_navigation_skips_it_both_ways() -> None:
    definition = three_pages(hide_when=when("route", "equals", "red"))

    assert visible_pages(definition, {"route": "red"}) == ["first", "last"]
    assert next_page(definition, "first", {"route": "red"}) == "last"
    assert previous_page(definition, "last", {"route": "red"}) == "first"
    assert next_page(definition, "first", {"route": "blue"}) == "middle"
    assert previous_page(definition, "first", {}) is None
    assert next_page(definition, "last", {}) is None


def test_a_page_shown_only_when_a_condition_holds() -> None:
    definition = three_pages(show_when=when("route", "equals", "green"))

    assert visible_pages(definition, {}) == ["first", "last"]
    assert visible_pages(definition, {"route": "green"}) == ["first", "middle", "last"]
    assert not evaluate_page(definition, "middle", {}).visible
    assert not evaluate_page(definition, "middle", {"details": "x"}).is_visible("details")


def test_skip_to_jumps_over_the_pages_between() -> None:
    definition = build(
        page(
            "first",
            [field("applying_for", "single_choice")],
            skip_to=[{"when": when("applying_for", "equals", "red"), "page": "fourth"}],
        ),
        page("second", [field("b")]),
        page("third", [field("c")]),
        page("fourth", [field("d")]),
    )

    assert visible_pages(definition, {"applying_for": "red"}) == ["first", "fourth"]
    assert next_page(definition, "first", {"applying_for": "red"}) == "fourth"
    assert previous_page(definition, "fourth", {"applying_for": "red"}) == "first"
    assert visible_pages(definition, {"applying_for": "blue"}) == ["first", "second", "third", "fourth"]


def test_a_skip_from_a_page_that_is_itself_hidden_does_not_apply() -> None:
    definition = build(
        page("first", [field("a", "yes_no")]),
        page(
            "second",
            [field("b", "yes_no")],
            show_when=when("a", "equals", True),
            skip_to=[{"when": when("b", "equals", True), "page": "fourth"}],
        ),
        page("third", [field("c")]),
        page("fourth", [field("d")]),
    )

    assert visible_pages(definition, {"a": False, "b": True}) == ["first", "third", "fourth"]
    assert visible_pages(definition, {"a": True, "b": True}) == ["first", "second", "fourth"]


def test_fields_on_a_hidden_page_stop_counting_in_later_conditions() -> None:
    definition = build(
        page("first", [field("a", "yes_no")]),
        page("second", [field("b", "yes_no")], show_when=when("a", "equals", True)),
        page("third", [field("c", show_when=when("b", "equals", True))]),
    )

    assert evaluate_page(definition, "third", {"a": True, "b": True}).is_visible("c")
    assert not evaluate_page(definition, "third", {"a": False, "b": True}).is_visible("c")


def test_fields_inside_a_group_entry_follow_their_own_entrys_answers() -> None:
    definition = build(
        page(
            "start",
            [
                field("parent_works", "yes_no"),
                field(
                    "children",
                    "repeating_group",
                    fields=[
                        field("has_sibling", "yes_no"),
                        field("sibling_name", show_when=when("has_sibling", "equals", True), required=True),
                        field("hours", "number", required_when=when("parent_works", "equals", True)),
                    ],
                ),
            ],
        )
    )
    answers = {"parent_works": True, "children": [{"has_sibling": True}, {"has_sibling": False}]}

    state = evaluate_page(definition, "start", answers)

    first, second = state.entries["children"]
    assert first["sibling_name"].visible and first["sibling_name"].required
    assert not second["sibling_name"].visible
    assert first["hours"].required and second["hours"].required
    cleaned, errors = validate_page(
        definition,
        "start",
        {
            "parent_works": "no",
            "children": [{"has_sibling": "yes"}, {"has_sibling": "no", "sibling_name": "X"}],
        },
        {},
        "en",
    )
    assert [error.path for error in errors] == ["children[0].sibling_name"]
    assert cleaned["children"][1]["sibling_name"] is None


def test_answers_from_earlier_pages_drive_this_page() -> None:
    definition = build(
        page("first", [field("business", "yes_no")]),
        page(
            "second", [field("orgnr", "organisationsnummer", required_when=when("business", "equals", True))]
        ),
    )

    _cleaned, errors = validate_page(definition, "second", {}, {"business": True}, "en")
    assert [error.path for error in errors] == ["orgnr"]
    _cleaned, errors = validate_page(definition, "second", {}, {"business": False}, "en")
    assert errors == []


def test_only_the_current_pages_dependencies_are_planned_for_evaluation() -> None:
    definition = build(
        page("first", [field("a", "yes_no"), field("unrelated", "yes_no")]),
        page("second", [field("b", show_when=when("a", "equals", True))]),
        page("third", [field("c", show_when=when("unrelated", "equals", True))]),
    )

    assert "unrelated" not in definition.page_plan("second")
    assert definition.page_plan("second").index("a") < definition.page_plan("second").index("b")
