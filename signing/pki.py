"""The keys and certificates behind Kanal's seal: production material from configuration, or a development PKI.

Production reads the municipality's organisation certificate from a PKCS#12 file and timestamps with the TSA at
KANAL_TSA_URL. Development and tests get a local PKI made on first use under a directory of their choosing: a
root CA, a seal certificate for the municipality, a timestamp authority certificate and a CRL from the root (so
seals carry embedded revocation data, PAdES-B-LT). Everything is loaded once per process.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.config import INSTANCE_DIR, Settings

__all__ = [
    "DevelopmentPki",
    "SealConfigurationError",
    "SealMaterial",
    "SealSettings",
    "ensure_development_pki",
    "load_seal_material",
    "load_trust_roots",
]

DEVELOPMENT_PKI_DIR = INSTANCE_DIR / "pki"
_KEY_SIZE = 3072
_ROOT_YEARS = 20
_LEAF_YEARS = 5
# A fresh CRL is issued whenever the one on disk has less than this left, so seals never embed a stale one.
_CRL_LIFETIME = dt.timedelta(days=30)
_CRL_RENEW_BEFORE = dt.timedelta(days=7)


class SealConfigurationError(RuntimeError):
    """The seal cannot be made with the configuration given (missing file, wrong passphrase, no TSA)."""


@dataclass(frozen=True)
class SealSettings:
    """What sealing and verification need from the configuration.

    Environment variables: KANAL_SEAL_PKCS12 (path), KANAL_SEAL_PASSPHRASE, KANAL_TSA_URL,
    KANAL_SEAL_TRUST_ROOTS (a PEM bundle with the roots of the seal and TSA certificates), KANAL_DEV_PKI_DIR.
    Without a PKCS#12 file Kanal uses its development PKI, which production refuses.
    """

    municipality_name: str
    verify_url: str
    pkcs12_path: str = ""
    pkcs12_passphrase: str = ""
    tsa_url: str = ""
    trust_roots_path: str = ""
    development_pki_dir: str = str(DEVELOPMENT_PKI_DIR)
    allow_development_pki: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> SealSettings:
        # The seal settings are added to core.config.Settings by its owner; until then their defaults apply.
        return cls(
            municipality_name=settings.municipality_name,
            verify_url=f"{settings.base_url}/verify",
            pkcs12_path=str(getattr(settings, "seal_pkcs12_path", "")),
            pkcs12_passphrase=str(getattr(settings, "seal_pkcs12_passphrase", "")),
            tsa_url=str(getattr(settings, "tsa_url", "")),
            trust_roots_path=str(getattr(settings, "seal_trust_roots_path", "")),
            development_pki_dir=str(getattr(settings, "development_pki_dir", "") or DEVELOPMENT_PKI_DIR),
            allow_development_pki=settings.environment != "production",
        )

    @property
    def uses_development_pki(self) -> bool:
        return not self.pkcs12_path


@dataclass(frozen=True)
class DevelopmentPki:
    """Paths of the development PKI's files."""

    directory: Path

    @property
    def root_cert(self) -> Path:
        return self.directory / "root-ca.pem"

    @property
    def root_key(self) -> Path:
        return self.directory / "root-ca-key.pem"

    @property
    def seal_cert(self) -> Path:
        return self.directory / "seal.pem"

    @property
    def seal_key(self) -> Path:
        return self.directory / "seal-key.pem"

    @property
    def tsa_cert(self) -> Path:
        return self.directory / "tsa.pem"

    @property
    def tsa_key(self) -> Path:
        return self.directory / "tsa-key.pem"

    @property
    def crl(self) -> Path:
        return self.directory / "root-ca.crl"

    @property
    def seal_pkcs12(self) -> Path:
        """The seal as PKCS#12 too, to try the production configuration path locally."""
        return self.directory / "seal.p12"


