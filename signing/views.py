"""Resident login with BankID: choose this device or another device, follow the order, cancel, finish.

The status page works without JavaScript (a Continue button collects once); `bankid.js` collects every 2 seconds
and refreshes the animated QR code every second.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core import audit
from core.auth import current_staff, log_in_resident
from core.i18n import current_language, safe_next_url
from core.residents import find_or_create_resident
from core.security import limiter
from signing import service
from signing.models import BankIDOrder, OrderPurpose, OrderState
from signing.rfa import StartedVia, rfa_for, rfa_message

blueprint = Blueprint(
    "resident_auth",
    __name__,
    url_prefix="/login",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _order_or_404(order_ref: str) -> BankIDOrder:
    order = service.find_session_order(order_ref, request.remote_addr)
    if order is None or order.purpose != OrderPurpose.LOGIN.value:
        # The same answer for unknown, foreign and forged references: nothing is revealed.
        abort(404)
    return order


@blueprint.get("/")
def login() -> Any:
    return render_template(
        "signing/login.html", next_url=request.args.get("next", ""), staff=current_staff(), start_error=None
    )


@blueprint.post("/")
@limiter.limit("30 per minute")
def start() -> Any:
    next_url = safe_next_url(request.form.get("next"), url_for("my_pages.index"))
    started_via: StartedVia = "autostart" if request.form.get("device") == "this" else "qr"
    if current_staff() is not None:
        abort(403)
    try:
        order = service.start_order(
            OrderPurpose.LOGIN, started_via, request.remote_addr or "", next_url=next_url
        )
    except service.BankIDError as error:
        message = rfa_message(rfa_for(error_code=error.error_code), current_language())
        return render_template(
            "signing/login.html", next_url=next_url, staff=None, start_error=message
        ), 503 if error.retryable else 400
    return redirect(url_for("resident_auth.order_page", order_ref=order.order_ref))


def _finish_login(order: BankIDOrder) -> str:
    """Log the resident in from a completed order; a consumed (replayed) order logs nobody in."""
    if not service.consume_completed_order(order):
        abort(404)
    user = (order.completion_data or {}).get("user", {})
    resident = find_or_create_resident(
        str(user.get("personalNumber", "")),
        str(user.get("givenName", "")),
        str(user.get("surname", "")),
        current_language(),
    )
    audit.record(
        "login",
        "resident",
        resident.id,
        resident_id=resident.id,
        actor=("resident", str(resident.id)),
        details={"method": "bankid", "order_ref": order.order_ref},
    )
    next_url = order.next_url or url_for("my_pages.index")
    log_in_resident(resident)
    return next_url


@blueprint.get("/order/<order_ref>")
def order_page(order_ref: str) -> Any:
    order = _order_or_404(order_ref)
    if order.state == OrderState.COMPLETE.value:
        return redirect(_finish_login(order))
    if order.state == OrderState.CONSUMED.value:
        abort(404)
    status = service.browser_order_status(order, current_language())
    return render_template("signing/order.html", order=order, status=status)


@blueprint.post("/order/<order_ref>/collect")
@limiter.limit("90 per minute")
def collect(order_ref: str) -> Any:
    order = _order_or_404(order_ref)
    if order.state == OrderState.CONSUMED.value:
        abort(404)
    service.collect_order(order)
    if order.state == OrderState.COMPLETE.value:
        destination = _finish_login(order)
        return (
            jsonify({"state": "complete", "redirect": destination})
            if _wants_json()
            else redirect(destination)
        )
    if _wants_json():
        return jsonify(service.browser_order_status(order, current_language()).to_json())
    return redirect(url_for("resident_auth.order_page", order_ref=order.order_ref))


@blueprint.get("/order/<order_ref>/qr.svg")
def qr_code(order_ref: str) -> Response:
    order = _order_or_404(order_ref)
    status = service.browser_order_status(order, current_language())
    if not status.show_qr:
        abort(404)
    svg = service.qr_svg(order, _("QR code to scan with the BankID app"))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@blueprint.post("/order/<order_ref>/cancel")
def cancel(order_ref: str) -> Response:
    order = _order_or_404(order_ref)
    service.cancel_order(order)
    flash(_("The identification was cancelled."), "info")
    return redirect(url_for("resident_auth.login"))
