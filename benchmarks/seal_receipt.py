"""Benchmark of issue 5: sealing one receipt against a bare pyHanko signature of the same PDF.

Sealing is `Sealer.seal`: a certifying PAdES signature with an RFC 3161 timestamp from the in-process test TSA,
a visible stamp and the validation data (chain and CRL) in the same revision. Baseline, measured in the same run
and interleaved with it: pyHanko's PdfSigner with default settings (invisible, no timestamp, no validation data)
signing the same unsealed receipt with the same signer object, so the key is loaded once for both and both
reserve the same signature size. Target: median seal at most 1.5 times the median bare signature.

Run: /tmp/venv/bin/python benchmarks/seal_receipt.py [--runs N] [--no-write]
Appends the result to docs/benchmarks.md, section "Sealing".
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402

from core.app import create_app  # noqa: E402
from signing.documents.receipt import render_receipt  # noqa: E402
from signing.pki import SealSettings  # noqa: E402
from signing.seal import Sealer, get_sealer  # noqa: E402
from tests.signing.documents.receipts import receipt_content  # noqa: E402

TARGET_RATIO = 1.5
RESULTS_FILE = ROOT / "docs" / "benchmarks.md"
SECTION = "## Sealing"
HEADER = (
    f"{SECTION}\n\n"
    "`benchmarks/seal_receipt.py`: sealing one receipt (certifying PAdES, RFC 3161 timestamp from the in-process "
    "test TSA, visible stamp, validation data in the same revision) against a bare pyHanko signature of the same "
    "PDF with the same loaded key and the same reserved size, interleaved in one run. "
    f"Target: ratio ≤ {TARGET_RATIO:g}×.\n\n"
    "| date | Python | key | PDF size | runs | median seal | median bare signature | ratio | within target |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
)


def bare_signature(sealer: Sealer, pdf: bytes) -> bytes:
    output = io.BytesIO()
    signer = signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Signature"), sealer.signer)
    signer.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=sealer.bytes_reserved, output=output
    )
    return output.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    arguments = parser.parse_args()
    # pyHanko warns on every seal that the development PKI forbids fetching revocation data; that is expected.
    logging.disable(logging.WARNING)

    with tempfile.TemporaryDirectory() as directory:
        app = create_app(
            {
                "KANAL_ENV": "test",
                "KANAL_SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123",
                "DATABASE_URL": "sqlite:///:memory:",
                "KANAL_BANKID_URL": "http://127.0.0.1:9",
                "KANAL_SESSION_COOKIE_SECURE": "false",
            }
        )
        settings = SealSettings(
            municipality_name="Exempelstad kommun",
            verify_url="http://localhost:5000/verify",
            development_pki_dir=str(Path(directory) / "pki"),
        )
        with app.app_context():
            rendered = render_receipt(receipt_content("2026-000123"), 1)
        sealer = get_sealer(settings)
        stamp = ("Förseglat av Exempelstad kommun", "Verifiera på http://localhost:5000/verify")

        def seal() -> bytes:
            return sealer.seal(rendered.data, rendered.seal_placement, stamp_lines=stamp, reason="Kvitto")

        for _ in range(5):  # warm-up: imports, caches, the validation context's first chain check
            seal()
            bare_signature(sealer, rendered.data)
        seal_times: list[float] = []
        bare_times: list[float] = []
        for _ in range(arguments.runs):
            started = time.perf_counter()
            seal()
            seal_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            bare_signature(sealer, rendered.data)
            bare_times.append(time.perf_counter() - started)

    seal_median = statistics.median(seal_times) * 1000
    bare_median = statistics.median(bare_times) * 1000
    ratio = seal_median / bare_median
    key = sealer.material.private_key
    key_type = type(key).__name__.removeprefix("_").replace("PrivateKey", "")
    key_name = f"{key_type} {getattr(key, 'key_size', '')}".strip()
    print(f"median seal:           {seal_median:.2f} ms")
    print(f"median bare signature: {bare_median:.2f} ms")
    print(f"ratio:                 {ratio:.2f}× (target ≤ {TARGET_RATIO:g}×)")
    row = (
        f"| {dt.date.today().isoformat()} | Python {platform.python_version()} | {key_name} "
        f"| {len(rendered.data) // 1024} KiB | {arguments.runs} | {seal_median:.2f} ms | {bare_median:.2f} ms "
        f"| {ratio:.2f}× | {'yes' if ratio <= TARGET_RATIO else 'no'} |"
    )
    if not arguments.no_write:
        record(row)
        print(f"appended to {RESULTS_FILE.relative_to(ROOT)}")


def record(row: str) -> None:
    """Append a row to the "Sealing" table, creating the file or the section when missing; other sections stay."""
    text = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else "# Benchmarks\n\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + HEADER
    start = text.index(SECTION)
    following = text.find("\n## ", start + len(SECTION))
    end = len(text) if following == -1 else following + 1
    section = text[start:end].rstrip("\n") + "\n" + row + "\n"
    text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
