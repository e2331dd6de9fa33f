"""Information text: Markdown from form admins is rendered, and anything unsafe is removed or escaped."""

from __future__ import annotations

from forms.information import render_markdown
from forms.service import load_definition, render_information, validate_page
from tests.forms.definitions import definition_data, field, page


def test_markdown_becomes_simple_html() -> None:
    html = render_markdown(
        "Registration costs **SEK 1,800**.\n\n- one\n- two\n\n[Read more](https://exempelstad.se)"
    )

    assert "<strong>SEK 1,800</strong>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://exempelstad.se" rel="noopener noreferrer">Read more</a>' in html


def test_script_tags_and_event_handlers_never_reach_the_page() -> None:
    html = render_markdown(
        'Hello <script>alert("x")</script> <img src=x onerror=alert(1)> <b onclick="x()">hi</b>'
    )

    assert "<script" not in html
    assert "<img" not in html
    assert "<b " not in html  # raw HTML is shown as text, never as markup
    assert "&lt;script&gt;" in html


def test_javascript_links_are_not_links() -> None:
    html = render_markdown("[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)")

    assert "href" not in html


def test_an_information_field_is_rendered_in_the_requested_language() -> None:
    definition = load_definition(
        definition_data(
            page("start", [field("info", "information", text={"sv": "Hej **du**", "en": "Hello **you**"})])
        )
    )

    assert render_information(definition.field("info"), "en") == "<p>Hello <strong>you</strong></p>\n"
    assert render_information(definition.field("info"), "ar") == "<p>Hej <strong>du</strong></p>\n"


def test_an_information_field_is_never_an_input() -> None:
    definition = load_definition(
        definition_data(page("start", [field("info", "information"), field("name")]))
    )

    cleaned, _errors = validate_page(definition, "start", {"info": "<script>", "name": "Anna"}, {}, "en")

    assert cleaned == {"name": "Anna"}
