"""Routing of callback requests: rule order, service and category conditions, language, priority and SLA."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from contact_center import routing
from contact_center.models import RoutingRule
from core.db import db
from core.models import Queue
from tests.builders import make_category, make_department, make_queue, make_resident, make_service
from tests.contact_center.conftest import make_agent


def rule(position: int, queue: Queue, **conditions: object) -> RoutingRule:
    created = RoutingRule(position=position, name=f"rule {position}", queue_id=queue.id, **conditions)
    db.add(created)
    db.flush()
    return created


def test_the_first_matching_rule_in_position_order_wins(app: Flask) -> None:
    category = make_category()
    item = make_service(category=category)
    by_category, by_service, catch_all = make_queue(), make_queue(), make_queue()
    rule(30, catch_all)
    rule(20, by_category, category_id=category.id)
    rule(10, by_service, service_id=item.id)
    assert routing.route(item, "sv", None).queue == by_service
    assert routing.route(make_service(category=category), "sv", None).queue == by_category
    assert routing.route(make_service(), "sv", None).queue == catch_all
    assert routing.route(None, "sv", None).queue == catch_all


def test_an_inactive_rule_is_skipped_and_without_rules_the_service_queue_takes_it(app: Flask) -> None:
    item = make_service()
    rule(1, make_queue(), active=False)
    assert routing.route(item, "sv", None).queue == item.queue
    with pytest.raises(routing.NoRouteError):
        routing.route(None, "sv", None)


def test_a_language_rule_sends_requests_in_that_language_to_the_agents_who_speak_it(app: Flask) -> None:
    department = make_department()
    arabic_queue, general = make_queue(department), make_queue()
    speaker = make_agent(department, languages=["sv", "ar"])
    make_agent(department, languages=["sv"])
    rule(1, arabic_queue, language="ar")
    rule(2, general)
    arabic = routing.route(None, "ar", None)
    assert arabic.queue == arabic_queue
    assert arabic.agent_ids == (speaker.id,)
    assert routing.route(None, "sv", None).queue == general


def test_residents_who_need_extra_support_get_priority_and_half_the_time(app: Flask) -> None:
    queue = make_queue(sla_hours=48)
    rule(1, queue)
    flagged = routing.route(None, "sv", make_resident(needs_extra_support=True))
    ordinary = routing.route(None, "sv", make_resident())
    assert flagged.priority and not ordinary.priority
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    assert routing.due_time(queue, start, priority=True) == start + dt.timedelta(hours=24)
    assert routing.due_time(queue, start, priority=False) == start + dt.timedelta(hours=48)
