"""Public face of `signing`: BankID orders for the web (login and signing), bound to the browser session.

Order state lives in the `bankid_order` table, so any app process can collect any order. An order can only be
seen by the browser session that started it (a random binding kept in the signed session cookie, stored hashed)
from the same IP address, and a completed order is consumed exactly once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, cast

import segno
from flask import current_app, request, session
from sqlalchemy import select, update

from core import clock
from core.config import Settings
from core.db import db
from signing.bankid import BankIDError, BankIDProvider, CollectResult, OrderStarted, autostart_url
from signing.models import BankIDOrder, OrderPurpose, OrderState
from signing.rfa import StartedVia, rfa_for, rfa_message

__all__ = [
    "BankIDError",
    "BankIDOrder",
    "OrderPurpose",
    "OrderState",
    "OrderStatus",
    "bankid_provider",
    "browser_order_status",
    "cancel_order",
    "collect_order",
    "consume_completed_order",
    "find_session_order",
    "order_status",
    "qr_svg",
    "start_order",
]

# BankID lets an order live for 3 minutes; after that collect answers failed/expiredTransaction.
ORDER_LIFETIME = dt.timedelta(minutes=3)
# BankID asks relying parties to collect every 2 seconds; several tabs must not multiply that.
MIN_COLLECT_INTERVAL = dt.timedelta(seconds=1.5)
_BINDING_KEY = "bankid_binding"
_PROVIDER_KEY = "kanal.bankid_provider"
_QR_WAITING_HINTS = frozenset({None, "outstandingTransaction", "noClient"})


def bankid_provider() -> BankIDProvider:
    """The app's BankID provider (one HTTP client per process); tests may put their own in app.extensions."""
    provider = current_app.extensions.get(_PROVIDER_KEY)
    if provider is None:
        settings = cast(Settings, current_app.extensions["kanal.settings"])
        provider = BankIDProvider.from_settings(settings)
        current_app.extensions[_PROVIDER_KEY] = provider
    return cast(BankIDProvider, provider)


def _session_binding(create: bool) -> str | None:
    token = session.get(_BINDING_KEY)
    if token is None and create:
        token = secrets.token_urlsafe(32)
        session[_BINDING_KEY] = token
    return None if token is None else hashlib.sha256(str(token).encode()).hexdigest()


def start_order(
    purpose: OrderPurpose,
    started_via: StartedVia,
    end_user_ip: str,
    *,
    personal_number: str | None = None,
    user_visible_data: str | None = None,
    user_non_visible_data: str | None = None,
    next_url: str | None = None,
    subject: tuple[str, str] | None = None,
    staff_user_id: int | None = None,
) -> BankIDOrder:
    """Start a BankID order and remember it for this browser session. Raises BankIDError."""
    provider = bankid_provider()
    started: OrderStarted
    if purpose is OrderPurpose.LOGIN:
        started = provider.start_auth(end_user_ip)
    elif purpose is OrderPurpose.SIGN:
        started = provider.start_sign(end_user_ip, user_visible_data or "", user_non_visible_data)
    elif purpose is OrderPurpose.PHONE_AUTH:
        started = provider.start_phone_auth(personal_number or "", "RP")
    else:
        started = provider.start_phone_sign(
            personal_number or "", user_visible_data or "", "RP", user_non_visible_data
        )
    now = clock.now()
    order = BankIDOrder(
        order_ref=started.order_ref,
        purpose=purpose.value,
        started_via=started_via,
        session_binding=_session_binding(create=True),
        end_user_ip=end_user_ip,
        auto_start_token=started.auto_start_token,
        qr_start_token=started.qr_start_token,
        qr_start_secret=started.qr_start_secret,
        started_at_epoch=started.started_at,
        created_at=now,
        expires_at=now + ORDER_LIFETIME,
        state=OrderState.PENDING.value,
        hint_code="outstandingTransaction",
        personal_number=personal_number,
        user_visible_data=user_visible_data,
        user_non_visible_data=user_non_visible_data,
        next_url=next_url,
        subject_kind=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        staff_user_id=staff_user_id,
    )
    db.add(order)
    db.flush()
    return order


def find_session_order(order_ref: str, end_user_ip: str | None) -> BankIDOrder | None:
    """The order if, and only if, this browser session started it from this IP address."""
    binding = _session_binding(create=False)
    if binding is None:
        return None
    order = db.scalar(select(BankIDOrder).where(BankIDOrder.order_ref == order_ref))
    if order is None or not secrets.compare_digest(order.session_binding, binding):
        return None
    if order.end_user_ip != end_user_ip:
        return None
    return order


