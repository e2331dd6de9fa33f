"""The emulator's order book: BankID orders, their lifecycle, and injected faults.

It lives in the emulator process's memory (guarded by one lock), which is right: the emulator *is*
the external service, and every Kanal process talks to it over HTTP.

Lifecycle of an order, as BankID's collect reports it::

    pending/outstandingTransaction  (created; after ``no_client_after`` seconds unscanned: noClient)
      -> pending/started            (the app has the order: QR scanned or autostart token opened)
      -> pending/userCallConfirm    (phone orders with callInitiator "RP", until the call is confirmed)
      -> pending/userSign           (a BankID/identity has been chosen; the user is asked for the code)
      -> complete                   (approved: completionData)
    any pending state -> failed/userCancel | expiredTransaction | certificateErr | startFailed
                         | cancelled (a newer order for the same personnummer)

An RP ``/cancel`` removes the order (later collects answer invalidParameters). Finished orders stay
collectable for ``finished_retention`` seconds, then disappear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from signing.emulator.crypto import SignedDataInput, TestKeyring, build_ocsp_response, build_signature_xml
from signing.emulator.identities import DEFAULT_IDENTITY, TestIdentity, find_identity, identity_for

OrderKind = Literal["auth", "sign"]
Status = Literal["pending", "failed", "complete"]

# BankID's documented default lifetime of an auth/sign order is three minutes.
DEFAULT_ORDER_TTL = 180.0
# How long a QR code's time field may differ from the order's age when the test phone scans it.
DEFAULT_QR_WINDOW = 10.0
DEFAULT_NO_CLIENT_AFTER = 5.0
DEFAULT_FINISHED_RETENTION = 180.0

FAILURE_HINT_CODES = frozenset(
    {"userCancel", "expiredTransaction", "certificateErr", "startFailed", "userDeclinedCall", "cancelled"}
)
ERROR_STATUS: dict[str, int] = {
    "alreadyInProgress": 400,
    "invalidParameters": 400,
    "unauthorized": 401,
    "notFound": 404,
    "methodNotAllowed": 405,
    "requestTimeout": 408,
    "unsupportedMediaType": 415,
    "internalError": 500,
    "maintenance": 503,
}
# Faults that aren't BankID error codes but break the transport in ways an RP must survive.
EXTRA_FAULTS = frozenset({"malformedJson", "delay"})


class OrderError(Exception):
    """A BankID error answer: ``{"errorCode": code, "details": details}`` with the matching status."""

    def __init__(self, error_code: str, details: str) -> None:
        super().__init__(f"{error_code}: {details}")
        self.error_code = error_code
        self.details = details

    @property
    def http_status(self) -> int:
        return ERROR_STATUS.get(self.error_code, 400)


class ScriptError(Exception):
    """A refused scripting/test-phone action (e.g. approving an order that has already failed)."""

    def __init__(self, message: str, http_status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status


@dataclass
class Order:
    order_ref: str
    kind: OrderKind
    created_at: float
    created_wall: float
    end_user_ip: str | None
    phone: bool = False
    call_initiator: str | None = None
    personal_number: str | None = None  # known up front (phone orders, requirement.personalNumber)
    requirement: dict[str, Any] = field(default_factory=dict)
    user_visible_data: str | None = None
    user_non_visible_data: str | None = None
    user_visible_data_format: str | None = None
    return_risk: bool = False
    auto_start_token: str | None = None
    qr_start_token: str | None = None
    qr_start_secret: str | None = None
    status: Status = "pending"
    hint_code: str = "outstandingTransaction"
    scanned: bool = False
    call_confirmed: bool = False
    identity: TestIdentity | None = None
    completion_data: dict[str, Any] | None = None
    finished_at: float | None = None

    @property
    def known_personal_number(self) -> str | None:
        if self.identity is not None:
            return self.identity.personal_number
        return self.personal_number

    def public_view(self, now: float, ttl: float) -> dict[str, Any]:
        """The order as the scripting API and the test phone show it (never the QR secret)."""
        visible_text = None
        if self.user_visible_data is not None:
            try:
                visible_text = base64.b64decode(self.user_visible_data).decode("utf-8")
            except ValueError:
                visible_text = None
        return {
            "orderRef": self.order_ref,
            "type": f"phone/{self.kind}" if self.phone else self.kind,
            "status": self.status,
            "hintCode": None if self.status == "complete" else self.hint_code,
            "personalNumber": self.known_personal_number,
            "callInitiator": self.call_initiator,
            "endUserIp": self.end_user_ip,
            "userVisibleData": visible_text,
            "userVisibleDataFormat": self.user_visible_data_format,
            "autoStartToken": self.auto_start_token,
            "qrStartToken": self.qr_start_token,
            "ageSeconds": round(now - self.created_at, 1),
            "expiresInSeconds": max(0.0, round(ttl - (now - self.created_at), 1)),
        }


@dataclass
class Fault:
    kind: str
    remaining: int
    endpoints: frozenset[str] | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class EmulatorSettings:
    order_ttl: float = DEFAULT_ORDER_TTL
    qr_window: float = DEFAULT_QR_WINDOW
    no_client_after: float = DEFAULT_NO_CLIENT_AFTER
    finished_retention: float = DEFAULT_FINISHED_RETENTION
    auto_approve: str | None = None  # personnummer: approve every order as soon as it's collected
    rp_display_name: str = "Kanal (emulator)"


def _random_uhi() -> str:
    return base64.b64encode(secrets.token_bytes(21)).decode("ascii")


class OrderBook:
    """All orders and faults, with BankID's rules. Every public method takes the lock."""

    def __init__(
        self,
        settings: EmulatorSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
        keyring: TestKeyring | None = None,
    ) -> None:
        self.settings = settings or EmulatorSettings()
        self._clock = clock
        self._keyring = keyring or TestKeyring()
        self._lock = threading.RLock()
        self._orders: dict[str, Order] = {}
        self._faults: list[Fault] = []
        # A stable "unique hardware id" per identity, like one phone per person.
        self._uhi: dict[str, str] = {}

    # ---------------------------------------------------------------- RP API

    def create(
        self,
        *,
        kind: OrderKind,
        end_user_ip: str | None,
        phone: bool = False,
        call_initiator: str | None = None,
        personal_number: str | None = None,
        requirement: dict[str, Any] | None = None,
        user_visible_data: str | None = None,
        user_non_visible_data: str | None = None,
        user_visible_data_format: str | None = None,
        return_risk: bool = False,
    ) -> Order:
        with self._lock:
            now = self._clock()
            self._tick(now)
            requirement = requirement or {}
            personal_number = personal_number or requirement.get("personalNumber")
            if personal_number is not None:
                # BankID: "An order for this user is already in progress. The order is aborted. No order
                # is created." The aborted one is the *existing* order; its collect says failed/cancelled.
                existing = self._pending_for(personal_number)
                if existing is not None:
                    self._finish_failed(existing, "cancelled", now)
                    raise OrderError("alreadyInProgress", "Order already in progress for pno")
            order = Order(
                order_ref=str(uuid.uuid4()),
                kind=kind,
                created_at=now,
                created_wall=time.time(),
                end_user_ip=end_user_ip,
                phone=phone,
                call_initiator=call_initiator,
                personal_number=personal_number,
                requirement=requirement,
                user_visible_data=user_visible_data,
                user_non_visible_data=user_non_visible_data,
                user_visible_data_format=user_visible_data_format,
                return_risk=return_risk,
            )
            if not phone:
                order.auto_start_token = str(uuid.uuid4())
                order.qr_start_token = str(uuid.uuid4())
                order.qr_start_secret = str(uuid.uuid4())
            self._orders[order.order_ref] = order
            return order

    def collect(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            now = self._clock()
            self._tick(now)
            order = self._orders.get(order_ref)
            if order is None:
                raise OrderError("invalidParameters", "No such order")
            if self.settings.auto_approve and order.status == "pending":
                self._approve(order, self._auto_identity(order), now)
            body: dict[str, Any] = {"orderRef": order.order_ref, "status": order.status}
            if order.status == "complete":
                body["completionData"] = order.completion_data
            else:
                body["hintCode"] = order.hint_code
            return body

    def cancel(self, order_ref: str) -> None:
        with self._lock:
            self._tick(self._clock())
            if self._orders.pop(order_ref, None) is None:
                raise OrderError("invalidParameters", "No such order")

    # ------------------------------------------------------- test phone / scripting

    def list_orders(self, include_finished: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            now = self._clock()
            self._tick(now)
            orders = sorted(self._orders.values(), key=lambda o: o.created_at, reverse=True)
            return [
                o.public_view(now, self.settings.order_ttl)
                for o in orders
                if include_finished or o.status == "pending"
            ]

    def view(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            now = self._clock()
            self._tick(now)
            return self._get_pending_or_any(order_ref).public_view(now, self.settings.order_ttl)

    def find_by_qr(self, qr_content: str) -> str:
        """The orderRef a QR code belongs to, checked like the BankID app and server would.

        Content is ``bankid.<qrStartToken>.<seconds since order start>.<HMAC-SHA256(secret, seconds)>``.
        """
        parts = qr_content.strip().split(".")
        if len(parts) != 4 or parts[0] != "bankid" or not parts[2].isdigit():
            raise ScriptError("Not a BankID QR code", 400)
        _, token, seconds, auth_code = parts
        with self._lock:
            now = self._clock()
            self._tick(now)
            order = next((o for o in self._orders.values() if o.qr_start_token == token), None)
            if order is None or order.qr_start_secret is None:
                raise ScriptError("No order for this QR code", 404)
            expected = hmac.new(order.qr_start_secret.encode(), seconds.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, auth_code.lower()):
                raise ScriptError("The QR code's auth code is wrong", 400)
            age = now - order.created_at
            if abs(int(seconds) - age) > self.settings.qr_window:
                raise ScriptError("The QR code is too old (or from the future); scan the current one", 400)
            return order.order_ref

    def find_by_autostart_token(self, token: str) -> str:
        with self._lock:
            self._tick(self._clock())
            order = next((o for o in self._orders.values() if o.auto_start_token == token.strip()), None)
            if order is None:
                raise ScriptError("No order for this autostart token", 404)
            return order.order_ref

    def scan(self, order_ref: str, personal_number: str | None = None) -> dict[str, Any]:
        """The app receives the order (QR scanned, autostart link opened, or phone order pushed)."""
        with self._lock:
            now = self._clock()
            self._tick(now)
            order = self._get_pending(order_ref)
            self._scan(order)
            if personal_number is not None:
                self._choose(order, self._identity(order, personal_number), now)
            return order.public_view(now, self.settings.order_ttl)

    def confirm_call(self, order_ref: str) -> dict[str, Any]:
        with self._lock:
            now = self._clock()
            self._tick(now)
            order = self._get_pending(order_ref)
            if not order.phone:
                raise ScriptError("Only phone orders have a call to confirm", 409)
            self._scan(order)
            order.call_confirmed = True
            if order.identity is not None or order.personal_number is not None:
                order.identity = order.identity or identity_for(order.personal_number or "")
                order.hint_code = "userSign"
            return order.public_view(now, self.settings.order_ttl)

    def approve(self, order_ref: str, personal_number: str | None = None) -> dict[str, Any]:
        with self._lock:
            now = self._clock()
            self._tick(now)
            order = self._get_pending(order_ref)
            identity = (
                self._auto_identity(order)
                if personal_number is None
                else self._identity(order, personal_number)
            )
            self._approve(order, identity, now)
            return order.public_view(now, self.settings.order_ttl)

    def fail(self, order_ref: str, hint_code: str) -> dict[str, Any]:
        if hint_code not in FAILURE_HINT_CODES:
            raise ScriptError(f"hintCode must be one of {sorted(FAILURE_HINT_CODES)}", 400)
        with self._lock:
            now = self._clock()
            self._tick(now)
            order = self._get_pending(order_ref)
            self._finish_failed(order, hint_code, now)
            return order.public_view(now, self.settings.order_ttl)

    # ------------------------------------------------------------------ faults

    def set_fault(self, kind: str, count: int, endpoints: list[str] | None, seconds: float) -> None:
        if kind not in ERROR_STATUS and kind not in EXTRA_FAULTS:
            raise ScriptError(f"Unknown fault {kind!r}", 400)
        with self._lock:
            self._faults.append(Fault(kind, count, frozenset(endpoints) if endpoints else None, seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, endpoint: str) -> Fault | None:
        """The fault that applies to this RP API call, if any (consuming one of its uses)."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoints is None or endpoint in fault.endpoints:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def reset(self) -> None:
        with self._lock:
            self._orders.clear()
            self._faults.clear()

    # ---------------------------------------------------------------- internals

    def _tick(self, now: float) -> None:
        """Apply time: expiry, noClient, and forgetting old finished orders."""
        settings = self.settings
        for order_ref, order in list(self._orders.items()):
            age = now - order.created_at
            if order.status == "pending":
                if age >= settings.order_ttl:
                    self._finish_failed(order, "expiredTransaction", order.created_at + settings.order_ttl)
                elif (
                    not order.scanned
                    and order.hint_code == "outstandingTransaction"
                    and age >= settings.no_client_after
                ):
                    order.hint_code = "noClient"
            if order.finished_at is not None and now - order.finished_at >= settings.finished_retention:
                del self._orders[order_ref]

    def _pending_for(self, personal_number: str) -> Order | None:
        for order in self._orders.values():
            if order.status == "pending" and order.known_personal_number == personal_number:
                return order
        return None

    def _get_pending_or_any(self, order_ref: str) -> Order:
        order = self._orders.get(order_ref)
        if order is None:
            raise ScriptError("No such order", 404)
        return order

    def _get_pending(self, order_ref: str) -> Order:
        order = self._get_pending_or_any(order_ref)
        if order.status != "pending":
            raise ScriptError(f"The order is already {order.status} ({order.hint_code})", 409)
        return order

    def _identity(self, order: Order, personal_number: str) -> TestIdentity:
        if order.personal_number is not None and order.personal_number != personal_number:
            # The real app only offers the BankID of the person the order is for.
            raise ScriptError("This order is for another personnummer", 409)
        identity = find_identity(personal_number)
        if identity is None:
            if order.personal_number is None:
                raise ScriptError("Unknown test identity", 400)
            identity = identity_for(personal_number)
        return identity

    def _auto_identity(self, order: Order) -> TestIdentity:
        if order.identity is not None:
            return order.identity
        if order.personal_number is not None:
            return identity_for(order.personal_number)
        if self.settings.auto_approve:
            return find_identity(self.settings.auto_approve) or identity_for(self.settings.auto_approve)
        return DEFAULT_IDENTITY

    def _scan(self, order: Order) -> None:
        if not order.scanned:
            order.scanned = True
            if order.phone and order.call_initiator == "RP" and not order.call_confirmed:
                order.hint_code = "userCallConfirm"
            else:
                order.hint_code = "started"

    def _choose(self, order: Order, identity: TestIdentity, now: float) -> None:
        if order.identity is not None and order.identity != identity:
            raise ScriptError("Another identity was already chosen for this order", 409)
        # Choosing a BankID makes the personnummer known; an older pending order for the same person
        # is cancelled, like BankID does when the same user starts a second order.
        other = self._pending_for(identity.personal_number)
        if other is not None and other is not order:
            self._finish_failed(other, "cancelled", now)
        order.identity = identity
        if not (order.phone and order.call_initiator == "RP" and not order.call_confirmed):
            order.hint_code = "userSign"

    def _approve(self, order: Order, identity: TestIdentity, now: float) -> None:
        # Walk the states a real app would pass through, so side effects (cancelling an older order for
        # the same person) happen the same way whether a test approves directly or step by step.
        self._scan(order)
        order.call_confirmed = True
        self._choose(order, identity, now)
        uhi = self._uhi.setdefault(identity.personal_number, _random_uhi())
        device_ip = order.end_user_ip or "192.0.2.10"  # phone orders: an address from TEST-NET-1
        signature_xml = build_signature_xml(
            self._keyring,
            identity,
            SignedDataInput(
                function="Signing" if order.kind == "sign" else "Identification",
                user_visible_data=order.user_visible_data,
                user_non_visible_data=order.user_non_visible_data,
                user_visible_data_format=order.user_visible_data_format,
                rp_display_name=self.settings.rp_display_name,
                uhi=uhi,
                device_ip=device_ip,
            ),
        )
        signature = base64.b64encode(signature_xml.encode("utf-8")).decode("ascii")
        ocsp = base64.b64encode(build_ocsp_response(self._keyring, identity, signature)).decode("ascii")
        completion: dict[str, Any] = {
            "user": identity.as_user(),
            "device": {"ipAddress": device_ip, "uhi": uhi},
            "bankIdIssueDate": identity.bank_id_issue_date,
            "stepUp": {"mrtd": bool(order.requirement.get("mrtd", False))},
            "signature": signature,
            "ocspResponse": ocsp,
        }
        if order.return_risk:
            completion["risk"] = "low"
        order.completion_data = completion
        order.status = "complete"
        order.finished_at = now

    def _finish_failed(self, order: Order, hint_code: str, at: float) -> None:
        order.status = "failed"
        order.hint_code = hint_code
        order.finished_at = at
