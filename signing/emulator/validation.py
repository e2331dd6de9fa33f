"""Request validation for the RP API, following BankID RP API v6.0's parameter rules.

Anything BankID would reject answers 400 ``invalidParameters``; so do unknown fields, which keeps
Kanal honest about sending only what the real API accepts.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from typing import Any

from signing.emulator.state import OrderError

# Limits from the v6.0 interface description (lengths are of the base64 text).
MAX_VISIBLE_DATA_AUTH = 1500
MAX_VISIBLE_DATA_SIGN = 40_000
MAX_NON_VISIBLE_DATA_AUTH = 1500
MAX_NON_VISIBLE_DATA_SIGN = 200_000

_COMMON_FIELDS = {
    "requirement",
    "userVisibleData",
    "userNonVisibleData",
    "userVisibleDataFormat",
}
_AUTH_SIGN_FIELDS = _COMMON_FIELDS | {"endUserIp", "returnUrl", "returnRisk", "app", "web"}
_PHONE_FIELDS = _COMMON_FIELDS | {"personalNumber", "callInitiator"}
_REQUIREMENT_FIELDS = {"cardReader", "certificatePolicies", "mrtd", "personalNumber", "pinCode", "risk"}
_VISIBLE_FORMATS = {"simpleMarkdownV1", "plaintext"}


@dataclass(frozen=True)
class OrderRequest:
    end_user_ip: str | None
    personal_number: str | None
    call_initiator: str | None
    requirement: dict[str, Any]
    user_visible_data: str | None
    user_non_visible_data: str | None
    user_visible_data_format: str | None
    return_risk: bool


def _invalid(details: str) -> OrderError:
    return OrderError("invalidParameters", details)


def _check_unknown(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _invalid(f"Invalid parameter: {unknown[0]}")


def _base64_field(body: dict[str, Any], name: str, max_length: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise _invalid(f"Invalid {name}")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(f"Invalid {name}") from None
    return value


def is_personal_number(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()


def _requirement(body: dict[str, Any]) -> dict[str, Any]:
    requirement = body.get("requirement")
    if requirement is None:
        return {}
    if not isinstance(requirement, dict):
        raise _invalid("Invalid requirement")
    _check_unknown(requirement, _REQUIREMENT_FIELDS)
    if "cardReader" in requirement and requirement["cardReader"] not in ("class1", "class2"):
        raise _invalid("Invalid requirement.cardReader")
    policies = requirement.get("certificatePolicies")
    if policies is not None and (
        not isinstance(policies, list) or not all(isinstance(p, str) and p for p in policies)
    ):
        raise _invalid("Invalid requirement.certificatePolicies")
    for flag in ("mrtd", "pinCode"):
        if flag in requirement and not isinstance(requirement[flag], bool):
            raise _invalid(f"Invalid requirement.{flag}")
    if "personalNumber" in requirement and not is_personal_number(requirement["personalNumber"]):
        raise _invalid("Invalid requirement.personalNumber")
    if "risk" in requirement and requirement["risk"] not in ("low", "moderate"):
        raise _invalid("Invalid requirement.risk")
    return dict(requirement)


def _visible_format(body: dict[str, Any]) -> str | None:
    fmt = body.get("userVisibleDataFormat")
    if fmt is None:
        return None
    if fmt not in _VISIBLE_FORMATS:
        raise _invalid("Invalid userVisibleDataFormat")
    if body.get("userVisibleData") is None:
        raise _invalid("userVisibleDataFormat requires userVisibleData")
    return str(fmt)


def parse_order_request(body: Any, *, sign: bool, phone: bool) -> OrderRequest:
    """Validate an auth, sign, phone/auth or phone/sign request body."""
    if not isinstance(body, dict):
        raise _invalid("Invalid JSON body")
    _check_unknown(body, _PHONE_FIELDS if phone else _AUTH_SIGN_FIELDS)

    end_user_ip = None
    personal_number = None
    call_initiator = None
    return_risk = False
    if phone:
        personal_number = body.get("personalNumber")
        if not is_personal_number(personal_number):
            raise _invalid("Invalid personalNumber")
        call_initiator = body.get("callInitiator")
        if call_initiator not in ("user", "RP"):
            raise _invalid("Invalid callInitiator")
    else:
        end_user_ip = body.get("endUserIp")
        if not isinstance(end_user_ip, str):
            raise _invalid("Missing endUserIp")
        try:
            ipaddress.ip_address(end_user_ip)
        except ValueError:
            raise _invalid("Invalid endUserIp") from None
        if "returnRisk" in body:
            if not isinstance(body["returnRisk"], bool):
                raise _invalid("Invalid returnRisk")
            return_risk = body["returnRisk"]
        if "returnUrl" in body and not (
            isinstance(body["returnUrl"], str) and body["returnUrl"].startswith("https://")
        ):
            raise _invalid("Invalid returnUrl")
        for name in ("app", "web"):
            if name in body and not isinstance(body[name], dict):
                raise _invalid(f"Invalid {name}")

    visible = _base64_field(body, "userVisibleData", MAX_VISIBLE_DATA_SIGN if sign else MAX_VISIBLE_DATA_AUTH)
    if sign and visible is None:
        raise _invalid("Missing userVisibleData")
    non_visible = _base64_field(
        body, "userNonVisibleData", MAX_NON_VISIBLE_DATA_SIGN if sign else MAX_NON_VISIBLE_DATA_AUTH
    )
    return OrderRequest(
        end_user_ip=end_user_ip,
        personal_number=personal_number,
        call_initiator=call_initiator,
        requirement=_requirement(body),
        user_visible_data=visible,
        user_non_visible_data=non_visible,
        user_visible_data_format=_visible_format(body),
        return_risk=return_risk,
    )


def parse_order_ref(body: Any) -> str:
    """Validate a collect or cancel body: exactly ``{"orderRef": "<string>"}``."""
    if not isinstance(body, dict):
        raise _invalid("Invalid JSON body")
    _check_unknown(body, {"orderRef"})
    order_ref = body.get("orderRef")
    if not isinstance(order_ref, str) or not order_ref:
        raise _invalid("Missing orderRef")
    return order_ref
