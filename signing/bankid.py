"""Kanal's BankID provider: a thin, typed layer over pybankid's ``BankIDClient``.

* ``make_bankid_client`` builds pybankid's client for the real BankID RP API v6.0 (test or
  production, with the RP's client certificate) or for any other base URL, typically the local
  emulator (``signing.emulator``). pybankid has no base-URL option, so this is the one place that
  re-points its endpoint attributes.
* ``BankIDProvider`` calls pybankid's methods only (authenticate, sign, phone_authenticate,
  phone_sign, collect, cancel), returns small frozen dataclasses, and turns every failure – BankID
  error answers, transport errors, timeouts, malformed JSON – into one ``BankIDError`` whose
  ``error_code`` is BankID's errorCode vocabulary.

Personal numbers and user data are never logged; order references and error codes are.
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, cast
from urllib.parse import quote, urljoin, urlsplit

import httpx
from bankid import BankIDClient, generate_qr_code_content
from bankid import exceptions as bankid_exceptions

from signing.rfa import StartedVia, rfa_for

log = logging.getLogger(__name__)

API_PATH = "rp/v6.0/"
CollectStatus = Literal["pending", "failed", "complete"]
CallInitiator = Literal["user", "RP"]

ERROR_CODES = frozenset(
    {
        "alreadyInProgress",
        "invalidParameters",
        "unauthorized",
        "notFound",
        "methodNotAllowed",
        "requestTimeout",
        "unsupportedMediaType",
        "internalError",
        "maintenance",
    }
)

_EXCEPTION_CODES: tuple[tuple[type[bankid_exceptions.BankIDError], str], ...] = (
    (bankid_exceptions.AlreadyInProgressError, "alreadyInProgress"),
    (bankid_exceptions.InvalidParametersError, "invalidParameters"),
    (bankid_exceptions.UnauthorizedError, "unauthorized"),
    (bankid_exceptions.NotFoundError, "notFound"),
    (bankid_exceptions.RequestTimeoutError, "requestTimeout"),
    (bankid_exceptions.MaintenanceError, "maintenance"),
    (bankid_exceptions.InternalError, "internalError"),
)


class BankIDError(Exception):
    """Any failed BankID call, in BankID's errorCode vocabulary.

    ``error_code`` is one of ``ERROR_CODES``; transport failures and malformed answers are reported
    as ``internalError`` (or ``requestTimeout`` when the call timed out), so callers need to handle
    exactly one exception type. ``details`` is for logs, never for residents: show ``rfa_id``'s text.
    """

    def __init__(self, error_code: str, details: str) -> None:
        super().__init__(f"{error_code}: {details}")
        self.error_code = error_code
        self.details = details

    @property
    def rfa_id(self) -> str:
        return rfa_for(error_code=self.error_code)

    @property
    def retryable(self) -> bool:
        """Whether the resident may simply try again (BankID: maintenance, timeouts, internal errors)."""
        return self.error_code in ("maintenance", "requestTimeout", "internalError", "alreadyInProgress")


@dataclass(frozen=True)
class OrderStarted:
    """A started order. Phone orders only have ``order_ref``; the other fields are then ``None``.

    ``started_at`` is the Unix time the answer arrived: the QR code's time counter starts there.
    """

    order_ref: str
    auto_start_token: str | None
    qr_start_token: str | None
    qr_start_secret: str | None
    started_at: float

    def autostart_url(self, redirect: str | None = None) -> str:
        """The ``bankid:///`` link that starts the app on this device (``redirect=null`` by default)."""
        if self.auto_start_token is None:
            raise ValueError("Phone orders have no autostart token")
        return autostart_url(self.auto_start_token, redirect)


@dataclass(frozen=True)
class CollectResult:
    """One collect answer. ``hint_code`` is set while pending or failed, ``completion_data`` when complete."""

    order_ref: str
    status: CollectStatus
    hint_code: str | None
    completion_data: Mapping[str, Any] | None

    @property
    def user(self) -> Mapping[str, str]:
        """``completionData.user``: personalNumber, name, givenName, surname (empty unless complete)."""
        if self.completion_data is None:
            return {}
        return cast(Mapping[str, str], self.completion_data["user"])

    @property
    def personal_number(self) -> str | None:
        return self.user.get("personalNumber")

    def rfa_id(self, *, started_via: StartedVia, mobile: bool) -> str:
        return rfa_for(self.status, self.hint_code, started_via=started_via, mobile=mobile)


