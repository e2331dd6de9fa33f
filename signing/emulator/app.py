"""The emulator's HTTP surface: the BankID RP API v6.0, a scripting API for tests, and the test phone.

* ``POST /rp/v6.0/{auth,sign,phone/auth,phone/sign,collect,cancel}`` – BankID's JSON, field names,
  error bodies ``{"errorCode", "details"}`` and HTTP statuses.
* ``/emulator/...`` – JSON endpoints tests use to play the user's part (scan, approve, fail) and to
  inject faults into the next RP API calls. See ``README`` in the module docstring of
  ``signing.emulator``.
* ``/`` – the "test phone": a server-rendered page where a person picks a test identity and
  approves, cancels or lets expire an order (found by QR content or autostart token, or from the list).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from signing.emulator.identities import TEST_IDENTITIES
from signing.emulator.state import EmulatorSettings, OrderBook, OrderError, ScriptError
from signing.emulator.validation import parse_order_ref, parse_order_request

RP_PREFIX = "/rp/v6.0"

# Fixed confirmations for the test phone, chosen by key so nothing from the query string is echoed.
_PHONE_MESSAGES = {
    "opened": "The order is open on the test phone. Choose an identity below.",
    "approve": "Approved. The relying party sees status complete on its next collect.",
    "cancel": "Cancelled by the user (userCancel).",
    "certificateErr": "Failed with certificateErr (blocked or too old BankID).",
    "startFailed": "Failed with startFailed (the app could not start the order).",
    "expiredTransaction": "Expired now (expiredTransaction).",
    "confirm-call": "Call confirmed; the user is asked for the security code.",
}
_PHONE_ACTIONS = {"approve", "cancel", "certificateErr", "startFailed", "expiredTransaction", "confirm-call"}


def _error(error_code: str, details: str, status: int) -> Response:
    response = jsonify({"errorCode": error_code, "details": details})
    response.status_code = status
    return response


def _script_error(message: str, status: int) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def create_app(settings: EmulatorSettings | None = None, book: OrderBook | None = None) -> Flask:
    """Build the emulator app around one order book (shared by all request threads)."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    orders = book or OrderBook(settings)
    app.extensions["bankid_order_book"] = orders

    # ------------------------------------------------------------------ RP API

    def rp_endpoint(name: str, handler: Callable[[Any], dict[str, Any]]) -> None:
        def view() -> Response:
            fault = orders.take_fault(name)
            if fault is not None:
                if fault.kind == "delay":
                    # Simulates a slow BankID so RPs' client timeouts can be exercised.
                    time.sleep(fault.seconds)
                elif fault.kind == "malformedJson":
                    return Response('{"orderRef": "', status=200, mimetype="application/json")
                else:
                    return _error(
                        fault.kind, "Injected by the emulator", OrderError(fault.kind, "").http_status
                    )
            if request.mimetype != "application/json" or request.mimetype_params:
                return _error("unsupportedMediaType", "Content-Type must be application/json", 415)
            body = request.get_json(silent=True)
            if body is None:
                return _error("invalidParameters", "Invalid JSON body", 400)
            try:
                return jsonify(handler(body))
            except OrderError as exc:
                return _error(exc.error_code, exc.details, exc.http_status)

        view.__name__ = "rp_" + name.replace("/", "_")
        app.add_url_rule(f"{RP_PREFIX}/{name}", view_func=view, methods=["POST"])

    def start(body: Any, *, sign: bool, phone: bool) -> dict[str, Any]:
        parsed = parse_order_request(body, sign=sign, phone=phone)
        order = orders.create(
            kind="sign" if sign else "auth",
            end_user_ip=parsed.end_user_ip,
            phone=phone,
            call_initiator=parsed.call_initiator,
            personal_number=parsed.personal_number,
            requirement=parsed.requirement,
            user_visible_data=parsed.user_visible_data,
            user_non_visible_data=parsed.user_non_visible_data,
            user_visible_data_format=parsed.user_visible_data_format,
            return_risk=parsed.return_risk,
        )
        if phone:
            return {"orderRef": order.order_ref}
        return {
            "orderRef": order.order_ref,
            "autoStartToken": order.auto_start_token,
            "qrStartToken": order.qr_start_token,
            "qrStartSecret": order.qr_start_secret,
        }

    def cancel(body: Any) -> dict[str, Any]:
        orders.cancel(parse_order_ref(body))
        return {}

    rp_endpoint("auth", lambda body: start(body, sign=False, phone=False))
    rp_endpoint("sign", lambda body: start(body, sign=True, phone=False))
    rp_endpoint("phone/auth", lambda body: start(body, sign=False, phone=True))
    rp_endpoint("phone/sign", lambda body: start(body, sign=True, phone=True))
    rp_endpoint("collect", lambda body: orders.collect(parse_order_ref(body)))
    rp_endpoint("cancel", cancel)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if request.path.startswith("/rp/"):
            if exc.code == 405:
                return _error("methodNotAllowed", "Method not allowed", 405)
            if exc.code == 404:
                return _error("notFound", "Not found", 404)
            return _error("invalidParameters", exc.description or "Bad request", exc.code or 400)
        return _script_error(exc.description or "Error", exc.code or 500)

    # ------------------------------------------------------------ scripting API

    @app.errorhandler(ScriptError)
    def script_error(exc: ScriptError) -> Response:
        return _script_error(exc.message, exc.http_status)

    def locate(body: dict[str, Any]) -> str:
        """Find an order by orderRef, QR content, or autostart token (or full autostart URL)."""
        if isinstance(body.get("orderRef"), str):
            return str(body["orderRef"])
        if isinstance(body.get("qrContent"), str):
            return orders.find_by_qr(body["qrContent"])
        if isinstance(body.get("autoStartToken"), str):
            return orders.find_by_autostart_token(_autostart_token(body["autoStartToken"]))
        raise ScriptError("Give orderRef, qrContent or autoStartToken", 400)

    def personal_number_of(body: dict[str, Any]) -> str | None:
        value = body.get("personalNumber")
        if value is not None and not isinstance(value, str):
            raise ScriptError("personalNumber must be a string", 400)
        return value

    @app.get("/emulator/health")
    def health() -> Response:
        return jsonify({"status": "ok"})

    @app.get("/emulator/identities")
    def identities() -> Response:
        return jsonify([identity.as_user() for identity in TEST_IDENTITIES])

    @app.get("/emulator/orders")
    def list_orders() -> Response:
        return jsonify(orders.list_orders(include_finished=request.args.get("all") == "1"))

    @app.get("/emulator/orders/<order_ref>")
    def get_order(order_ref: str) -> Response:
        return jsonify(orders.view(order_ref))

    @app.post("/emulator/orders/<order_ref>/scan")
    def scan_order(order_ref: str) -> Response:
        return jsonify(orders.scan(order_ref, personal_number_of(_json_body())))

    @app.post("/emulator/orders/<order_ref>/confirm-call")
    def confirm_call(order_ref: str) -> Response:
        return jsonify(orders.confirm_call(order_ref))

    @app.post("/emulator/orders/<order_ref>/approve")
    def approve_order(order_ref: str) -> Response:
        return jsonify(orders.approve(order_ref, personal_number_of(_json_body())))

    @app.post("/emulator/orders/<order_ref>/fail")
    def fail_order(order_ref: str) -> Response:
        hint_code = _json_body().get("hintCode")
        if not isinstance(hint_code, str):
            raise ScriptError("hintCode is required", 400)
        return jsonify(orders.fail(order_ref, hint_code))

    @app.post("/emulator/scan")
    def scan_located() -> Response:
        body = _json_body()
        return jsonify(orders.scan(locate(body), personal_number_of(body)))

    @app.post("/emulator/approve")
    def approve_located() -> Response:
        body = _json_body()
        order_ref = locate(body)
        orders.scan(order_ref)
        return jsonify(orders.approve(order_ref, personal_number_of(body)))

    @app.post("/emulator/faults")
    def set_fault() -> Response:
        body = _json_body()
        kind = body.get("next")
        count = body.get("count", 1)
        endpoints = body.get("endpoints")
        seconds = body.get("seconds", 0)
        if not isinstance(kind, str):
            raise ScriptError("'next' is required", 400)
        if not isinstance(count, int) or count < 1:
            raise ScriptError("'count' must be a positive integer", 400)
        if endpoints is not None and not (
            isinstance(endpoints, list) and all(isinstance(e, str) for e in endpoints)
        ):
            raise ScriptError("'endpoints' must be a list of endpoint names such as 'collect'", 400)
        if not isinstance(seconds, int | float) or seconds < 0:
            raise ScriptError("'seconds' must be a non-negative number", 400)
        orders.set_fault(kind, count, endpoints, float(seconds))
        return jsonify({"next": kind, "count": count, "endpoints": endpoints, "seconds": seconds})

    @app.delete("/emulator/faults")
    def clear_faults() -> Response:
        orders.clear_faults()
        return jsonify({})

    @app.post("/emulator/reset")
    def reset() -> Response:
        orders.reset()
        return jsonify({})

    # -------------------------------------------------------------- test phone

    @app.after_request
    def security_headers(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; style-src 'self'; form-action 'self'; "
                "frame-ancestors 'none'; base-uri 'none'"
            )
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/")
    def phone() -> str:
        done = request.args.get("done", "")
        error = request.args.get("error", "")
        return render_template(
            "phone.html",
            orders=orders.list_orders(),
            identities=TEST_IDENTITIES,
            message=_PHONE_MESSAGES.get(done),
            error=error if error in _PHONE_ERRORS else None,
            error_text=_PHONE_ERRORS.get(error),
            highlight=request.args.get("order", ""),
        )

    @app.get("/phone")
    def phone_alias() -> Response:
        return redirect(url_for("phone"), 303)  # type: ignore[return-value]

    @app.post("/phone/open")
    def phone_open() -> Response:
        code = (request.form.get("code") or "").strip()
        try:
            if code.startswith("bankid."):
                order_ref = orders.find_by_qr(code)
            else:
                order_ref = orders.find_by_autostart_token(_autostart_token(code))
            orders.scan(order_ref)
        except ScriptError:
            return redirect(url_for("phone", error="not-found"), 303)  # type: ignore[return-value]
        return redirect(url_for("phone", done="opened", order=order_ref) + "#order-" + order_ref, 303)  # type: ignore[return-value]

    @app.post("/phone/orders/<order_ref>")
    def phone_action(order_ref: str) -> Response:
        action = request.form.get("action", "")
        personal_number = request.form.get("personalNumber") or None
        try:
            if action not in _PHONE_ACTIONS:
                raise ScriptError("Unknown action", 400)
            if action == "approve":
                orders.approve(order_ref, personal_number)
            elif action == "confirm-call":
                orders.confirm_call(order_ref)
            elif action == "cancel":
                orders.fail(order_ref, "userCancel")
            else:
                orders.fail(order_ref, action)
        except ScriptError:
            return redirect(url_for("phone", error="refused"), 303)  # type: ignore[return-value]
        return redirect(url_for("phone", done=action), 303)  # type: ignore[return-value]

    return app


_PHONE_ERRORS = {
    "not-found": "No open order matches that QR code or autostart token "
    "(it may be too old: copy the current one).",
    "refused": "That order can no longer be changed (it is finished, expired, or for another person).",
}


def _autostart_token(value: str) -> str:
    """Accept a bare autostart token or a whole ``bankid:///?autostarttoken=...`` link."""
    value = value.strip()
    if "autostarttoken=" in value:
        tokens = parse_qs(urlsplit(value).query).get("autostarttoken")
        if tokens:
            return tokens[0]
    return value
