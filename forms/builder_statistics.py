"""Form statistics for form admins: drafts started and submitted, where people leave, how long a form takes,
how much was prefilled from known data, and the satisfaction ratings residents gave on the confirmation page.

The filing flow reports each submission with `submission_statistics` and `record_submission` (the form
package cannot see cases), and the confirmation page's rating form posts to `forms.rating` (see
`forms.builder_views`), which calls `record_rating`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from core.clock import now
from core.db import db, insert_unless_taken
from forms.builder_models import FormRating, FormSubmissionRecord
from forms.models import Draft, Form, FormVersion
from forms.service import is_answered, label_text

__all__ = [
    "RATING_SCORES",
    "Bar",
    "FormStatistics",
    "RatingRefused",
    "form_statistics",
    "rating_offered",
    "record_rating",
    "record_submission",
    "submission_statistics",
]

RATING_SCORES = (1, 2, 3, 4, 5)


class RatingRefused(ValueError):
    """A rating that cannot be stored: an unknown version, a form that does not ask, or a score out of range."""


def submission_statistics(draft: Draft) -> dict[str, Any]:
    """What the statistics keep of a draft being submitted, as JSON (the draft is emptied right after).

    The submit hands this to `record_submission`, at once or through the job that follows the submission.
    """
    answered = [key for key, value in (draft.answers or {}).items() if is_answered(value)]
    prefilled_keys = {path.split("[", 1)[0] for path in (draft.prefilled or {})}
    return {
        "form_id": draft.form_version.form_id,
        "form_version_id": draft.form_version_id,
        "draft_id": draft.id,
        "channel": draft.channel,
        "started_at": draft.created_at.isoformat(),
        "submitted_at": now().isoformat(),
        "answer_count": len(answered),
        "prefilled_count": sum(1 for key in answered if key in prefilled_keys),
    }


def record_submission(statistics: Mapping[str, Any]) -> FormSubmissionRecord:
    """Remember a submission (`submission_statistics`) for the form's statistics; again for the same draft
    changes nothing."""
    values = {
        **statistics,
        "started_at": dt.datetime.fromisoformat(statistics["started_at"]),
        "submitted_at": dt.datetime.fromisoformat(statistics["submitted_at"]),
    }
    record = insert_unless_taken(FormSubmissionRecord, values, FormSubmissionRecord.draft_id)
    if record is None:
        record = db.scalar(
            select(FormSubmissionRecord).where(FormSubmissionRecord.draft_id == statistics["draft_id"])
        )
    if record is None:
        raise RuntimeError(
            f"the statistics record of draft {statistics['draft_id']} was neither added nor found"
        )
    return record


def rating_offered(version: FormVersion) -> bool:
    """Whether the confirmation page of this version asks for a rating."""
    return bool(version.definition.get("settings", {}).get("satisfaction_rating", False))


def record_rating(form_version_id: int, score: int) -> FormRating:
    version = db.get(FormVersion, form_version_id)
    if version is None or not rating_offered(version):
        raise RatingRefused("this form does not ask for a rating")
    if score not in RATING_SCORES:
        raise RatingRefused("a rating is a whole number from 1 to 5")
    rating = FormRating(form_id=version.form_id, form_version_id=version.id, score=score)
    db.add(rating)
    db.flush()
    return rating


@dataclass(frozen=True)
class Bar:
    """One bar of a chart and one row of the table beside it."""

    label: str
    value: float
    shown: str


@dataclass(frozen=True)
class FormStatistics:
    drafts_started: int
    submitted: int
    completion_rate: float | None
    median_minutes: float | None
    prefilled_share: float | None
    submissions_with_prefill_share: float | None
    drop_off: list[Bar]
    ratings: list[Bar]
    rating_count: int
    rating_average: float | None

    @property
    def funnel(self) -> list[Bar]:
        return [
            Bar("started", self.drafts_started, str(self.drafts_started)),
            Bar("submitted", self.submitted, str(self.submitted)),
        ]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def form_statistics(form: Form, language: str) -> FormStatistics:
    """The statistics of every version of a form together."""
    records = list(
        db.execute(
            select(
                FormSubmissionRecord.draft_id,
                FormSubmissionRecord.started_at,
                FormSubmissionRecord.submitted_at,
                FormSubmissionRecord.answer_count,
                FormSubmissionRecord.prefilled_count,
            ).where(FormSubmissionRecord.form_id == form.id)
        )
    )
    submitted_drafts = {row.draft_id for row in records if row.draft_id is not None}
    open_drafts = list(
        db.execute(
            select(Draft.id, Draft.current_page)
            .join(FormVersion, Draft.form_version_id == FormVersion.id)
            .where(FormVersion.form_id == form.id)
        )
    )
    left_on = Counter(row.current_page for row in open_drafts if row.id not in submitted_drafts)
    started = len(records) + sum(left_on.values())
    durations = [
        (row.submitted_at - row.started_at).total_seconds() / 60
        for row in records
        if row.submitted_at >= row.started_at
    ]
    answers = sum(row.answer_count for row in records)
    prefilled = sum(row.prefilled_count for row in records)
    ratings: Counter[int] = Counter(
        {
            int(score): int(count)
            for score, count in db.execute(
                select(FormRating.score, func.count())
                .where(FormRating.form_id == form.id)
                .group_by(FormRating.score)
            )
        }
    )
    rating_count = sum(ratings.values())
    return FormStatistics(
        drafts_started=started,
        submitted=len(records),
        completion_rate=_share(len(records), started),
        median_minutes=statistics.median(durations) if durations else None,
        prefilled_share=_share(prefilled, answers),
        submissions_with_prefill_share=_share(sum(1 for row in records if row.prefilled_count), len(records)),
        drop_off=_drop_off_bars(form, left_on, language),
        ratings=[
            Bar(str(score), ratings.get(score, 0), str(ratings.get(score, 0))) for score in RATING_SCORES
        ],
        rating_count=rating_count,
        rating_average=(
            sum(score * count for score, count in ratings.items()) / rating_count if rating_count else None
        ),
    )


def _drop_off_bars(form: Form, left_on: Counter[str | None], language: str) -> list[Bar]:
    # Pages are named and ordered as in the newest definition; pages only older versions had come last.
    definition: dict[str, Any] = form.draft_definition or {}
    titles = {page["id"]: label_text(page["title"], language) for page in definition.get("pages", [])}
    ordered = [page["id"] for page in definition.get("pages", [])]
    bars = []
    for page_id in ordered + sorted(str(key) for key in left_on if key is not None and key not in titles):
        count = left_on.get(page_id, 0)
        bars.append(Bar(titles.get(page_id, page_id), count, str(count)))
    if left_on.get(None):
        bars.insert(0, Bar("", left_on[None], str(left_on[None])))
    return bars
