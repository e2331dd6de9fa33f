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
    from core.staff_views import blueprint as staff_auth_blueprint  # anyone (login)
    from core.staff_views import home_blueprint as staff_home_blueprint  # any staff role
    from eservices.views import blueprint as eservices_blueprint  # anyone
    from eservices.views import my_pages_blueprint  # residents (BankID login)
    from signing.views import blueprint as resident_auth_blueprint  # anyone (resident login)

    for blueprint in (
        staff_auth_blueprint,
        staff_home_blueprint,
        eservices_blueprint,
        my_pages_blueprint,
        resident_auth_blueprint,
    ):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from core.cli import commands

    # Demo seeders and outbox handlers register themselves on import; a worker knows only what was imported.
    for module in DEMO_MODULES + OUTBOX_HANDLER_MODULES:
        importlib.import_module(module)
    for command in commands:
        app.cli.add_command(command)


DEMO_MODULES = ("eservices.demo",)
OUTBOX_HANDLER_MODULES: tuple[str, ...] = ()


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces every plugin it loads on each migration run; that is noise, not news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
