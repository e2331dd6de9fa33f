"""Languages: the user's choice, then the browser, then Swedish; right-to-left Arabic; a safe language switcher."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.app import create_app
from core.db import dispose_engines
from core.i18n import safe_next_url, text_direction, translated
from tests.conftest import test_environ


def _html(client: FlaskClient, path: str = "/", **headers: str) -> lxml.html.HtmlElement:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return lxml.html.fromstring(response.text)


def _language(client: FlaskClient, path: str = "/", **headers: str) -> str:
    return str(_html(client, path, **headers).get("lang"))


def test_without_a_choice_or_browser_preference_pages_are_swedish(client: FlaskClient) -> None:
    assert _language(client) == "sv"


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("da", "da"),
        ("ar-SE, sv;q=0.5", "ar"),
        ("fi, de;q=0.8", "sv"),
        ("de, da;q=0.3", "da"),
    ],
)
def test_the_browsers_accept_language_picks_the_best_offered_language(
    client: FlaskClient, accept_language: str, expected: str
) -> None:
    assert _language(client, **{"Accept-Language": accept_language}) == expected


def test_the_users_choice_beats_the_browsers_preference(client: FlaskClient) -> None:
    response = client.get("/language/da?next=/staff/login", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert _language(client, "/staff/login", **{"Accept-Language": "en"}) == "da"


def test_switching_language_returns_to_the_page_the_user_was_on(client: FlaskClient) -> None:
    response = client.get("/language/en?next=/categories/schools?view=all")
    assert response.headers["Location"] == "/categories/schools?view=all"


@pytest.mark.parametrize(
    "external",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "http:/evil.example",
    ],
)
def test_the_language_switcher_never_redirects_to_another_site(client: FlaskClient, external: str) -> None:
    response = client.get("/language/en", query_string={"next": external})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert safe_next_url(external, "/fallback") == "/fallback"


def test_an_unknown_language_code_is_ignored(client: FlaskClient) -> None:
    client.get("/language/en")
    response = client.get("/language/xx?next=/staff/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert _language(client) == "en"
    fresh = client.application.test_client()
    fresh.get("/language/xx")
    assert _language(fresh) == "sv"


def test_a_language_not_offered_by_this_municipality_cannot_be_chosen(
    database_url: str, tmp_path: Path
) -> None:
    limited = create_app(test_environ(database_url, tmp_path, KANAL_LANGUAGES="sv,en"))
    with limited.app_context():
        client = limited.test_client()
        client.get("/language/ar")
        page = _html(client, "/staff/login", **{"Accept-Language": "da"})
    dispose_engines(limited)
    assert page.get("lang") == "sv"
    switcher = page.xpath("//nav[contains(@class, 'language-switcher')]//*[@lang]/@lang")
    assert sorted(switcher) == ["en", "sv"]


def test_arabic_pages_are_right_to_left(client: FlaskClient) -> None:
    client.get("/language/ar")
    for path in ("/", "/staff/login"):
        page = _html(client, path)
        assert page.get("lang") == "ar"
        assert page.get("dir") == "rtl"


@pytest.mark.parametrize("language", ["sv", "en", "da"])
def test_other_languages_are_left_to_right(client: FlaskClient, language: str) -> None:
    client.get(f"/language/{language}")
    page = _html(client)
    assert (page.get("lang"), page.get("dir")) == (language, "ltr")


def test_the_switcher_offers_every_language_each_named_in_itself_and_marks_the_current_one(
    client: FlaskClient,
) -> None:
    page = _html(client, "/staff/login")
    switcher = page.xpath("//nav[contains(@class, 'language-switcher')]")[0]
    names = {element.get("lang"): element.text_content().strip() for element in switcher.xpath(".//*[@lang]")}
    assert names == {"sv": "Svenska", "en": "English", "da": "Dansk", "ar": "العربية"}
    assert switcher.xpath(".//*[@aria-current]/@lang") == ["sv"]
    links = switcher.xpath(".//a/@href")
    assert "/language/en?next=/staff/login" in links


def test_database_text_is_shown_in_the_current_language_with_a_fallback(app: Flask) -> None:
    texts = {"sv": "Förskola", "en": "Preschool"}
    assert translated(texts, "en") == "Preschool"
    assert translated(texts, "ar") == "Förskola"  # no Arabic text yet: the default language
    assert translated({"en": "Only English"}, "da") == "Only English"
    assert translated({}, "sv") == ""
    assert translated(None, "sv") == ""


def test_text_direction_follows_the_language(app: Flask) -> None:
    assert text_direction("ar") == "rtl"
    assert text_direction("sv") == "ltr"
