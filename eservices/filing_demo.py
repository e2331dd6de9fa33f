"""Demo e-services: the five example forms in forms/examples, published and linked to their catalogue services."""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.demo import seeder
from eservices.models import Service
from forms import service as forms
from forms.models import Form, FormVersion

FORM_FOR_SERVICE = {
    # form key (forms/examples/<key>.json) → catalogue service slug (eservices/demo.py)
    "preschool-placement": "preschool-placement",
    "parking-permit-disability": "disabled-parking-permit",
    "report-street-fault": "report-street-or-park-fault",
    "home-care-assistance": "home-care",
    "food-business-registration": "register-food-business",
}


@seeder(order=30, name="e-service forms")
def seed_forms() -> list[str]:
    """Publish each example form once and link it to its service; forms someone has published since stay."""
    services = {service.slug: service for service in db.scalars(select(Service))}
    for key, definition in forms.example_definitions().items():
        slug = FORM_FOR_SERVICE.get(key)
        service = services.get(slug) if slug else None
        if service is None:
            continue
        forms.load_definition(definition, for_publishing=True)  # a broken example must fail loudly here
        form = db.scalar(select(Form).where(Form.key == key))
        if form is None:
            form = Form(key=key, title=definition["title"], draft_definition=definition)
            db.add(form)
            db.flush()
        if not db.scalar(select(FormVersion.id).where(FormVersion.form_id == form.id).limit(1)):
            db.add(FormVersion(form_id=form.id, version=1, definition=definition, change_note="Demo form"))
        if service.form_id is None:
            service.form_id = form.id
    db.flush()
    return []
