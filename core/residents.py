"""Residents as people Kanal knows: found or created from a verified e-ID identity."""

from __future__ import annotations

from sqlalchemy import select

from core import audit
from core.db import db
from core.models import Resident


def find_resident(personnummer: str) -> Resident | None:
    return db.scalar(select(Resident).where(Resident.personnummer == personnummer))


def find_or_create_resident(personnummer: str, given_name: str, family_name: str, language: str) -> Resident:
    """The resident with this personnummer; created on first login with the name the e-ID vouched for."""
    resident = find_resident(personnummer)
    if resident is None:
        resident = Resident(
            personnummer=personnummer,
            given_name=given_name,
            family_name=family_name,
            preferred_language=language,
        )
        db.add(resident)
        db.flush()
        audit.record("create", "resident", resident.id, resident_id=resident.id, reason="first e-ID login")
    elif (given_name, family_name) != (resident.given_name, resident.family_name) and given_name:
        # The e-ID is the authority on the legal name; keep ours in step with it.
        resident.given_name, resident.family_name = given_name, family_name
        audit.record("update", "resident", resident.id, resident_id=resident.id, reason="name from e-ID")
    return resident
