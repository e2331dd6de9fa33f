#!/usr/bin/env bash
# `make run`: migrate and seed a development database, then run the web app, the BankID emulator and the outbox
# worker side by side until Ctrl-C (or until one of them stops), and stop all of them together.
# Every setting can be overridden from the environment, e.g. `DATABASE_URL=postgresql://... make run`.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
bin="$root/.venv/bin"
instance="$root/instance"
mkdir -p "$instance"

# A random secret kept across restarts, so sessions survive them; readable by this user only.
secret_file="$instance/secret_key"
if [ ! -s "$secret_file" ]; then
  (umask 077 && "$bin/python" -c 'import secrets; print(secrets.token_hex(32))' >"$secret_file")
fi
chmod 600 "$secret_file"

export KANAL_SECRET_KEY="${KANAL_SECRET_KEY:-$(cat "$secret_file")}"
export KANAL_ENV="${KANAL_ENV:-development}"
export KANAL_SESSION_COOKIE_SECURE="${KANAL_SESSION_COOKIE_SECURE:-false}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$instance/kanal.db}"
export KANAL_BANKID_URL="${KANAL_BANKID_URL:-http://127.0.0.1:5001}"
export KANAL_BASE_URL="${KANAL_BASE_URL:-http://localhost:5000}"
# Unless a mail server is given, e-mail goes to a local development server that keeps each message in instance/mail.
if [ -z "${KANAL_SMTP_HOST:-}" ]; then
  export KANAL_SMTP_HOST=127.0.0.1 KANAL_SMTP_PORT="${KANAL_SMTP_PORT:-1025}"
  local_mail=yes
fi
export FLASK_APP=wsgi
web_port="${KANAL_PORT:-5000}"
emulator_port="${KANAL_BANKID_URL##*:}"

"$bin/flask" db-upgrade

# seed-demo prints the demo accounts only when it creates them; keep that list to show it on every start.
credentials="$instance/demo-credentials.txt"
seeded=$("$bin/flask" seed-demo)
if [ -n "$seeded" ]; then
  (umask 077 && printf '%s\n' "$seeded" >"$credentials")
fi

children=()
stop_all() {
  trap - INT TERM EXIT
  if [ "${#children[@]}" -gt 0 ]; then
    kill -TERM "${children[@]}" 2>/dev/null || true
    wait "${children[@]}" 2>/dev/null || true
  fi
}
trap 'echo "Stopping Kanal..." >&2; stop_all; exit 130' INT
trap 'echo "Stopping Kanal..." >&2; stop_all; exit 143' TERM
trap stop_all EXIT

if [ -f signing/emulator/__main__.py ]; then
  "$bin/python" -m signing.emulator --host 127.0.0.1 --port "$emulator_port" --quiet &
  children+=($!)
  emulator="BankID emulator: $KANAL_BANKID_URL"
else
  emulator="BankID emulator: not part of this version yet"
fi

if [ "${local_mail:-}" = yes ]; then
  "$bin/python" -m eservices.channels.contrib.email.devserver --host "$KANAL_SMTP_HOST" --port "$KANAL_SMTP_PORT" \
    --directory "$instance/mail" &
  children+=($!)
  # The worker sends the seeded cases' e-mail at once; let the server listen first (or it waits for a retry).
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/$KANAL_SMTP_HOST/$KANAL_SMTP_PORT") 2>/dev/null && break
    sleep 0.1
  done
  mail="E-mail:          kept as .eml files in $instance/mail (local SMTP server on port $KANAL_SMTP_PORT)"
else
  mail="E-mail:          sent through $KANAL_SMTP_HOST:${KANAL_SMTP_PORT:-25}"
fi

if "$bin/flask" worker --help >/dev/null 2>&1; then
  "$bin/flask" worker &
  children+=($!)
  worker="Outbox worker:   running"
else
  worker="Outbox worker:   not part of this version yet"
fi

# Threads rather than processes: one process keeps the in-memory rate limiter consistent during development.
"$bin/gunicorn" --bind "127.0.0.1:$web_port" --workers 1 --threads 4 --access-logfile - --log-level warning \
  wsgi:app &
children+=($!)

# Announce the address only once it answers, so the link in the terminal works when it appears.
"$bin/python" - "$web_port" <<'PY'
import sys
import time
import urllib.error
import urllib.request

deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2)  # noqa: S310 - our own server
        break
    except urllib.error.HTTPError:  # it answers, even if with an error page
        break
    except OSError:
        time.sleep(0.2)
PY

bar="================================================================================"
echo
echo "$bar"
echo "  Kanal is running: http://localhost:$web_port"
echo "  Staff login:      http://localhost:$web_port/staff/login"
echo "  $emulator"
echo "  $worker"
echo "  $mail"
echo "  Database:        $DATABASE_URL"
echo
if [ -s "$credentials" ]; then
  sed 's/^/  /' "$credentials"
else
  echo "  Demo accounts: see the README (this database was seeded before their list was kept)."
fi
echo
echo "  Press Ctrl-C to stop everything."
echo "$bar"
echo

# Stop everything as soon as any one part stops, so a crashed worker is never left unnoticed.
set +e
wait -n "${children[@]}"
status=$?
set -e
echo "A Kanal process ended (exit status $status); stopping the others." >&2
exit "$status"
