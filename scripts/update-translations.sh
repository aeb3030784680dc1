#!/usr/bin/env bash
# Re-extract the English msgids from ret_app/**.py and templates/**.html, merge them into the Dutch
# catalogue (existing translations are kept), compile the catalogues to .mo, and report every
# message that still needs a translator.
#
#   scripts/update-translations.sh            extract + update + compile + report
#   scripts/update-translations.sh --check    report only (nothing is written); for CI / pre-commit
#
# Exits 1 when a Dutch message is untranslated or fuzzy: translate it in
# ret_app/translations/nl/LC_MESSAGES/messages.po (remove the "#, fuzzy" line once checked) and run
# the script again. English is the source language and needs no catalogue.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The Python that has Babel: $PYTHON if set, else the project's .venv, else python3 on the PATH.
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
pybabel() { "$PYTHON" -m babel.messages.frontend "$@"; }

TRANSLATIONS=ret_app/translations
POT=$TRANSLATIONS/messages.pot
LOCALES=(nl)

extract() {  # $1: output file
    pybabel -q extract -F babel.cfg -k _l -k lazy_gettext \
        --add-comments=TRANSLATORS: --add-location=file --sort-output \
        --project=RET --copyright-holder=RET \
        -o "$1" .
}

report() {  # $1: pot file; prints the problems and exits non-zero if there are any
    "$PYTHON" - "$1" "$TRANSLATIONS" "${LOCALES[@]}" <<'PY'
import sys
from pathlib import Path

from babel.messages.pofile import read_po

pot_path, translations, locales = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
with open(pot_path, "rb") as fh:
    template = read_po(fh)
wanted = [m.id for m in template if m.id]
problems = 0
for locale in locales:
    po_path = translations / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        print(f"{po_path}: missing; run scripts/update-translations.sh")
        problems += 1
        continue
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    for msgid in wanted:
        message = catalog.get(msgid)
        strings = () if message is None else (message.string if isinstance(message.string, tuple) else (message.string,))
        if message is None or not all(strings):
            print(f"{locale}: untranslated: {msgid!r}")
            problems += 1
        elif message.fuzzy:
            print(f"{locale}: fuzzy (check it, then remove the fuzzy flag): {msgid!r}")
            problems += 1
    print(f"{locale}: {len(wanted)} messages, {problems} to translate or check")
sys.exit(1 if problems else 0)
PY
}

if [[ "${1:-}" == "--check" ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    extract "$tmp/messages.pot"
    report "$tmp/messages.pot"
    exit $?
fi

extract "$POT"
for locale in "${LOCALES[@]}"; do
    if [[ -f $TRANSLATIONS/$locale/LC_MESSAGES/messages.po ]]; then
        pybabel -q update -i "$POT" -d "$TRANSLATIONS" -l "$locale" --ignore-obsolete
    else
        pybabel -q init -i "$POT" -d "$TRANSLATIONS" -l "$locale"
    fi
done
# Fuzzy entries are left out of the .mo (the English text shows until someone confirms them).
pybabel compile --statistics -d "$TRANSLATIONS"
report "$POT"
