"""The BankID emulator: RP API v6.0 protocol details, lifetimes, QR checks, faults and the test phone."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from lxml import etree
from personnummer import personnummer

from signing.emulator import EmulatorSettings, OrderBook, create_app
from signing.emulator.identities import TEST_IDENTITIES, is_valid_personal_number
from signing.emulator.process import EmulatorControl
from signing.emulator.state import OrderError, ScriptError

IP = "192.0.2.7"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def rp(bankid_emulator: str, emulator_control: EmulatorControl) -> httpx.Client:
    """A plain HTTP client for the RP API, to check the wire format pybankid hides."""
    with httpx.Client(base_url=bankid_emulator + "/rp/v6.0", timeout=5) as client:
        yield client  # type: ignore[misc]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def book(clock: FakeClock) -> OrderBook:
    return OrderBook(EmulatorSettings(order_ttl=180, no_client_after=5, finished_retention=60), clock=clock)


# ------------------------------------------------------------------------ wire format


def test_auth_answers_exactly_bankids_four_fields(rp: httpx.Client) -> None:
    response = rp.post("/auth", json={"endUserIp": IP})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["orderRef", "autoStartToken", "qrStartToken", "qrStartSecret"]
    for value in body.values():
        uuid.UUID(value)


def test_phone_orders_answer_only_an_order_ref(rp: httpx.Client) -> None:
    response = rp.post(
        "/phone/sign",
        json={
            "personalNumber": TEST_IDENTITIES[1].personal_number,
            "callInitiator": "user",
            "userVisibleData": b64("x"),
        },
    )
    assert response.status_code == 200
    assert list(response.json()) == ["orderRef"]


def test_collect_and_cancel_use_bankids_field_names(
    rp: httpx.Client, emulator_control: EmulatorControl
) -> None:
    order_ref = rp.post("/sign", json={"endUserIp": IP, "userVisibleData": b64("Hej")}).json()["orderRef"]
    assert rp.post("/collect", json={"orderRef": order_ref}).json() == {
        "orderRef": order_ref,
        "status": "pending",
        "hintCode": "outstandingTransaction",
    }
    emulator_control.approve(order_ref)
    complete = rp.post("/collect", json={"orderRef": order_ref}).json()
    assert list(complete) == ["orderRef", "status", "completionData"]
    data = complete["completionData"]
    assert list(data) == ["user", "device", "bankIdIssueDate", "stepUp", "signature", "ocspResponse"]
    assert list(data["user"]) == ["personalNumber", "name", "givenName", "surname"]
    assert list(data["device"]) == ["ipAddress", "uhi"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["bankIdIssueDate"])

    other = rp.post("/auth", json={"endUserIp": IP}).json()["orderRef"]
    cancel = rp.post("/cancel", json={"orderRef": other})
    assert (cancel.status_code, cancel.json()) == (200, {})


def test_return_risk_and_mrtd_step_up_are_reflected_in_completion_data(
    rp: httpx.Client, emulator_control: EmulatorControl
) -> None:
    order_ref = rp.post(
        "/auth", json={"endUserIp": IP, "returnRisk": True, "requirement": {"mrtd": True}}
    ).json()["orderRef"]
    emulator_control.approve(order_ref)
    data = rp.post("/collect", json={"orderRef": order_ref}).json()["completionData"]
    assert data["risk"] == "low"
    assert data["stepUp"] == {"mrtd": True}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth", {}),
        ("/auth", {"endUserIp": "999.1.1.1"}),
        ("/auth", {"endUserIp": IP, "userVisibleData": "not base64!"}),
        ("/auth", {"endUserIp": IP, "unknownField": 1}),
        ("/auth", {"endUserIp": IP, "requirement": {"personalNumber": "19520314148"}}),
        ("/auth", {"endUserIp": IP, "requirement": {"cardReader": "class3"}}),
        ("/auth", {"endUserIp": IP, "userVisibleDataFormat": "html", "userVisibleData": b64("x")}),
        ("/auth", {"endUserIp": IP, "userVisibleData": b64("x" * 1200)}),
        ("/sign", {"endUserIp": IP}),
        ("/phone/auth", {"personalNumber": "19520314148", "callInitiator": "RP"}),
        ("/phone/auth", {"personalNumber": "1952031414851", "callInitiator": "RP"}),
        ("/phone/auth", {"personalNumber": "195203141485", "callInitiator": "rp"}),
        ("/phone/auth", {"personalNumber": "195203141485"}),
        ("/phone/auth", {"personalNumber": "195203141485", "callInitiator": "RP", "endUserIp": IP}),
        ("/phone/sign", {"personalNumber": "195203141485", "callInitiator": "user"}),
        ("/collect", {}),
        ("/collect", {"orderRef": 42}),
        ("/collect", {"orderRef": "0f5c1d8e-0000-4000-8000-000000000000"}),
        ("/cancel", {"orderRef": "0f5c1d8e-0000-4000-8000-000000000000"}),
        ("/collect", ["orderRef"]),
    ],
)
def test_requests_bankid_would_reject_answer_invalid_parameters(
    rp: httpx.Client, path: str, body: Any
) -> None:
    response = rp.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalidParameters"
    assert isinstance(response.json()["details"], str)


def test_a_body_that_is_not_json_is_invalid_parameters(rp: httpx.Client) -> None:
    response = rp.post("/auth", content=b"{not json", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["errorCode"]) == (400, "invalidParameters")


def test_a_wrong_content_type_is_unsupported_media_type(rp: httpx.Client) -> None:
    response = rp.post("/auth", content=b'{"endUserIp": "192.0.2.7"}', headers={"Content-Type": "text/plain"})
    assert (response.status_code, response.json()["errorCode"]) == (415, "unsupportedMediaType")


def test_wrong_method_and_unknown_path_answer_in_bankids_error_format(rp: httpx.Client) -> None:
    assert rp.get("/auth").json() == {"errorCode": "methodNotAllowed", "details": "Method not allowed"}
    assert rp.get("/auth").status_code == 405
    response = rp.post("/nonsense", json={})
    assert (response.status_code, response.json()["errorCode"]) == (404, "notFound")


@pytest.mark.parametrize(
    ("error_code", "status"),
    [
        ("alreadyInProgress", 400),
        ("invalidParameters", 400),
        ("unauthorized", 401),
        ("notFound", 404),
        ("requestTimeout", 408),
        ("internalError", 500),
        ("maintenance", 503),
    ],
)
def test_injected_errors_use_bankids_http_statuses(
    rp: httpx.Client, emulator_control: EmulatorControl, error_code: str, status: int
) -> None:
    emulator_control.inject_fault(error_code)
    response = rp.post("/auth", json={"endUserIp": IP})
    assert response.status_code == status
    assert response.json()["errorCode"] == error_code
    assert set(response.json()) == {"errorCode", "details"}
    assert rp.post("/auth", json={"endUserIp": IP}).status_code == 200


def test_a_fault_can_target_one_endpoint_for_several_calls(
    rp: httpx.Client, emulator_control: EmulatorControl
) -> None:
    emulator_control.inject_fault("maintenance", count=2, endpoints=["collect"])
    order_ref = rp.post("/auth", json={"endUserIp": IP}).json()["orderRef"]
    statuses = [rp.post("/collect", json={"orderRef": order_ref}).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_an_unknown_fault_is_refused(bankid_emulator: str, emulator_control: EmulatorControl) -> None:
    response = httpx.post(bankid_emulator + "/emulator/faults", json={"next": "gremlins"})
    assert response.status_code == 400


# ---------------------------------------------------------------- alreadyInProgress


def test_a_second_order_for_a_required_personal_number_cancels_the_first(rp: httpx.Client) -> None:
    requirement = {"personalNumber": TEST_IDENTITIES[2].personal_number}
    first = rp.post("/auth", json={"endUserIp": IP, "requirement": requirement}).json()["orderRef"]
    second = rp.post("/auth", json={"endUserIp": IP, "requirement": requirement})
    assert (second.status_code, second.json()["errorCode"]) == (400, "alreadyInProgress")
    collected = rp.post("/collect", json={"orderRef": first}).json()
    assert (collected["status"], collected["hintCode"]) == ("failed", "cancelled")
    # The person can start again once the old order is gone.
    assert rp.post("/auth", json={"endUserIp": IP, "requirement": requirement}).status_code == 200


def test_choosing_the_same_identity_on_a_new_order_cancels_the_older_pending_one(
    rp: httpx.Client, emulator_control: EmulatorControl
) -> None:
    person = TEST_IDENTITIES[3].personal_number
    first = rp.post("/auth", json={"endUserIp": IP}).json()["orderRef"]
    emulator_control.scan(first, person)
    # Now the personnummer is known: a phone order for that person is refused, and the first is cancelled.
    refused = rp.post("/phone/auth", json={"personalNumber": person, "callInitiator": "RP"})
    assert refused.json()["errorCode"] == "alreadyInProgress"
    assert rp.post("/collect", json={"orderRef": first}).json()["hintCode"] == "cancelled"

    third = rp.post("/auth", json={"endUserIp": IP}).json()["orderRef"]
    fourth = rp.post("/auth", json={"endUserIp": IP}).json()["orderRef"]
    emulator_control.scan(third, person)
    emulator_control.scan(fourth, person)
    assert rp.post("/collect", json={"orderRef": third}).json()["hintCode"] == "cancelled"
    assert rp.post("/collect", json={"orderRef": fourth}).json()["hintCode"] == "userSign"


# ----------------------------------------------------------------- lifecycle (fake clock)


def test_an_unscanned_order_turns_from_outstanding_transaction_to_no_client(
    book: OrderBook, clock: FakeClock
) -> None:
    order = book.create(kind="auth", end_user_ip=IP)
    assert book.collect(order.order_ref)["hintCode"] == "outstandingTransaction"
    clock.now += 5
    assert book.collect(order.order_ref)["hintCode"] == "noClient"
    book.scan(order.order_ref)
    assert book.collect(order.order_ref)["hintCode"] == "started"


def test_an_order_expires_after_its_lifetime_and_is_forgotten_after_retention(
    book: OrderBook, clock: FakeClock
) -> None:
    order = book.create(kind="auth", end_user_ip=IP)
    book.scan(order.order_ref, TEST_IDENTITIES[0].personal_number)
    clock.now += 179.9
    assert book.collect(order.order_ref)["hintCode"] == "userSign"
    clock.now += 0.1
    assert book.collect(order.order_ref) == {
        "orderRef": order.order_ref,
        "status": "failed",
        "hintCode": "expiredTransaction",
    }
    clock.now += 60
    with pytest.raises(OrderError) as caught:
        book.collect(order.order_ref)
    assert (caught.value.error_code, caught.value.http_status) == ("invalidParameters", 400)


def test_an_expired_order_cannot_be_approved_afterwards(book: OrderBook, clock: FakeClock) -> None:
    order = book.create(kind="auth", end_user_ip=IP)
    clock.now += 181
    with pytest.raises(ScriptError):
        book.approve(order.order_ref)


def test_an_order_for_one_person_cannot_be_approved_by_another(book: OrderBook) -> None:
    order = book.create(
        kind="auth", end_user_ip=IP, phone=True, call_initiator="RP", personal_number="195203141485"
    )
    with pytest.raises(ScriptError, match="another personnummer"):
        book.approve(order.order_ref, TEST_IDENTITIES[1].personal_number)


def test_auto_approve_completes_orders_on_their_first_collect(clock: FakeClock) -> None:
    book = OrderBook(EmulatorSettings(auto_approve=TEST_IDENTITIES[4].personal_number), clock=clock)
    order = book.create(kind="auth", end_user_ip=IP)
    result = book.collect(order.order_ref)
    assert result["status"] == "complete"
    assert result["completionData"]["user"]["personalNumber"] == TEST_IDENTITIES[4].personal_number


# ------------------------------------------------------------------------- QR codes


def _qr(order: Any, seconds: int) -> str:
    code = hmac.new(order.qr_start_secret.encode(), str(seconds).encode(), hashlib.sha256).hexdigest()
    return f"bankid.{order.qr_start_token}.{seconds}.{code}"


def test_a_current_qr_code_finds_its_order(book: OrderBook, clock: FakeClock) -> None:
    order = book.create(kind="auth", end_user_ip=IP)
    clock.now += 12
    assert book.find_by_qr(_qr(order, 12)) == order.order_ref


def test_a_qr_code_with_a_wrong_auth_code_is_refused(book: OrderBook) -> None:
    order = book.create(kind="auth", end_user_ip=IP)
    forged = _qr(order, 0)[:-4] + "0000"
    with pytest.raises(ScriptError, match="auth code"):
        book.find_by_qr(forged)


def test_a_stale_qr_code_is_refused(book: OrderBook, clock: FakeClock) -> None:
    order = book.create(kind="auth", end_user_ip=IP)
    clock.now += 40
    with pytest.raises(ScriptError, match="too old"):
        book.find_by_qr(_qr(order, 2))


@pytest.mark.parametrize("content", ["", "bankid.x.y", "otherapp.a.1.b", "bankid.a.-1.b"])
def test_text_that_is_not_a_bankid_qr_code_is_refused(book: OrderBook, content: str) -> None:
    with pytest.raises(ScriptError):
        book.find_by_qr(content)


# ------------------------------------------------------------------------ signature


def _approved_sign_completion(book: OrderBook, non_visible: str) -> dict[str, Any]:
    order = book.create(
        kind="sign",
        end_user_ip=IP,
        user_visible_data=b64("Jag godkänner <villkoren> & avgiften"),
        user_non_visible_data=b64(non_visible),
        user_visible_data_format="simpleMarkdownV1",
    )
    book.approve(order.order_ref, TEST_IDENTITIES[0].personal_number)
    completion: dict[str, Any] = book.collect(order.order_ref)["completionData"]
    return completion


def test_the_signature_is_a_valid_rsa_sha256_xmldsig_over_the_signed_data(book: OrderBook) -> None:
    completion = _approved_sign_completion(book, "hash=abc")
    xml = base64.b64decode(completion["signature"])
    root = etree.fromstring(xml)
    ns = {"ds": "http://www.w3.org/2000/09/xmldsig#", "b": "http://www.bankid.com/signature/v1.0.0/types"}

    assert [etree.QName(child).localname for child in root] == [
        "SignedInfo",
        "SignatureValue",
        "KeyInfo",
        "Object",
    ]
    signed_data = root.find("ds:Object/b:bankIdSignedData", ns)
    key_info = root.find("ds:KeyInfo", ns)
    signed_info = root.find("ds:SignedInfo", ns)
    assert signed_data is not None and key_info is not None and signed_info is not None
    assert signed_data.find("b:usrNonVisibleData", ns).text == b64("hash=abc")  # type: ignore[union-attr]

    # Reference digests over the canonical (C14N) form, as an XMLDSig validator computes them.
    digests = {
        ref.get("URI"): ref.findtext("ds:DigestValue", namespaces=ns)
        for ref in signed_info.iter(f"{{{ns['ds']}}}Reference")
    }
    for uri, element in (("#bidSignedData", signed_data), ("#bidKeyInfo", key_info)):
        # deepcopy detaches the subtree: lxml's in-place C14N of a subelement emits stray xmlns="".
        canonical = etree.tostring(copy.deepcopy(element), method="c14n")
        assert digests[uri] == base64.b64encode(hashlib.sha256(canonical).digest()).decode()
        # Written canonically, so the raw text hashes the same (pybankid's verifier hashes raw text).
        assert canonical in xml

    certificates = [
        x509.load_der_x509_certificate(base64.b64decode(c.text))
        for c in key_info.iterfind("ds:X509Data/ds:X509Certificate", ns)
    ]
    user_cert, ca_cert = certificates
    public_key = user_cert.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(
        base64.b64decode(root.findtext("ds:SignatureValue", namespaces=ns) or ""),
        etree.tostring(copy.deepcopy(signed_info), method="c14n"),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    user_cert.verify_directly_issued_by(ca_cert)
    assert "TEST KEYS" in user_cert.subject.rfc4514_string()
    assert TEST_IDENTITIES[0].personal_number in user_cert.subject.rfc4514_string()


def test_the_ocsp_response_is_good_for_the_signers_certificate_and_bound_to_the_signature(
    book: OrderBook,
) -> None:
    completion = _approved_sign_completion(book, "x")
    response = ocsp.load_der_ocsp_response(base64.b64decode(completion["ocspResponse"]))
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    nonce = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    assert nonce == hashlib.sha1(completion["signature"].encode(), usedforsecurity=False).digest()


# ------------------------------------------------------------------------ identities


def test_the_test_identities_have_valid_personnummer_born_1950_to_2010() -> None:
    assert len(TEST_IDENTITIES) >= 6
    assert len({i.personal_number for i in TEST_IDENTITIES}) == len(TEST_IDENTITIES)
    for identity in TEST_IDENTITIES:
        assert personnummer.valid(identity.personal_number)
        assert is_valid_personal_number(identity.personal_number)
        assert 1950 <= int(identity.personal_number[:4]) <= 2010


def test_the_identities_endpoint_lists_them_as_bankid_users(bankid_emulator: str) -> None:
    users = httpx.get(bankid_emulator + "/emulator/identities").json()
    assert users[0] == TEST_IDENTITIES[0].as_user()


# ------------------------------------------------------------------------ test phone


@pytest.fixture
def phone_app() -> Any:
    app = create_app(EmulatorSettings())
    return app


def test_the_test_phone_page_is_accessible_server_rendered_html(phone_app: Any) -> None:
    client = phone_app.test_client()
    book: OrderBook = phone_app.extensions["bankid_order_book"]
    book.create(kind="sign", end_user_ip=IP, user_visible_data=b64("Signera ansökan"))
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert html.count("<h1") == 1
    assert "<script" not in html and "<style" not in html and "style=" not in html
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Signera ansökan" in html
    # Every form control has a label pointing at it.
    for control_id in re.findall(r'<input[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html


def test_a_person_can_approve_an_order_on_the_test_phone(phone_app: Any) -> None:
    client = phone_app.test_client()
    book: OrderBook = phone_app.extensions["bankid_order_book"]
    order = book.create(kind="auth", end_user_ip=IP)
    person = TEST_IDENTITIES[2].personal_number
    response = client.post(
        f"/phone/orders/{order.order_ref}", data={"action": "approve", "personalNumber": person}
    )
    assert response.status_code == 303
    assert book.collect(order.order_ref)["completionData"]["user"]["personalNumber"] == person
    assert "Approved" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "hint_code"),
    [
        ("cancel", "userCancel"),
        ("certificateErr", "certificateErr"),
        ("startFailed", "startFailed"),
        ("expiredTransaction", "expiredTransaction"),
    ],
)
def test_a_person_can_fail_an_order_on_the_test_phone(phone_app: Any, action: str, hint_code: str) -> None:
    client = phone_app.test_client()
    book: OrderBook = phone_app.extensions["bankid_order_book"]
    order = book.create(kind="auth", end_user_ip=IP)
    client.post(f"/phone/orders/{order.order_ref}", data={"action": action})
    assert book.collect(order.order_ref) == {
        "orderRef": order.order_ref,
        "status": "failed",
        "hintCode": hint_code,
    }


def test_the_test_phone_opens_an_order_from_its_autostart_link(phone_app: Any) -> None:
    client = phone_app.test_client()
    book: OrderBook = phone_app.extensions["bankid_order_book"]
    order = book.create(kind="auth", end_user_ip=IP)
    link = f"bankid:///?autostarttoken={order.auto_start_token}&redirect=null"
    response = client.post("/phone/open", data={"code": link})
    assert response.status_code == 303
    assert book.collect(order.order_ref)["hintCode"] == "started"
    assert (
        client.post("/phone/open", data={"code": "nonsense"}).headers["Location"].endswith("error=not-found")
    )


def test_the_test_phone_is_served_by_the_emulator_process(bankid_emulator: str) -> None:
    response = httpx.get(bankid_emulator + "/")
    assert response.status_code == 200
    assert "BankID test phone" in response.text
    assert httpx.get(bankid_emulator + "/static/phone.css").status_code == 200


# ------------------------------------------------------------------------ concurrency


def test_many_clients_can_start_and_collect_orders_at_once(
    bankid_emulator: str, emulator_control: EmulatorControl
) -> None:
    def one_flow(_: int) -> str:
        with httpx.Client(base_url=bankid_emulator + "/rp/v6.0", timeout=10) as client:
            order_ref: str = client.post("/auth", json={"endUserIp": IP}).json()["orderRef"]
            assert client.post("/collect", json={"orderRef": order_ref}).json()["status"] == "pending"
            return order_ref

    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(one_flow, range(32)))
    assert len(set(refs)) == 32
    assert {o["orderRef"] for o in emulator_control.orders()} >= set(refs)


def test_the_health_endpoint_answers_ok(bankid_emulator: str) -> None:
    assert httpx.get(bankid_emulator + "/emulator/health").json() == {"status": "ok"}
