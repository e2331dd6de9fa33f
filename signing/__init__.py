"""E-identification and signing for Kanal.

``signing.bankid`` is the BankID provider (a thin adapter over the ``pybankid`` client),
``signing.rfa`` holds BankID's recommended user messages (RFA1–RFA23) and the hintCode/errorCode
mapping, and ``signing.emulator`` is a local, protocol-faithful BankID RP API v6.0 emulator used in
development, demos and tests.
"""
