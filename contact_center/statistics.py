"""Channel statistics per service and month: cases by channel and digital share, median lead times of digital
and assisted cases, contacts by channel and outcome, callbacks handled within their SLA; open-data exports and
the bar charts drawn from them.

Figures hold no personal data: services, channels, outcomes, counts and medians only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics as pystatistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from contact_center.models import AssistedChannel, CallbackRequest, ContactMoment, ContactOutcome
from core.db import db
from core.models import Queue
from eservices.models import Case, Channel, Service

__all__ = [
    "Bar",
    "BarChart",
    "Month",
    "ServiceFigures",
    "figures_for_months",
    "month_range",
    "parse_month",
    "stacked_chart",
    "to_csv",
    "to_json",
    "totals",
]

CASE_CHANNELS = tuple(channel.value for channel in Channel)
CONTACT_CHANNELS = tuple(channel.value for channel in AssistedChannel)
CONTACT_OUTCOMES = tuple(outcome.value for outcome in ContactOutcome)
NO_SERVICE = "-"


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_month(raw: str | None, default: Month) -> Month:
    """'2026-03' as a Month; the default for anything else."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return Month(year, month)
    except ValueError:
        pass
    return default


def month_range(first: Month, last: Month, limit: int = 36) -> list[Month]:
    months: list[Month] = []
    current = first
    while current <= last and len(months) < limit:
        months.append(current)
        current = current.next()
    return months


@dataclass
class ServiceFigures:
    """One service's figures for one month (service "-" collects contacts about no particular service)."""

    month: str
    service: str
    cases_by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CASE_CHANNELS, 0))
    median_lead_days_digital: float | None = None
    median_lead_days_assisted: float | None = None
    contacts_by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONTACT_CHANNELS, 0))
    contacts_by_outcome: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONTACT_OUTCOMES, 0))
    callbacks_completed: int = 0
    callbacks_within_sla: int = 0

    @property
    def cases_total(self) -> int:
        return sum(self.cases_by_channel.values())

    @property
    def cases_assisted(self) -> int:
        return self.cases_total - self.cases_by_channel[Channel.SELF_SERVICE.value]

    @property
    def digital_share(self) -> float | None:
        total = self.cases_total
        return None if total == 0 else self.cases_by_channel[Channel.SELF_SERVICE.value] / total

    @property
    def contacts_total(self) -> int:
        return sum(self.contacts_by_channel.values())

    @property
    def callbacks_within_sla_share(self) -> float | None:
        return None if self.callbacks_completed == 0 else self.callbacks_within_sla / self.callbacks_completed

    def flat(self) -> dict[str, Any]:
        """One row for the open-data files."""
        row: dict[str, Any] = {"month": self.month, "service": self.service}
        row.update({f"cases_{channel}": count for channel, count in self.cases_by_channel.items()})
        row["cases_total"] = self.cases_total
        row["digital_share"] = _rounded(self.digital_share)
        row["median_lead_days_digital"] = _rounded(self.median_lead_days_digital)
        row["median_lead_days_assisted"] = _rounded(self.median_lead_days_assisted)
        row.update({f"contacts_{channel}": count for channel, count in self.contacts_by_channel.items()})
        row.update(
            {f"contacts_outcome_{outcome}": count for outcome, count in self.contacts_by_outcome.items()}
        )
        row["callbacks_completed"] = self.callbacks_completed
        row["callbacks_within_sla"] = self.callbacks_within_sla
        return row


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def figures_for_months(months: Sequence[Month], department_id: int | None = None) -> list[ServiceFigures]:
    """Per month and service: every service with any activity, then the no-service row, in slug order.

    `department_id` limits the figures to services (and callback queues) of one department, for agents; None
    gives the whole municipality. Cases count in the month they were submitted; lead times count in the month
    the case was decided; contacts in the month they started; callbacks in the month they were completed.
    """
    result: list[ServiceFigures] = []
    for month in months:
        rows: dict[str, ServiceFigures] = {}

        def row(
            slug: str | None, _month: Month = month, _rows: dict[str, ServiceFigures] = rows
        ) -> ServiceFigures:
            key = slug or NO_SERVICE
            if key not in _rows:
                _rows[key] = ServiceFigures(month=str(_month), service=key)
            return _rows[key]

        service_scope = _service_filter(department_id)
        for slug, channel, count in db.execute(
            select(Service.slug, Case.channel, func.count())
            .join(Service, Service.id == Case.service_id)
            .where(Case.submitted_at >= month.start, Case.submitted_at < month.end, *service_scope)
            .group_by(Service.slug, Case.channel)
        ):
            row(slug).cases_by_channel[channel] = row(slug).cases_by_channel.get(channel, 0) + count

        lead_times: dict[str, dict[bool, list[float]]] = defaultdict(lambda: {True: [], False: []})
        for slug, channel, submitted_at, decided_at in db.execute(
            select(Service.slug, Case.channel, Case.submitted_at, Case.decided_at)
            .join(Service, Service.id == Case.service_id)
            .where(
                Case.decided_at >= month.start,
                Case.decided_at < month.end,
                Case.submitted_at.is_not(None),
                *service_scope,
            )
        ):
            if (
                submitted_at is not None and decided_at is not None
            ):  # guaranteed by the query; for the type checker
                lead_times[slug][channel == Channel.SELF_SERVICE.value].append(
                    _days(submitted_at, decided_at)
                )
        for slug, by_kind in lead_times.items():
            figures = row(slug)
            figures.median_lead_days_digital = _median(by_kind[True])
            figures.median_lead_days_assisted = _median(by_kind[False])

        contact_statement = (
            select(Service.slug, ContactMoment.channel, ContactMoment.outcome, func.count())
            .select_from(ContactMoment)
            .outerjoin(Service, Service.id == ContactMoment.service_id)
            .where(ContactMoment.started_at >= month.start, ContactMoment.started_at < month.end)
            .group_by(Service.slug, ContactMoment.channel, ContactMoment.outcome)
        )
        if department_id is not None:
            contact_statement = contact_statement.where(
                Service.queue_id.in_(_department_queue_ids(department_id))
            )
        for slug, channel, outcome, count in db.execute(contact_statement):
            figures = row(slug)
            figures.contacts_by_channel[channel] = figures.contacts_by_channel.get(channel, 0) + count
            figures.contacts_by_outcome[outcome] = figures.contacts_by_outcome.get(outcome, 0) + count

        callback_statement = (
            select(Service.slug, CallbackRequest.completed_at, CallbackRequest.due_at)
            .select_from(CallbackRequest)
            .outerjoin(Service, Service.id == CallbackRequest.service_id)
            .where(CallbackRequest.completed_at >= month.start, CallbackRequest.completed_at < month.end)
        )
        if department_id is not None:
            callback_statement = callback_statement.where(
                CallbackRequest.queue_id.in_(_department_queue_ids(department_id))
            )
        for slug, completed_at, due_at in db.execute(callback_statement):
            figures = row(slug)
            figures.callbacks_completed += 1
            figures.callbacks_within_sla += int(completed_at is not None and completed_at <= due_at)

        result.extend(
            sorted(rows.values(), key=lambda figures: (figures.service == NO_SERVICE, figures.service))
        )
    return result


