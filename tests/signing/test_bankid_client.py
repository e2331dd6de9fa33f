"""Kanal's BankID provider, using the real pybankid client against the emulator process over HTTP."""

from __future__ import annotations

import base64
import socket
import time
from pathlib import Path

import bankid
import bankid.qr
import httpx
import pytest
from defusedxml import ElementTree

from signing.bankid import (
    BankIDError,
    BankIDProvider,
    CollectResult,
    api_url_for,
    autostart_url,
    make_bankid_client,
)
from signing.emulator.identities import TEST_IDENTITIES
from signing.emulator.process import EmulatorControl, EmulatorProcess, poll_until

END_USER_IP = "192.0.2.44"
BANKID_TYPES = "{http://www.bankid.com/signature/v1.0.0/types}"


def _signed_data(signature_b64: str) -> ElementTree.Element:
    root = ElementTree.fromstring(base64.b64decode(signature_b64))
    signed = root.find(f".//{BANKID_TYPES}bankIdSignedData")
    assert signed is not None
    return signed


# ------------------------------------------------------------------ client construction


def test_the_emulator_base_url_replaces_every_pybankid_endpoint() -> None:
    client = make_bankid_client("http://127.0.0.1:5999", None, None, test_server=True)
    try:
        assert client.api_url == "http://127.0.0.1:5999/rp/v6.0/"
        assert client._auth_endpoint == "http://127.0.0.1:5999/rp/v6.0/auth"
        assert client._phone_auth_endpoint == "http://127.0.0.1:5999/rp/v6.0/phone/auth"
        assert client._sign_endpoint == "http://127.0.0.1:5999/rp/v6.0/sign"
        assert client._phone_sign_endpoint == "http://127.0.0.1:5999/rp/v6.0/phone/sign"
        assert client._collect_endpoint == "http://127.0.0.1:5999/rp/v6.0/collect"
        assert client._cancel_endpoint == "http://127.0.0.1:5999/rp/v6.0/cancel"
        assert isinstance(client, bankid.BankIDClient)
    finally:
        client.client.close()


@pytest.mark.parametrize(
    "base_url",
    ["http://emu:5001", "http://emu:5001/", "http://emu:5001/rp/v6.0", "http://emu:5001/rp/v6.0/"],
)
def test_a_base_url_may_be_the_service_root_or_the_api_root(base_url: str) -> None:
    assert api_url_for(base_url) == "http://emu:5001/rp/v6.0/"


def test_the_real_bankid_api_is_refused_without_a_client_certificate() -> None:
    with pytest.raises(ValueError, match="certificate"):
        make_bankid_client(None, None, None, test_server=True)
    with pytest.raises(ValueError, match="certificate"):
        make_bankid_client("", "", "", test_server=False)


def test_without_a_base_url_the_client_talks_to_bankids_own_test_server_with_the_rp_certificate() -> None:
    certs = Path(bankid.__file__).parent / "certs"
    client = make_bankid_client(
        None, str(certs / "FPTestcert5_20240610_cert.pem"), str(certs / "FPTestcert5_20240610_key.pem")
    )
    try:
        assert client._auth_endpoint == "https://appapi2.test.bankid.com/rp/v6.0/auth"
        assert client._collect_endpoint == "https://appapi2.test.bankid.com/rp/v6.0/collect"
    finally:
        client.client.close()


def test_production_keeps_pybankids_production_endpoints() -> None:
    certs = Path(bankid.__file__).parent / "certs"
    client = make_bankid_client(
        None,
        str(certs / "FPTestcert5_20240610_cert.pem"),
        str(certs / "FPTestcert5_20240610_key.pem"),
        test_server=False,
    )
    try:
        assert client._sign_endpoint == "https://appapi2.bankid.com/rp/v6.0/sign"
    finally:
        client.client.close()


# ------------------------------------------------------------------------- QR and links


