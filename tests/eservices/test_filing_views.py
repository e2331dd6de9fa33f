"""The filing flow through the browser's eyes (test client): start, pages, check answers, submit, confirmation,
and every kind of bad input the issue lists."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.db import db
from eservices.models import Case
from forms.models import Draft
from tests.builders import make_resident, make_service
from tests.eservices.filing_helpers import (
    FATIMA,
    PDF,
    draft_id_of,
    example,
    location,
    log_in,
    make_eservice,
    small_form,
)

CHILD = {
    "start_date": "2030-08-01",
    "hours_per_week": "30",
    "preferred_preschool": "solrosen",
    "has_sibling": "no",
}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_data(as_text=True))


def start(client: FlaskClient, slug: str) -> str:
    response = client.post(f"/services/{slug}/start")
    assert response.status_code == 303, text(response)
    return location(response)


def children_form(*children: dict[str, str]) -> dict[str, str]:
    data = {}
    for index, child in enumerate(children):
        for key, value in child.items():
            data[f"children[{index}].{key}"] = value
    return data


def test_a_resident_files_a_preschool_application_from_start_to_confirmation(
    app: Flask, client: FlaskClient
) -> None:
    # Signing the application is its own step, tested in test_submission_signing.py; here the form goes
    # straight from the check-answers page to the case.
    definition = example("preschool-placement")
    definition["settings"]["requires_signature"] = False
    make_eservice(definition, slug="preschool")
    resident = make_resident(personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi")
    log_in(client, app, resident)

    service_page = client.get("/services/preschool")
    assert "/services/preschool/start" in text(service_page)
    guardian_url = start(client, "/preschool".lstrip("/"))
    guardian = client.get(guardian_url)
    assert "Fatima Ahmadi" in text(guardian) and "readonly" in text(guardian)
    assert "Steg 1 av 4" in text(guardian) or "Step 1 of 4" in text(guardian)

    children_url = location(client.post(guardian_url, data={"email": "fatima@example.se"}))
    children = client.get(children_url)
    assert "Layla Ahmadi" in text(children) and "Adam Ahmadi" in text(children)
    needs_url = location(
        client.post(
            children_url,
            data=children_form(
                {"child_name": "Layla Ahmadi", "child_personnummer": "201909202424", **CHILD},
                {
                    "child_name": "Adam Ahmadi",
                    "child_personnummer": "202201112337",
                    **CHILD,
                    "has_sibling": "yes",
                    "sibling_name": "Layla",
                },
            ),
        )
    )
    confirm_url = location(
        client.post(needs_url, data={"special_needs": "no", "home_languages": ["arabic", "swedish"]})
    )
    check_url = location(client.post(confirm_url, data={"truthful": "yes"}))
    assert check_url.endswith("/check")

    check = client.get(check_url)
    assert "Layla Ahmadi" in text(check) and "fatima@example.se" in text(check)
    change_link = f"{guardian_url}?change=1"
    assert f"{change_link}#field-email" in text(check)
    changed = client.post(change_link, data={"email": "new@example.se", "change": "1"})
    assert location(changed).endswith("/check")
    assert "new@example.se" in text(client.get(check_url))

    done = client.post(check_url.replace("/check", "/submit"))
    assert done.status_code == 303
    confirmation = client.get(location(done))
    case = db.scalar(select(Case))
    assert case is not None and case.reference in text(confirmation)
    assert case.answers["email"] == "new@example.se"
    assert [child["child_name"] for child in case.answers["children"]] == ["Layla Ahmadi", "Adam Ahmadi"]
    assert case.answers["children"][1]["sibling_name"] == "Layla"
    my_pages = client.get("/my-pages/")
    assert case.reference in text(my_pages)


def test_a_form_that_needs_login_sends_the_visitor_to_bankid_login_first(client: FlaskClient) -> None:
    make_eservice(slug="needs-login")

    response = client.get("/services/needs-login/start")

    assert response.status_code == 302
    assert location(response).startswith("/login/?next=/services/needs-login/start")


def test_an_anonymous_form_keeps_its_draft_in_this_browser_only(app: Flask, client: FlaskClient) -> None:
    make_eservice(small_form(anonymous_allowed=True), slug="report")
    page_url = start(client, "report")
    assert client.get(page_url).status_code == 200

    other_browser = app.test_client()
    response = other_browser.get(page_url)

    assert response.status_code == 302 and location(response).startswith("/login/")


def test_another_residents_draft_is_not_found(app: Flask, client: FlaskClient) -> None:
    make_eservice(slug="mine")
    owner, other = make_resident(), make_resident()
    log_in(client, app, owner)
    page_url = start(client, "mine")
    draft_id = draft_id_of(page_url)

    intruder = app.test_client()
    log_in(intruder, app, other)

    assert intruder.get(page_url).status_code == 404
    assert intruder.post(page_url, data={"nickname": "Hacked"}).status_code == 404
    assert intruder.get(f"/e/{draft_id}/check").status_code == 404
    assert intruder.post(f"/e/{draft_id}/submit").status_code == 404
    assert intruder.get(f"/e/{draft_id}/done").status_code == 404
    assert db.get(Draft, draft_id).answers.get("nickname") is None  # type: ignore[union-attr]


def test_forged_draft_page_and_version_ids_never_give_a_server_error(app: Flask, client: FlaskClient) -> None:
    make_eservice(slug="forged")
    log_in(client, app, make_resident())
    page_url = start(client, "forged")
    draft_id = draft_id_of(page_url)

    assert client.get("/e/999999/pages/about").status_code == 404
    assert client.get("/e/not-a-number/pages/about").status_code == 404
    assert client.get(f"/e/{draft_id}/pages/no-such-page").status_code == 404
    assert client.post(f"/e/{draft_id}/pages/no-such-page", data={}).status_code == 404
    assert client.get(f"/e/{draft_id}/pages/about/no-such-question").status_code == 404
    response = client.post(
        page_url, data={"nickname": "Kim", "has_pet": "no", "form_version_id": "999", "draft_id": "1"}
    )
    assert response.status_code == 303
    assert db.get(Draft, draft_id).form_version_id != 999  # type: ignore[union-attr]


def test_tampered_and_unknown_fields_are_ignored_or_refused(app: Flask, client: FlaskClient) -> None:
    make_eservice(example("preschool-placement"), slug="preschool")
    log_in(client, app, make_resident(personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi"))
    guardian_url = start(client, "preschool")

    saved = client.post(
        guardian_url,
        data={
            "name": "Someone Else",
            "personnummer": "195203141485",
            "email": "a@example.se",
            "is_admin": "yes",
        },
    )
    children_url = location(saved)
    draft = db.get(Draft, draft_id_of(guardian_url))
    assert draft is not None
    assert draft.answers["name"] == "Fatima Ahmadi" and draft.answers["personnummer"] == FATIMA
    assert "is_admin" not in draft.answers

    refused = client.post(
        children_url,
        data=children_form(
            {
                "child_name": "Not My Child",
                "child_personnummer": "195203141485",
                **CHILD,
                "preferred_preschool": "a-school-that-does-not-exist",
            }
        ),
    )
    assert refused.status_code == 400
    assert "error-summary" in text(refused)
    assert 'href="#field-children-0-preferred_preschool"' in text(refused)
    assert 'href="#field-children-0-child_personnummer"' in text(refused)


def test_html_and_script_in_answers_are_shown_as_text(app: Flask, client: FlaskClient) -> None:
    make_eservice(slug="escape")
    log_in(client, app, make_resident())
    page_url = start(client, "escape")
    attack = '<script>alert("x")</script><b>bold</b>'

    details_url = location(client.post(page_url, data={"nickname": attack, "has_pet": "no"}))
    check_url = location(client.post(details_url, data={"story": attack}))
    check = text(client.get(check_url))
    page_again = text(client.get(page_url))

    assert "<script>alert" not in check and "<b>bold</b>" not in check
    assert "&lt;script&gt;" in check
    assert "<script>alert" not in page_again


def test_errors_are_listed_in_a_summary_linking_to_each_field_in_the_users_language(
    app: Flask, client: FlaskClient
) -> None:
    make_eservice(slug="errors")
    log_in(client, app, make_resident())
    page_url = start(client, "errors")

    swedish = client.post(page_url, data={"has_pet": "yes"})
    english = client.post(page_url, data={"has_pet": "yes"}, headers={"Accept-Language": "en"})

    assert swedish.status_code == 400
    for response in (swedish, english):
        body = text(response)
        assert 'class="error-summary"' in body
        assert 'href="#field-nickname"' in body and 'href="#field-pet_name"' in body
        assert 'aria-describedby="field-nickname-error"' in body
    assert "Answer this question." in text(english)
    assert "Answer this question." not in text(swedish)


def test_the_back_button_keeps_what_was_typed(app: Flask, client: FlaskClient) -> None:
    make_eservice(slug="back")
    log_in(client, app, make_resident())
    page_url = start(client, "back")
    details_url = location(client.post(page_url, data={"nickname": "Kim", "has_pet": "no"}))

    back = client.post(details_url, data={"story": "Half a story", "action": "back"})

    assert location(back) == page_url
    assert "Kim" in text(client.get(page_url))
    assert "Half a story" in text(client.get(details_url))


def test_group_entries_are_added_and_removed_without_javascript(app: Flask, client: FlaskClient) -> None:
    make_eservice(example("preschool-placement"), slug="preschool")
    log_in(client, app, make_resident(personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi"))
    guardian_url = start(client, "preschool")
    children_url = location(client.post(guardian_url, data={"email": "f@example.se"}))
    two_children = children_form(
        {"child_name": "Layla Ahmadi", "child_personnummer": "201909202424", **CHILD},
        {"child_name": "Adam Ahmadi", "child_personnummer": "202201112337", **CHILD},
    )

    added = client.post(children_url, data={**two_children, "action": "add:children"})
    removed = client.post(children_url, data={**two_children, "action": "remove:children:0"})

    assert added.status_code == 200 and "children[2].start_date" in text(added)
    assert removed.status_code == 200
    assert "Layla Ahmadi" not in text(removed) and "Adam Ahmadi" in text(removed)
    assert "children[1]" not in text(removed)


def test_a_draft_is_resumed_on_another_device_where_it_was_left(app: Flask, client: FlaskClient) -> None:
    make_eservice(slug="resume")
    resident = make_resident()
    log_in(client, app, resident)
    page_url = start(client, "resume")
    details_url = location(client.post(page_url, data={"nickname": "Kim", "has_pet": "no"}))

    phone = app.test_client()
    log_in(phone, app, resident)
    my_pages = text(phone.get("/my-pages/"))
    draft_id = draft_id_of(page_url)
    resumed = phone.get(f"/e/{draft_id}")

    assert f"/e/{draft_id}" in my_pages
    assert location(resumed) == details_url


def test_a_double_click_on_send_makes_one_case_and_both_land_on_the_confirmation(
    app: Flask, client: FlaskClient
) -> None:
    make_eservice(slug="double")
    log_in(client, app, make_resident())
    page_url = start(client, "double")
    details_url = location(client.post(page_url, data={"nickname": "Kim", "has_pet": "no"}))
    check_url = location(client.post(details_url, data={}))
    submit_url = check_url.replace("/check", "/submit")

    first = client.post(submit_url)
    second = client.post(submit_url)

    assert location(first) == location(second)
    assert db.scalar(select(func.count()).select_from(Case)) == 1
    assert location(client.get(page_url)).endswith("/done")
    assert location(client.get(check_url)).endswith("/done")


def test_an_incomplete_draft_sends_the_resident_back_to_check_answers(
    app: Flask, client: FlaskClient
) -> None:
    make_eservice(slug="incomplete")
    log_in(client, app, make_resident())
    page_url = start(client, "incomplete")
    draft_id = draft_id_of(page_url)

    response = client.post(f"/e/{draft_id}/submit")
    check = client.get(f"/e/{draft_id}/check")

    assert location(response).endswith("/check")
    assert "/submit" not in text(check)
    assert db.scalar(select(func.count()).select_from(Case)) == 0


def test_one_question_per_page_shows_one_question_at_a_time(app: Flask, client: FlaskClient) -> None:
    make_eservice(small_form(one_question_per_page=True), slug="one-by-one")
    log_in(client, app, make_resident())
    first_url = start(client, "one-by-one")

    first = text(client.get(first_url))
    second_url = location(client.post(first_url, data={"nickname": "Kim"}))

    assert first_url.endswith("/pages/about/nickname")
    assert 'name="nickname"' in first and 'name="has_pet"' not in first
    assert second_url.endswith("/pages/about/has_pet")


def test_uploading_a_file_on_a_page_keeps_it_with_the_draft(app: Flask, client: FlaskClient) -> None:
    make_eservice(slug="upload")
    log_in(client, app, make_resident())
    page_url = start(client, "upload")
    details_url = location(client.post(page_url, data={"nickname": "Kim", "has_pet": "no"}))

    response = client.post(
        details_url,
        data={"evidence": (io.BytesIO(PDF), "läkarintyg.pdf")},
        content_type="multipart/form-data",
    )
    check = text(client.get(location(response)))

    assert "läkarintyg.pdf" in check


def test_the_service_page_offers_the_e_service_only_when_a_form_is_published(client: FlaskClient) -> None:
    make_eservice(slug="online")
    make_service(slug="offline")

    assert "/services/online/start" in text(client.get("/services/online"))
    assert "/start" not in text(client.get("/services/offline"))
    assert client.get("/services/offline/start").status_code == 404
