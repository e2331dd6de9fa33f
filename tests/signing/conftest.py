"""Fixtures for BankID tests: the emulator as a real process, reached over a real socket.

The process handling lives in ``signing.emulator.process`` so a top-level conftest can reuse it;
these fixtures stay thin.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from signing.bankid import BankIDProvider, make_bankid_client
from signing.emulator.process import EmulatorControl, EmulatorProcess, start_emulator_process


@pytest.fixture
def provider(bankid_emulator: str, emulator_control: EmulatorControl) -> Iterator[BankIDProvider]:
    """Kanal's BankID provider (real pybankid client) pointed at the emulator."""
    with BankIDProvider(make_bankid_client(bankid_emulator, None, None, test_server=True, timeout=5)) as p:
        yield p


@pytest.fixture(scope="session")
def short_lived_emulator() -> Iterator[EmulatorProcess]:
    """An emulator whose orders expire after 1 second and are forgotten 1 second after finishing."""
    with start_emulator_process(order_ttl=1, extra_args=["--finished-retention", "1"]) as emulator:
        yield emulator
