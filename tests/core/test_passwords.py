"""The staff password policy: at least 12 characters, not the person's own name, and not easy to guess (zxcvbn
score 3 or more); every refusal says why, in the language in force."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from core import passwords
from core.auth import create_staff_user
from core.db import db
from core.models import Role, StaffUser
from eservices.demo import DEMO_PASSWORD, STAFF

NORA = ["nora.nilsson@exempelstad.se", "Nora Nilsson"]
TOO_EASY = "The password is too easy to guess."
ADVICE = "Use a few unrelated words, or a longer phrase."


@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Password1234", "It is, or is close to, a commonly used password."),
        ("qazwsxedcrfv", "It is, or is close to, a commonly used password."),
        (
            "aaaaaaaaaaaa",
            "It uses a keyboard pattern, a sequence such as abc or 1234, or repeated characters.",
        ),
        (
            "trustno1trustno1",
            "It uses a keyboard pattern, a sequence such as abc or 1234, or repeated characters.",
        ),
        ("Exempelstad2026", "It contains the name, the e-mail address or the municipality’s name."),
        ("NoraNilsson1!", "It contains the person’s name or e-mail address."),
        ("nora.nilsson-2026", "It contains the person’s name or e-mail address."),
        ("a" * 100, "It uses a keyboard pattern, a sequence such as abc or 1234, or repeated characters."),
    ],
)
def test_a_password_easy_to_guess_is_refused_with_the_reason(
    english: None, password: str, reason: str
) -> None:
    problem = passwords.password_problem(password, NORA)

    assert problem == f"{TOO_EASY} {reason} {ADVICE}"


def test_a_short_password_is_refused_whatever_it_looks_like(english: None) -> None:
    assert passwords.password_problem("x7#Qv!2z", NORA) == "The password must be at least 12 characters long."
    assert passwords.password_problem("", NORA) == "The password must be at least 12 characters long."


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Vinterljus över Göta älv",
        "tangent-pelikan-ostbåge",
        "q8#Lm2!vRz7@Kp",
        "a long passphrase of many unrelated words that goes on well beyond seventy-two characters in all",
    ],
)
def test_a_long_password_hard_to_guess_is_accepted(english: None, password: str) -> None:
    assert passwords.password_problem(password, NORA) is None
    passwords.check_password(password, NORA)


def test_the_demo_staff_password_stays_valid_for_every_demo_account(app: Flask) -> None:
    for email, name, _roles, _department, _languages in STAFF:
        assert passwords.password_problem(DEMO_PASSWORD, [email, name]) is None, email


def test_the_reason_is_given_in_the_language_in_force(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        swedish = passwords.password_problem("Password1234", NORA)
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        arabic = passwords.password_problem("short", NORA)

    assert swedish is not None and swedish.startswith("Lösenordet är för lätt att gissa.")
    assert arabic is not None and "12" in arabic and "password" not in arabic.lower()


def test_creating_a_staff_account_with_a_weak_password_raises_and_adds_nobody(english: None) -> None:
    with pytest.raises(passwords.WeakPassword) as refused:
        create_staff_user("nora.nilsson@exempelstad.se", "Nora Nilsson", "Password1234", [Role.AGENT])

    assert refused.value.message.startswith(TOO_EASY)
    assert db.scalar(select(func.count()).select_from(StaffUser)) == 0
