"""Routing of callback requests: ordered rules pick the queue, the caller's language picks the agents, and
residents flagged as needing extra support go first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from contact_center.models import RoutingRule
from core.db import db
from core.models import Queue, Resident, Role, StaffRole, StaffUser
from eservices.models import Service

__all__ = ["NoRouteError", "RoutingDecision", "agents_speaking", "due_time", "route"]

# A flagged resident's request must be handled in this share of the queue's usual time.
PRIORITY_SLA_FACTOR = 0.5


class NoRouteError(LookupError):
    """No rule matched and there was no service queue to fall back on: an administrator must add a catch-all."""


@dataclass(frozen=True)
class RoutingDecision:
    queue: Queue
    rule: RoutingRule | None  # None: no rule matched and the service's own queue was used
    priority: bool
    agent_ids: tuple[int, ...]  # agents of the queue's department who speak the caller's language


def _matches(rule: RoutingRule, service: Service | None, language: str) -> bool:
    if rule.service_id is not None and (service is None or service.id != rule.service_id):
        return False
    if rule.category_id is not None and (service is None or service.category_id != rule.category_id):
        return False
    return rule.language is None or rule.language == language


def active_rules() -> list[RoutingRule]:
    return list(
        db.scalars(
            select(RoutingRule)
            .where(RoutingRule.active.is_(True))
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )


def agents_speaking(language: str, department_id: int) -> list[StaffUser]:
    """Active agents of the department who list the language among the ones they speak."""
    agents = db.scalars(
        select(StaffUser)
        .join(StaffRole, StaffRole.staff_user_id == StaffUser.id)
        .where(
            StaffUser.department_id == department_id,
            StaffUser.active.is_(True),
            StaffRole.role == Role.AGENT.value,
        )
        .order_by(StaffUser.id)
    )
    # Languages are a short JSON list per person; filtering in Python keeps the query the same on both databases.
    return [agent for agent in agents if language in (agent.languages or [])]


def due_time(queue: Queue, created_at: dt.datetime, *, priority: bool) -> dt.datetime:
    hours = queue.sla_hours * (PRIORITY_SLA_FACTOR if priority else 1)
    return created_at + dt.timedelta(hours=hours)


def route(service: Service | None, language: str, resident: Resident | None) -> RoutingDecision:
    """Where a callback request about `service` (or about nothing in particular) in `language` goes.

    The first active rule, in position order, whose service, category and language conditions all hold picks the
    queue; without a match the service's own queue takes it. Raises NoRouteError when neither exists.
    """
    chosen = next((rule for rule in active_rules() if _matches(rule, service, language)), None)
    if chosen is not None:
        queue = chosen.queue
    elif service is not None:
        queue = service.queue
    else:
        raise NoRouteError("no routing rule matches and there is no service to fall back on")
    priority = bool(resident is not None and resident.needs_extra_support)
    speakers = agents_speaking(language, queue.department_id)
    return RoutingDecision(queue, chosen, priority, tuple(agent.id for agent in speakers))
