"""BankID's recommended user messages and the hintCode/errorCode -> RFA mapping."""

from __future__ import annotations

import re

import pytest

from signing.rfa import LANGUAGES, RFA_MESSAGES, rfa_for, rfa_message

EXPECTED_IDS = {
    "RFA1", "RFA2", "RFA3", "RFA4", "RFA5", "RFA6", "RFA8", "RFA9", "RFA13", "RFA14A", "RFA14B",
    "RFA15A", "RFA15B", "RFA16", "RFA17A", "RFA17B", "RFA18", "RFA19", "RFA20", "RFA21", "RFA22", "RFA23",
}  # fmt: skip


def test_every_rfa_message_from_rfa1_to_rfa23_exists() -> None:
    assert set(RFA_MESSAGES) == EXPECTED_IDS


@pytest.mark.parametrize("rfa_id", sorted(EXPECTED_IDS))
def test_every_message_is_translated_into_swedish_english_danish_and_arabic(rfa_id: str) -> None:
    messages = RFA_MESSAGES[rfa_id]
    assert set(messages) == set(LANGUAGES)
    assert all(text.strip() for text in messages.values())
    assert re.search(r"[\u0600-\u06FF]", messages["ar"]), "the Arabic text is in Arabic script"
    assert messages["da"] != messages["sv"]


def test_the_swedish_and_english_texts_follow_bankids_wording() -> None:
    assert rfa_message("RFA1", "sv") == "Starta BankID-appen."
    assert rfa_message("RFA1", "en") == "Start your BankID app."
    assert rfa_message("RFA5", "sv") == "Internt tekniskt fel. Försök igen."
    assert rfa_message("RFA6", "en") == "Action cancelled."
    assert (
        rfa_message("RFA9", "sv")
        == "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."
    )
    assert rfa_message("RFA15A", "sv").startswith("Söker efter BankID, det kan ta en liten stund")
    assert "kortläsaren" in rfa_message("RFA15A", "sv") and "kortläsaren" not in rfa_message("RFA15B", "sv")
    assert "annan enhet" in rfa_message("RFA14B", "sv") and "annan enhet" not in rfa_message("RFA15B", "sv")
    assert "https://install.bankid.com" in rfa_message("RFA17A", "en")
    assert "QR" in rfa_message("RFA17B", "en")


def test_an_unknown_language_falls_back_to_swedish_and_region_suffixes_are_ignored() -> None:
    assert rfa_message("RFA3", "fi") == rfa_message("RFA3", "sv")
    assert rfa_message("RFA3", "en-GB") == rfa_message("RFA3", "en")
    assert rfa_message("RFA3", "ar_SE") == rfa_message("RFA3", "ar")


def test_an_unknown_rfa_id_is_an_error() -> None:
    with pytest.raises(KeyError):
        rfa_message("RFA99", "sv")


@pytest.mark.parametrize(
    ("status", "hint_code", "started_via", "mobile", "expected"),
    [
        ("pending", "outstandingTransaction", "autostart", False, "RFA13"),
        ("pending", "outstandingTransaction", "autostart", True, "RFA13"),
        ("pending", "outstandingTransaction", "qr", False, "RFA1"),
        ("pending", "outstandingTransaction", "phone", True, "RFA1"),
        ("pending", "noClient", "qr", False, "RFA1"),
        ("pending", "noClient", "autostart", True, "RFA1"),
        ("pending", "started", "qr", False, "RFA15A"),
        ("pending", "started", "qr", True, "RFA15B"),
        ("pending", "started", "autostart", False, "RFA14A"),
        ("pending", "started", "autostart", True, "RFA14B"),
        ("pending", "userSign", "qr", False, "RFA9"),
        ("pending", "userMrtd", "qr", False, "RFA23"),
        ("pending", "userCallConfirm", "phone", True, "RFA21"),
        ("pending", "somethingNew", "qr", False, "RFA21"),
        ("failed", "userCancel", "qr", False, "RFA6"),
        ("failed", "expiredTransaction", "qr", False, "RFA8"),
        ("failed", "certificateErr", "autostart", False, "RFA16"),
        ("failed", "startFailed", "qr", False, "RFA17B"),
        ("failed", "startFailed", "autostart", True, "RFA17A"),
        ("failed", "cancelled", "qr", False, "RFA3"),
        ("failed", "userDeclinedCall", "phone", False, "RFA3"),
        ("failed", "somethingNew", "qr", False, "RFA22"),
    ],
)
def test_each_hint_code_maps_to_bankids_recommended_message(
    status: str, hint_code: str, started_via: str, mobile: bool, expected: str
) -> None:
    assert rfa_for(status, hint_code, started_via=started_via, mobile=mobile) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error_code", "expected"),
    [
        ("alreadyInProgress", "RFA4"),
        ("requestTimeout", "RFA5"),
        ("maintenance", "RFA5"),
        ("internalError", "RFA5"),
        ("invalidParameters", "RFA22"),
        ("unauthorized", "RFA22"),
        ("notFound", "RFA22"),
    ],
)
def test_each_error_code_maps_to_bankids_recommended_message(error_code: str, expected: str) -> None:
    assert rfa_for(error_code=error_code) == expected


def test_a_complete_order_has_no_message() -> None:
    with pytest.raises(ValueError):
        rfa_for("complete", None)