def test_qr_content_matches_bankids_public_test_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    started_at = 1_700_000_000.0
    # Freeze pybankid's clock at the start time: elapsed seconds = 0.
    monkeypatch.setattr(bankid.qr.time, "time", lambda: started_at)
    content = BankIDProvider.qr_content(
        "67df3917-fa0d-44e5-b327-edcc928297f8", "d28db9a7-4cde-429e-a983-359be676944c", started_at
    )
    assert content == (
        "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0."
        "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
    )


def test_the_qr_time_counter_counts_whole_seconds_since_the_order_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bankid.qr.time, "time", lambda: 1000.0 + 7.9)
    content = BankIDProvider.qr_content("token", "secret", 1000.0)
    assert content.split(".")[2] == "7"


def test_the_autostart_link_has_bankids_format() -> None:
    assert autostart_url("46f6aa68-d4f7-4f1a-a0c9-9b2f3f5d2e1a") == (
        "bankid:///?autostarttoken=46f6aa68-d4f7-4f1a-a0c9-9b2f3f5d2e1a&redirect=null"
    )


# ----------------------------------------------------------------------- full flows


def test_an_identification_completes_with_the_chosen_test_identity(
    provider: BankIDProvider, emulator_control: EmulatorControl
) -> None:
    started = provider.start_auth(END_USER_IP, user_visible_data="Logga in i **Kanal**")
    assert started.auto_start_token and started.qr_start_token and started.qr_start_secret

    pending = provider.collect(started.order_ref)
    assert pending == CollectResult(started.order_ref, "pending", "outstandingTransaction", None)

    person = TEST_IDENTITIES[2]
    emulator_control.approve(started.order_ref, person.personal_number)

    result = provider.collect(started.order_ref)
    assert result.status == "complete"
    assert result.hint_code is None
    assert result.personal_number == person.personal_number
    assert result.user == {
        "personalNumber": person.personal_number,
        "name": person.name,
        "givenName": person.given_name,
        "surname": person.surname,
    }
    assert result.completion_data is not None
    assert result.completion_data["device"]["ipAddress"] == END_USER_IP
    assert result.completion_data["bankIdIssueDate"] == person.bank_id_issue_date
    assert result.completion_data["stepUp"] == {"mrtd": False}
    assert (
        _signed_data(result.completion_data["signature"])
        .find(f"{BANKID_TYPES}clientInfo/{BANKID_TYPES}funcId")
        .text
        == "Identification"
    )


def test_the_pending_hint_codes_progress_like_the_bankid_app(
    provider: BankIDProvider, emulator_control: EmulatorControl
) -> None:
    started = provider.start_auth(END_USER_IP)
    assert provider.collect(started.order_ref).hint_code == "outstandingTransaction"
    emulator_control.scan(started.order_ref)
    assert provider.collect(started.order_ref).hint_code == "started"
    emulator_control.scan(started.order_ref, TEST_IDENTITIES[0].personal_number)
    assert provider.collect(started.order_ref).hint_code == "userSign"
    emulator_control.approve(started.order_ref)
    assert provider.collect(started.order_ref).personal_number == TEST_IDENTITIES[0].personal_number


def test_a_signature_contains_exactly_the_visible_and_non_visible_data_that_was_sent(
    provider: BankIDProvider, emulator_control: EmulatorControl
) -> None:
    visible = "Jag ansöker om **bygglov** för Storgatan 1.\n\nÄrende 2025-0042"
    non_visible = '{"case": "2025-0042", "digest": "sha256:ab12"}'
    started = provider.start_sign(END_USER_IP, visible, non_visible)
    emulator_control.approve(started.order_ref, TEST_IDENTITIES[3].personal_number)

    result = provider.collect(started.order_ref)
    assert result.status == "complete" and result.completion_data is not None
    signed = _signed_data(result.completion_data["signature"])
    usr_visible = signed.find(f"{BANKID_TYPES}usrVisibleData")
    usr_non_visible = signed.find(f"{BANKID_TYPES}usrNonVisibleData")
    assert usr_visible is not None and usr_non_visible is not None
    assert usr_non_visible.text == base64.b64encode(non_visible.encode()).decode()
    assert base64.b64decode(usr_non_visible.text or "").decode() == non_visible
    assert base64.b64decode(usr_visible.text or "").decode() == visible
    assert usr_visible.get("format") == "simpleMarkdownV1"
    assert signed.find(f"{BANKID_TYPES}clientInfo/{BANKID_TYPES}funcId").text == "Signing"  # type: ignore[union-attr]


