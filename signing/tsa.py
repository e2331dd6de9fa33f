"""A local RFC 3161 timestamp authority for development and tests, in process or over HTTP.

`TimestampAuthority` answers TimeStampReq messages with tokens signed by the development PKI's TSA certificate;
`InProcessTimeStamper` hands it to pyHanko without a network hop (tests, and `make run` without KANAL_TSA_URL);
`python -m signing.tsa [--port 5002] [--pki-dir DIR]` serves it over HTTP (application/timestamp-query), so
Kanal can be pointed at it with KANAL_TSA_URL=http://127.0.0.1:5002/ just like at a real TSA.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import logging
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.timestamps import TimeStamper

__all__ = ["POLICY_OID", "InProcessTimeStamper", "TimestampAuthority", "main"]

logger = logging.getLogger(__name__)

# An OID from the "example" arc (RFC 7229 reserves 1.3.6.1.4.1.32473 for documentation): a test policy, not a
# real TSA's, so nobody mistakes these tokens for qualified timestamps.
POLICY_OID = "1.3.6.1.4.1.32473.1.1"
_DIGESTS = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
_MAX_REQUEST_BYTES = 16 * 1024


class TimestampAuthority:
    """Signs RFC 3161 tokens with one certificate and an already loaded key."""

    def __init__(
        self,
        certificate: asn1_x509.Certificate,
        private_key: PrivateKeyTypes,
        chain: tuple[asn1_x509.Certificate, ...] = (),
    ) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise TypeError("the TSA key must be RSA or EC")
        self.certificate = certificate
        self.private_key = private_key
        self.chain = chain
        # Kept as DER and parsed afresh for every token: asn1crypto copies and re-encodes parsed objects when
        # they are placed in a new structure, which would cost more than the signature itself.
        self._certificates_der = tuple(item.dump() for item in (certificate, *chain))
        self._signer_id_der = cms.SignerIdentifier(
            {
                "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                    {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                )
            }
        ).dump()
        self._signing_certificate_der = as_signing_certificate_v2(certificate, "sha256").dump()
        self._tsa_name_der = asn1_x509.GeneralName(name="directory_name", value=certificate.subject).dump()

    def respond(self, request: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """A granted response with a token, or a rejection saying why (never an exception for bad input)."""
        try:
            imprint: tsp.MessageImprint = request["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
        except (ValueError, KeyError, TypeError):
            return _rejection("bad_data_format")
        if algorithm not in _DIGESTS:
            return _rejection("bad_alg")
        if not isinstance(digest, bytes) or len(digest) != _DIGEST_SIZES[algorithm]:
            return _rejection("bad_data_format")
        if request["req_policy"].native not in (None, POLICY_OID):
            return _rejection("unaccepted_policy")

        fields = {
            "version": "v1",
            "policy": POLICY_OID,
            "message_imprint": imprint,
            "serial_number": secrets.randbits(63),
            "gen_time": dt.datetime.now(dt.UTC),
            "accuracy": {"seconds": 1},
            "tsa": asn1_x509.GeneralName.load(self._tsa_name_der),
        }
        if request["nonce"].native is not None:
            fields["nonce"] = request["nonce"].native
        tst_info = tsp.TSTInfo(fields)
        token = self._sign(tst_info.dump(), include_certificates=bool(request["cert_req"].native))
        return tsp.TimeStampResp(
            {"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token}
        )

    def _sign(self, tst_info_der: bytes, *, include_certificates: bool) -> cms.ContentInfo:
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(tst_info_der).digest()]}
                ),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [tsp.SigningCertificateV2.load(self._signing_certificate_der)],
                    }
                ),
            ]
        )
        to_sign = signed_attrs.dump()
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            signature = self.private_key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
            signature_algorithm = "sha256_rsa"
        else:
            assert isinstance(self.private_key, ec.EllipticCurvePrivateKey)
            signature = self.private_key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
            signature_algorithm = "sha256_ecdsa"
        digest_algorithm = algos.DigestAlgorithm({"algorithm": "sha256"})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier.load(self._signer_id_der),
                "digest_algorithm": digest_algorithm,
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": signature_algorithm}),
                "signature": signature,
            }
        )
        signed_data = {
            # v3 because the content is not plain data (RFC 5652, 5.1).
            "version": "v3",
            "digest_algorithms": [digest_algorithm],
            "encap_content_info": {
                "content_type": "tst_info",
                "content": cms.ParsableOctetString(tst_info_der),
            },
            "signer_infos": [signer_info],
        }
        if include_certificates:
            signed_data["certificates"] = [cms.CertificateChoices.load(der) for der in self._certificates_der]
        return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})


def _rejection(reason: str) -> tsp.TimeStampResp:
    return tsp.TimeStampResp(
        {"status": tsp.PKIStatusInfo({"status": "rejection", "fail_info": tsp.PKIFailureInfo({reason})})}
    )


class InProcessTimeStamper(TimeStamper):
    """pyHanko's view of a `TimestampAuthority` in the same process: a real token, no network."""

    def __init__(self, authority: TimestampAuthority) -> None:
        super().__init__()
        self.authority = authority

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return self.authority.respond(req)


def _handler_for(authority: TimestampAuthority) -> type[BaseHTTPRequestHandler]:
    class TimestampRequestHandler(BaseHTTPRequestHandler):
        server_version = "KanalTestTSA/1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if (
                self.headers.get("Content-Type") != "application/timestamp-query"
                or not 0 < length <= _MAX_REQUEST_BYTES
            ):
                self.send_error(400, "expected an application/timestamp-query body")
                return
            try:
                request = tsp.TimeStampReq.load(self.rfile.read(length))
                request.native  # noqa: B018 (parses the whole structure now, so bad input fails here)
                response = authority.respond(request)
            except ValueError:
                response = _rejection("bad_data_format")
            body = response.dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            logger.info("%s %s", self.address_string(), format % args)

    return TimestampRequestHandler


def main(argv: list[str] | None = None) -> None:
    """Serve the development PKI's TSA over HTTP until interrupted."""
    from core.config import load_settings
    from signing.pki import SealSettings, load_seal_material

    parser = argparse.ArgumentParser(prog="python -m signing.tsa", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument(
        "--pki-dir", type=Path, help="the development PKI (default: KANAL_DEV_PKI_DIR or instance/pki)"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    settings = SealSettings.from_settings(load_settings())
    settings = SealSettings(
        municipality_name=settings.municipality_name,
        verify_url=settings.verify_url,
        development_pki_dir=str(arguments.pki_dir or settings.development_pki_dir),
    )
    material = load_seal_material(settings)
    assert material.tsa_cert is not None and material.tsa_private_key is not None
    authority = TimestampAuthority(material.tsa_cert, material.tsa_private_key, material.chain)
    server = ThreadingHTTPServer((arguments.host, arguments.port), _handler_for(authority))
    logger.info("Test timestamp authority on http://%s:%s/", arguments.host, arguments.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
