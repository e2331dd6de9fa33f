"""The staff password policy: long enough, and not easy to guess.

Length alone lets "Password1234" through and character-class rules push people to "Sommar2026!", so, as NIST SP
800-63B advises, a password is judged by how many guesses an attacker would need: zxcvbn estimates that from
lists of common and leaked passwords, names, words, keyboard patterns, sequences, repeats and dates, and from
what the attacker knows about this account (its e-mail address, the person's name, the municipality). A staff
password needs at least MIN_LENGTH characters, must not contain the person's full name or e-mail user name, and
needs a zxcvbn score of MIN_SCORE (about 10^8 guesses or more).
Messages come in the locale in force; their ids are English.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from zxcvbn import zxcvbn

__all__ = ["MIN_LENGTH", "MIN_SCORE", "WeakPassword", "check_password", "password_problem"]

MIN_LENGTH = 12
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows with the square of the length); the first 72 characters of a
# longer password are what it judges, and are enough to tell a weak one.
_JUDGED_LENGTH = 72
# zxcvbn keeps the personal words of the current check in a module-level dictionary: one check at a time.
_zxcvbn_lock = threading.Lock()


class WeakPassword(ValueError):
    """The password does not meet the policy; `message` says why, in the locale that was in force."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parts(value: str) -> list[str]:
    return [part for part in re.split(r"[\s@._+\-]+", value.strip().lower()) if part]


def _squeezed(value: str) -> str:
    return "".join(_parts(value))


def _own_words(personal: Iterable[str]) -> set[str]:
    """The person's full name and e-mail user name, each without spaces or punctuation: a staff password must
    not contain them at all (zxcvbn only counts them as cheap to guess)."""
    words = set()
    for value in personal:
        word = _squeezed(value.split("@", 1)[0] if "@" in value else value)
        if len(word) >= 4:
            words.add(word)
    return words


def _known_words(personal: Iterable[str]) -> list[str]:
    """What an attacker tries first for this account (zxcvbn's "user inputs"): whole values and their parts,
    the municipality's name (and e-mail domain) and the product's name."""
    values = list(personal)
    if has_app_context():
        settings: Any = current_app.extensions.get("kanal.settings")
        if settings is not None:
            values.append(settings.municipality_name)
    words: set[str] = {"kanal"}
    for value in values:
        if value.strip():
            words.add(value.strip().lower())
            words.update(part for part in _parts(value) if len(part) >= 3)
    return sorted(words)


def _hint(sequence: list[dict[str, Any]]) -> str:
    """The most telling reason zxcvbn found the password easy to guess (empty when it names none)."""
    patterns = {match.get("pattern") for match in sequence}
    dictionaries = {
        match.get("dictionary_name") for match in sequence if match.get("pattern") == "dictionary"
    }
    if "user_inputs" in dictionaries:
        return _("It contains the name, the e-mail address or the municipality’s name.")
    if "passwords" in dictionaries:
        return _("It is, or is close to, a commonly used password.")
    if patterns & {"spatial", "sequence", "repeat"}:
        return _("It uses a keyboard pattern, a sequence such as abc or 1234, or repeated characters.")
    if "date" in patterns or any(match.get("regex_name") == "recent_year" for match in sequence):
        return _("It uses a date or a year, which is easy to guess.")
    return ""


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why `password` is not good enough for a staff account, or None when it is.

    `personal` is what an attacker may know about the account: its e-mail address and the person's name.
    """
    personal = list(personal)
    if len(password) < MIN_LENGTH:
        return _("The password must be at least %(count)d characters long.", count=MIN_LENGTH)
    squeezed = _squeezed(password)
    if any(word in squeezed for word in _own_words(personal)):
        return _too_easy(_("It contains the person’s name or e-mail address."))
    with _zxcvbn_lock:
        result = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=_known_words(personal))
    if int(result["score"]) >= MIN_SCORE:
        return None
    return _too_easy(_hint(list(result.get("sequence") or [])))


def _too_easy(hint: str) -> str:
    sentences = [
        _("The password is too easy to guess."),
        hint,
        _("Use a few unrelated words, or a longer phrase."),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def check_password(password: str, personal: Iterable[str] = ()) -> None:
    """Raise WeakPassword, with the reason, unless `password` meets the staff password policy."""
    problem = password_problem(password, personal)
    if problem is not None:
        raise WeakPassword(problem)