def test_the_animated_qr_code_of_an_order_lets_the_test_phone_approve_it(
    provider: BankIDProvider, emulator_control: EmulatorControl
) -> None:
    started = provider.start_auth(END_USER_IP)
    assert started.qr_start_token and started.qr_start_secret
    content = provider.qr_content(started.qr_start_token, started.qr_start_secret, started.started_at)
    emulator_control.approve_qr(content, TEST_IDENTITIES[1].personal_number)
    assert provider.collect(started.order_ref).personal_number == TEST_IDENTITIES[1].personal_number


def test_the_autostart_link_of_an_order_lets_the_test_phone_approve_it(
    provider: BankIDProvider, emulator_control: EmulatorControl
) -> None:
    started = provider.start_auth(END_USER_IP)
    emulator_control.approve_autostart(started.autostart_url())
    assert provider.collect(started.order_ref).status == "complete"


def test_a_phone_identification_initiated_by_the_rp_waits_for_the_user_to_confirm_the_call(
    provider: BankIDProvider, emulator_control: EmulatorControl
) -> None:
    person = TEST_IDENTITIES[4]
    started = provider.start_phone_auth(person.personal_number, call_initiator="RP")
    assert (started.auto_start_token, started.qr_start_token, started.qr_start_secret) == (None, None, None)
    assert provider.collect(started.order_ref).hint_code == "outstandingTransaction"
    emulator_control.scan(started.order_ref)
    assert provider.collect(started.order_ref).hint_code == "userCallConfirm"
    emulator_control.confirm_call(started.order_ref)
    assert provider.collect(started.order_ref).hint_code == "userSign"
    emulator_control.approve(started.order_ref)
    result = provider.collect(started.order_ref)
    assert result.status == "complete"
    assert result.personal_number == person.personal_number


def test_a_phone_signature_completes_for_the_person_called(
    provider: BankIDProvider, emulator_control: EmulatorControl
) -> None:
    person = TEST_IDENTITIES[5]
    started = provider.start_phone_sign(
        person.personal_number, "Jag bekräftar ändringen.", call_initiator="user"
    )
    emulator_control.scan(started.order_ref)
    assert provider.collect(started.order_ref).hint_code == "started"
    emulator_control.approve(started.order_ref)
    result = provider.collect(started.order_ref)
    assert result.personal_number == person.personal_number


def test_a_second_phone_order_for_the_same_person_is_refused_and_cancels_the_first(
    provider: BankIDProvider,
) -> None:
    person = TEST_IDENTITIES[0]
    first = provider.start_phone_auth(person.personal_number)
    with pytest.raises(BankIDError) as caught:
        provider.start_phone_auth(person.personal_number)
    assert caught.value.error_code == "alreadyInProgress"
    assert caught.value.rfa_id == "RFA4"
    collected = provider.collect(first.order_ref)
    assert (collected.status, collected.hint_code) == ("failed", "cancelled")
    assert collected.rfa_id(started_via="phone", mobile=False) == "RFA3"


def test_a_cancelled_order_can_no_longer_be_collected(provider: BankIDProvider) -> None:
    started = provider.start_auth(END_USER_IP)
    provider.cancel(started.order_ref)
    with pytest.raises(BankIDError) as caught:
        provider.collect(started.order_ref)
    assert caught.value.error_code == "invalidParameters"


# -------------------------------------------------------------------- failure outcomes


