"""Test key material, the XML signature and the OCSP response in the emulator's completionData.

Everything here is signed with keys the emulator generates at run time. They are TEST KEYS: nothing
chains to BankID's real root CA, and a relying party must never accept them in production.

The signature mimics the structure of a real BankID signature (BankID Signature Profile): an
XMLDSig ``<Signature>`` with two references, one to ``bankIdSignedData`` (in ``<Object>``) and one
to ``KeyInfo``, signed with RSA-SHA256. Each element is written out already in canonical (C14N 1.0)
form, so the digests can be checked either over the raw text (like pybankid's experimental
verifier does) or after canonicalisation (like an XMLDSig library does).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.ocsp import OCSPCertStatus, OCSPResponseBuilder
from cryptography.x509.oid import NameOID

from signing.emulator.identities import TestIdentity

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
BANKID_TYPES_NS = "http://www.bankid.com/signature/v1.0.0/types"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

# 2048-bit keys are what BankID uses; generation takes a fraction of a second per key.
_KEY_SIZE = 2048


@dataclass(frozen=True)
class _Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate


def _name(common_name: str, serial_number: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kanal BankID emulator (TEST KEYS, not BankID)"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial_number is not None:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(attributes)


class TestKeyring:
    """A throw-away CA and one user certificate per identity, created lazily and cached.

    Thread-safe: the emulator serves requests from several threads.
    """

    __test__ = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ca: _Issued | None = None
        self._users: dict[str, _Issued] = {}

    def ca(self) -> _Issued:
        with self._lock:
            return self._ca_locked()

    def _ca_locked(self) -> _Issued:
        if self._ca is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
            name = _name("Kanal Emulator Test CA for BankID Test")
            now = dt.datetime.now(dt.UTC)
            certificate = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .sign(key, hashes.SHA256())
            )
            self._ca = _Issued(key, certificate)
        return self._ca

    def user(self, identity: TestIdentity) -> _Issued:
        with self._lock:
            issued = self._users.get(identity.personal_number)
            if issued is None:
                ca = self._ca_locked()
                key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
                now = dt.datetime.now(dt.UTC)
                certificate = (
                    x509.CertificateBuilder()
                    .subject_name(_name(identity.name, identity.personal_number))
                    .issuer_name(ca.certificate.subject)
                    .public_key(key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(now - dt.timedelta(days=1))
                    .not_valid_after(now + dt.timedelta(days=730))
                    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                    .sign(ca.key, hashes.SHA256())
                )
                issued = _Issued(key, certificate)
                self._users[identity.personal_number] = issued
            return issued


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _digest(text: str) -> str:
    return _b64(hashlib.sha256(text.encode("utf-8")).digest())


def _der_b64(certificate: x509.Certificate) -> str:
    return _b64(certificate.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class SignedDataInput:
    """What the order asked for, exactly as the RP sent it (base64 strings are kept verbatim)."""

    function: str  # "Identification" or "Signing", as in BankID's clientInfo/funcId
    user_visible_data: str | None
    user_non_visible_data: str | None
    user_visible_data_format: str | None
    rp_display_name: str
    uhi: str
    device_ip: str


def build_signature_xml(keyring: TestKeyring, identity: TestIdentity, data: SignedDataInput) -> str:
    """The XML document that goes (base64-encoded) into ``completionData.signature``."""
    user = keyring.user(identity)
    ca = keyring.ca()

    visible = ""
    if data.user_visible_data is not None:
        fmt = f' format="{escape(data.user_visible_data_format)}"' if data.user_visible_data_format else ""
        visible = (
            f'<usrVisibleData charset="UTF-8"{fmt} visible="wysiwys">'
            f"{escape(data.user_visible_data)}</usrVisibleData>"
        )
    non_visible = ""
    if data.user_non_visible_data is not None:
        non_visible = f"<usrNonVisibleData>{escape(data.user_non_visible_data)}</usrNonVisibleData>"
    # srvInfo carries the RP's name base64-encoded, like the real service does.
    srv_info = (
        "<srvInfo>"
        f"<name>{_b64(b'cn=Kanal emulator RP,o=Kanal test')}</name>"
        f"<nonce>{_b64(secrets.token_bytes(20))}</nonce>"
        f"<displayName>{_b64(data.rp_display_name.encode('utf-8'))}</displayName>"
        "</srvInfo>"
    )
    client_info = (
        "<clientInfo>"
        f"<funcId>{escape(data.function)}</funcId>"
        "<version>Personal=10.0.0&amp;BankID_exe=10.0.0&amp;platform=emulator</version>"
        "<env><ai>"
        "<type>EMULATOR</type>"
        "<deviceInfo>Kanal BankID emulator test phone</deviceInfo>"
        f"<uhi>{escape(data.uhi)}</uhi>"
        "<fsib>0</fsib>"
        "<utb>cs1</utb>"
        "<requirement><condition><type>CertificatePolicies</type><value>1.2.3.4.25</value></condition>"
        "</requirement>"
        "<uauth>pw</uauth>"
        "</ai></env>"
        "</clientInfo>"
    )
    signed_data = (
        f'<bankIdSignedData xmlns="{BANKID_TYPES_NS}" Id="bidSignedData">'
        f"{visible}{non_visible}{srv_info}{client_info}"
        "</bankIdSignedData>"
    )
    key_info = (
        f'<KeyInfo xmlns="{DSIG_NS}" Id="bidKeyInfo"><X509Data>'
        f"<X509Certificate>{_der_b64(user.certificate)}</X509Certificate>"
        f"<X509Certificate>{_der_b64(ca.certificate)}</X509Certificate>"
        "</X509Data></KeyInfo>"
    )
    transforms = f'<Transforms><Transform Algorithm="{C14N}"></Transform></Transforms>'
    signed_info = (
        f'<SignedInfo xmlns="{DSIG_NS}">'
        f'<CanonicalizationMethod Algorithm="{C14N}"></CanonicalizationMethod>'
        f'<SignatureMethod Algorithm="{RSA_SHA256}"></SignatureMethod>'
        f'<Reference Type="{BANKID_TYPES_NS}" URI="#bidSignedData">{transforms}'
        f'<DigestMethod Algorithm="{SHA256}"></DigestMethod>'
        f"<DigestValue>{_digest(signed_data)}</DigestValue></Reference>"
        f'<Reference URI="#bidKeyInfo">{transforms}'
        f'<DigestMethod Algorithm="{SHA256}"></DigestMethod>'
        f"<DigestValue>{_digest(key_info)}</DigestValue></Reference>"
        "</SignedInfo>"
    )
    signature_value = user.key.sign(signed_info.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        f'<Signature xmlns="{DSIG_NS}">'
        f"{signed_info}"
        f"<SignatureValue>{_b64(signature_value)}</SignatureValue>"
        f"{key_info}"
        f"<Object>{signed_data}</Object>"
        "</Signature>"
    )


def build_ocsp_response(keyring: TestKeyring, identity: TestIdentity, signature_b64: str) -> bytes:
    """A DER OCSP response saying "good" for the user's test certificate, signed by the test CA.

    Like BankID's, its nonce is the SHA-1 of the base64 signature, binding the two together.
    """
    user = keyring.user(identity)
    ca = keyring.ca()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    nonce = hashlib.sha1(signature_b64.encode("ascii"), usedforsecurity=False).digest()
    response = (
        OCSPResponseBuilder()
        .add_response(
            cert=user.certificate,
            issuer=ca.certificate,
            # OCSP CertIDs are SHA-1 hashes of the issuer's name and key by convention, as BankID's are.
            algorithm=hashes.SHA1(),  # noqa: S303
            cert_status=OCSPCertStatus.GOOD,
            this_update=now,
            next_update=None,
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(x509.ocsp.OCSPResponderEncoding.HASH, ca.certificate)
        .certificates([ca.certificate])
        .add_extension(x509.OCSPNonce(nonce), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return response.public_bytes(serialization.Encoding.DER)
