"""Sealing a PDF with the municipality's organisation certificate: PAdES with an RFC 3161 timestamp, a visible
stamp and embedded validation data (PAdES-B-LT), in one revision.

The key and the timestamper are loaded once per process (`get_sealer`), and the signature's size is reserved
up front, so a seal costs one signature plus one timestamp and no trial run.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.pki import SealMaterial, SealSettings, load_seal_material
from signing.tsa import InProcessTimeStamper, TimestampAuthority

__all__ = [
    "SEAL_FIELD_NAME",
    "LoadedKeySigner",
    "SealPlacement",
    "Sealer",
    "get_sealer",
    "validation_context",
]

SEAL_FIELD_NAME = "KanalSeal"
# Room (in bytes of DER) for the CMS object beyond the certificates it carries: signed attributes, the signature
# value, the timestamp token's signature and TSTInfo. An HTTP TSA's certificates are unknown up front.
_RESERVE_MARGIN = 4096
_RESERVE_FOR_REMOTE_TSA = 12288


@dataclass(frozen=True)
class SealPlacement:
    """Where the visible stamp goes: a page index (0-based) and a box in PDF points, origin bottom left."""

    page: int
    box: tuple[int, int, int, int]


def validation_context(
    material: SealMaterial,
    *,
    allow_fetching: bool,
    trust_roots: Sequence[asn1_x509.Certificate] | None = None,
) -> ValidationContext:
    """Trust only the configured roots; revocation data comes from the PKI (development) or the network."""
    return ValidationContext(
        trust_roots=list(material.trust_roots if trust_roots is None else trust_roots),
        other_certs=list(material.chain),
        crls=list(material.crls),
        allow_fetching=allow_fetching,
        # A seal whose revocation status cannot be fetched is still a seal; the timestamp fixes its time.
        revocation_mode="soft-fail",
    )


class LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, but with the private key parsed once instead of on every signature.

    Parsing (and validating) an RSA key costs far more than signing with it, so this is what "load the key once
    per process" means in practice.
    """

    def __init__(self, material: SealMaterial) -> None:
        super().__init__(
            signing_cert=material.signing_cert,
            signing_key=material.signing_key,
            cert_registry=SimpleCertificateStore.from_certs(list(material.chain)),
        )
        self._private_key = material.private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        # PSS, EdDSA and the like: rare for organisation certificates; pyHanko handles them (more slowly).
        return super().sign_raw(data, digest_algorithm)


class Sealer:
    """Seals PDFs with one loaded key; safe to reuse for any number of documents in the process."""

    def __init__(self, material: SealMaterial, settings: SealSettings) -> None:
        self.material = material
        self.settings = settings
        self.signer = LoadedKeySigner(material)
        self.timestamper: timestamps.TimeStamper
        tsa_size = 0
        if settings.tsa_url:
            self.timestamper = timestamps.HTTPTimeStamper(settings.tsa_url, timeout=10)
            tsa_size = _RESERVE_FOR_REMOTE_TSA
        else:
            assert material.tsa_cert is not None and material.tsa_private_key is not None
            authority = TimestampAuthority(material.tsa_cert, material.tsa_private_key, material.chain)
            self.timestamper = InProcessTimeStamper(authority)
            tsa_size = sum(len(cert.dump()) for cert in (material.tsa_cert, *material.chain))
        own_size = len(material.signing_cert.dump()) + sum(len(cert.dump()) for cert in material.chain)
        # pyHanko counts the reservation in hex digits: two per byte of DER.
        self.bytes_reserved = 2 * (own_size + tsa_size + _RESERVE_MARGIN)
        # One validation context per sealer: it caches the chain and revocation checks between seals.
        self._validation_context = validation_context(
            material, allow_fetching=not settings.uses_development_pki
        )
        # The stamp uses a standard PDF font (Helvetica, WinAnsi: covers Swedish and Danish names) rather than an
        # embedded one: subsetting a TrueType font would cost more than the whole signature.
        self._stamp_font = SimpleFontEngineFactory("Helvetica", 0.5)

    def seal(
        self, pdf: bytes, placement: SealPlacement, *, stamp_lines: tuple[str, ...], reason: str
    ) -> bytes:
        """Return `pdf` with a certifying PAdES seal: no later change keeps the seal valid.

        `stamp_lines` must be Latin text (Windows-1252), the repertoire of the stamp's standard font.
        """
        for line in stamp_lines:
            line.encode("cp1252")  # raises UnicodeEncodeError for text the stamp font cannot show
        metadata = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD_NAME,
            reason=reason,
            location=self.settings.municipality_name,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
            embed_validation_info=True,
            validation_context=self._validation_context,
            # Validation data in the signed revision itself: the file is a single revision that any
            # validator (pdfsig included) sees as wholly covered by the seal.
            dss_settings=DSSContentSettings(
                placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
            ),
            signer_key_usage={"digital_signature"},
        )
        stamp = TextStampStyle(
            stamp_text="\n".join(line.replace("%", "%%") for line in stamp_lines) + "\n%(ts)s",
            text_box_style=TextBoxStyle(font=self._stamp_font, font_size=8),
            timestamp_format="%Y-%m-%d %H:%M:%S UTC",
            border_width=1,
        )
        signer = signers.PdfSigner(
            metadata,
            self.signer,
            timestamper=self.timestamper,
            stamp_style=stamp,
            new_field_spec=fields.SigFieldSpec(SEAL_FIELD_NAME, on_page=placement.page, box=placement.box),
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        output = io.BytesIO()
        signer.sign_pdf(writer, bytes_reserved=self.bytes_reserved, output=output)
        return output.getvalue()


@functools.cache
def get_sealer(settings: SealSettings) -> Sealer:
    """The process's sealer for these settings: the key is read and the PKI made only once."""
    return Sealer(load_seal_material(settings), settings)
