#!/usr/bin/env bash
# Runs pytest and passes its exit code through, except "no tests collected" (5), which is reported loudly and
# accepted: a part of the suite (say, the browser tests) may legitimately be empty while Kanal grows. Every real
# failure, error or interruption (1-4) still fails the build.
#   scripts/pytest-or-empty.sh PYTEST [ARGS...]
set -uo pipefail

"$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "NOTE: pytest collected no tests for: ${*:2}" >&2
  exit 0
fi
exit "$status"
