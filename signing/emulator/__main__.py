"""Command line entry point: ``python -m signing.emulator --host 127.0.0.1 --port 5001``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from types import FrameType

from werkzeug.serving import make_server

from signing.emulator.app import create_app
from signing.emulator.identities import is_valid_personal_number
from signing.emulator.state import (
    DEFAULT_FINISHED_RETENTION,
    DEFAULT_NO_CLIENT_AFTER,
    DEFAULT_ORDER_TTL,
    DEFAULT_QR_WINDOW,
    EmulatorSettings,
)

URL_PREFIX = "BANKID_EMULATOR_URL="


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m signing.emulator", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("BANKID_EMULATOR_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BANKID_EMULATOR_PORT", "5001")),
        help="0 picks a free port; the URL is printed as the first line on stdout",
    )
    parser.add_argument(
        "--order-ttl",
        type=float,
        default=_env_float("BANKID_EMULATOR_ORDER_TTL", DEFAULT_ORDER_TTL),
        help="seconds before a pending order fails with expiredTransaction (BankID: 180)",
    )
    parser.add_argument(
        "--qr-window",
        type=float,
        default=_env_float("BANKID_EMULATOR_QR_WINDOW", DEFAULT_QR_WINDOW),
        help="how many seconds a scanned QR code's time may be off from the order's age",
    )
    parser.add_argument(
        "--no-client-after",
        type=float,
        default=_env_float("BANKID_EMULATOR_NO_CLIENT_AFTER", DEFAULT_NO_CLIENT_AFTER),
        help="seconds before an unscanned order's hintCode turns from outstandingTransaction to noClient",
    )
    parser.add_argument(
        "--finished-retention",
        type=float,
        default=_env_float("BANKID_EMULATOR_FINISHED_RETENTION", DEFAULT_FINISHED_RETENTION),
        help="seconds a finished order stays collectable before collect answers invalidParameters",
    )
    parser.add_argument(
        "--auto-approve",
        metavar="PERSONNUMMER",
        default=os.environ.get("BANKID_EMULATOR_AUTO_APPROVE") or None,
        help="demo mode: approve every order as this test identity on its first collect",
    )
    parser.add_argument("--quiet", action="store_true", help="don't log every request")
    args = parser.parse_args(argv)
    if args.auto_approve and not is_valid_personal_number(args.auto_approve):
        parser.error("--auto-approve needs a 12-digit personnummer with a valid check digit")
    return args


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "", "::"):  # noqa: S104 - comparing, not binding
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bankid-emulator %(levelname)s %(message)s")
    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    settings = EmulatorSettings(
        order_ttl=args.order_ttl,
        qr_window=args.qr_window,
        no_client_after=args.no_client_after,
        finished_retention=args.finished_retention,
        auto_approve=args.auto_approve,
    )
    # Threaded: several Kanal processes (and a browser on the test phone) talk to it at once.
    server = make_server(args.host, args.port, create_app(settings), threaded=True)
    url = f"http://{_display_host(args.host)}:{server.server_port}"
    # The first line on stdout is the address, read by whoever started the emulator (tests, make run).
    sys.stdout.write(f"{URL_PREFIX}{url}\n")
    sys.stdout.flush()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