def _apply_collect(order: BankIDOrder, result: CollectResult) -> None:
    order.hint_code = result.hint_code
    if result.status == "complete":
        order.state = OrderState.COMPLETE.value
        order.completion_data = dict(result.completion_data or {})
        order.personal_number = result.personal_number
    elif result.status == "failed":
        order.state = OrderState.FAILED.value


def collect_order(order: BankIDOrder) -> str | None:
    """Ask BankID how the order is going and store the answer. Returns an error code BankID gave, if any.

    Errors that mean "try again" (maintenance, timeouts) leave the order pending; an order BankID no longer knows
    (invalidParameters) or one past its lifetime is failed with expiredTransaction, so the resident can restart.
    """
    if order.state != OrderState.PENDING.value:
        return None
    now = clock.now()
    if now >= order.expires_at:
        order.state = OrderState.FAILED.value
        order.hint_code = "expiredTransaction"
        return None
    if order.last_collected_at is not None and now - order.last_collected_at < MIN_COLLECT_INTERVAL:
        return order.error_code
    order.last_collected_at = now
    try:
        result = bankid_provider().collect(order.order_ref)
    except BankIDError as error:
        if error.error_code == "invalidParameters":
            order.state = OrderState.FAILED.value
            order.hint_code = "expiredTransaction"
            order.error_code = None
            return None
        order.error_code = error.error_code
        return error.error_code
    order.error_code = None
    _apply_collect(order, result)
    return None


def cancel_order(order: BankIDOrder) -> None:
    """The resident pressed Cancel: stop the order at BankID (best effort) and here."""
    if order.state == OrderState.PENDING.value:
        # Best effort: the order dies at BankID anyway when it expires; here it is cancelled now.
        with contextlib.suppress(BankIDError):
            bankid_provider().cancel(order.order_ref)
        order.state = OrderState.CANCELLED.value
        order.hint_code = "userCancel"


def consume_completed_order(order: BankIDOrder) -> bool:
    """Mark a completed order as used. True for exactly one caller, however many processes race for it."""
    result = db.execute(
        update(BankIDOrder)
        .where(BankIDOrder.id == order.id, BankIDOrder.state == OrderState.COMPLETE.value)
        .values(state=OrderState.CONSUMED.value, consumed_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    consumed = cast(Any, result).rowcount == 1
    if consumed:
        order.state = OrderState.CONSUMED.value
    return consumed


@dataclass(frozen=True)
class OrderStatus:
    """What the status page and the polling script show for an order."""

    state: str
    message: str
    show_qr: bool
    retryable: bool
    autostart_url: str | None

    def to_json(self) -> dict[str, Any]:
        """What the polling script (`bankid.js`) reads."""
        return {
            "state": self.state,
            "message": self.message,
            "showQr": self.show_qr,
            "retryable": self.retryable,
            "autostartUrl": self.autostart_url,
        }


def order_status(order: BankIDOrder, language: str, *, mobile: bool) -> OrderStatus:
    started_via = cast(StartedVia, order.started_via)
    if order.state in (OrderState.COMPLETE.value, OrderState.CONSUMED.value):
        message = ""
    elif order.state == OrderState.CANCELLED.value:
        message = rfa_message("RFA3", language)
    elif order.error_code is not None:
        message = rfa_message(rfa_for(error_code=order.error_code), language)
    else:
        rfa = rfa_for(order.state, order.hint_code, started_via=started_via, mobile=mobile)
        message = rfa_message(rfa, language)
    pending = order.state == OrderState.PENDING.value
    return OrderStatus(
        state=order.state,
        message=message,
        show_qr=pending and started_via == "qr" and order.hint_code in _QR_WAITING_HINTS,
        retryable=order.state in (OrderState.FAILED.value, OrderState.CANCELLED.value),
        autostart_url=autostart_url(order.auto_start_token)
        if pending and started_via == "autostart" and order.auto_start_token
        else None,
    )


_MOBILE_AGENT = re.compile(r"Mobi|Android|iPhone|iPad", re.IGNORECASE)


def browser_order_status(order: BankIDOrder, language: str) -> OrderStatus:
    """`order_status` for the browser asking: BankID words some messages differently on phones (the B variants)."""
    mobile = bool(_MOBILE_AGENT.search(request.headers.get("User-Agent", "")))
    return order_status(order, language, mobile=mobile)


def qr_svg(order: BankIDOrder, title: str) -> str:
    """The animated QR code's current frame as an SVG document (content from pybankid, drawn by segno)."""
    if not (order.qr_start_token and order.qr_start_secret):
        raise ValueError("this order has no QR code")
    content = BankIDProvider.qr_content(order.qr_start_token, order.qr_start_secret, order.started_at_epoch)
    qr = segno.make_qr(content, error="l")
    svg: str = qr.svg_inline(scale=6, border=4, dark="#000", light="#fff", title=title, omitsize=True)
    return svg
