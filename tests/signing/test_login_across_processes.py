"""BankID orders live in the database: one app process starts an order, another collects it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from signing.emulator.process import EmulatorControl
from tests.app_process import app_process
from tests.conftest import test_environ

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_an_order_started_on_one_app_process_is_collected_on_another(
    database_url: str, tmp_path: Path, bankid_emulator: str, emulator_control: EmulatorControl
) -> None:
    environ = test_environ(database_url, tmp_path, KANAL_BANKID_URL=bankid_emulator)
    with app_process(environ) as first, app_process(environ) as second, httpx.Client(timeout=10) as browser:
        login_page = browser.get(f"{first}/login/")
        token = CSRF_FIELD.search(login_page.text)
        assert token is not None
        started = browser.post(f"{first}/login/", data={"csrf_token": token.group(1), "device": "other"})
        assert started.status_code == 302
        order_ref = started.headers["location"].rsplit("/", 1)[-1]

        emulator_control.approve(order_ref, "198512308480")

        collected = browser.post(
            f"{second}/login/order/{order_ref}/collect",
            headers={"Accept": "application/json", "X-CSRFToken": token.group(1)},
        )
        assert collected.status_code == 200, collected.text
        assert collected.json() == {"state": "complete", "redirect": "/my-pages/"}
        my_pages = browser.get(f"{second}/my-pages/")
        assert my_pages.status_code == 200
        assert "Fatima Ahmadi" in my_pages.text