@pytest.mark.parametrize(
    ("hint_code", "started_via", "rfa_id"),
    [
        ("userCancel", "qr", "RFA6"),
        ("expiredTransaction", "qr", "RFA8"),
        ("certificateErr", "autostart", "RFA16"),
        ("startFailed", "qr", "RFA17B"),
        ("startFailed", "autostart", "RFA17A"),
    ],
)
def test_each_failure_outcome_reaches_the_rp_with_its_hint_code_and_rfa_message(
    provider: BankIDProvider, emulator_control: EmulatorControl, hint_code: str, started_via: str, rfa_id: str
) -> None:
    started = provider.start_auth(END_USER_IP)
    emulator_control.fail(started.order_ref, hint_code)
    result = provider.collect(started.order_ref)
    assert (result.status, result.hint_code) == ("failed", hint_code)
    assert result.rfa_id(started_via=started_via, mobile=False) == rfa_id  # type: ignore[arg-type]


def test_an_order_nobody_answers_expires_with_expired_transaction(
    short_lived_emulator: EmulatorProcess,
) -> None:
    with BankIDProvider(make_bankid_client(short_lived_emulator.url, None, None)) as short_provider:
        started = short_provider.start_auth(END_USER_IP)
        result = poll_until(
            lambda: (r := short_provider.collect(started.order_ref)).status == "failed" and r, timeout=10
        )
        assert result.hint_code == "expiredTransaction"
        assert result.rfa_id(started_via="qr", mobile=False) == "RFA8"


def test_an_order_finished_long_ago_answers_invalid_parameters(short_lived_emulator: EmulatorProcess) -> None:
    with BankIDProvider(make_bankid_client(short_lived_emulator.url, None, None)) as short_provider:
        started = short_provider.start_auth(END_USER_IP)
        short_lived_emulator.control.approve(started.order_ref)
        assert short_provider.collect(started.order_ref).status == "complete"

        def forgotten() -> BankIDError | None:
            try:
                short_provider.collect(started.order_ref)
            except BankIDError as exc:
                return exc
            return None

        error = poll_until(forgotten, timeout=10)
        assert error.error_code == "invalidParameters"
        assert error.rfa_id == "RFA22"


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("error_code", ["maintenance", "internalError", "requestTimeout"])
def test_bankid_service_errors_become_one_bankid_error_with_rfa5(
    provider: BankIDProvider, emulator_control: EmulatorControl, error_code: str
) -> None:
    started = provider.start_auth(END_USER_IP)
    emulator_control.inject_fault(error_code, endpoints=["collect"])
    with pytest.raises(BankIDError) as caught:
        provider.collect(started.order_ref)
    assert caught.value.error_code == error_code
    assert caught.value.rfa_id == "RFA5"
    assert caught.value.retryable
    # The fault was for one call only: the order itself is still there.
    assert provider.collect(started.order_ref).status == "pending"


@pytest.mark.parametrize(
    ("error_code", "rfa_id"),
    [("unauthorized", "RFA22"), ("notFound", "RFA22"), ("alreadyInProgress", "RFA4")],
)
def test_rp_side_errors_map_to_their_codes_when_starting_an_order(
    provider: BankIDProvider, emulator_control: EmulatorControl, error_code: str, rfa_id: str
) -> None:
    emulator_control.inject_fault(error_code, endpoints=["auth"])
    with pytest.raises(BankIDError) as caught:
        provider.start_auth(END_USER_IP)
    assert (caught.value.error_code, caught.value.rfa_id) == (error_code, rfa_id)


def test_collecting_an_unknown_order_ref_is_invalid_parameters(provider: BankIDProvider) -> None:
    with pytest.raises(BankIDError) as caught:
        provider.collect("4f0e9a5c-0000-4000-8000-000000000000")
    assert caught.value.error_code == "invalidParameters"
    assert caught.value.details == "No such order"
    assert caught.value.rfa_id == "RFA22"


