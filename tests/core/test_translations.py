"""The Babel catalogs cover every UI string and compile, and the app speaks the visitor's language."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskCliRunner
from markupsafe import escape
from sqlalchemy import func, select

from core.db import db
from eservices import demo
from eservices.models import Service

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = PROJECT_ROOT / "translations"
LANGUAGES = ("sv", "en", "da", "ar")
FIX_HINT = "run scripts/update_translations.sh, then translate what it lists"

# %(name)s, %s, %.2f ... but not the escaped percent sign %%.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w+)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<kind>[diouxXeEfFgGcrsa%])"
)
# ngettext fills %(num)d itself; a singular form may say "one file" instead of "%(num)d file".
PLURAL_COUNT = "num"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def catalog_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages in the code now, extracted by the same script (keywords, babel.cfg) as the catalogs."""
    template = tmp_path_factory.mktemp("extracted") / "messages.pot"
    environment = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / "update_translations.sh"), "extract", str(template)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, f"extracting messages failed:\n{result.stdout}\n{result.stderr}"
    return read_catalog(template)


@pytest.fixture(scope="module")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogs compiled as `pybabel compile` does, into a directory of the test's own."""
    directory = tmp_path_factory.mktemp("translations")
    for language in LANGUAGES:
        target = directory / language / "LC_MESSAGES" / "messages.mo"
        target.parent.mkdir(parents=True)
        with target.open("wb") as file:
            write_mo(file, read_catalog(catalog_path(language)), use_fuzzy=False)
    return directory


@pytest.fixture
def translated_app(app: Flask, compiled_translations: Path) -> Iterator[Flask]:
    """The real app, reading freshly compiled catalogs instead of whatever .mo files the checkout holds."""
    app.extensions["babel"].translation_directories = [str(compiled_translations)]
    yield app


def _placeholders(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in PLACEHOLDER.finditer(text):
        if match["kind"] != "%":
            found[f"%({match['name']}){match['kind']}" if match["name"] else f"%{match['kind']}"] += 1
    return found


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, list | tuple) else [message.id]


def _texts(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, list | tuple) else [message.string or ""]


def _placeholder_problem(source: Message, translation: Message) -> str | None:
    if "python-format" not in source.flags:
        return None
    ids = _ids(source)
    if len(ids) == 1:
        expected, got = _placeholders(ids[0]), _placeholders(_texts(translation)[0])
        if expected != got:
            return f"{sorted(expected)} in the id but {sorted(got)} in the translation"
        return None
    allowed = set().union(*(_placeholders(text) for text in ids))
    for form in _texts(translation):
        used = set(_placeholders(form))
        missing = {p for p in allowed - used if not p.startswith(f"%({PLURAL_COUNT})")}
        if used - allowed or missing:
            return f"plural form {form!r} uses {sorted(used)}, the id {sorted(allowed)}"
    return None


def catalog_problems(source: Catalog, catalog: Catalog) -> list[str]:
    """Every message id of the source that the catalog lacks, leaves empty, marks fuzzy or mistranslates."""
    problems = []
    for message in source:
        if not message.id:
            continue
        message_id = _ids(message)[0]
        translation = catalog.get(message.id, message.context)
        if translation is None:
            problems.append(f"missing: {message_id!r}")
        elif translation.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
        elif not all(_texts(translation)):
            problems.append(f"untranslated: {message_id!r}")
        elif problem := _placeholder_problem(message, translation):
            problems.append(f"placeholders differ in {message_id!r}: {problem}")
    return problems


def test_the_code_has_messages_to_translate(source_messages: Catalog) -> None:
    ids = {message.id for message in source_messages if message.id}
    assert {"Page not found", "Skip to main content", "Log in"} <= ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_translated_in_the_catalog(
    source_messages: Catalog, language: str
) -> None:
    path = catalog_path(language)
    assert path.exists(), f"{path.relative_to(PROJECT_ROOT)} is missing; {FIX_HINT}"
    problems = catalog_problems(source_messages, read_catalog(path))
    assert not problems, f"{language}: {len(problems)} message(s) need work ({FIX_HINT}):\n" + "\n".join(
        problems
    )