def autostart_url(auto_start_token: str, redirect: str | None = None) -> str:
    """BankID's autostart link, e.g. ``bankid:///?autostarttoken=...&redirect=null``."""
    return (
        f"bankid:///?autostarttoken={quote(auto_start_token)}&redirect={quote(redirect or 'null', safe='')}"
    )


def api_url_for(base_url: str) -> str:
    """The RP API v6.0 root for a base URL; accepts the service root or the API root itself."""
    base = base_url.rstrip("/") + "/"
    if urlsplit(base).path.endswith("/" + API_PATH):
        return base
    return urljoin(base, API_PATH)


def make_bankid_client(
    base_url: str | None,
    cert_path: str | None,
    key_path: str | None,
    test_server: bool = True,
    timeout: float = 5,
    *,
    verify: bool | str = True,
) -> BankIDClient:
    """pybankid's ``BankIDClient``, pointed at BankID or at ``base_url``.

    * ``base_url`` empty: the real BankID API (``test_server`` picks test or production), verified
      with pybankid's pinned BankID CA, authenticated with the RP certificate (required).
    * ``base_url`` ``http://...``: a plain-HTTP emulator; no TLS, certificates are not needed.
    * ``base_url`` ``https://...``: a BankID-compatible service at another address; ``verify`` is
      ``True`` (system CAs), ``False``, or a CA bundle path; the RP certificate is sent if given.
    """
    cert_path = cert_path or None
    key_path = key_path or None
    certificates = (cert_path, key_path) if cert_path and key_path else None
    if not base_url and certificates is None:
        raise ValueError("The real BankID API needs the RP client certificate and key")
    # pybankid builds its httpx client in the constructor; it is replaced below with one configured
    # through an SSLContext (pybankid passes ``cert=``, which httpx deprecates).
    client = BankIDClient(
        certificates=cast(tuple[str, str], None), test_server=test_server, request_timeout=cast(int, timeout)
    )
    client.client.close()
    client.certs = certificates
    headers = {"Content-Type": "application/json"}

    if base_url:
        api_url = api_url_for(base_url)
        client.api_url = api_url
        client._auth_endpoint = urljoin(api_url, "auth")
        client._phone_auth_endpoint = urljoin(api_url, "phone/auth")
        client._sign_endpoint = urljoin(api_url, "sign")
        client._phone_sign_endpoint = urljoin(api_url, "phone/sign")
        client._collect_endpoint = urljoin(api_url, "collect")
        client._cancel_endpoint = urljoin(api_url, "cancel")
        if urlsplit(api_url).scheme == "http":
            client.client = httpx.Client(headers=headers, timeout=timeout)
            return client
        if verify is False:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif isinstance(verify, str):
            context = ssl.create_default_context(cafile=verify)
        else:
            context = ssl.create_default_context()
    else:
        context = client.ctx  # pybankid's context trusting only BankID's own CA
    if certificates is not None:
        context.load_cert_chain(certfile=certificates[0], keyfile=certificates[1])
    client.client = httpx.Client(headers=headers, verify=context, timeout=timeout)
    return client


class BankIDSettings(Protocol):
    """The part of Kanal's settings the provider needs (see ``core.config``)."""

    @property
    def bankid_url(self) -> str: ...
    @property
    def bankid_test_server(self) -> bool: ...
    @property
    def bankid_cert_path(self) -> str: ...
    @property
    def bankid_key_path(self) -> str: ...


T = TypeVar("T")


def _require_str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise BankIDError("internalError", f"Malformed response from BankID: missing {key}")
    return value


