"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`.

A configuration mistake stops start-up with one line that names the variable, not a traceback.
"""

import sys

from core.app import create_app
from core.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"Kanal cannot start: {error}", file=sys.stderr)
    raise SystemExit(2) from None
