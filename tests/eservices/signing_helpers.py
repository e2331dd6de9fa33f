"""Forms that must be signed (alone, or with co-signers named in a repeating group) and helpers that walk the
signing pages with the test client against the BankID emulator."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from core import clock
from tests.conftest import running_app, test_environ
from tests.eservices.filing_helpers import location

# The emulator's fictional identities.
FATIMA = "198512308480"
JOHAN = "197805093932"
LARS = "196711252533"

ORDER_PATH = re.compile(r"/signing/([0-9a-zA-Z-]+)$")


def translated(sv: str, en: str, da: str = "", ar: str = "") -> dict[str, str]:
    return {"sv": sv, "en": en, "da": da or en, "ar": ar or en}


def signed_form(*, cosigners: bool = False, key: str = "signed-form") -> dict[str, Any]:
    """A one-page form that must be signed; with `cosigners`, a group names the people who must co-sign."""
    fields: list[dict[str, Any]] = [
        {
            "key": "nickname",
            "type": "short_text",
            "required": True,
            "label": translated("Smeknamn", "Nickname", "Kaldenavn", "اللقب"),
        }
    ]
    settings: dict[str, Any] = {"anonymous_allowed": False, "requires_signature": True}
    if cosigners:
        fields.append(
            {
                "key": "guardians",
                "type": "repeating_group",
                "required": True,
                "label": translated(
                    "Andra vårdnadshavare", "Other guardians", "Andre forældremyndige", "الأوصياء"
                ),
                "entry_label": translated("Vårdnadshavare", "Guardian", "Forælder", "وصي"),
                "validation": {"min_entries": 1, "max_entries": 3},
                "fields": [
                    {
                        "key": "guardian_pnr",
                        "type": "personnummer",
                        "required": True,
                        "label": translated(
                            "Vårdnadshavarens personnummer",
                            "Guardian's personnummer",
                            "Forælderens personnummer",
                            "الرقم الشخصي للوصي",
                        ),
                    }
                ],
            }
        )
        settings["cosigner_field"] = "guardian_pnr"
    return {
        "schema_version": 1,
        "key": key,
        "title": translated(
            "Ansökan om lov", "Application for a permit", "Ansøgning om tilladelse", "طلب تصريح"
        ),
        "languages": ["sv", "en", "da", "ar"],
        "settings": settings,
        "pages": [
            {
                "id": "about",
                "title": translated("Om ansökan", "About the application", "Om ansøgningen", "عن الطلب"),
                "fields": fields,
            }
        ],
    }


def page_data(nickname: str, *guardians: str) -> dict[str, str]:
    data = {"nickname": nickname}
    for index, number in enumerate(guardians):
        data[f"guardians[{index}].guardian_pnr"] = number
    return data


def emulator_app(database_url: str, tmp_path: Path, bankid_emulator: str) -> Iterator[Flask]:
    """The app pointed at the BankID emulator, running as its own process (for a module's `app` fixture)."""
    with running_app(
        test_environ(database_url, tmp_path, KANAL_BANKID_URL=bankid_emulator), csrf=False
    ) as application:
        yield application


def fill_in(client: FlaskClient, slug: str, data: dict[str, str]) -> int:
    """Start a draft on the service and answer its one page; returns the draft id (on check answers)."""
    started = client.post(f"/services/{slug}/start")
    assert started.status_code == 303, started.get_data(as_text=True)
    page_url = location(started)
    saved = client.post(page_url, data=data)
    assert saved.status_code == 303 and location(saved).endswith("/check"), saved.get_data(as_text=True)
    match = re.search(r"/e/(\d+)/", page_url)
    assert match is not None
    return int(match.group(1))


def start_signing(client: FlaskClient, draft_id: int) -> str:
    """Press Send on check answers, then "another device" on the sign step; returns the order reference."""
    sent = client.post(f"/e/{draft_id}/submit")
    assert sent.status_code == 303 and location(sent).endswith(f"/e/{draft_id}/sign")
    return start_order(client, f"/e/{draft_id}/sign")


def start_order(client: FlaskClient, path: str) -> str:
    started = client.post(path, data={"device": "other"})
    assert started.status_code == 303, started.get_data(as_text=True)
    match = ORDER_PATH.search(location(started))
    assert match is not None, location(started)
    return match.group(1)


def collect(client: FlaskClient, order_ref: str) -> dict[str, Any]:
    clock.advance(dt.timedelta(seconds=2))  # BankID's collect pace, without sleeping
    response = client.post(f"/signing/{order_ref}/collect", headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    payload: dict[str, Any] = response.get_json()
    return payload


def flashed_page(client: FlaskClient, url: str) -> str:
    return client.get(url).get_data(as_text=True)
