"""The accessibility statement as published before an administrator edits it: every part the DOS law and DIGG
ask for, and known shortcomings that say what is really missing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from core.accessibility import DEFAULT_STATEMENT, DIGG_REPORTING_FORM


@pytest.mark.parametrize("language", ["sv", "en", "da", "ar"])
def test_the_default_statement_names_service_status_shortcomings_assessment_dates_contact_and_digg(
    client: FlaskClient, language: str
) -> None:
    body = client.get("/accessibility", headers={"Accept-Language": language}).get_data(as_text=True)

    assert str(escape(DEFAULT_STATEMENT["service_name"][language])) in body
    assert "Exempelstad" in body  # the organisation responsible
    assert str(escape(DEFAULT_STATEMENT["shortcomings"][language])) in body
    assert str(escape(DEFAULT_STATEMENT["assessment"][language])) in body
    assert DEFAULT_STATEMENT["assessed_on"].isoformat() in body  # when it was assessed
    assert (
        body.count("mailto:" + DEFAULT_STATEMENT["contact_email"]) >= 1
    )  # report, ask for accessible content
    assert f'href="{DIGG_REPORTING_FORM}"' in body


def test_the_known_shortcomings_are_the_ones_that_remain() -> None:
    english = DEFAULT_STATEMENT["shortcomings"]["en"]

    assert "tagged PDF" in english and "My pages" in english  # the PDF limit and its text alternative
    assert "Listen" in english and "Easy-to-read" in english
    assert DEFAULT_STATEMENT["compliance"] == "partly"
