"""Security baseline: cookie flags, CSRF, rate limiting and the response headers every page carries."""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="kanal_session",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.staff_session_minutes),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; idle timeouts end both
        RATELIMIT_STORAGE_URI=settings.rate_limit_storage_url,
        RATELIMIT_HEADERS_ENABLED=True,
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,
    )
    if settings.trusted_proxies:
        # Behind a load balancer the client's address and scheme arrive in X-Forwarded-* headers; trust exactly as
        # many hops as the operator configured, so a visitor cannot forge their address past the rate limit.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    csrf.init_app(app)
    limiter.init_app(app)

    baseline = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if settings.session_cookie_secure:
        baseline.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    # Pages may show personal data; never keep them in shared caches or the back-forward cache of others.
    html_only = [("Cache-Control", "no-store")]

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        """Every header of the baseline that the view has not set itself (one pass, not a search per header)."""
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        wanted = baseline + html_only if response.mimetype == "text/html" else baseline
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response
