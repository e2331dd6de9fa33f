"""The application factory: the one place that sees every package and registers their blueprints.

Every blueprint's access rule is set where it is defined with `before_request(require_...)`, and listed here in
`register_blueprints` so all routes and their protection can be read in one screen.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping

from flask import Flask

from core import accessibility, errors, i18n, security, session_timeout
from core import auth as authentication
from core import db as database
from core.config import Settings, load_settings


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build Kanal. `environ` replaces the process environment (tests pass their own); invalid settings raise."""
    settings = load_settings(environ)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.extensions["kanal.settings"] = settings
    app.config.update(SECRET_KEY=settings.secret_key, TESTING=settings.environment == "test")
    _configure_logging(settings)

    database.init_app(app, settings.database_url)
    security.init_app(app, settings)
    i18n.init_app(app, settings)
    authentication.init_app(app)
    errors.init_app(app)
    session_timeout.init_app(app, settings)
    accessibility.init_app(app)
    register_blueprints(app)
    register_commands(app)

    @app.context_processor
    def site_context() -> dict[str, object]:
        return {"municipality_name": settings.municipality_name}

    return app


def register_blueprints(app: Flask) -> None:
    """Every part of Kanal that answers HTTP, with who may use it."""
    from contact_center.views import blueprint as agent_blueprint  # agent, own department's queues only
    from contact_center.views import (
        callback_blueprint,  # anyone ("call me back" from a service page)
        statistics_blueprint,  # agent (own department), form_admin, system_admin
    )
    from core.staff_views import blueprint as staff_auth_blueprint  # anyone (login)
    from core.staff_views import home_blueprint as staff_home_blueprint  # any staff role
    from eservices.admin_views import blueprint as admin_blueprint  # system_admin
    from eservices.api_views import blueprint as api_blueprint  # API tokens (Bearer), no session, no CSRF
    from eservices.api_views import docs_blueprint as api_docs_blueprint  # anyone (the OpenAPI document)
    from eservices.case_views import blueprint as case_pages_blueprint  # residents: their own cases only
    from eservices.catalogue_admin_views import blueprint as catalogue_admin_blueprint  # form_admin
    from eservices.catalogue_views import (
        agent_checklists_blueprint,  # agent
        checklists_blueprint,  # residents: their own checklists and offers
    )
    from eservices.catalogue_views import blueprint as catalogue_blueprint  # anyone (search, life events)
    from eservices.document_text_views import blueprint as document_text_blueprint  # residents: own documents
    from eservices.easy_read_views import (
        admin_blueprint as easy_read_admin_blueprint,  # form_admin, system_admin
    )
    from eservices.easy_read_views import (
        blueprint as easy_read_blueprint,  # anyone (plain-language summaries)
    )
    from eservices.filing_views import (
        blueprint as filing_blueprint,  # anyone; drafts: their resident or token
    )
    from eservices.officer_views import blueprint as officer_blueprint  # case_officer, own department only
    from eservices.signing_views import blueprint as submission_signing_blueprint  # residents (BankID login)
    from eservices.views import blueprint as eservices_blueprint  # anyone
    from eservices.views import my_pages_blueprint  # residents (BankID login)
    from forms.builder_views import blueprint as form_builder_blueprint  # form_admin
    from forms.builder_views import rating_blueprint as form_rating_blueprint  # anyone (confirmation page)
    from signing.verify_views import blueprint as verification_blueprint  # anyone (verify a sealed PDF)
    from signing.views import blueprint as resident_auth_blueprint  # anyone (resident login)

    for blueprint in (
        staff_auth_blueprint,
        staff_home_blueprint,
        eservices_blueprint,
        my_pages_blueprint,
        filing_blueprint,
        submission_signing_blueprint,
        resident_auth_blueprint,
        verification_blueprint,
        admin_blueprint,
        api_blueprint,
        api_docs_blueprint,
        case_pages_blueprint,
        officer_blueprint,
        agent_blueprint,
        callback_blueprint,
        statistics_blueprint,
        catalogue_blueprint,
        checklists_blueprint,
        agent_checklists_blueprint,
        catalogue_admin_blueprint,
        form_builder_blueprint,
        form_rating_blueprint,
        easy_read_blueprint,
        easy_read_admin_blueprint,
        document_text_blueprint,
    ):
        app.register_blueprint(blueprint)
    security.csrf.exempt(api_blueprint)


def register_commands(app: Flask) -> None:
    from core.cli import commands
    from eservices.cli import commands as eservices_commands
    from eservices.cosigning import commands as cosigning_commands

    # Demo seeders and outbox handlers register themselves on import; a worker knows only what was imported.
    for module in DEMO_MODULES + OUTBOX_HANDLER_MODULES + SIGNAL_SUBSCRIBER_MODULES:
        importlib.import_module(module)
    for command in commands + eservices_commands + cosigning_commands:
        app.cli.add_command(command)


DEMO_MODULES = (
    "eservices.demo",
    "eservices.filing_demo",
    "contact_center.demo",
    "eservices.catalogue_demo",
    "eservices.easy_read_demo",
)
OUTBOX_HANDLER_MODULES: tuple[str, ...] = (
    "eservices.service",
    "signing.documents.service",
    "eservices.notifications",
    "eservices.webhooks",
    "eservices.decision_document",
    "contact_center.notifications",
    "eservices.life_events",
)
# Modules that follow case events (blinker signals) without owning an outbox job of their own.
SIGNAL_SUBSCRIBER_MODULES: tuple[str, ...] = ("eservices.receipts",)


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces every plugin it loads on each migration run; that is noise, not news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
