"""Form versions are immutable and drafts stay bound to the version they were started on."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from core.db import db
from forms.models import Draft, Form, FormVersion, ImmutableVersionError, definition_digest
from forms.service import load_definition, published_definition
from tests.builders import make_resident, make_staff
from tests.forms.definitions import definition_data, field, page


def publish(form: Form, definition: dict, version: int, staff_id: int | None = None) -> FormVersion:
    published = FormVersion(
        form=form, version=version, definition=definition, published_by_id=staff_id, change_note=""
    )
    db.add(published)
    db.flush()
    return published


def test_a_published_version_cannot_be_changed_or_deleted(app: Flask) -> None:
    data = definition_data()
    form = Form(key="test-form", title=data["title"], draft_definition=data)
    db.add(form)
    version = publish(form, data, 1, make_staff().id)
    db.commit()

    version.definition = {**data, "key": "changed"}
    with pytest.raises(ImmutableVersionError):
        db.flush()
    db.rollback()

    db.delete(db.get(FormVersion, version.id))
    with pytest.raises(ImmutableVersionError):
        db.flush()


def test_a_draft_keeps_its_version_after_a_newer_one_is_published(app: Flask) -> None:
    first = definition_data(page("start", [field("name")]))
    second = definition_data(page("start", [field("name"), field("email", "email", required=True)]))
    form = Form(key="test-form", title=first["title"], draft_definition=first)
    db.add(form)
    version_one = publish(form, first, 1)
    resident = make_resident()
    draft = Draft(
        form_version=version_one, resident_id=resident.id, actor_kind="resident", actor_id=str(resident.id)
    )
    db.add(draft)
    db.flush()

    form.draft_definition = second
    publish(form, second, 2)
    db.commit()

    stored = db.scalars(select(Draft)).one()
    assert stored.form_version.version == 1
    assert stored.channel == "self_service"
    definition = load_definition(stored.form_version.definition)
    assert [item.key for item in definition.page("start").fields] == ["name"]
    assert [version.version for version in db.get(Form, form.id).versions] == [1, 2]  # type: ignore[union-attr]


def test_an_anonymous_draft_is_found_by_its_token(app: Flask) -> None:
    data = definition_data(settings={"anonymous_allowed": True})
    form = Form(key="anonymous-form", title=data["title"], draft_definition=data)
    db.add(form)
    version = publish(form, data, 1)
    db.add(
        Draft(
            form_version=version,
            resident_id=None,
            actor_kind="anonymous",
            token="t" * 43,
            answers={"name": "x"},
        )
    )
    db.commit()

    draft = db.scalars(select(Draft).where(Draft.token == "t" * 43)).one()
    assert draft.resident_id is None
    assert draft.answers == {"name": "x"}


def test_each_version_is_used_with_its_own_definition_kept_by_digest(app: Flask) -> None:
    first = definition_data(page("start", [field("name")]))
    second = definition_data(page("start", [field("name"), field("email", "email", required=True)]))
    form = Form(key="digest-form", title=first["title"], draft_definition=first)
    db.add(form)
    version_one, version_two = publish(form, first, 1), publish(form, second, 2)
    db.commit()

    assert version_one.definition_digest == definition_digest(first) != version_two.definition_digest
    shown = {
        version.version: [item.key for item in published_definition(version).page("start").fields]
        for version in (version_one, version_two)
    }
    assert shown == {1: ["name"], 2: ["name", "email"]}
    # Once checked, a version is used without reading its JSON again (the submit loads it deferred).
    db.expire(version_two, ["definition"])
    assert published_definition(version_two) is published_definition(version_two)
    assert "definition" not in version_two.__dict__
    # A version not stored yet has no digest; its definition is still its own.
    unsaved = FormVersion(form=form, version=3, definition=definition_data(page("start", [field("phone")])))
    assert [item.key for item in published_definition(unsaved).page("start").fields] == ["phone"]
