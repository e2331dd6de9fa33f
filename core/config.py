"""Kanal's settings: every option, its environment variable, default and validation.

This is the only module that reads the process environment. A missing or invalid setting stops start-up with a
`ConfigError` that names the variable, so an operator never has to guess which line of a unit file is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
SUPPORTED_LANGUAGES = ("sv", "en", "da", "ar")


class ConfigError(RuntimeError):
    """A setting is missing or has a value Kanal cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _parse_positive_int(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"expected a whole number above 0, got {raw!r}")
    return value


def _parse_count(raw: str) -> int:
    if not raw.strip().isdigit():
        raise ValueError(f"expected a whole number, 0 or more, got {raw!r}")
    return int(raw)


def _parse_languages(raw: str) -> tuple[str, ...]:
    languages = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [code for code in languages if code not in SUPPORTED_LANGUAGES]
    if unknown or not languages:
        raise ValueError(f"expected a comma-separated list of {', '.join(SUPPORTED_LANGUAGES)}")
    return languages


def _parse_language(raw: str) -> str:
    if raw not in SUPPORTED_LANGUAGES:
        raise ValueError(f"expected one of {', '.join(SUPPORTED_LANGUAGES)}")
    return raw


def _parse_environment(raw: str) -> str:
    if raw not in {"production", "development", "test"}:
        raise ValueError("expected production, development or test")
    return raw


def _parse_database_url(raw: str) -> str:
    if not raw.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        raise ValueError("expected a sqlite:/// or postgresql:// URL")
    if raw.startswith("sqlite:///") and not raw.startswith("sqlite:////") and raw != "sqlite:///:memory:":
        # A relative SQLite path is relative to the project, not to wherever the process happened to start.
        return f"sqlite:///{PROJECT_ROOT / raw.removeprefix('sqlite:///')}"
    if raw.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would make SQLAlchemy look for psycopg2.
        return "postgresql+psycopg://" + raw.removeprefix("postgresql://")
    return raw


def _parse_secret_key(raw: str) -> str:
    if len(raw) < 32:
        raise ValueError(
            "must be at least 32 characters (e.g. `python -c 'import secrets;print(secrets.token_hex(32))'`)"
        )
    return raw


def _parse_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return raw.rstrip("/")


def _parse_optional_url(raw: str) -> str:
    return _parse_url(raw) if raw else ""


def _parse_path(raw: str) -> str:
    path = Path(raw).expanduser()
    # Relative paths are relative to the project, not to wherever the process happened to start.
    return str(path if path.is_absolute() else PROJECT_ROOT / path)


def _parse_str(raw: str) -> str:
    return raw


