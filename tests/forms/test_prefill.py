"""Prefill: the resident-profile and population-register providers, marking, locking and a custom registry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eservices import demo
from forms.contrib.population_register import PopulationRegisterProvider
from forms.contrib.resident_profile import ResidentProfileProvider
from forms.service import (
    FormDefinition,
    PrefillContext,
    PrefillRegistry,
    PrefillResult,
    example_definitions,
    load_definition,
    prefill,
    validate_page,
)
from tests.forms.definitions import definition_data, field, page


@dataclass
class Person:
    """Shaped like core.models.Resident, which is all providers may rely on."""

    personnummer: str
    given_name: str
    family_name: str
    email: str | None = None
    phone: str | None = None
    street_address: str | None = None
    postcode: str | None = None
    city: str | None = None


FATIMA = Person(
    "198512308480",
    "Fatima",
    "Ahmadi",
    "fatima.ahmadi@example.se",
    "070-123 45 67",
    "Parkvägen 12",
    "12346",
    "Exempelstad",
)


def preschool() -> FormDefinition:
    return load_definition(example_definitions()["preschool-placement"])


def test_the_resident_profile_fills_in_name_identity_and_contact_details() -> None:
    definition = load_definition(
        definition_data(
            page(
                "start",
                [
                    field(
                        "name",
                        prefill={"source": "resident_profile", "attribute": "full_name", "locked": True},
                    ),
                    field("email", "email", prefill={"source": "resident_profile", "attribute": "email"}),
                    field("phone", "phone", prefill={"source": "resident_profile", "attribute": "phone"}),
                    field("home", "address", prefill={"source": "resident_profile", "attribute": "address"}),
                ],
            )
        )
    )

    result = prefill(definition, PrefillContext(FATIMA))

    assert result.answers == {
        "name": "Fatima Ahmadi",
        "email": "fatima.ahmadi@example.se",
        "phone": "+46701234567",  # cleaned like a typed answer
        "home": {"street": "Parkvägen 12", "postcode": "12346", "city": "Exempelstad"},
    }
    assert result.is_prefilled("email") and not result.is_locked("email")
    assert result.is_locked("name")


def test_a_profile_value_that_would_not_pass_validation_is_left_out() -> None:
    definition = load_definition(
        definition_data(
            page(
                "start",
                [field("email", "email", prefill={"source": "resident_profile", "attribute": "email"})],
            )
        )
    )

    result = prefill(definition, PrefillContext(Person("198507152398", "K", "H", email="not-an-address")))

    assert result.answers == {}
    assert not result.is_prefilled("email")


def test_anonymous_filling_gets_no_prefill() -> None:
    assert prefill(preschool(), PrefillContext(None)).answers == {}


def test_the_population_register_fills_in_a_repeating_group_of_children() -> None:
    result = prefill(preschool(), PrefillContext(FATIMA))

    assert result.answers["children"] == [
        {"child_name": "Layla Ahmadi", "child_personnummer": "201909202424"},
        {"child_name": "Adam Ahmadi", "child_personnummer": "202201112337"},
    ]
    assert result.answers["name"] == "Fatima Ahmadi"
    assert result.is_locked("children[1].child_personnummer")
    assert result.origins["children[0].child_name"].attribute == "children.full_name"
    assert not result.is_locked("children")  # the parent may remove a child they are not applying for


def test_a_file_backed_register_can_be_pointed_at_another_file(tmp_path: Path) -> None:
    register_file = tmp_path / "register.json"
    register_file.write_text(
        json.dumps(
            {
                "people": [
                    {
                        "personnummer": "198512308480",
                        "given_name": "Fatima",
                        "family_name": "Ahmadi",
                        "address": {"street": "Nygatan 2", "postcode": "54321", "city": "Annanstad"},
                        "children": ["202103142283"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    providers = PrefillRegistry()
    providers.add(PopulationRegisterProvider(register_file))
    providers.add(ResidentProfileProvider())
    definition = load_definition(
        definition_data(
            page(
                "start",
                [
                    field(
                        "home", "address", prefill={"source": "population_register", "attribute": "address"}
                    ),
                    field(
                        "kids",
                        "repeating_group",
                        prefill={"source": "population_register", "attribute": "children"},
                        fields=[field("kid_pnr", "personnummer", prefill={"attribute": "personnummer"})],
                    ),
                ],
            )
        ),
        providers=providers,
    )

    result = prefill(definition, PrefillContext(FATIMA), providers)

    assert result.answers == {
        "home": {"street": "Nygatan 2", "postcode": "54321", "city": "Annanstad"},
        "kids": [{"kid_pnr": "202103142283"}],  # a child missing from the register still has its number
    }


def test_someone_missing_from_the_register_gets_no_register_prefill() -> None:
    stranger = Person("198512308480", "Fatima", "Ahmadi")
    register = PopulationRegisterProvider(Path(__file__).parent / "no-such-register.json")
    providers = PrefillRegistry()
    providers.add(ResidentProfileProvider())

    assert register.attributes >= {"children", "children.personnummer", "address"}
    assert "children" not in prefill(preschool(), PrefillContext(stranger), providers).answers


def test_every_demo_resident_has_a_register_entry_with_the_same_name_and_address() -> None:
    provider = PopulationRegisterProvider()
    for number, given, family, *_contact, (street, postcode, city) in demo.RESIDENTS:
        found = provider.fetch(PrefillContext(Person(number, "", "")), {"address", "full_name"})
        assert found == {
            "full_name": f"{given} {family}",
            "address": {"street": street, "postcode": postcode, "city": city},
        }


def test_locked_prefilled_values_cannot_be_changed_by_tampered_input() -> None:
    definition = preschool()
    result = prefill(definition, PrefillContext(FATIMA))

    cleaned, errors = validate_page(
        definition,
        "guardian",
        {"name": "Someone Else", "personnummer": "197805093932", "email": "new@example.se"},
        result.answers,
        "en",
        prefilled=result,
    )

    assert errors == []
    assert cleaned["name"] == "Fatima Ahmadi"
    assert cleaned["personnummer"] == "198512308480"
    assert cleaned["email"] == "new@example.se"  # editable prefill may be changed


def test_a_locked_childs_personnummer_must_be_one_the_register_gave() -> None:
    definition = preschool()
    result = prefill(definition, PrefillContext(FATIMA))
    entry = {
        "start_date": "2099-08-01",
        "hours_per_week": "30",
        "preferred_preschool": "ekorren",
        "has_sibling": "no",
    }

    _cleaned, errors = validate_page(
        definition,
        "children",
        {"children": [{**entry, "child_name": "Adam Ahmadi", "child_personnummer": "20220111-2337"}]},
        result.answers,
        "en",
        prefilled=result,
    )
    assert errors == []

    _cleaned, errors = validate_page(
        definition,
        "children",
        {"children": [{**entry, "child_name": "Adam Ahmadi", "child_personnummer": "202103142283"}]},
        result.answers,
        "en",
        prefilled=result,
    )
    assert [(error.path, error.message) for error in errors] == [
        ("children[0].child_personnummer", "This answer comes from a register and cannot be changed.")
    ]


def test_prefill_origins_survive_a_round_trip_through_json() -> None:
    result = prefill(preschool(), PrefillContext(FATIMA))

    restored = PrefillResult.from_json(
        json.loads(json.dumps(result.answers)), json.loads(json.dumps(result.to_json()))
    )

    assert restored == result
