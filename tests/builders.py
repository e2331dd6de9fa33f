"""Builder functions for test data: each makes one valid thing with sensible defaults, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from core.auth import create_staff_user
from core.db import db
from core.models import Department, Queue, Resident, Role, StaffUser
from eservices.models import Case, Category, Service

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery staple"


def _next() -> int:
    return next(_sequence)


def make_department(**overrides: Any) -> Department:
    n = _next()
    department = Department(**{"code": f"dept-{n}", "name": f"Department {n}", **overrides})
    db.add(department)
    db.flush()
    return department


def make_queue(department: Department | None = None, **overrides: Any) -> Queue:
    n = _next()
    department = department or make_department()
    queue = Queue(
        **{"code": f"queue-{n}", "name": f"Queue {n}", "sla_hours": 48, "department": department, **overrides}
    )
    db.add(queue)
    db.flush()
    return queue


def make_staff(
    roles: list[Role] | None = None,
    password: str = DEFAULT_PASSWORD,
    department: Department | None = None,
    **overrides: Any,
) -> StaffUser:
    n = _next()
    user = create_staff_user(
        email=overrides.pop("email", f"staff{n}@exempelstad.se"),
        full_name=overrides.pop("full_name", f"Staff Member {n}"),
        password=password,
        roles=roles if roles is not None else [Role.CASE_OFFICER],
        department_id=department.id if department else None,
        languages=overrides.pop("languages", ["sv"]),
        totp_secret=overrides.pop("totp_secret", None),
    )
    for key, value in overrides.items():
        setattr(user, key, value)
    db.flush()
    return user


def luhn_check_digit(digits: str) -> int:
    total = 0
    for position, digit in enumerate(int(d) for d in digits):
        product = digit * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def valid_personnummer(n: int | None = None, born: dt.date = dt.date(1980, 1, 1)) -> str:
    """A fictional 12-digit personnummer with a correct check digit, different for every `n`."""
    n = _next() if n is None else n
    birth = born + dt.timedelta(days=n % 9000)
    serial = f"{(n * 7) % 1000:03d}"
    ten_digits = birth.strftime("%y%m%d") + serial
    return birth.strftime("%Y%m%d") + serial + str(luhn_check_digit(ten_digits))


def make_resident(**overrides: Any) -> Resident:
    n = _next()
    resident = Resident(
        **{
            "personnummer": overrides.pop("personnummer", valid_personnummer(n)),
            "given_name": "Test",
            "family_name": f"Resident {n}",
            "email": f"resident{n}@example.se",
            "phone": "+46701234567",
            "preferred_language": "sv",
            **overrides,
        }
    )
    db.add(resident)
    db.flush()
    return resident


def make_category(**overrides: Any) -> Category:
    n = _next()
    category = Category(
        **{"slug": f"category-{n}", "title": {"sv": f"Kategori {n}", "en": f"Category {n}"}, **overrides}
    )
    db.add(category)
    db.flush()
    return category


def make_service(category: Category | None = None, queue: Queue | None = None, **overrides: Any) -> Service:
    n = _next()
    service = Service(
        **{
            "slug": f"service-{n}",
            "category": category or make_category(),
            "queue": queue or make_queue(),
            "title": {"sv": f"Tjänst {n}", "en": f"Service {n}"},
            "summary": {"sv": "En tjänst.", "en": "A service."},
            **overrides,
        }
    )
    db.add(service)
    db.flush()
    return service


def make_case(
    service: Service | None = None,
    resident: Resident | None = None,
    answers: dict[str, Any] | None = None,
    **options: Any,
) -> Case:
    """A submitted case of `service` (a new one by default) for `resident` (a new one by default)."""
    from eservices.service import create_case

    resident = resident or make_resident()
    case = create_case(
        service or make_service(), resident.id, answers if answers is not None else {}, **options
    )
    follow_up_submissions()
    return case


def follow_up_submissions() -> int:
    """Do now, in this transaction, what the worker does once submissions have committed: each pending
    `case.submitted` job (statistics, receipt, webhooks, notifications) is performed by its real handler and
    marked done.
    """
    from sqlalchemy import select

    from core import clock, outbox
    from core.models import OutboxMessage, OutboxStatus
    from eservices.service import SUBMITTED_JOB, follow_up_submission

    due = list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == SUBMITTED_JOB, OutboxMessage.status == OutboxStatus.PENDING.value)
            .order_by(OutboxMessage.id)
        )
    )
    for job in due:
        follow_up_submission(
            job.payload, outbox.JobContext(job.id, job.kind, job.idempotency_key, 1, "tests")
        )
        job.status = OutboxStatus.DONE.value
        job.completed_at = clock.now()
    db.flush()
    return len(due)


def make_api_token(departments: list[Department] | None = None, **overrides: Any) -> tuple[Any, str]:
    """An API token for `departments` (a new one by default), with the secret a client sends."""
    from eservices.api import create_api_token

    token, secret = create_api_token(
        overrides.pop("name", f"Case system {_next()}"), departments or [make_department()], None
    )
    for key, value in overrides.items():
        setattr(token, key, value)
    db.flush()
    return token, secret


def make_webhook(url: str, department: Department | None = None, **overrides: Any) -> Any:
    """An active webhook of `department` (a new one by default) subscribed to every event unless told otherwise."""
    from eservices.api import create_webhook
    from eservices.webhooks import EVENT_NAMES

    webhook, _secret = create_webhook(
        url, department or make_department(), overrides.pop("events", EVENT_NAMES), None
    )
    for key, value in overrides.items():
        setattr(webhook, key, value)
    db.flush()
    return webhook
