"""Languages: the locale of each request, the language switcher, text direction and translated database text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, request, session
from flask_babel import Babel, get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.wrappers import Response

from core.config import PROJECT_ROOT, Settings

RIGHT_TO_LEFT = frozenset({"ar"})
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English", "da": "Dansk", "ar": "العربية"}

blueprint = Blueprint("i18n", __name__)


def _settings() -> Settings:
    settings: Settings = current_app.extensions["kanal.settings"]
    return settings


def select_locale() -> str:
    """The user's own choice, then the browser's Accept-Language, then the default language (Swedish)."""
    settings = _settings()
    chosen = session.get("lang")
    if chosen in settings.languages:
        return str(chosen)
    # Compare primary language tags: a browser asking for "ar-SE, sv;q=0.5" wants Arabic, which werkzeug's exact
    # matching would pass over for the Swedish it accepts second.
    primary = LanguageAccept(
        [
            (value.replace("_", "-").split("-")[0].lower(), quality)
            for value, quality in request.accept_languages
        ]
    )
    best = primary.best_match(settings.languages)
    return best or settings.default_language


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else _settings().default_language


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RIGHT_TO_LEFT else "ltr"


def translated(texts: Mapping[str, Any] | None, language: str | None = None) -> str:
    """Pick the text for the current language from a {language: text} mapping, falling back to the default."""
    if not texts:
        return ""
    language = language or current_language()
    for candidate in (language, _settings().default_language, "sv", "en"):
        value = texts.get(candidate)
        if value:
            return str(value)
    return str(next(iter(texts.values()), ""))


def safe_next_url(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths, so the switcher cannot be used as an open redirect."""
    if not target:
        return fallback
    # Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil.example" and "/\t/evil.example"
    # would lead off-site; a path of ours never contains either.
    if "\\" in target or any(ord(character) < 32 or character == "\x7f" for character in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@blueprint.get("/language/<code>")
def choose_language(code: str) -> Response:
    if code in _settings().languages:
        session["lang"] = code
    return redirect(safe_next_url(request.args.get("next")))


def init_app(app: Flask, settings: Settings) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = settings.default_language
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    Babel(app, locale_selector=select_locale)
    app.register_blueprint(blueprint)

    @app.context_processor
    def language_context() -> dict[str, Any]:
        language = current_language()
        return {
            "current_language": language,
            "text_direction": text_direction(language),
            "offered_languages": [(code, LANGUAGE_NAMES[code]) for code in settings.languages],
            "translated": translated,
        }
