"""Friendly error pages in the user's language; a stack trace never reaches a browser."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"), _("Something in what was sent was not right. Go back and try again.")),
        403: (_("You do not have access to this page"), _("If you think you should have access, contact your administrator.")),
        404: (_("Page not found"), _("The address may be mistyped, or the page may have moved. Check the address or start again from the home page.")),
        405: (_("That action is not possible here"), _("The page does not accept this kind of request. Go back and try again.")),
        413: (_("The file is too large"), _("Choose a smaller file and try again.")),
        429: (_("Too many attempts"), _("Wait a few minutes before you try again.")),
        500: (_("Something went wrong on our side"), _("Nothing you did caused this. Try again in a while. If it keeps happening, call the contact centre.")),
        503: (_("The service is temporarily unavailable"), _("We are working on it. Try again in a few minutes. Nothing you have saved is lost.")),
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
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        title, message = _messages().get(status, _messages()[500] if status >= 500 else _messages()[400])
        return _page(status, title, message)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: Exception) -> tuple[str, int]:
        log.error("database error on %s %s: %s", request.method, request.path, error)
        title, message = _messages()[503]
        return _page(503, title, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        title, message = _messages()[500]
        return _page(InternalServerError.code, title, message)
