"""The form builder's operations on drafts, publishing, history, diffs, import/export and statistics."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from core import clock
from core.db import db
from core.models import AuditEntry, Role
from forms import builder, builder_statistics
from forms.builder import BuilderError, FieldSpec, Rule, SettingsSpec
from forms.models import Draft, Form, FormVersion, ImmutableVersionError
from forms.service import example_definitions, validate_definition
from tests.builders import make_staff
from tests.forms.definitions import definition_data, field, page, text, when


def two_pages() -> dict[str, Any]:
    return definition_data(
        page(
            "about",
            [
                field("has_pet", "yes_no", required=True),
                field("pet_kind", "single_choice"),
                field("name"),
            ],
        ),
        page("details", [field("pet_name", show_when=when("has_pet", "equals", True))]),
    )


def problems_of(error: pytest.ExceptionInfo[BuilderError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# Building ---------------------------------------------------------------------------------------------------


def test_a_new_form_starts_with_one_page_and_one_question() -> None:
    data = builder.new_definition(
        key="pets",
        title="Husdjur",
        languages=["en", "sv"],
        default_language="sv",
        page_title="Om dig",
        first_question=FieldSpec(key="name", type="short_text", label="Namn"),
    )
    assert data["languages"] == ["sv", "en"]
    assert [page["id"] for page in data["pages"]] == ["start"]
    assert data["pages"][0]["fields"][0]["label"] == {"sv": "Namn"}
    assert not [problem for problem in validate_definition(data) if problem.severity == "error"]


def test_a_form_key_with_capitals_is_refused_precisely() -> None:
    with pytest.raises(BuilderError) as error:
        builder.new_definition(
            key="Pets",
            title="Husdjur",
            languages=["sv"],
            default_language="sv",
            page_title="Om dig",
            first_question=FieldSpec(key="name", type="short_text", label="Namn"),
        )
    assert error.value.problems[0].location == "key"


def test_a_clashing_field_key_is_refused_and_changes_nothing() -> None:
    data = two_pages()
    before = copy.deepcopy(data)
    with pytest.raises(BuilderError) as error:
        builder.add_field(data, "details", FieldSpec(key="name", type="short_text", label="Igen"))
    assert error.value.problems[0].location == "pages[1].fields[1].key"
    assert "‘name’ is already used" in error.value.problems[0].message
    assert "Page 1" in error.value.problems[0].message
    assert data == before


def test_a_key_inside_a_repeating_group_clashes_with_top_level_keys_too() -> None:
    data = two_pages()
    data = builder.add_field(
        data,
        "details",
        FieldSpec(
            key="pets",
            type="repeating_group",
            label="Djur",
            first_question=FieldSpec(key="animal", type="short_text", label="Djur"),
        ),
    )
    with pytest.raises(BuilderError) as error:
        builder.add_field(
            data, "details", FieldSpec(key="animal", type="short_text", label="Igen"), group_key=None
        )
    assert "already used" in error.value.problems[0].message


def test_fields_of_every_type_can_be_added() -> None:
    data = two_pages()
    for position, field_type in enumerate(builder.FIELD_TYPES):
        spec = FieldSpec(
            key=f"q{position}",
            type=field_type,
            label=f"Fråga {position}",
            text="Läs detta" if field_type == "information" else "",
            options=[("a", "A"), ("b", "B")] if field_type in builder.CHOICE_TYPES else [],
            first_question=FieldSpec(key=f"q{position}_inner", type="date", label="När?")
            if field_type == "repeating_group"
            else None,
        )
        data = builder.add_field(data, "details", spec)
    types = [item["type"] for item in data["pages"][1]["fields"][1:]]
    assert types == list(builder.FIELD_TYPES)


def test_a_repeating_group_needs_its_first_question() -> None:
    with pytest.raises(BuilderError) as error:
        builder.add_field(two_pages(), "details", FieldSpec(key="kids", type="repeating_group", label="Barn"))
    assert error.value.problems[0].location == "pages[1].fields[1].fields"


def test_a_question_is_added_inside_a_repeating_group() -> None:
    data = builder.add_field(
        two_pages(),
        "details",
        FieldSpec(
            key="kids",
            type="repeating_group",
            label="Barn",
            entry_label="Barn",
            validation={"max_entries": 4},
            first_question=FieldSpec(key="kid_name", type="short_text", label="Namn"),
        ),
    )
    data = builder.add_field(
        data, "details", FieldSpec(key="kid_age", type="number", label="Ålder"), group_key="kids"
    )
    group = data["pages"][1]["fields"][1]
    assert [item["key"] for item in group["fields"]] == ["kid_name", "kid_age"]
    assert group["validation"] == {"max_entries": 4}


def test_a_choice_question_without_options_is_refused() -> None:
    with pytest.raises(BuilderError) as error:
        builder.add_field(two_pages(), "about", FieldSpec(key="colour", type="single_choice", label="Färg"))
    assert error.value.problems[0].location == "pages[0].fields[3].options"


def test_editing_keeps_other_languages_and_refuses_a_type_change() -> None:
    data = two_pages()
    data = builder.update_field(
        data,
        "name",
        FieldSpec(key="name", type="short_text", label="Ditt namn", validation={"max_length": 80}),
    )
    name = data["pages"][0]["fields"][2]
    assert name["label"] == {"sv": "Ditt namn", "en": "Question name"}
    assert name["validation"] == {"max_length": 80}
    with pytest.raises(BuilderError):
        builder.update_field(data, "name", FieldSpec(key="name", type="number", label="Namn"))


def test_an_impossible_validation_range_is_refused_with_its_location() -> None:
    with pytest.raises(BuilderError) as error:
        builder.update_field(
            two_pages(),
            "name",
            FieldSpec(
                key="name", type="short_text", label="Namn", validation={"min_length": 9, "max_length": 3}
            ),
        )
    assert problems_of(error) == ["pages[0].fields[2].validation: 'min_length' is greater than 'max_length'"]


def test_a_question_used_by_a_condition_cannot_be_removed() -> None:
    data = two_pages()
    with pytest.raises(BuilderError) as error:
        builder.remove_field(data, "has_pet")
    assert error.value.problems[0].location == "pages[1].fields[0].show_when"
    assert "has_pet" in error.value.problems[0].message
    assert data == two_pages()


def test_the_last_question_of_a_page_cannot_be_removed_but_others_can() -> None:
    data = builder.remove_field(two_pages(), "name")
    assert [item["key"] for item in data["pages"][0]["fields"]] == ["has_pet", "pet_kind"]
    with pytest.raises(BuilderError) as error:
        builder.remove_field(data, "pet_name")
    assert "at least one question" in error.value.problems[0].message


def test_removing_an_option_a_condition_uses_is_refused() -> None:
    data = builder.set_condition(
        two_pages(),
        target_kind="field",
        target="name",
        kind="show_when",
        rules=[Rule("pet_kind", "equals", "red")],
    )
    with pytest.raises(BuilderError) as error:
        builder.update_field(
            data,
            "pet_kind",
            FieldSpec(key="pet_kind", type="single_choice", label="Sort", options=[("green", "Grön")]),
        )
    assert error.value.problems[0].location == "pages[0].fields[2].show_when"
    assert "‘red’" in error.value.problems[0].message


def test_questions_and_pages_move_up_and_down_and_stop_at_the_ends() -> None:
    data = builder.move_field(two_pages(), "name", "up")
    assert [item["key"] for item in data["pages"][0]["fields"]] == ["has_pet", "name", "pet_kind"]
    with pytest.raises(BuilderError) as error:
        builder.move_field(data, "has_pet", "up")
    assert "already first" in error.value.problems[0].message
    with pytest.raises(BuilderError):
        builder.move_page(data, "details", "down")


def test_moving_a_question_in_front_of_the_answer_it_depends_on_is_refused_when_publishing() -> None:
    moved = builder.move_page(two_pages(), "details", "up")
    assert [page["id"] for page in moved["pages"]] == ["details", "about"]
    assert [problem.severity for problem in validate_definition(moved)] == ["warning"]
    assert [str(problem) for problem in validate_definition(moved, for_publishing=True)] == [
        "pages[0].fields[0].show_when: 'pet_name' can never be shown: its show_when depends on 'has_pet', "
        "which is asked on page 'about', which comes later"
    ]


def test_a_page_added_at_the_end_brings_its_first_question() -> None:
    data = builder.add_page(
        two_pages(),
        page_id="summary",
        title="Sammanfattning",
        first_question=FieldSpec(key="ok", type="consent", label="Jag intygar"),
    )
    assert data["pages"][-1]["id"] == "summary"
    with pytest.raises(BuilderError) as error:
        builder.add_page(
            data,
            page_id="summary",
            title="Igen",
            first_question=FieldSpec(key="x", type="short_text", label="X"),
        )
    assert error.value.problems[0].location == "pages[3].id"


def test_a_page_whose_questions_are_used_elsewhere_cannot_be_removed() -> None:
    with pytest.raises(BuilderError) as error:
        builder.remove_page(two_pages(), "about")
    assert error.value.problems[0].location == "pages[1].fields[0].show_when"
    assert [page["id"] for page in builder.remove_page(two_pages(), "details")["pages"]] == ["about"]


# Conditions -------------------------------------------------------------------------------------------------


def test_conditions_are_built_from_question_operator_and_value() -> None:
    data = builder.set_condition(
        two_pages(),
        target_kind="field",
        target="name",
        kind="required_when",
        rules=[Rule("has_pet", "equals", "yes"), Rule("pet_kind", "one_of", "Red, green")],
        combinator="any",
    )
    assert data["pages"][0]["fields"][2]["required_when"] == {
        "any": [
            {"field": "has_pet", "operator": "equals", "value": True},
            {"field": "pet_kind", "operator": "one_of", "value": ["red", "green"]},
        ]
    }
    assert builder.describe_condition(data, data["pages"][0]["fields"][2]["required_when"], "en") == (
        "‘Question has_pet’ is Yes or ‘Question pet_kind’ is one of ‘Red’, ‘Green’"
    )
    assert builder.editable_condition(data["pages"][0]["fields"][2]["required_when"]) == (
        "any",
        [Rule("has_pet", "equals", "yes"), Rule("pet_kind", "one_of", "red, green")],
    )


def test_a_page_condition_and_its_removal() -> None:
    data = builder.set_condition(
        two_pages(),
        target_kind="page",
        target="details",
        kind="hide_when",
        rules=[Rule("name", "is_answered")],
    )
    assert data["pages"][1]["hide_when"] == {"field": "name", "operator": "is_answered"}
    cleared = builder.set_condition(data, target_kind="page", target="details", kind="hide_when", rules=[])
    assert "hide_when" not in cleared["pages"][1]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule("gone", "equals", "x"), "no longer exists"),
        (Rule("has_pet", "equals", "maybe"), "yes or no"),
        (Rule("pet_kind", "equals", "purple"), "not one of the options"),
        (Rule("name", "greater_than", "5"), "'greater_than' needs a number or date field"),
        (Rule("pet_kind", "equals", ""), "Give the value"),
    ],
)
def test_a_condition_that_does_not_fit_is_refused_precisely(rule: Rule, message: str) -> None:
    data = builder.add_field(two_pages(), "details", FieldSpec(key="extra", type="short_text", label="Extra"))
    with pytest.raises(BuilderError) as error:
        builder.set_condition(data, target_kind="field", target="extra", kind="show_when", rules=[rule])
    assert message in str(error.value)
    assert "pages[1].fields[1].show_when" in error.value.problems[0].location


def test_a_field_cannot_be_shown_depending_on_itself_through_a_cycle() -> None:
    data = builder.set_condition(
        two_pages(),
        target_kind="field",
        target="name",
        kind="show_when",
        rules=[Rule("pet_kind", "is_answered")],
    )
    with pytest.raises(BuilderError) as error:
        builder.set_condition(
            data,
            target_kind="field",
            target="pet_kind",
            kind="show_when",
            rules=[Rule("name", "is_answered")],
        )
    assert "cycle" in str(error.value)


# Prefill, settings, languages, translations -----------------------------------------------------------------


def test_prefill_comes_from_a_registered_source() -> None:
    data = builder.set_prefill(
        two_pages(), "name", source="resident_profile", attribute="full_name", locked=True
    )
    assert data["pages"][0]["fields"][2]["prefill"] == {
        "source": "resident_profile",
        "attribute": "full_name",
        "locked": True,
    }
    with pytest.raises(BuilderError) as error:
        builder.set_prefill(data, "name", source="resident_profile", attribute="shoe_size", locked=False)
    assert error.value.problems[0].location == "pages[0].fields[2].prefill.attribute"
    assert "resident_profile" in builder.prefill_sources()
    assert (
        "prefill"
        not in builder.set_prefill(data, "name", source=None, attribute=None, locked=False)["pages"][0][
            "fields"
        ][2]
    )


def test_settings_cover_login_signing_co_signers_retention_and_confirmation() -> None:
    data = builder.add_field(
        two_pages(), "details", FieldSpec(key="partner", type="personnummer", label="Partner")
    )
    data = builder.update_settings(
        data,
        SettingsSpec(
            signing="bankid_with_cosigners",
            cosigner_field="partner",
            draft_retention_days=30,
            case_retention_days=3650,
            confirmation_text="Tack! Vi hör av oss.",
            satisfaction_rating=True,
        ),
    )
    assert data["settings"] == {
        "anonymous_allowed": False,
        "requires_signature": True,
        "cosigner_field": "partner",
        "draft_retention_days": 30,
        "case_retention_days": 3650,
        "confirmation_text": {"sv": "Tack! Vi hör av oss."},
        "satisfaction_rating": True,
    }
    assert builder.signing_choice(data["settings"]) == "bankid_with_cosigners"
    plain = builder.update_settings(data, SettingsSpec(anonymous_allowed=True))
    assert plain["settings"] == {"anonymous_allowed": True, "requires_signature": False}


def test_co_signers_must_be_named_by_a_personnummer_question() -> None:
    with pytest.raises(BuilderError) as error:
        builder.update_settings(
            two_pages(), SettingsSpec(signing="bankid_with_cosigners", cosigner_field="name")
        )
    assert problems_of(error) == [
        "settings.cosigner_field: co-signers are named by a personnummer field; 'name' is short_text"
    ]
    with pytest.raises(BuilderError):
        builder.update_settings(two_pages(), SettingsSpec(anonymous_allowed=True, signing="bankid"))


def test_the_definition_checks_the_co_signer_setting_itself() -> None:
    data = two_pages()
    data["settings"] = {"cosigner_field": "nobody"}
    assert {str(problem) for problem in validate_definition(data)} == {
        "settings.cosigner_field: refers to unknown field 'nobody'",
        "settings.cosigner_field: co-signers sign after the applicant, so the form must require a signature",
    }


def test_translations_list_what_is_missing_per_language_and_fill_it_in() -> None:
    data = builder.add_field(
        two_pages(), "details", FieldSpec(key="note", type="long_text", label="Anteckning")
    )
    missing = builder.missing_translations(data)
    assert missing["sv"] == []
    assert [text.path for text in missing["en"]] == ["pages[1].fields[1].label"]
    data = builder.set_translations(data, "en", {"pages[1].fields[1].label": "Note"})
    assert builder.missing_translations(data)["en"] == []
    with pytest.raises(BuilderError):
        builder.set_translations(data, "sv", {"pages[1].fields[1].label": " "})
    with pytest.raises(BuilderError):
        builder.set_translations(data, "da", {"title": "Testformular"})


def test_adding_a_language_makes_every_text_missing_in_it_and_dropping_it_removes_its_texts() -> None:
    data = builder.set_languages(two_pages(), ["sv", "en", "ar"], "sv")
    assert len(builder.missing_translations(data)["ar"]) == len(builder.translatable_texts(data))
    assert any(problem.severity == "error" for problem in validate_definition(data, for_publishing=True))
    dropped = builder.set_languages(data, ["sv"], "sv")
    assert dropped["title"] == {"sv": "Testformulär"}


# The engine's publishing checks -----------------------------------------------------------------------------


def test_a_page_shown_only_on_a_later_answer_can_never_be_reached() -> None:
    data = definition_data(
        page("first", [field("a")], show_when=when("b", "equals", "x")),
        page("second", [field("b")]),
    )
    editing = validate_definition(data)
    assert [problem.severity for problem in editing] == ["warning"]
    publishing = [str(problem) for problem in validate_definition(data, for_publishing=True)]
    assert publishing == [
        "pages[0].show_when: page 'first' can never be shown: its show_when depends on 'b', which is asked on "
        "page 'second', which comes later"
    ]


def test_a_page_behind_an_always_true_skip_can_never_be_reached() -> None:
    data = definition_data(
        page("first", [field("a")], skip_to=[{"when": when("c", "not_equals", "x"), "page": "third"}]),
        page("second", [field("b")]),
        page("third", [field("c")]),
    )
    problems = [str(problem) for problem in validate_definition(data, for_publishing=True)]
    assert problems == [
        "pages[1]: page 'second' can never be shown: pages[0].skip_to[0] on page 'first' always skips past it"
    ]


def test_pages_that_depend_on_earlier_answers_are_reachable() -> None:
    assert validate_definition(two_pages(), for_publishing=True) == []
    for definition in example_definitions().values():
        assert validate_definition(definition, for_publishing=True) == []


# Diff -------------------------------------------------------------------------------------------------------


def test_the_diff_reads_field_by_field() -> None:
    old = two_pages()
    new = builder.add_field(old, "details", FieldSpec(key="vet", type="yes_no", label="Har du veterinär?"))
    new = builder.update_field(
        new,
        "pet_kind",
        FieldSpec(
            key="pet_kind",
            type="single_choice",
            label="Vilket djur?",
            options=[("red", "Röd"), ("cat", "Katt")],
        ),
    )
    new = builder.set_condition(
        new,
        target_kind="field",
        target="pet_kind",
        kind="show_when",
        rules=[Rule("has_pet", "equals", "yes")],
    )
    new = builder.set_translations(new, "en", {"pages[0].fields[1].label": "Which animal?"})
    new = builder.remove_field(new, "name")
    changes = {
        (change.kind, change.subject, change.detail, change.before, change.after)
        for change in builder.diff_definitions(old, new, "sv")
    }
    assert ("added", "Question ‘Har du veterinär?’ (vet)", "on page ‘Sida details’", None, None) in changes
    assert ("removed", "Question ‘Fråga name’ (name)", "on page ‘Sida about’", None, None) in changes
    assert (
        "changed",
        "Question ‘Vilket djur?’ (pet_kind)",
        "Label (sv)",
        "Fråga pet_kind",
        "Vilket djur?",
    ) in changes
    assert (
        "changed",
        "Question ‘Vilket djur?’ (pet_kind)",
        "Label (en)",
        "Question pet_kind",
        "Which animal?",
    ) in changes
    assert ("added", "Question ‘Vilket djur?’ (pet_kind)", "Option ‘Katt’", None, None) in changes
    assert ("removed", "Question ‘Vilket djur?’ (pet_kind)", "Option ‘Green’", None, None) in changes
    assert (
        "added",
        "Question ‘Vilket djur?’ (pet_kind)",
        "Shown when",
        "always",
        "‘Fråga has_pet’ is Yes",
    ) in changes
    assert builder.diff_definitions(new, new, "sv") == []


# Drafts, versions, import and export in the database --------------------------------------------------------


def make_form(data: dict[str, Any] | None = None) -> Form:
    return builder.create_form(data or two_pages())


def test_publishing_makes_immutable_numbered_versions_with_notes(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    form = make_form()
    first = builder.publish(form, change_note="First version", publisher=admin)
    builder.apply(form, lambda data: builder.remove_field(data, "name"), "question removed")
    second = builder.publish(form, change_note="No name question", publisher=admin)
    assert (first.version, second.version) == (1, 2)
    assert [field["key"] for field in first.definition["pages"][0]["fields"]] == [
        "has_pet",
        "pet_kind",
        "name",
    ]
    assert second.published_by_id == admin.id and second.change_note == "No name question"
    first.change_note = "rewritten"
    with pytest.raises(ImmutableVersionError):
        db.flush()
    db.rollback()


def test_publishing_refuses_a_draft_with_problems_and_points_at_them(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    form = make_form(
        builder.add_field(two_pages(), "details", FieldSpec(key="note", type="long_text", label="Anteckning"))
    )
    with pytest.raises(BuilderError) as error:
        builder.publish(form, change_note="Try", publisher=admin)
    assert problems_of(error) == ["pages[1].fields[1].label: missing translation for 'en'"]
    assert builder.describe_location(form.draft_definition, "pages[1].fields[1].label", "sv") == (
        "Page 2 ‘Sida details’ › question ‘Anteckning’ › label"
    )
    assert db.scalar(select(FormVersion).where(FormVersion.form_id == form.id)) is None


def test_publishing_an_unchanged_draft_or_without_a_note_is_refused(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    form = make_form()
    with pytest.raises(BuilderError) as error:
        builder.publish(form, change_note=" ", publisher=admin)
    assert error.value.problems[0].location == "change_note"
    builder.publish(form, change_note="First", publisher=admin)
    with pytest.raises(BuilderError) as error:
        builder.publish(form, change_note="Again", publisher=admin)
    assert "nothing has changed since version 1" in str(error.value)


def test_a_draft_stays_on_the_version_it_started_on(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    form = make_form()
    first = builder.publish(form, change_note="First", publisher=admin)
    draft = Draft(form_version_id=first.id, answers={"has_pet": True}, actor_kind="resident")
    db.add(draft)
    builder.apply(form, lambda data: builder.remove_field(data, "name"), "question removed")
    builder.publish(form, change_note="Second", publisher=admin)
    db.flush()
    db.refresh(draft)
    assert draft.form_version.version == 1
    assert "name" in json.dumps(draft.form_version.definition)


def test_a_refused_change_leaves_the_stored_draft_alone(app: Flask) -> None:
    form = make_form()
    before = copy.deepcopy(form.draft_definition)
    with pytest.raises(BuilderError):
        builder.apply(form, lambda data: builder.remove_field(data, "has_pet"), "question removed")
    assert form.draft_definition == before


def test_every_change_is_audit_logged(app: Flask) -> None:
    form = make_form()
    builder.apply(
        form, lambda data: builder.move_field(data, "name", "up"), "question moved", question="name"
    )
    db.commit()
    entries = list(
        db.scalars(select(AuditEntry).where(AuditEntry.subject_kind == "form").order_by(AuditEntry.id))
    )
    assert [(entry.action, entry.details.get("change")) for entry in entries] == [
        ("form.created", None),
        ("form.draft_changed", "question moved"),
    ]
    assert entries[1].details["question"] == "name"


def test_export_and_import_round_trip_without_touching_published_versions(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    form = make_form()
    version = builder.publish(form, change_note="First", publisher=admin)
    exported = builder.export_definition(form, version)
    changed = json.loads(exported)
    changed["title"] = text("Nytt namn", "New name")
    builder.import_definition(json.dumps(changed), into=form)
    assert form.draft_definition["title"] == text("Nytt namn", "New name")
    assert version.definition["title"] == text("Testformulär", "Test form")
    assert json.loads(builder.export_definition(form)) == changed


@pytest.mark.parametrize(
    ("content", "location", "message"),
    [
        ("{not json", "file", "not valid JSON"),
        ("[1, 2]", "file", "does not contain a form definition"),
        (json.dumps({"schema_version": 1, "key": "x"}), "form", "'title' is a required property"),
    ],
)
def test_a_bad_import_is_refused_precisely(app: Flask, content: str, location: str, message: str) -> None:
    with pytest.raises(BuilderError) as error:
        builder.import_definition(content)
    assert error.value.problems[0].location == location
    assert message in error.value.problems[0].message
    assert builder.all_forms() == []


def test_an_import_of_another_form_or_a_taken_key_is_refused(app: Flask) -> None:
    form = make_form()
    other = definition_data(key="another-form")
    with pytest.raises(BuilderError) as error:
        builder.import_definition(json.dumps(other), into=form)
    assert "‘another-form’, not ‘test-form’" in str(error.value)
    with pytest.raises(BuilderError) as error:
        builder.import_definition(json.dumps(two_pages()))
    assert "already a form with the key ‘test-form’" in str(error.value)


def test_every_example_can_be_imported_and_published(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    for definition in example_definitions().values():
        form = builder.import_definition(json.dumps(definition))
        assert builder.publish(form, change_note="Imported", publisher=admin).version == 1


# Statistics -------------------------------------------------------------------------------------------------


def test_statistics_count_drafts_submissions_drop_off_time_prefill_and_ratings(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    data = builder.update_settings(two_pages(), SettingsSpec(satisfaction_rating=True))
    form = make_form(data)
    version = builder.publish(form, change_note="First", publisher=admin)
    start = clock.now()

    def draft(page_id: str | None, **answers: Any) -> Draft:
        item = Draft(
            form_version_id=version.id,
            answers=answers,
            prefilled={"name": {"source": "resident_profile", "attribute": "full_name", "locked": False}},
            current_page=page_id,
            actor_kind="resident",
            created_at=start,
        )
        db.add(item)
        db.flush()
        return item

    draft("about")
    draft("details")
    draft("details")
    finished = [draft("details", has_pet=True, name="Ada"), draft("details", has_pet=False, name="Bo")]
    for minutes, item in zip((10, 20), finished, strict=True):
        clock.advance(dt.timedelta(minutes=minutes) - (clock.now() - start))
        builder_statistics.record_submission(builder_statistics.submission_statistics(item))
    # A retried submit (or a retried follow-up job) is counted once.
    builder_statistics.record_submission(builder_statistics.submission_statistics(finished[0]))
    for score in (5, 4, 5):
        builder_statistics.record_rating(version.id, score)

    figures = builder_statistics.form_statistics(form, "sv")
    assert (figures.drafts_started, figures.submitted) == (5, 2)
    assert figures.completion_rate == pytest.approx(0.4)
    assert figures.median_minutes == pytest.approx(15, abs=0.1)
    assert figures.prefilled_share == pytest.approx(0.5)
    assert figures.submissions_with_prefill_share == pytest.approx(1.0)
    assert [(bar.label, bar.value) for bar in figures.drop_off] == [("Sida about", 1), ("Sida details", 2)]
    assert [bar.value for bar in figures.ratings] == [0, 0, 0, 1, 2]
    assert figures.rating_average == pytest.approx(14 / 3)


def test_a_rating_is_refused_when_the_form_does_not_ask_or_it_is_out_of_range(app: Flask) -> None:
    admin = make_staff(roles=[Role.FORM_ADMIN])
    silent = builder.publish(make_form(), change_note="First", publisher=admin)
    with pytest.raises(builder_statistics.RatingRefused):
        builder_statistics.record_rating(silent.id, 5)
    asking = builder.create_form(
        builder.update_settings(definition_data(key="asking"), SettingsSpec(satisfaction_rating=True))
    )
    version = builder.publish(asking, change_note="First", publisher=admin)
    with pytest.raises(builder_statistics.RatingRefused):
        builder_statistics.record_rating(version.id, 6)
