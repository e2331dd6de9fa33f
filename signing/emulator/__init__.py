"""A local, protocol-faithful emulator of the BankID RP API v6.0, for development, demos and tests.

Run it as its own process (it plays the external service)::

    python -m signing.emulator --host 127.0.0.1 --port 5001 [--order-ttl 180] [--auto-approve PNR]

Kanal (or any RP) then uses ``http://127.0.0.1:5001`` as its BankID base URL; pybankid's client
talks to ``/rp/v6.0/...`` exactly as it would to BankID. With ``--port 0`` the emulator picks a free
port and prints ``BANKID_EMULATOR_URL=http://127.0.0.1:<port>`` as its first stdout line.

Playing the user's part:

* by hand: open ``/`` (the "test phone"), paste the QR content or autostart link, pick a test
  identity, and Approve, Cancel, fail, or let the order expire;
* from tests (JSON over HTTP)::

    GET  /emulator/health                  -> {"status": "ok"}
    GET  /emulator/identities              -> the fictional test identities
    GET  /emulator/orders[?all=1]          -> pending (or all) orders
    GET  /emulator/orders/{orderRef}
    POST /emulator/orders/{orderRef}/scan          {"personalNumber"?}  -> started (or userSign)
    POST /emulator/orders/{orderRef}/confirm-call                       -> phone orders: userSign
    POST /emulator/orders/{orderRef}/approve       {"personalNumber"?}  -> complete
    POST /emulator/orders/{orderRef}/fail          {"hintCode": "userCancel" | "expiredTransaction"
                                                    | "certificateErr" | "startFailed" | ...}
    POST /emulator/scan     {"qrContent" | "autoStartToken" | "orderRef", "personalNumber"?}
    POST /emulator/approve  {"qrContent" | "autoStartToken" | "orderRef", "personalNumber"?}
    POST /emulator/faults   {"next": "maintenance" | "internalError" | "requestTimeout" | ... |
                             "malformedJson" | "delay", "count": 1, "endpoints"?: ["collect"],
                             "seconds"?: 3}
    DELETE /emulator/faults
    POST /emulator/reset

QR content is verified like the BankID app does it: the qrStartToken finds the order, the auth code
must be HMAC-SHA256(qrStartSecret, time) and the time must match the order's age within a window.

Signatures and OCSP responses in completionData are made with emulator-generated TEST KEYS.
"""

from signing.emulator.app import create_app
from signing.emulator.state import EmulatorSettings, OrderBook

__all__ = ["EmulatorSettings", "OrderBook", "create_app"]
