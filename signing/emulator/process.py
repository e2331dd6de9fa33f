"""Start the emulator as a real separate process, and script it over HTTP.

Used by the test fixtures (``tests/signing/conftest.py`` and, later, the top-level conftest) and by
anything else that needs a BankID to talk to::

    with start_emulator_process(order_ttl=5) as emulator:
        provider = BankIDProvider(make_bankid_client(emulator.url, None, None, test_server=True))
        started = provider.start_auth("192.0.2.1")
        emulator.control.approve(started.order_ref)
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

URL_PREFIX = "BANKID_EMULATOR_URL="
_REPO_ROOT = Path(__file__).resolve().parents[2]


class EmulatorStartError(RuntimeError):
    """The emulator process exited or didn't become healthy before the deadline."""


class EmulatorControl:
    """A small client for the emulator's scripting API (``/emulator/...``): plays the user's part."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.post(path, json=body or {})
        response.raise_for_status()
        return response.json()

    def health(self) -> bool:
        try:
            return self._http.get("/emulator/health").json() == {"status": "ok"}
        except (httpx.HTTPError, ValueError):
            return False

    def orders(self, include_finished: bool = False) -> list[dict[str, Any]]:
        response = self._http.get("/emulator/orders", params={"all": "1"} if include_finished else None)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def order(self, order_ref: str) -> dict[str, Any]:
        response = self._http.get(f"/emulator/orders/{order_ref}")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def scan(self, order_ref: str, personal_number: str | None = None) -> dict[str, Any]:
        body = {"personalNumber": personal_number} if personal_number else {}
        result: dict[str, Any] = self._post(f"/emulator/orders/{order_ref}/scan", body)
        return result

    def confirm_call(self, order_ref: str) -> dict[str, Any]:
        result: dict[str, Any] = self._post(f"/emulator/orders/{order_ref}/confirm-call")
        return result

    def approve(self, order_ref: str, personal_number: str | None = None) -> dict[str, Any]:
        body = {"personalNumber": personal_number} if personal_number else {}
        result: dict[str, Any] = self._post(f"/emulator/orders/{order_ref}/approve", body)
        return result

    def fail(self, order_ref: str, hint_code: str) -> dict[str, Any]:
        result: dict[str, Any] = self._post(f"/emulator/orders/{order_ref}/fail", {"hintCode": hint_code})
        return result

    def approve_qr(self, qr_content: str, personal_number: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"qrContent": qr_content}
        if personal_number:
            body["personalNumber"] = personal_number
        result: dict[str, Any] = self._post("/emulator/approve", body)
        return result

    def approve_autostart(self, auto_start_token: str, personal_number: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"autoStartToken": auto_start_token}
        if personal_number:
            body["personalNumber"] = personal_number
        result: dict[str, Any] = self._post("/emulator/approve", body)
        return result

    def inject_fault(
        self, kind: str, count: int = 1, endpoints: Sequence[str] | None = None, seconds: float = 0
    ) -> None:
        body: dict[str, Any] = {"next": kind, "count": count, "seconds": seconds}
        if endpoints:
            body["endpoints"] = list(endpoints)
        self._post("/emulator/faults", body)

    def clear_faults(self) -> None:
        self._http.delete("/emulator/faults").raise_for_status()

    def reset(self) -> None:
        self._post("/emulator/reset")


@dataclass
class EmulatorProcess:
    """A running emulator: its base URL, the OS process, and a scripting client."""

    url: str
    process: subprocess.Popen[str]
    control: EmulatorControl = field(init=False)

    def __post_init__(self) -> None:
        self.control = EmulatorControl(self.url)


def _read_first_line(stream: Any, lines: queue.Queue[str]) -> None:
    lines.put(stream.readline())
    # Keep draining so the child can never block on a full stdout pipe.
    for _ in stream:
        pass


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


@contextmanager
def start_emulator_process(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    order_ttl: float | None = None,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 20.0,
    quiet: bool = True,
) -> Iterator[EmulatorProcess]:
    """Run ``python -m signing.emulator`` until the ``with`` block ends.

    With ``port=0`` the emulator binds a free port and reports its URL on stdout; readiness is then
    confirmed by polling ``/emulator/health`` until ``startup_timeout``.
    """
    command = [sys.executable, "-m", "signing.emulator", "--host", host, "--port", str(port)]
    if order_ttl is not None:
        command += ["--order-ttl", str(order_ttl)]
    if quiet:
        command.append("--quiet")
    command += list(extra_args)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(command, cwd=_REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    emulator: EmulatorProcess | None = None
    try:
        deadline = time.monotonic() + startup_timeout
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=_read_first_line, args=(process.stdout, lines), daemon=True).start()
        first_line = ""
        while not first_line:
            if process.poll() is not None:
                raise EmulatorStartError(f"The BankID emulator exited with code {process.returncode}")
            if time.monotonic() > deadline:
                raise EmulatorStartError("The BankID emulator did not report its URL in time")
            try:
                first_line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
        if not first_line.startswith(URL_PREFIX):
            raise EmulatorStartError(f"Unexpected first line from the BankID emulator: {first_line!r}")
        emulator = EmulatorProcess(first_line.strip().removeprefix(URL_PREFIX), process)
        while not emulator.control.health():
            if process.poll() is not None:
                raise EmulatorStartError(f"The BankID emulator exited with code {process.returncode}")
            if time.monotonic() > deadline:
                raise EmulatorStartError("The BankID emulator did not become healthy in time")
            # Polling interval, not a fixed wait: the loop ends as soon as health answers.
            time.sleep(0.05)
        yield emulator
    finally:
        if emulator is not None:
            emulator.control.close()
        _stop(process)


T = TypeVar("T")


def poll_until(probe: Callable[[], T | None], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Call ``probe`` until it returns something other than ``None``/``False``; fail after ``timeout``.

    For tests that wait on the emulator's clock (expiry, noClient) without fixed-length sleeps.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Condition not met within {timeout} seconds")
        time.sleep(interval)
