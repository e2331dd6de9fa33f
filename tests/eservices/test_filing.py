"""The filing flow as a service: drafts bound to a version, pages saved, answers checked, one case per draft."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from core import clock
from core.db import db, unit_of_work
from core.models import AuditEntry
from core.storage import get_storage
from eservices import filing
from eservices.attachment_models import Attachment
from eservices.filing import Actor, DraftAccess, Step, Upload
from eservices.models import Case, CaseEvent, Channel
from forms.builder_models import FormSubmissionRecord
from forms.models import Draft
from tests.builders import follow_up_submissions, make_resident
from tests.eservices.filing_helpers import PDF, make_eservice, publish, small_form


def start(service, resident):  # type: ignore[no-untyped-def]
    return filing.start_draft(service, Actor.resident(resident), Channel.SELF_SERVICE, resident)


def fill_small_form(draft: Draft, nickname: str = "Kim") -> None:
    first = filing.save_page(draft, Step("about"), {"nickname": nickname, "has_pet": "no"}, {}, "en")
    assert first.errors == []
    second = filing.save_page(draft, Step("details"), {"story": "Hello"}, {}, "en")
    assert second.errors == []


def test_a_draft_starts_on_the_current_published_version_with_prefilled_answers(app: Flask) -> None:
    service = make_eservice()
    resident = make_resident()

    draft = start(service, resident)

    assert draft.form_version_id == filing.published_version(service).id  # type: ignore[union-attr]
    assert draft.resident_id == resident.id
    assert draft.channel == "self_service"
    assert draft.actor_kind == "resident"
    assert filing.resume_step(draft, "en") == Step("about")


def test_a_form_that_needs_login_cannot_be_started_anonymously(app: Flask) -> None:
    service = make_eservice()

    with pytest.raises(filing.LoginRequired):
        filing.start_draft(service, Actor.anonymous(), Channel.SELF_SERVICE, None)


def test_a_service_without_a_published_form_cannot_be_filed(app: Flask) -> None:
    from tests.builders import make_service

    with pytest.raises(filing.NoPublishedForm):
        filing.start_draft(make_service(), Actor.anonymous(), Channel.SELF_SERVICE, None)


def test_an_invalid_page_is_not_saved_and_says_what_is_wrong(app: Flask) -> None:
    draft = start(make_eservice(), make_resident())

    outcome = filing.save_page(draft, Step("about"), {"nickname": "", "has_pet": "yes"}, {}, "en")

    assert not outcome.saved
    assert {error.path for error in outcome.errors} == {"nickname", "pet_name"}
    assert draft.answers == {}


def test_a_valid_page_is_saved_and_leads_to_the_next_page(app: Flask) -> None:
    draft = start(make_eservice(), make_resident())

    outcome = filing.save_page(
        draft, Step("about"), {"nickname": "Kim", "has_pet": "yes", "pet_name": "Max"}, {}, "en"
    )

    assert outcome.saved and outcome.next_step == Step("details")
    assert draft.answers == {"nickname": "Kim", "has_pet": True, "pet_name": "Max"}
    assert filing.resume_step(draft, "en") == Step("details")


def test_going_back_keeps_the_answers_that_were_valid(app: Flask) -> None:
    draft = start(make_eservice(), make_resident())

    outcome = filing.save_page(
        draft, Step("about"), {"nickname": "Kim", "has_pet": "maybe"}, {}, "en", "back"
    )

    assert outcome.went_back and outcome.next_step is None
    assert draft.answers["nickname"] == "Kim"
    assert draft.answers.get("has_pet") is None


def test_a_draft_started_on_version_one_finishes_on_version_one_after_version_two_is_published(
    app: Flask,
) -> None:
    service = make_eservice()
    resident = make_resident()
    draft = start(service, resident)
    first_version_id = draft.form_version_id
    newer = small_form()
    newer["pages"][0]["fields"].append(
        {
            "key": "shoe_size",
            "type": "number",
            "required": True,
            "label": {"sv": "Skostorlek", "en": "Shoe size"},
        }
    )
    publish(newer, service.form)

    fill_small_form(draft)
    submission = filing.submit_draft(
        draft.id, DraftAccess(resident_id=resident.id), Actor.resident(resident), "en"
    )

    assert filing.published_version(service).version == 2  # type: ignore[union-attr]
    assert submission.case.form_version_id == first_version_id
    assert "shoe_size" not in submission.case.answers
    assert start(service, resident).form_version.version == 2


def test_submitting_creates_one_case_with_everything_a_case_officer_needs(app: Flask) -> None:
    service = make_eservice()
    resident = make_resident()
    draft = start(service, resident)
    fill_small_form(draft)

    submission = filing.submit_draft(
        draft.id,
        DraftAccess(resident_id=resident.id),
        Actor.resident(resident),
        "en",
        identity_method="bankid",
    )

    case = submission.case
    assert submission.created
    assert case.service_id == service.id and case.resident_id == resident.id
    assert case.queue_id == service.queue_id
    assert case.channel == "self_service" and case.identity_method == "bankid"
    assert case.answers == {"nickname": "Kim", "has_pet": False, "story": "Hello"}
    assert case.draft_id == draft.id
    assert [event.kind for event in db.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))] == [
        "submitted"
    ]
    db.commit()
    assert db.scalar(
        select(AuditEntry).where(AuditEntry.subject_kind == "case", AuditEntry.action == "create")
    )
    assert draft.answers == {}
    assert filing.drafts_for_resident(resident.id) == []


def test_submitting_the_same_draft_again_gives_the_same_case(app: Flask) -> None:
    resident = make_resident()
    draft = start(make_eservice(), resident)
    fill_small_form(draft)
    access = DraftAccess(resident_id=resident.id)

    first = filing.submit_draft(draft.id, access, Actor.resident(resident), "en")
    second = filing.submit_draft(draft.id, access, Actor.resident(resident), "en")

    assert second.case.id == first.case.id and not second.created
    assert db.scalar(select(func.count()).select_from(Case)) == 1
    # The form's statistics count the submission once (the job that follows the submission records it).
    follow_up_submissions()
    assert db.scalar(select(func.count()).select_from(FormSubmissionRecord)) == 1


def test_a_submitted_draft_is_marked_and_takes_no_more_answers(app: Flask) -> None:
    resident = make_resident()
    draft = start(make_eservice(), resident)
    fill_small_form(draft)

    submission = filing.submit_draft(
        draft.id, DraftAccess(resident_id=resident.id), Actor.resident(resident), "en"
    )

    assert draft.submitted_at is not None and draft.submitted_at <= submission.case.created_at
    assert filing.submitted_case(draft) is submission.case
    # A page sent again from an old tab (the Back button after sending) cannot refill the emptied draft.
    with pytest.raises(filing.DraftNotFound):
        filing.save_page(draft, Step("about"), {"nickname": "Again", "has_pet": "no"}, {}, "en")
    assert draft.answers == {}


def test_the_forms_statistics_count_a_submission_once_its_follow_up_job_has_run(app: Flask) -> None:
    resident = make_resident()
    draft = start(make_eservice(), resident)
    fill_small_form(draft)
    filing.submit_draft(draft.id, DraftAccess(resident_id=resident.id), Actor.resident(resident), "en")
    assert db.scalar(select(func.count()).select_from(FormSubmissionRecord)) == 0  # not in the request

    follow_up_submissions()

    record = db.scalar(select(FormSubmissionRecord))
    assert record is not None
    assert (record.draft_id, record.channel, record.answer_count) == (draft.id, "self_service", 3)
    assert record.started_at == draft.created_at


def test_an_incomplete_draft_is_not_submitted(app: Flask) -> None:
    resident = make_resident()
    draft = start(make_eservice(), resident)

    with pytest.raises(filing.DraftIncomplete) as raised:
        filing.submit_draft(draft.id, DraftAccess(resident_id=resident.id), Actor.resident(resident), "en")

    assert raised.value.step == Step("about")
    assert db.scalar(select(func.count()).select_from(Case)) == 0


def test_a_draft_of_a_form_that_must_be_signed_is_not_sent_without_a_signature(app: Flask) -> None:
    resident = make_resident()
    draft = start(make_eservice(small_form(requires_signature=True)), resident)
    fill_small_form(draft)

    with pytest.raises(filing.SignatureRequired):
        filing.submit_draft(draft.id, DraftAccess(resident_id=resident.id), Actor.resident(resident), "en")

    assert db.scalar(select(func.count()).select_from(Case)) == 0
    assert db.get(Draft, draft.id).answers["nickname"] == "Kim"  # nothing is lost


def test_another_residents_draft_is_not_found(app: Flask) -> None:
    owner, other = make_resident(), make_resident()
    draft = start(make_eservice(), owner)

    with pytest.raises(filing.DraftNotFound):
        filing.load_draft(draft.id, DraftAccess(resident_id=other.id))
    with pytest.raises(filing.DraftNotFound):
        filing.submit_draft(draft.id, DraftAccess(resident_id=other.id), Actor.resident(other), "en")


def test_an_anonymous_draft_opens_only_with_its_token(app: Flask) -> None:
    draft = filing.start_draft(
        make_eservice(small_form(anonymous_allowed=True)), Actor.anonymous(), Channel.SELF_SERVICE, None
    )

    assert draft.token
    assert filing.load_draft(draft.id, DraftAccess(tokens=frozenset({draft.token}))) is draft
    with pytest.raises(filing.DraftNotFound):
        filing.load_draft(draft.id, DraftAccess(tokens=frozenset({"guessed"})))


def test_check_answers_lists_each_shown_answer_with_the_page_to_change_it(app: Flask) -> None:
    draft = start(make_eservice(), make_resident())
    filing.save_page(draft, Step("about"), {"nickname": "Kim", "has_pet": "yes", "pet_name": "Max"}, {}, "en")

    with app.test_request_context(headers={"Accept-Language": "en"}):
        summary = filing.check_answers(draft, "en")

    rows = [(row.label, row.value, row.step) for section in summary.sections for row in section.rows]
    assert ("Pet's name", "Max", Step("about")) in rows
    assert ("Do you have a pet?", "Yes", Step("about")) in rows
    assert summary.first_problem is None  # the second page has no required questions


def test_one_question_per_page_walks_through_each_question(app: Flask) -> None:
    draft = start(make_eservice(small_form(one_question_per_page=True)), make_resident())
    definition = filing.definition_of(draft)

    assert filing.steps(definition, {})[:2] == [Step("about", "nickname"), Step("about", "has_pet")]
    outcome = filing.save_page(draft, Step("about", "nickname"), {"nickname": "Kim"}, {}, "en")

    assert outcome.errors == [] and outcome.next_step == Step("about", "has_pet")
    assert draft.answers["nickname"] == "Kim"


def test_expired_drafts_are_purged_with_their_files_but_cases_stay(app: Flask, tmp_path: Path) -> None:
    resident = make_resident()
    service = make_eservice()
    submitted = start(service, resident)
    fill_small_form(submitted)
    case = filing.submit_draft(
        submitted.id, DraftAccess(resident_id=resident.id), Actor.resident(resident), "en"
    ).case
    abandoned = start(service, resident)
    filing.save_page(
        abandoned, Step("details"), {}, {"evidence": [Upload(io.BytesIO(PDF), "intyg.pdf")]}, "en"
    )
    stored = db.scalar(select(Attachment).where(Attachment.draft_id == abandoned.id))
    assert stored is not None
    storage, storage_key = get_storage(), stored.storage_key
    assert storage.exists(storage_key)
    clock.advance(dt.timedelta(days=29))
    fresh = start(service, resident)
    clock.advance(dt.timedelta(days=2))

    purged = filing.purge_expired_drafts(30)

    assert purged == 2
    db.expire_all()
    assert [draft.id for draft in db.scalars(select(Draft))] == [fresh.id]
    assert db.get(Case, case.id).draft_id is None  # type: ignore[union-attr]
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0
    assert not storage.exists(storage_key)


def test_the_purge_command_deletes_drafts_older_than_the_given_days(
    app: Flask, runner: FlaskCliRunner
) -> None:
    start(make_eservice(), make_resident())
    db.commit()
    clock.advance(dt.timedelta(days=8))

    kept = runner.invoke(args=["purge-drafts", "--days", "10"])
    purged = runner.invoke(args=["purge-drafts", "--days", "7"])

    assert "Purged 0 draft(s)" in kept.output
    assert "Purged 1 draft(s) older than 7 days" in purged.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def test_two_concurrent_submits_of_one_draft_give_one_case(app: Flask) -> None:
    resident = make_resident()
    draft = start(make_eservice(), resident)
    fill_small_form(draft)
    db.commit()
    access = DraftAccess(resident_id=resident.id)
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                with unit_of_work():
                    submission = filing.submit_draft(draft.id, access, Actor.resident(resident), "en")
                    results.append((submission.case.id, submission.created))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert len({case_id for case_id, _created in results}) == 1
    assert sorted(created for _case_id, created in results) == [False, True]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Case)) == 1
