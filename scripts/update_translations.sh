#!/usr/bin/env bash
# Bring Kanal's Babel catalogs up to date with the code, in one command.
#
#   scripts/update_translations.sh               extract every UI string into translations/messages.pot, update
#                                                 (or create) the sv, en, da and ar catalogs, and list per language
#                                                 the message ids that still need a translation
#   scripts/update_translations.sh extract FILE  only extract, into FILE (tests/core/test_translations.py uses
#                                                 this, so the test and the catalogs see the same keywords)
#
# Which strings are read from where is in babel.cfg. Updating never guesses ("fuzzy" matching is off) and drops
# messages the code no longer uses, so a catalog holds exactly the code's messages. English is the language of
# the message ids, so new English entries get the id as their text; review the wording there if you like.
# After translating, `make translations` (or `pybabel compile -d translations`) builds the .mo files.
#
# Python comes from $PYTHON, else the active virtual environment, else .venv, else python3 on PATH.
set -euo pipefail

case "${1:-}" in
  "") extract_only="" ;;
  extract) extract_only=$(realpath -m "${2:?usage: update_translations.sh extract FILE}") ;;
  *) echo "usage: update_translations.sh [extract FILE]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

LANGUAGES=(sv en da ar)
TEMPLATE=translations/messages.pot
# Flask-Babel's lazy variants, besides Babel's defaults (_, gettext, ngettext, pgettext...).
KEYWORDS=(-k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2)

if [ -z "${PYTHON:-}" ]; then
  if [ -n "${VIRTUAL_ENV:-}" ]; then PYTHON="$VIRTUAL_ENV/bin/python"
  elif [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python
  else PYTHON=python3
  fi
fi

pybabel() {
  "$PYTHON" -m babel.messages.frontend "$@"
}

extract() {
  # File names without line numbers: translators see where a string lives, diffs stay quiet when code moves.
  pybabel --quiet extract -F babel.cfg "${KEYWORDS[@]}" \
    --add-location=file --add-comments=TRANSLATORS: --strip-comments \
    --ignore-dirs=".* ._ node_modules __pycache__ instance" \
    --project=Kanal --copyright-holder="Kanal contributors" \
    -o "$1" .
}

if [ -n "$extract_only" ]; then
  extract "$extract_only"
  exit 0
fi

mkdir -p translations
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
extract "$fresh"
# Only the creation date changed: keep the old template, so unchanged catalogs stay out of the diff.
if [ -f "$TEMPLATE" ] && cmp -s <(grep -v '^"POT-Creation-Date:' "$TEMPLATE") <(grep -v '^"POT-Creation-Date:' "$fresh"); then
  rm -f "$fresh"
else
  cat "$fresh" >"$TEMPLATE"
fi
for language in "${LANGUAGES[@]}"; do
  if [ -f "translations/$language/LC_MESSAGES/messages.po" ]; then
    pybabel --quiet update -i "$TEMPLATE" -d translations -l "$language" --no-fuzzy-matching --ignore-obsolete
  else
    pybabel --quiet init -i "$TEMPLATE" -d translations -l "$language"
  fi
done

# Fill English from the ids, then report what each language still lacks.
"$PYTHON" - "${LANGUAGES[@]}" <<'PYTHON'
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def texts(message):
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def load(path):
    with path.open("rb") as file:
        return read_po(file)


def save(catalog, path):
    with path.open("wb") as file:
        write_po(file, catalog, ignore_obsolete=True, include_previous=False, width=76)


english = Path("translations/en/LC_MESSAGES/messages.po")
catalog = load(english)
filled = 0
for message in catalog:
    if message.id and not any(texts(message)):
        if isinstance(message.id, (list, tuple)):
            singular, plural = message.id
            message.string = tuple([singular] + [plural] * (catalog.num_plurals - 1))
        else:
            message.string = message.id
        filled += 1
if filled:
    save(catalog, english)
    print(f"en: {filled} new message(s) took their English id as text")

missing_anywhere = False
for language in sys.argv[1:]:
    catalog = load(Path(f"translations/{language}/LC_MESSAGES/messages.po"))
    untranslated = [
        message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        for message in catalog
        if message.id and (message.fuzzy or not all(texts(message)))
    ]
    if untranslated:
        missing_anywhere = True
        print(f"\n{language}: {len(untranslated)} message(s) to translate in translations/{language}/LC_MESSAGES/messages.po")
        for message_id in untranslated:
            print(f"  - {message_id}")
if not missing_anywhere:
    print("Every catalog is complete.")
PYTHON