class BankIDProvider:
    """Start, collect and cancel BankID orders through pybankid, with typed results and one error type."""

    def __init__(self, client: BankIDClient, *, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: BankIDSettings, timeout: float = 5) -> BankIDProvider:
        return cls(
            make_bankid_client(
                settings.bankid_url or None,
                settings.bankid_cert_path or None,
                settings.bankid_key_path or None,
                test_server=settings.bankid_test_server,
                timeout=timeout,
            )
        )

    def close(self) -> None:
        self.client.client.close()

    def __enter__(self) -> BankIDProvider:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ orders

    def start_auth(
        self,
        end_user_ip: str,
        user_visible_data: str | None = None,
        user_non_visible_data: str | None = None,
        fmt: str | None = "simpleMarkdownV1",
        requirement: dict[str, Any] | None = None,
    ) -> OrderStarted:
        """Start an identification order (QR code or autostart). Visible data is plain text, not base64."""
        response = self._call(
            "auth",
            None,
            lambda: self.client.authenticate(
                end_user_ip,
                requirement=requirement,
                user_visible_data=user_visible_data,
                user_non_visible_data=user_non_visible_data,
                user_visible_data_format=fmt if user_visible_data else None,
            ),
        )
        return self._order_started(response, phone=False)

    def start_sign(
        self,
        end_user_ip: str,
        user_visible_data: str,
        user_non_visible_data: str | None = None,
        fmt: str | None = "simpleMarkdownV1",
        requirement: dict[str, Any] | None = None,
    ) -> OrderStarted:
        """Start a signing order; ``user_visible_data`` is what the resident reads and signs."""
        response = self._call(
            "sign",
            None,
            lambda: self.client.sign(
                end_user_ip,
                user_visible_data,
                requirement=requirement,
                user_non_visible_data=user_non_visible_data,
                user_visible_data_format=fmt,
            ),
        )
        return self._order_started(response, phone=False)

    def start_phone_auth(
        self,
        personal_number: str,
        call_initiator: CallInitiator = "RP",
        user_visible_data: str | None = None,
        user_non_visible_data: str | None = None,
        fmt: str | None = "simpleMarkdownV1",
        requirement: dict[str, Any] | None = None,
    ) -> OrderStarted:
        """Identify the person on the phone (contact centre). ``call_initiator``: who placed the call."""
        self._check_call_initiator(call_initiator)
        response = self._call(
            "phone/auth",
            None,
            lambda: self.client.phone_authenticate(
                personal_number,
                call_initiator,
                requirement=requirement,
                user_visible_data=user_visible_data,
                user_non_visible_data=user_non_visible_data,
                user_visible_data_format=fmt if user_visible_data else None,
            ),
        )
        return self._order_started(response, phone=True)

    def start_phone_sign(
        self,
        personal_number: str,
        user_visible_data: str,
        call_initiator: CallInitiator = "RP",
        user_non_visible_data: str | None = None,
        fmt: str | None = "simpleMarkdownV1",
        requirement: dict[str, Any] | None = None,
    ) -> OrderStarted:
        """Let the person on the phone sign ``user_visible_data``."""
        self._check_call_initiator(call_initiator)
        response = self._call(
            "phone/sign",
            None,
            lambda: self.client.phone_sign(
                personal_number,
                call_initiator,
                user_visible_data,
                requirement=requirement,
                user_non_visible_data=user_non_visible_data,
                user_visible_data_format=fmt,
            ),
        )
        return self._order_started(response, phone=True)

    def collect(self, order_ref: str) -> CollectResult:
        """One collect call (BankID: call every 2 seconds while pending)."""
        response = self._call("collect", order_ref, lambda: self.client.collect(order_ref))
        return self._collect_result(response, order_ref)

    def cancel(self, order_ref: str) -> None:
        """Cancel a pending order (the resident pressed Cancel, or left)."""
        confirmed = self._call("cancel", order_ref, lambda: self.client.cancel(order_ref))
        if not confirmed:
            log.error("BankID cancel for order %s answered something other than {}", order_ref)
            raise BankIDError("internalError", "Malformed response from BankID to cancel")

    @staticmethod
    def qr_content(qr_start_token: str, qr_start_secret: str, started_at: float | dt.datetime) -> str:
        """The current animated-QR content (``bankid.<token>.<seconds>.<authCode>``), via pybankid."""
        return generate_qr_code_content(qr_start_token, started_at, qr_start_secret)

    # ---------------------------------------------------------------- internals

    @staticmethod
    def _check_call_initiator(call_initiator: str) -> None:
        if call_initiator not in ("user", "RP"):
            raise ValueError("call_initiator must be 'user' or 'RP'")

    def _call(self, operation: str, order_ref: str | None, call: Callable[[], T]) -> T:
        """Run one pybankid call, translating every way it can fail into ``BankIDError``."""
        try:
            return call()
        except bankid_exceptions.BankIDError as exc:
            error = _from_pybankid(exc)
            level = (
                logging.WARNING if error.error_code in ("alreadyInProgress", "maintenance") else logging.ERROR
            )
            log.log(
                level,
                "BankID %s (order %s) answered %s: %s",
                operation,
                order_ref,
                error.error_code,
                error.details,
            )
            raise error from exc
        except httpx.TimeoutException as exc:
            log.error("BankID %s (order %s) timed out: %r", operation, order_ref, exc)
            raise BankIDError("requestTimeout", f"Timed out talking to BankID: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            log.error("BankID %s (order %s) failed in transport: %r", operation, order_ref, exc)
            raise BankIDError("internalError", f"Could not reach BankID: {type(exc).__name__}") from exc
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            # pybankid calls response.json() unguarded, on success and error answers alike: a body that
            # isn't JSON (or isn't an object) surfaces here.
            log.exception("BankID %s (order %s) answered malformed JSON", operation, order_ref)
            raise BankIDError("internalError", "Malformed response from BankID") from exc

    def _order_started(self, response: Any, *, phone: bool) -> OrderStarted:
        if not isinstance(response, Mapping):
            log.error("BankID start answered a non-object: %s", type(response).__name__)
            raise BankIDError("internalError", "Malformed response from BankID")
        order_ref = _require_str(response, "orderRef")
        if phone:
            return OrderStarted(order_ref, None, None, None, self._clock())
        return OrderStarted(
            order_ref=order_ref,
            auto_start_token=_require_str(response, "autoStartToken"),
            qr_start_token=_require_str(response, "qrStartToken"),
            qr_start_secret=_require_str(response, "qrStartSecret"),
            started_at=self._clock(),
        )

    def _collect_result(self, response: Any, order_ref: str) -> CollectResult:
        malformed = BankIDError("internalError", "Malformed collect response from BankID")
        if not isinstance(response, Mapping):
            log.error("BankID collect (order %s) answered a non-object", order_ref)
            raise malformed
        status = response.get("status")
        if status in ("pending", "failed"):
            hint_code = response.get("hintCode")
            if not isinstance(hint_code, str):
                log.error("BankID collect (order %s) answered %s without a hintCode", order_ref, status)
                raise malformed
            return CollectResult(order_ref, status, hint_code, None)
        if status == "complete":
            completion = response.get("completionData")
            user = completion.get("user") if isinstance(completion, Mapping) else None
            if not isinstance(user, Mapping) or not isinstance(user.get("personalNumber"), str):
                log.error(
                    "BankID collect (order %s) answered complete without completionData.user", order_ref
                )
                raise malformed
            return CollectResult(order_ref, "complete", None, dict(cast(Mapping[str, Any], completion)))
        log.error("BankID collect (order %s) answered unknown status %r", order_ref, status)
        raise malformed


def _from_pybankid(exc: bankid_exceptions.BankIDError) -> BankIDError:
    raw = exc.json if isinstance(exc.json, dict) else {}
    code = raw.get("errorCode")
    if not isinstance(code, str) or code not in ERROR_CODES:
        code = next((name for cls, name in _EXCEPTION_CODES if isinstance(exc, cls)), None)
    if code is None:
        # An errorCode BankID doesn't document (or none at all): treat as BankID's internal error.
        return BankIDError(
            "internalError", f"Unexpected BankID error: {raw.get('errorCode')!r} {raw.get('details')!r}"
        )
    details = raw.get("details")
    return BankIDError(code, details if isinstance(details, str) else str(exc))