def _parse_nonempty(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw.strip()


def _setting(
    env: str, default: str | None, parse: Callable[[str], Any], doc: str, *, secret: bool = False
) -> Any:
    return field(metadata={"env": env, "default": default, "parse": parse, "doc": doc, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """All of Kanal's configuration. Build it with `load_settings`; the field metadata is the documentation."""

    environment: str = _setting(
        "KANAL_ENV",
        "production",
        _parse_environment,
        "production, development or test; development relaxes cookie security",
    )
    secret_key: str = _setting(
        "KANAL_SECRET_KEY",
        None,
        _parse_secret_key,
        "Signs sessions and CSRF tokens; at least 32 random characters",
        secret=True,
    )
    database_url: str = _setting(
        "DATABASE_URL",
        "sqlite:///instance/kanal.db",
        _parse_database_url,
        "SQLAlchemy URL; PostgreSQL in production, a SQLite file under instance/ by default",
    )
    base_url: str = _setting(
        "KANAL_BASE_URL",
        "http://localhost:5000",
        _parse_url,
        "Public address, used in links in e-mails and SMS",
    )
    municipality_name: str = _setting(
        "KANAL_MUNICIPALITY_NAME",
        "Exempelstad kommun",
        _parse_nonempty,
        "Shown in the header, documents and e-mails",
    )
    default_language: str = _setting(
        "KANAL_DEFAULT_LANGUAGE",
        "sv",
        _parse_language,
        "Language when neither the user's choice nor the browser decides",
    )
    languages: tuple[str, ...] = _setting(
        "KANAL_LANGUAGES", "sv,en,da,ar", _parse_languages, "Languages offered in the language switcher"
    )
    session_cookie_secure: bool = _setting(
        "KANAL_SESSION_COOKIE_SECURE", "true", _parse_bool, "Send the session cookie over HTTPS only"
    )
    staff_session_minutes: int = _setting(
        "KANAL_STAFF_SESSION_MINUTES",
        "480",
        _parse_positive_int,
        "Staff sessions end after this many idle minutes",
    )
    resident_idle_minutes: int = _setting(
        "KANAL_RESIDENT_IDLE_MINUTES",
        "15",
        _parse_positive_int,
        "Residents are logged out after this many idle minutes",
    )
    login_max_attempts: int = _setting(
        "KANAL_LOGIN_MAX_ATTEMPTS",
        "5",
        _parse_positive_int,
        "Failed staff logins before the account is locked",
    )
    login_lockout_minutes: int = _setting(
        "KANAL_LOGIN_LOCKOUT_MINUTES",
        "15",
        _parse_positive_int,
        "How long a locked staff account stays locked",
    )
    trusted_proxies: int = _setting(
        "KANAL_TRUSTED_PROXIES",
        "0",
        _parse_count,
        "Reverse proxies (load balancers) in front of Kanal whose X-Forwarded-For/-Proto headers are trusted; "
        "without it every visitor looks like the proxy to the login rate limit and the audit log",
    )
    rate_limit_storage_url: str = _setting(
        "KANAL_RATE_LIMIT_STORAGE_URL",
        "memory://",
        _parse_nonempty,
        "Flask-Limiter storage; use redis:// or memcached:// when several app processes run",
    )
    storage_dir: str = _setting(
        "KANAL_STORAGE_DIR",
        "instance/files",
        _parse_path,
        "Where uploaded and generated files are kept",
    )
    outbox_max_attempts: int = _setting(
        "KANAL_OUTBOX_MAX_ATTEMPTS",
        "8",
        _parse_positive_int,
        "Attempts before an outbox job is marked failed",
    )
    outbox_backoff_seconds: int = _setting(
        "KANAL_OUTBOX_BACKOFF_SECONDS",
        "30",
        _parse_positive_int,
        "First retry delay; doubles with every attempt",
    )
    bankid_url: str = _setting(
        "KANAL_BANKID_URL",
        "",
        _parse_optional_url,
        "BankID emulator address (e.g. http://127.0.0.1:5001); empty means the real BankID RP API",
    )
    bankid_test_server: bool = _setting(
        "KANAL_BANKID_TEST_SERVER",
        "true",
        _parse_bool,
        "Use BankID's test environment rather than production",
    )
    bankid_cert_path: str = _setting(
        "KANAL_BANKID_CERT", "", _parse_str, "RP client certificate (PEM) for the real BankID API"
    )
    bankid_key_path: str = _setting(
        "KANAL_BANKID_KEY", "", _parse_str, "RP client key (PEM) for the real BankID API"
    )
    smtp_host: str = _setting(
        "KANAL_SMTP_HOST", "localhost", _parse_nonempty, "SMTP server for outgoing e-mail"
    )
    smtp_port: int = _setting("KANAL_SMTP_PORT", "25", _parse_positive_int, "SMTP port")
    mail_sender: str = _setting(
        "KANAL_MAIL_FROM", "noreply@exempelstad.se", _parse_nonempty, "From address of Kanal's e-mails"
    )
    sms_provider: str = _setting(
        "KANAL_SMS_PROVIDER",
        "log",
        _parse_nonempty,
        "SMS provider for notifications; log only writes them to the log",
    )
    seal_pkcs12_path: str = _setting(
        "KANAL_SEAL_PKCS12",
        "",
        _parse_str,
        "The municipality's seal certificate and key (PKCS#12); empty means a local development PKI",
    )
    seal_pkcs12_passphrase: str = _setting(
        "KANAL_SEAL_PASSPHRASE", "", _parse_str, "Passphrase of the PKCS#12 file", secret=True
    )
    tsa_url: str = _setting(
        "KANAL_TSA_URL",
        "",
        _parse_optional_url,
        "RFC 3161 timestamp authority; empty means the local test authority (required with a PKCS#12 seal)",
    )
    seal_trust_roots_path: str = _setting(
        "KANAL_SEAL_TRUST_ROOTS",
        "",
        _parse_str,
        "PEM bundle of roots the verification page trusts; empty means the seal's own root",
    )
    cosign_expiry_days: int = _setting(
        "KANAL_COSIGN_EXPIRY_DAYS",
        "14",
        _parse_positive_int,
        "Days a co-signer has to sign before the request expires (a reminder goes out 3 days before)",
    )
    draft_retention_days: int = _setting(
        "KANAL_DRAFT_RETENTION_DAYS",
        "30",
        _parse_positive_int,
        "Days an unsent draft is kept after it was last saved, for forms that set no retention of their own",
    )
    development_pki_dir: str = _setting(
        "KANAL_DEV_PKI_DIR",
        "instance/pki",
        _parse_path,
        "Where the development CA, seal and timestamp certificates are created on first run",
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise `ConfigError` naming the first bad variable."""
    source = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in fields(Settings):
        meta = setting.metadata
        raw = source.get(meta["env"])
        if raw is None:
            if meta["default"] is None:
                raise ConfigError(meta["env"], "is required but not set")
            raw = meta["default"]
        try:
            values[setting.name] = meta["parse"](raw)
        except ValueError as error:
            raise ConfigError(meta["env"], f"invalid value: {error}") from None
    settings = Settings(**values)
    if settings.environment == "production" and not settings.session_cookie_secure:
        raise ConfigError("KANAL_SESSION_COOKIE_SECURE", "must be true when KANAL_ENV is production")
    if settings.default_language not in settings.languages:
        raise ConfigError(
            "KANAL_LANGUAGES", f"must include the default language {settings.default_language!r}"
        )
    if settings.seal_pkcs12_path and not settings.tsa_url:
        raise ConfigError("KANAL_TSA_URL", "is required when KANAL_SEAL_PKCS12 is set")
    if not settings.bankid_url and not (settings.bankid_cert_path and settings.bankid_key_path):
        raise ConfigError(
            "KANAL_BANKID_URL", "set it to the emulator, or set KANAL_BANKID_CERT and KANAL_BANKID_KEY"
        )
    return settings


def database_url_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """Only DATABASE_URL, for tools such as Alembic that need nothing else."""
    source = os.environ if environ is None else environ
    raw = source.get("DATABASE_URL", "sqlite:///instance/kanal.db")
    try:
        return _parse_database_url(raw)
    except ValueError as error:
        raise ConfigError("DATABASE_URL", f"invalid value: {error}") from None


def settings_table() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, for the README and `flask settings`."""
    return [
        (
            f.metadata["env"],
            "(required)" if f.metadata["default"] is None else f.metadata["default"],
            f.metadata["doc"],
        )
        for f in fields(Settings)
    ]
