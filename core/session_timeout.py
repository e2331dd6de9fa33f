"""Idle timeout for residents: logged out after KANAL_RESIDENT_IDLE_MINUTES without a request, with a warning.

The page carries the timeout in data attributes; `session-timeout.js` warns two minutes before and offers to stay
logged in (a POST to /session/keepalive). Without JavaScript the timeout still applies on the next request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from core import clock
from core.auth import log_out
from core.config import Settings

LAST_SEEN_KEY = "last_seen"
blueprint = Blueprint("session_timeout", __name__)


@blueprint.post("/session/keepalive")
def keepalive() -> Response:
    """Touching the session is all this does; the before_request hook has already renewed it."""
    return jsonify({"ok": True})


def init_app(app: Flask, settings: Settings) -> None:
    idle_seconds = settings.resident_idle_minutes * 60
    app.register_blueprint(blueprint)

    @app.before_request
    def end_idle_resident_sessions() -> Any:
        principal: Any = current_user
        if getattr(principal, "kind", None) != "resident" or request.endpoint == "static":
            return None
        now = clock.now().timestamp()
        last_seen = session.get(LAST_SEEN_KEY, now)
        if now - float(last_seen) > idle_seconds:
            log_out()
            flash(
                _("You were logged out because you were inactive for a while. Log in again to continue."),
                "info",
            )
            return redirect(url_for("resident_auth.login"))
        session[LAST_SEEN_KEY] = now
        return None

    @app.context_processor
    def timeout_context() -> dict[str, Any]:
        return {"resident_idle_seconds": idle_seconds}
