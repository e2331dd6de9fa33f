"""Idle timeout for residents: logged out after KANAL_RESIDENT_IDLE_MINUTES without a request, with a warning.

The page carries the timeout in data attributes; `session-timeout.js` warns two minutes before and offers to stay
logged in (a POST to /session/keepalive). Without JavaScript the timeout still applies on the next request.

The time of the last request is kept in the signed session cookie, renewed only once it is
`LAST_SEEN_REFRESH_SECONDS` old: most requests then leave the cookie alone (no new signature, no Set-Cookie). The
stored time may therefore be up to that much older than the last request, and the timeout allows for it: a
resident is logged out between `idle` and `idle + LAST_SEEN_REFRESH_SECONDS` after their last request, never
before the warning's count-down has run out.
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
LAST_SEEN_REFRESH_SECONDS = 30
blueprint = Blueprint("session_timeout", __name__)


@blueprint.post("/session/keepalive")
def keepalive() -> Response:
    """Reaching Kanal is all this does: the before_request hook has counted the request as activity."""
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
        last_seen = session.get(LAST_SEEN_KEY)
        idle_for = now - float(last_seen) if last_seen is not None else 0.0
        if idle_for > idle_seconds + LAST_SEEN_REFRESH_SECONDS:
            log_out()
            flash(
                _("You were logged out because you were inactive for a while. Log in again to continue."),
                "info",
            )
            return redirect(url_for("resident_auth.login"))
        if last_seen is None or idle_for >= LAST_SEEN_REFRESH_SECONDS:
            session[LAST_SEEN_KEY] = now
        return None

    @app.context_processor
    def timeout_context() -> dict[str, Any]:
        return {"resident_idle_seconds": idle_seconds}
