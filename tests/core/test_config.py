"""Settings come only from the environment; a missing or invalid one stops start-up and names the variable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from core.app import create_app
from core.config import PROJECT_ROOT, ConfigError, Settings, load_settings, settings_table
from tests.conftest import TEST_SECRET

MINIMAL = {"KANAL_SECRET_KEY": TEST_SECRET, "KANAL_BANKID_URL": "http://127.0.0.1:5001"}


def test_only_the_secret_key_and_a_bankid_choice_are_needed_everything_else_has_a_default() -> None:
    settings = load_settings(MINIMAL)
    assert settings.environment == "production"
    assert settings.default_language == "sv"
    assert settings.languages == ("sv", "en", "da", "ar")
    assert settings.session_cookie_secure is True
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'kanal.db'}"


def test_a_missing_secret_key_is_reported_by_name() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"KANAL_BANKID_URL": "http://127.0.0.1:5001"})
    assert raised.value.variable == "KANAL_SECRET_KEY"
    assert "KANAL_SECRET_KEY" in str(raised.value)
    assert "required" in raised.value.problem


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KANAL_SESSION_COOKIE_SECURE", "maybe"),
        ("KANAL_SESSION_COOKIE_SECURE", ""),
        ("KANAL_BANKID_TEST_SERVER", "ja"),
        ("KANAL_LOGIN_MAX_ATTEMPTS", "five"),
        ("KANAL_LOGIN_MAX_ATTEMPTS", "0"),
        ("KANAL_LOGIN_LOCKOUT_MINUTES", "-3"),
        ("KANAL_SMTP_PORT", "2.5"),
        ("KANAL_OUTBOX_BACKOFF_SECONDS", ""),
        ("KANAL_DEFAULT_LANGUAGE", "fi"),
        ("KANAL_LANGUAGES", "sv,fi"),
        ("KANAL_LANGUAGES", ""),
        ("KANAL_LANGUAGES", "en,da"),  # Swedish, the default language, would not be offered
        ("KANAL_ENV", "staging"),
        ("DATABASE_URL", "mysql://kanal@localhost/kanal"),
        ("DATABASE_URL", "not a url"),
        ("KANAL_SECRET_KEY", "too-short"),
        ("KANAL_BASE_URL", "localhost:5000"),
        ("KANAL_BANKID_URL", "127.0.0.1:5001"),
        ("KANAL_MUNICIPALITY_NAME", "   "),
        ("KANAL_TRUSTED_PROXIES", "-1"),
        ("KANAL_TRUSTED_PROXIES", "one"),
    ],
)
def test_an_invalid_value_is_reported_with_the_variable_name(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({**MINIMAL, variable: value})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(f"{variable}: ")


def test_a_number_that_is_not_a_number_gets_a_readable_explanation() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({**MINIMAL, "KANAL_LOGIN_MAX_ATTEMPTS": "five"})
    assert "whole number" in raised.value.problem
    assert "invalid literal" not in raised.value.problem


def test_production_refuses_a_session_cookie_sent_over_plain_http() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({**MINIMAL, "KANAL_ENV": "production", "KANAL_SESSION_COOKIE_SECURE": "false"})
    assert raised.value.variable == "KANAL_SESSION_COOKIE_SECURE"


def test_development_may_send_the_session_cookie_over_plain_http() -> None:
    settings = load_settings({**MINIMAL, "KANAL_ENV": "development", "KANAL_SESSION_COOKIE_SECURE": "false"})
    assert settings.session_cookie_secure is False


def test_without_the_bankid_emulator_or_real_bankid_credentials_start_up_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"KANAL_SECRET_KEY": TEST_SECRET})
    assert raised.value.variable == "KANAL_BANKID_URL"
    assert "KANAL_BANKID_CERT" in raised.value.problem


def test_a_bankid_certificate_without_its_key_is_not_enough() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"KANAL_SECRET_KEY": TEST_SECRET, "KANAL_BANKID_CERT": "/etc/kanal/rp.pem"})
    assert raised.value.variable == "KANAL_BANKID_URL"


def test_real_bankid_credentials_replace_the_emulator() -> None:
    settings = load_settings(
        {
            "KANAL_SECRET_KEY": TEST_SECRET,
            "KANAL_BANKID_CERT": "/etc/kanal/rp.pem",
            "KANAL_BANKID_KEY": "/etc/kanal/rp.key",
        }
    )
    assert settings.bankid_url == ""


def test_a_plain_postgresql_url_uses_the_psycopg_driver_that_kanal_ships() -> None:
    settings = load_settings({**MINIMAL, "DATABASE_URL": "postgresql://kanal@db.internal/kanal"})
    assert settings.database_url == "postgresql+psycopg://kanal@db.internal/kanal"


def test_a_relative_sqlite_path_is_relative_to_the_project_not_the_working_directory() -> None:
    settings = load_settings({**MINIMAL, "DATABASE_URL": "sqlite:///instance/other.db"})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'other.db'}"


def test_the_app_factory_refuses_to_start_with_an_invalid_setting(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as raised:
        create_app({**environ, "KANAL_LOGIN_MAX_ATTEMPTS": "lots"})
    assert raised.value.variable == "KANAL_LOGIN_MAX_ATTEMPTS"
    broken = dict(environ)
    del broken["KANAL_SECRET_KEY"]
    with pytest.raises(ConfigError, match="KANAL_SECRET_KEY"):
        create_app(broken)


def test_the_settings_table_documents_every_setting_with_a_default_and_a_description() -> None:
    table = settings_table()
    documented = [variable for variable, _default, _doc in table]
    assert documented == [setting.metadata["env"] for setting in fields(Settings)]
    assert len(set(documented)) == len(documented)
    assert all(doc.strip() for _variable, _default, doc in table)
    assert dict((variable, default) for variable, default, _doc in table)["KANAL_SECRET_KEY"] == "(required)"


def test_the_readme_configuration_table_lists_every_setting_with_its_default() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|", readme, re.MULTILINE))
    missing = [variable for variable, _default, _doc in settings_table() if variable not in rows]
    assert missing == [], "add these to the configuration table in README.md (see `flask settings`)"
    for variable, default, _doc in settings_table():
        shown = rows[variable].strip("`")
        assert shown == default or (default == "" and shown in {"(empty)", ""}), variable


def test_every_documented_default_is_itself_a_valid_value() -> None:
    for setting in fields(Settings):
        default = setting.metadata["default"]
        if default is not None:
            setting.metadata["parse"](default)


def _bare_environment(**extra: str) -> dict[str, str]:
    # Only what a Python process needs to run at all; none of Kanal's variables.
    keep = {name: os.environ[name] for name in ("PATH", "LANG", "HOME") if name in os.environ}
    return {**keep, **extra}


def _import_wsgi(environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env={**environment, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_starting_the_wsgi_app_without_a_secret_key_fails_and_names_the_variable(tmp_path: Path) -> None:
    result = _import_wsgi(_bare_environment(), tmp_path)
    assert result.returncode != 0
    assert "KANAL_SECRET_KEY" in result.stderr


def test_the_start_up_error_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    result = _import_wsgi(_bare_environment(), tmp_path)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
