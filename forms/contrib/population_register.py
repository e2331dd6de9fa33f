"""Prefill from the population register. This provider reads a JSON file and is meant for development and
demos; a municipality connects its real register (e.g. Navet) through another provider with the same
attributes.

File format: {"people": [{"personnummer", "given_name", "family_name",
"address": {"street", "postcode", "city"}, "children": ["<personnummer>", ...]}]}
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, ClassVar

from forms.prefill import PrefillContext, PrefillProvider, register

DEMO_REGISTER = Path(__file__).resolve().parent.parent / "data" / "population_register.json"
CHILD_ATTRIBUTES = ("personnummer", "given_name", "family_name", "full_name", "birth_date")


@register
class PopulationRegisterProvider(PrefillProvider):
    name: ClassVar[str] = "population_register"
    attributes: ClassVar[frozenset[str]] = frozenset(
        {"given_name", "family_name", "full_name", "address", "children"}
        | {f"children.{attribute}" for attribute in CHILD_ATTRIBUTES}
    )

    def __init__(self, path: Path = DEMO_REGISTER) -> None:
        self.path = path

    def _people(self) -> dict[str, Mapping[str, Any]]:
        # Read on each use: the file is small, and edits show up without restarting the development server.
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return {str(person["personnummer"]): person for person in data.get("people", [])}

    def fetch(self, context: PrefillContext, attributes: Collection[str]) -> dict[str, Any]:
        if context.personnummer is None:
            return {}
        people = self._people()
        person = people.get(context.personnummer)
        if person is None:
            return {}
        available = {**_describe(person), "address": person.get("address")}
        if "children" in attributes:
            available["children"] = [
                _describe(people.get(child, {"personnummer": child})) for child in person.get("children", [])
            ]
        return {name: available[name] for name in attributes if available.get(name) is not None}


def _describe(person: Mapping[str, Any]) -> dict[str, Any]:
    number = str(person["personnummer"])
    given, family = person.get("given_name", ""), person.get("family_name", "")
    return {
        "personnummer": number,
        "given_name": given,
        "family_name": family,
        "full_name": f"{given} {family}".strip(),
        "birth_date": f"{number[:4]}-{number[4:6]}-{number[6:8]}",
    }