@dataclass(frozen=True)
class SealMaterial:
    """Loaded key material, in the asn1crypto form pyHanko works with."""

    signing_cert: asn1_x509.Certificate
    signing_key: asn1_keys.PrivateKeyInfo
    private_key: PrivateKeyTypes  # the same key, parsed once: pyHanko would parse it again for every seal
    chain: tuple[asn1_x509.Certificate, ...]  # intermediates and root, without the signing certificate
    trust_roots: tuple[asn1_x509.Certificate, ...]
    crls: tuple[asn1_crl.CertificateList, ...]
    tsa_cert: asn1_x509.Certificate | None  # the in-process TSA (development only)
    tsa_private_key: PrivateKeyTypes | None


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _key_pem(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_ca(
    common_name: str, organisation: str, *, key_size: int = _KEY_SIZE
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed root CA (also used by tests to make a CA that is not Kanal's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    now = dt.datetime.now(dt.UTC)
    name = _name(common_name, organisation)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * _ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def issue_certificate(
    ca_cert: x509.Certificate,
    ca_key: rsa.RSAPrivateKey,
    common_name: str,
    organisation: str,
    *,
    timestamping: bool = False,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey]:
    """A leaf certificate for sealing (non-repudiation) or, with `timestamping`, for a TSA; RSA unless a key
    is given."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * _LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not timestamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if timestamping:
        # RFC 3161 requires the timestamping purpose to be the only one, and critical.
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(ca_key, hashes.SHA256()), key


def _issue_crl(ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey) -> x509.CertificateRevocationList:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + _CRL_LIFETIME)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    # The web app and a worker may both start on a fresh checkout; one of them makes the PKI, the other waits.
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_development_pki(directory: Path, municipality_name: str) -> DevelopmentPki:
    """Create the development PKI in `directory` unless it is there; renew its CRL when it runs out."""
    pki = DevelopmentPki(directory)
    with _locked(directory):
        if not pki.seal_cert.exists():
            root_cert, root_key = make_ca(f"Kanal test root CA ({municipality_name})", "Kanal (test)")
            seal_cert, seal_key = issue_certificate(root_cert, root_key, municipality_name, municipality_name)
            # An EC key keeps the timestamp (a second signature on every seal) cheap.
            tsa_cert, tsa_key = issue_certificate(
                root_cert,
                root_key,
                "Kanal test timestamp authority",
                "Kanal (test)",
                timestamping=True,
                key=ec.generate_private_key(ec.SECP256R1()),
            )
            pem_encoding = serialization.Encoding.PEM
            _write_private(pki.root_key, _key_pem(root_key))
            _write_private(pki.seal_key, _key_pem(seal_key))
            _write_private(pki.tsa_key, _key_pem(tsa_key))
            _write_private(
                pki.seal_pkcs12,
                pkcs12.serialize_key_and_certificates(
                    b"seal", seal_key, seal_cert, [root_cert], serialization.NoEncryption()
                ),
            )
            pki.root_cert.write_bytes(root_cert.public_bytes(pem_encoding))
            pki.tsa_cert.write_bytes(tsa_cert.public_bytes(pem_encoding))
            pki.crl.unlink(missing_ok=True)
            # Written last: its presence means the whole set is complete.
            pki.seal_cert.write_bytes(seal_cert.public_bytes(pem_encoding))
        if _crl_needs_renewal(pki.crl):
            root_cert = x509.load_pem_x509_certificate(pki.root_cert.read_bytes())
            stored_key = serialization.load_pem_private_key(pki.root_key.read_bytes(), password=None)
            assert isinstance(stored_key, rsa.RSAPrivateKey)
            pki.crl.write_bytes(_issue_crl(root_cert, stored_key).public_bytes(serialization.Encoding.DER))
    return pki


def _crl_needs_renewal(path: Path) -> bool:
    if not path.exists():
        return True
    existing = x509.load_der_x509_crl(path.read_bytes())
    next_update = existing.next_update_utc
    return next_update is None or next_update - dt.datetime.now(dt.UTC) < _CRL_RENEW_BEFORE


def to_asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def to_asn1_key(key: rsa.RSAPrivateKey) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _read_certificates(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def _read_key(path: Path) -> tuple[asn1_keys.PrivateKeyInfo, PrivateKeyTypes]:
    _type, _headers, der = pem.unarmor(path.read_bytes())
    return asn1_keys.PrivateKeyInfo.load(der), serialization.load_der_private_key(der, password=None)


def load_trust_roots(settings: SealSettings) -> tuple[asn1_x509.Certificate, ...]:
    """The roots a Kanal seal (and its timestamp) must chain to; verification trusts nothing else."""
    if settings.trust_roots_path:
        try:
            return tuple(_read_certificates(Path(settings.trust_roots_path)))
        except (OSError, ValueError) as error:
            raise SealConfigurationError(
                f"KANAL_SEAL_TRUST_ROOTS: cannot read certificates: {error}"
            ) from error
    return load_seal_material(settings).trust_roots


@functools.cache
def load_seal_material(settings: SealSettings) -> SealMaterial:
    """The seal's key and certificates, loaded (and for development, created) once per process."""
    if settings.uses_development_pki:
        return _development_material(settings)
    return _production_material(settings)


def _development_material(settings: SealSettings) -> SealMaterial:
    if not settings.allow_development_pki:
        raise SealConfigurationError(
            "KANAL_SEAL_PKCS12: production needs the municipality's seal certificate (PKCS#12)"
        )
    pki = ensure_development_pki(Path(settings.development_pki_dir), settings.municipality_name)
    root = _read_certificates(pki.root_cert)[0]
    signing_key, private_key = _read_key(pki.seal_key)
    return SealMaterial(
        signing_cert=_read_certificates(pki.seal_cert)[0],
        signing_key=signing_key,
        private_key=private_key,
        chain=(root,),
        trust_roots=tuple(_read_certificates(Path(settings.trust_roots_path)))
        if settings.trust_roots_path
        else (root,),
        crls=(asn1_crl.CertificateList.load(pki.crl.read_bytes()),),
        tsa_cert=_read_certificates(pki.tsa_cert)[0],
        tsa_private_key=_read_key(pki.tsa_key)[1],
    )


def _production_material(settings: SealSettings) -> SealMaterial:
    if not settings.tsa_url:
        raise SealConfigurationError("KANAL_TSA_URL: a seal needs a timestamp authority")
    try:
        data = Path(settings.pkcs12_path).read_bytes()
        key, certificate, extra = pkcs12.load_key_and_certificates(
            data, settings.pkcs12_passphrase.encode() or None
        )
    except (OSError, ValueError) as error:
        # ValueError is what cryptography raises for a wrong passphrase; say which variable to look at.
        raise SealConfigurationError(f"KANAL_SEAL_PKCS12 / KANAL_SEAL_PASSPHRASE: {error}") from error
    if certificate is None or key is None:
        raise SealConfigurationError("KANAL_SEAL_PKCS12: the file holds no key and certificate")
    chain = tuple(to_asn1_certificate(item) for item in extra)
    if settings.trust_roots_path:
        roots = tuple(_read_certificates(Path(settings.trust_roots_path)))
    else:
        roots = tuple(item for item in chain if item.self_signed in {"maybe", "yes"})
    if not roots:
        raise SealConfigurationError(
            "KANAL_SEAL_TRUST_ROOTS: the PKCS#12 file has no root; name the roots here"
        )
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return SealMaterial(
        signing_cert=to_asn1_certificate(certificate),
        signing_key=signing_key,
        private_key=key,
        chain=chain,
        trust_roots=roots,
        crls=(),
        tsa_cert=None,
        tsa_private_key=None,
    )