def _department_queue_ids(department_id: int) -> Any:
    return select(Queue.id).where(Queue.department_id == department_id).scalar_subquery()


def _service_filter(department_id: int | None) -> list[Any]:
    if department_id is None:
        return []
    return [Service.queue_id.in_(select(Queue.id).where(Queue.department_id == department_id))]


def _median(values: list[float]) -> float | None:
    return pystatistics.median(values) if values else None


def totals(rows: Iterable[ServiceFigures], month: str) -> ServiceFigures:
    """All services together (the lead-time medians are left out: a median of medians would mislead)."""
    total = ServiceFigures(month=month, service="*")
    for figures in rows:
        for key, count in figures.cases_by_channel.items():
            total.cases_by_channel[key] = total.cases_by_channel.get(key, 0) + count
        for key, count in figures.contacts_by_channel.items():
            total.contacts_by_channel[key] = total.contacts_by_channel.get(key, 0) + count
        for key, count in figures.contacts_by_outcome.items():
            total.contacts_by_outcome[key] = total.contacts_by_outcome.get(key, 0) + count
        total.callbacks_completed += figures.callbacks_completed
        total.callbacks_within_sla += figures.callbacks_within_sla
    return total


def to_csv(rows: Sequence[ServiceFigures]) -> str:
    buffer = io.StringIO()
    flat = [figures.flat() for figures in rows]
    columns = list(flat[0]) if flat else list(ServiceFigures(month="", service="").flat())
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return buffer.getvalue()


def to_json(rows: Sequence[ServiceFigures]) -> str:
    return json.dumps({"rows": [figures.flat() for figures in rows]}, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------------------------------------------
# Charts: plain data for the SVG macro in the template, so the drawing stays server-side and script-free.

PALETTE = ("#005ea5", "#d4351c", "#00703c", "#6f3c97", "#b58840", "#505a5f")


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[tuple[str, float, str], ...]  # (series name, value, colour)

    @property
    def total(self) -> float:
        return sum(value for _name, value, _colour in self.segments)


@dataclass(frozen=True)
class BarChart:
    """A horizontal (stacked) bar chart; every bar is as wide as its value relative to the largest total."""

    title: str
    bars: tuple[Bar, ...]
    series: tuple[tuple[str, str], ...]  # (name, colour) for the legend
    unit: str = ""
    maximum: float = 0.0

    @property
    def height(self) -> int:
        return 30 * len(self.bars) + 10

    def width_of(self, value: float, full: int = 400) -> float:
        scale = self.maximum or max((bar.total for bar in self.bars), default=0.0)
        return 0.0 if scale <= 0 else round(value / scale * full, 1)


def stacked_chart(
    title: str,
    labelled_values: Sequence[tuple[str, dict[str, float]]],
    series_names: dict[str, str],
    unit: str = "",
) -> BarChart:
    keys = list(series_names)
    colours = {key: PALETTE[index % len(PALETTE)] for index, key in enumerate(keys)}
    bars = tuple(
        Bar(label, tuple((series_names[key], float(values.get(key) or 0), colours[key]) for key in keys))
        for label, values in labelled_values
    )
    return BarChart(title, bars, tuple((series_names[key], colours[key]) for key in keys), unit)