def test_invalid_parameters_from_bankid_become_a_bankid_error(provider: BankIDProvider) -> None:
    with pytest.raises(BankIDError) as caught:
        provider.start_auth("not-an-ip-address")
    assert caught.value.error_code == "invalidParameters"


def test_malformed_json_from_the_provider_is_reported_as_internal_error(
    provider: BankIDProvider, emulator_control: EmulatorControl, caplog: pytest.LogCaptureFixture
) -> None:
    emulator_control.inject_fault("malformedJson", endpoints=["auth"])
    with pytest.raises(BankIDError) as caught:
        provider.start_auth(END_USER_IP)
    assert caught.value.error_code == "internalError"
    assert caught.value.rfa_id == "RFA5"
    assert "malformed" in caplog.text.lower()


def test_a_slow_bankid_becomes_request_timeout(
    bankid_emulator: str, emulator_control: EmulatorControl
) -> None:
    emulator_control.inject_fault("delay", endpoints=["auth"], seconds=2)
    with (
        BankIDProvider(make_bankid_client(bankid_emulator, None, None, timeout=0.3)) as impatient,
        pytest.raises(BankIDError) as caught,
    ):
        impatient.start_auth(END_USER_IP)
    assert caught.value.error_code == "requestTimeout"
    assert caught.value.rfa_id == "RFA5"


def test_an_unreachable_bankid_is_a_bankid_error_not_an_httpx_exception() -> None:
    # Bind and close a socket to get a port nobody listens on.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with BankIDProvider(make_bankid_client(f"http://127.0.0.1:{port}", None, None, timeout=2)) as offline:
        for call in (
            lambda: offline.start_auth(END_USER_IP),
            lambda: offline.start_sign(END_USER_IP, "text"),
            lambda: offline.start_phone_auth(TEST_IDENTITIES[0].personal_number),
            lambda: offline.collect("4f0e9a5c-0000-4000-8000-000000000000"),
            lambda: offline.cancel("4f0e9a5c-0000-4000-8000-000000000000"),
        ):
            with pytest.raises(BankIDError) as caught:
                call()
            assert caught.value.error_code in ("internalError", "requestTimeout")
            assert caught.value.rfa_id == "RFA5"


def _provider_answering(status: int, body: bytes, content_type: str = "application/json") -> BankIDProvider:
    client = make_bankid_client("http://bankid.invalid", None, None)
    client.client.close()
    client.client = httpx.Client(
        transport=httpx.MockTransport(
            lambda request: httpx.Response(status, content=body, headers={"Content-Type": content_type})
        )
    )
    return BankIDProvider(client)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (502, b"<html><body>Bad gateway</body></html>"),
        (200, b"[1, 2, 3]"),
        (200, b'{"orderRef": "x", "status": "complete"}'),
        (200, b'{"orderRef": "x", "status": "weird", "hintCode": "userSign"}'),
        (200, b'{"orderRef": "x", "status": "pending"}'),
        (400, b'["not", "an", "object"]'),
        (418, b'{"errorCode": "teapot", "details": "unknown code"}'),
    ],
)
def test_any_unexpected_answer_to_collect_is_an_internal_error(status: int, body: bytes) -> None:
    with _provider_answering(status, body) as odd, pytest.raises(BankIDError) as caught:
        odd.collect("x")
    assert caught.value.error_code == "internalError"


def test_a_start_answer_without_qr_fields_is_an_internal_error() -> None:
    with _provider_answering(200, b'{"orderRef": "x"}') as odd, pytest.raises(BankIDError) as caught:
        odd.start_auth(END_USER_IP)
    assert caught.value.error_code == "internalError"


def test_the_order_start_time_is_taken_when_bankid_answers(
    bankid_emulator: str, emulator_control: EmulatorControl
) -> None:
    before = time.time()
    with BankIDProvider(make_bankid_client(bankid_emulator, None, None)) as p:
        started = p.start_auth(END_USER_IP)
    assert before <= started.started_at <= time.time()