def test_a_catalog_with_gaps_is_reported_message_by_message() -> None:
    source = Catalog(locale="sv")
    source.add("Welcome, %(name)s", flags=["python-format"])
    source.add("Log in")
    source.add("Log out")
    source.add("Continue")
    catalog = Catalog(locale="sv")
    catalog.add("Welcome, %(name)s", "Välkommen, %(namn)s", flags=["python-format"])
    catalog.add("Log in", "")
    catalog.add("Log out", "Logga ut", flags=["fuzzy"])

    problems = catalog_problems(source, catalog)

    assert problems == [
        "placeholders differ in 'Welcome, %(name)s': "
        "['%(name)s'] in the id but ['%(namn)s'] in the translation",
        "untranslated: 'Log in'",
        "fuzzy: 'Log out'",
        "missing: 'Continue'",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_loads_and_gives_every_translation(
    compiled_translations: Path, language: str
) -> None:
    translations = Translations.load(str(compiled_translations), [language])
    assert isinstance(translations, Translations), f"no compiled catalog for {language}"
    for message in read_catalog(catalog_path(language)):
        if message.id and isinstance(message.id, str) and message.string:
            assert translations.gettext(message.id) == message.string


@pytest.mark.parametrize(
    ("accept_language", "lang", "direction", "title", "skip_link"),
    [
        (None, "sv", "ltr", "Sidan hittades inte", "Hoppa till huvudinnehållet"),
        ("sv-SE,sv;q=0.9,en;q=0.5", "sv", "ltr", "Sidan hittades inte", "Hoppa till huvudinnehållet"),
        ("da-DK,da;q=0.9", "da", "ltr", "Siden blev ikke fundet", "Gå til hovedindholdet"),
        ("en-GB,en;q=0.9", "en", "ltr", "Page not found", "Skip to main content"),
        ("ar-SE,ar;q=0.9", "ar", "rtl", "الصفحة غير موجودة", "انتقل إلى المحتوى الرئيسي"),
    ],
)
def test_the_page_not_found_page_speaks_the_visitors_language(
    translated_app: Flask,
    accept_language: str | None,
    lang: str,
    direction: str,
    title: str,
    skip_link: str,
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}

    response = translated_app.test_client().get("/no-such-page", headers=headers)

    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert f"<title>{title} – " in page
    assert f"<h1>{title}</h1>" in page
    assert skip_link in page


def test_an_arabic_choice_in_the_language_switcher_turns_the_home_page_right_to_left(
    translated_app: Flask,
) -> None:
    client = translated_app.test_client()

    client.get("/language/ar?next=/")
    page = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in page
    assert "الخدمات والخدمات الإلكترونية" in page


def test_every_demo_category_and_service_has_its_texts_in_every_language() -> None:
    gaps = [
        f"{slug}: {field} in {language}"
        for slug, *texts in [(slug, title, description) for slug, title, description in demo.CATEGORIES]
        + [(slug, title, summary) for slug, _category, _queue, _popular, title, summary in demo.SERVICES]
        for field, text in zip(("title", "description/summary"), texts, strict=True)
        for language in LANGUAGES
        if not text.get(language, "").strip()
    ]
    assert not gaps


def test_the_demo_catalogue_is_seeded_once_and_renders_in_every_language(
    translated_app: Flask, runner: FlaskCliRunner
) -> None:
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    assert db.scalar(select(func.count()).select_from(Service)) == len(demo.SERVICES)
    client = translated_app.test_client()

    for language in LANGUAGES:
        client.get(f"/language/{language}")
        home = client.get("/").get_data(as_text=True)
        assert f'lang="{language}"' in home
        for slug, title, _description in demo.CATEGORIES:
            assert escape(title[language]) in home
            category_page = client.get(f"/categories/{slug}")
            assert category_page.status_code == 200
            assert f"<h1>{escape(title[language])}</h1>" in category_page.get_data(as_text=True)
        for slug, _category, _queue, _popular, title, summary in demo.SERVICES:
            service_page = client.get(f"/services/{slug}")
            assert service_page.status_code == 200
            html = service_page.get_data(as_text=True)
            assert f"<h1>{escape(title[language])}</h1>" in html
            assert escape(summary[language]) in html


def test_plural_forms_may_leave_out_the_count_but_none_may_be_empty() -> None:
    source = Catalog(locale="ar")
    source.add(("%(num)d file", "%(num)d files"), flags=["python-format"])
    arabic = Catalog(locale="ar")
    forms = ("لا ملفات", "ملف واحد", "ملفان", "%(num)d ملفات", "%(num)d ملفًا", "%(num)d ملف")
    arabic.add(("%(num)d file", "%(num)d files"), forms, flags=["python-format"])
    assert catalog_problems(source, arabic) == []

    arabic.get(("%(num)d file", "%(num)d files")).string = (*forms[:5], "")  # type: ignore[union-attr]

    assert catalog_problems(source, arabic) == ["untranslated: '%(num)d file'"]
