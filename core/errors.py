"""Friendly error pages in the user's language; a stack trace never reaches a browser."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

_DATABASE_ERRORS = (OperationalError, InterfaceError)


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    try:
        return render_template("errors/error.html", status=status, title=title, message=message), status
    except Exception:
        # The layout itself failed (it may need the database to show who is logged in); a bare page still tells
        # the user what happened, in their language, without a trace.
        log.exception("the error page for status %s could not be rendered", status)
        language = str(get_locale() or "sv")
        direction = "rtl" if language == "ar" else "ltr"
        bare = (
            f'<!doctype html><html lang="{escape(language)}" dir="{direction}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f"<p>{status}</p></main></body></html>"
        )
        return bare, status


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("The request could not be understood"),
            _("Something in what was sent was not right. Go back and try again."),
        ),
        403: (
            _("You do not have access to this page"),
            _("If you think you should have access, contact your administrator."),
        ),
        404: (
            _("Page not found"),
            _(
                "The address may be mistyped, or the page may have moved. Check the address or start again from the home page."  # noqa: E501
            ),
        ),
        405: (
            _("That action is not possible here"),
            _("The page does not accept this kind of request. Go back and try again."),
        ),
        413: (_("The file is too large"), _("Choose a smaller file and try again.")),
        429: (_("Too many attempts"), _("Wait a few minutes before you try again.")),
        500: (
            _("Something went wrong on our side"),
            _(
                "Nothing you did caused this. Try again in a while. If it keeps happening, call the contact centre."
            ),
        ),
        503: (
            _("The service is temporarily unavailable"),
            _("We are working on it. Try again in a few minutes. Nothing you have saved is lost."),
        ),
    }


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("Your session has expired"),
            _("For your security the form was not sent. Go back, reload the page and send it again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if isinstance(getattr(error, "original_exception", None), _DATABASE_ERRORS):
            # The database failed after the view, while the request's transaction was committed.
            return database_unavailable(error.original_exception)  # type: ignore[attr-defined]
        status = error.code or 500
        title, message = _messages().get(status, _messages()[500] if status >= 500 else _messages()[400])
        body, status = _page(status, title, message)
        # Keep what the protocol needs (Allow on 405, Retry-After on 429, WWW-Authenticate...); the body is ours.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: Exception) -> ResponseReturnValue:
        log.error("database error on %s %s: %s", request.method, request.path, error)
        if "_login_user" not in g:
            # Showing who is logged in would ask the database that just failed; show the page as to a visitor.
            g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        title, message = _messages()[503]
        body, status = _page(503, title, message)
        return body, status, {"Retry-After": "60"}

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        title, message = _messages()[500]
        return _page(InternalServerError.code, title, message)
