"""Demo data for the contact centre: routing rules, a few contacts, callback requests and assisted cases, so the
agent workspace and the channel statistics have something to show."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from contact_center import service
from contact_center.models import (
    AssistedChannel,
    CallbackOutcome,
    CallbackRequest,
    ContactMoment,
    ContactOutcome,
    PreferredTime,
    RoutingRule,
)
from core import clock
from core.db import db
from core.demo import seeder
from core.models import Queue, Resident, Role, StaffRole, StaffUser
from eservices import service as eservices
from eservices.models import Category, Channel

# position, name, category slug, language, queue code
RULES = [
    (10, "Care and support to social services intake", "care-and-support", None, "social-intake"),
    (100, "Everything else to the contact centre", None, None, "contact-callbacks"),
]


@seeder(order=40, name="contact centre")
def seed_contact_centre() -> list[str]:
    """Add the routing rules once; add sample contacts and callbacks only to a contact centre that has none."""
    queues = {queue.code: queue for queue in db.scalars(select(Queue))}
    categories = {category.slug: category for category in db.scalars(select(Category))}
    if db.scalar(select(RoutingRule.id).limit(1)) is None:
        for position, name, category_slug, language, queue_code in RULES:
            if queue_code not in queues:
                continue
            category = categories.get(category_slug) if category_slug else None
            db.add(
                RoutingRule(
                    position=position,
                    name=name,
                    category_id=category.id if category else None,
                    language=language,
                    queue_id=queues[queue_code].id,
                )
            )
        db.flush()
    agent = db.scalar(
        select(StaffUser).join(StaffRole).where(StaffRole.role == Role.AGENT.value).order_by(StaffUser.id)
    )
    residents = list(db.scalars(select(Resident).order_by(Resident.id).limit(3)))
    if agent is None or not residents or db.scalar(select(ContactMoment.id).limit(1)) is not None:
        return []
    _seed_activity(agent, residents)
    return []


def _seed_activity(agent: StaffUser, residents: list[Resident]) -> None:
    services = {item.slug: item for item in service.services_for_guidance()}
    chosen = [services[slug] for slug in sorted(services)[:4]]
    if not chosen:
        return
    now = clock.now()
    for index, resident in enumerate(residents):
        item = chosen[index % len(chosen)]
        started = now - dt.timedelta(days=index + 1, hours=2)
        channel = (Channel.PHONE, Channel.VISIT, Channel.LETTER)[index % 3]
        case = eservices.create_case(
            item,
            resident.id,
            {},
            channel=channel,
            actor=("staff", str(agent.id)),
            assisted_by_id=agent.id,
            identity_method="bankid_phone",
        )
        service.log_contact(
            agent,
            channel=channel.value,
            outcome=ContactOutcome.ESERVICE_FILED.value,
            started_at=started,
            ended_at=started + dt.timedelta(minutes=12),
            resident_id=resident.id,
            service=item,
            note="Demo: filed together with the resident on the phone.",
            case_ids=[case.id],
        )
        service.log_contact(
            agent,
            channel=AssistedChannel.PHONE.value,
            outcome=(ContactOutcome.ANSWERED, ContactOutcome.GUIDED_TO_ESERVICE)[index % 2].value,
            started_at=started - dt.timedelta(days=3),
            ended_at=started - dt.timedelta(days=3) + dt.timedelta(minutes=5),
            resident_id=resident.id,
            service=item,
        )
    service.log_contact(
        agent,
        channel=AssistedChannel.PHONE.value,
        outcome=ContactOutcome.FORWARDED.value,
        started_at=now - dt.timedelta(hours=5),
        ended_at=now - dt.timedelta(hours=5) + dt.timedelta(minutes=3),
        topic="Anonymous question about opening hours",
    )
    for index, resident in enumerate(residents):
        callback = service.request_callback(
            phone=resident.phone or "+46701234567",
            language=resident.preferred_language,
            preferred_time=PreferredTime.MORNING.value,
            service=chosen[index % len(chosen)],
            resident=resident,
            caller_name=resident.full_name,
            message="Demo: questions about my application.",
        )
        if index == 0:
            service.complete_callback(
                agent, callback, outcome=CallbackOutcome.RESOLVED.value, note="Demo call."
            )
    overdue = service.request_callback(
        phone="+46701112233",
        language="ar",
        preferred_time=PreferredTime.ANY.value,
        caller_name="Demo caller",
    )
    _make_overdue(overdue)


def _make_overdue(callback: CallbackRequest) -> None:
    # Shown as overdue in the queue view, as a team lead would see a request nobody has called yet.
    callback.created_at -= dt.timedelta(days=2)
    callback.due_at = callback.created_at + dt.timedelta(hours=callback.queue.sla_hours)
