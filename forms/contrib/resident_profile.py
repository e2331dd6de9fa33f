"""Prefill from the logged-in resident's own profile: name, personnummer, address and contact details."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from forms.prefill import PrefillContext, PrefillProvider, register


@register
class ResidentProfileProvider(PrefillProvider):
    name: ClassVar[str] = "resident_profile"
    attributes: ClassVar[frozenset[str]] = frozenset(
        {"given_name", "family_name", "full_name", "personnummer", "email", "phone", "address"}
    )

    def fetch(self, context: PrefillContext, attributes: Collection[str]) -> dict[str, Any]:
        resident = context.resident
        if resident is None:
            return {}
        address = None
        if resident.street_address and resident.postcode and resident.city:
            address = {
                "street": resident.street_address,
                "postcode": resident.postcode,
                "city": resident.city,
            }
        available = {
            "given_name": resident.given_name,
            "family_name": resident.family_name,
            "full_name": f"{resident.given_name} {resident.family_name}".strip(),
            "personnummer": resident.personnummer,
            "email": resident.email,
            "phone": resident.phone,
            "address": address,
        }
        return {name: available[name] for name in attributes if available.get(name) is not None}
