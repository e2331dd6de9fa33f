"""Fictional test identities the emulator's "test phone" can approve orders with.

They look like the identities in BankID's test environment: Swedish names and personnummer with
valid check digits. They are made up; any resemblance to real people is accidental.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestIdentity:
    """One fictional BankID holder."""

    personal_number: str
    given_name: str
    surname: str
    bank_id_issue_date: str

    # pytest would otherwise try to collect this class when tests import it.
    __test__ = False

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"

    def as_user(self) -> dict[str, str]:
        """The ``completionData.user`` object BankID returns for this person."""
        return {
            "personalNumber": self.personal_number,
            "name": self.name,
            "givenName": self.given_name,
            "surname": self.surname,
        }


TEST_IDENTITIES: tuple[TestIdentity, ...] = (
    TestIdentity("195203141485", "Astrid", "Lindqvist", "2021-03-02"),
    TestIdentity("196711252533", "Lars-Erik", "Johansson", "2019-11-18"),
    TestIdentity("197805093932", "Johan", "Bergqvist", "2023-05-30"),
    TestIdentity("198512308480", "Fatima", "Ahmadi", "2022-08-09"),
    TestIdentity("200206282832", "Oskar", "Nyström", "2024-01-15"),
    TestIdentity("201003159280", "Maja", "Sandberg", "2025-02-27"),
)

DEFAULT_IDENTITY = TEST_IDENTITIES[0]


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit Skatteverket uses for the last digit of a personnummer."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def is_valid_personal_number(value: str) -> bool:
    """Whether ``value`` is a 12-digit personnummer (YYYYMMDDNNNC) with a correct check digit.

    BankID only requires 12 digits; the emulator also checks the check digit so that typos in
    test scripts fail loudly instead of creating orders nobody can approve.
    """
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    return luhn_check_digit(value[2:11]) == int(value[11])


def find_identity(personal_number: str) -> TestIdentity | None:
    for identity in TEST_IDENTITIES:
        if identity.personal_number == personal_number:
            return identity
    return None


def identity_for(personal_number: str) -> TestIdentity:
    """A test identity for any valid personnummer, so phone orders for unlisted numbers still work."""
    known = find_identity(personal_number)
    if known is not None:
        return known
    return TestIdentity(personal_number, "Test", f"Testsson {personal_number[-4:]}", "2020-01-01")
