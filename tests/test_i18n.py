"""Interface language: Dutch by default, English on request.

The msgids are the English texts in the code and templates. These tests extract them from the
current source exactly as scripts/update-translations.sh does, and fail with the list of texts
that have no (or only a fuzzy) Dutch translation in ret_app/translations/nl/LC_MESSAGES/messages.po.
Fix: run `scripts/update-translations.sh`, translate what it lists, run it again.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask_wtf import FlaskForm
from wtforms import DateField

from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "ret_app" / "translations"
NL_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
HOW_TO_FIX = ("Run scripts/update-translations.sh, translate the texts it lists in "
              "ret_app/translations/nl/LC_MESSAGES/messages.po (and drop any '#, fuzzy' line), then run it again.")

# %(name)s, %s, %d, %.2f ... and %% (a literal percent sign).
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>[diouxXeEfFgGcrsa%])?")


def compile_catalogues() -> list[Path]:
    """Compile each .po to .mo when the .mo is missing or older than the .po. Returns what it wrote."""
    written = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # fuzzy entries are left out, as pybabel compile does
        mo.write_bytes(buffer.getvalue())
        written.append(mo)
    return written


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues(app):
    """Make `pytest` work without `make`: compile if needed, then drop Flask-Babel's cache of
    translations, which another test module may have filled before the .mo existed."""
    compile_catalogues()
    with app.app_context():
        app.extensions["babel"].instance.domain_instance.cache.clear()
    yield


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the current source, extracted with babel.cfg like the update script does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "--add-location=file", "-o", str(pot), str(ROOT),
    ])
    messages = [m for m in _read(pot) if m.id]
    for message in messages:  # locations relative to the repository, for readable failures
        message.locations = [(Path(path).resolve().relative_to(ROOT).as_posix(), line)
                             for path, line in message.locations]
    return messages


@pytest.fixture(scope="module")
def nl_catalog():
    assert NL_PO.exists(), f"{NL_PO} is missing. {HOW_TO_FIX}"
    return _read(NL_PO, "nl")


def _describe(message) -> str:
    where = ", ".join(sorted({path for path, _line in message.locations})) or "?"
    return f"  {message.id!r}  ({where})"


def _strings(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _placeholders(text: str) -> list[str]:
    found = []
    for match in PLACEHOLDER.finditer(text):
        if match.group("conv") == "%":
            continue  # "%%" is a literal percent sign
        found.append(match.group(0))
    return sorted(found)


# --- (a) every text in the source has a Dutch translation --------------------------------------

def test_extraction_finds_the_texts_of_code_and_templates(extracted):
    paths = {path for m in extracted for path, _line in m.locations}
    assert any(p.startswith("ret_app/") for p in paths), paths
    assert any(p.startswith("templates/") for p in paths), paths
    assert not any(".venv" in p for p in paths)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted}
    # one of each kind: _() in a template, _l() in Python, gettext _() in Python, ngettext in a template
    assert {"Sign in to RET", "RET chair", "This password is not correct.",
            "%(num)d of your mandates expires within 30 days."} <= ids


def test_every_text_has_a_dutch_translation(extracted, nl_catalog):
    missing, fuzzy, plural_mismatch = [], [], []
    for message in extracted:
        translated = nl_catalog.get(message.id, context=message.context)
        if translated is None or not all(_strings(translated)):
            missing.append(message)
        elif translated.fuzzy:
            fuzzy.append(message)
        elif isinstance(message.id, tuple) != isinstance(translated.id, tuple) or (
                isinstance(message.id, tuple) and message.id[1] != translated.id[1]):
            plural_mismatch.append(message)
    problems = []
    if missing:
        problems.append(f"{len(missing)} text(s) without a Dutch translation:\n" + "\n".join(map(_describe, missing)))
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy (unchecked) translation(s):\n" + "\n".join(map(_describe, fuzzy)))
    if plural_mismatch:
        problems.append(f"{len(plural_mismatch)} text(s) whose plural form changed:\n"
                        + "\n".join(map(_describe, plural_mismatch)))
    assert not problems, "\n".join(problems) + "\n" + HOW_TO_FIX


def test_the_catalogue_has_no_fuzzy_entries(nl_catalog):
    fuzzy = [m for m in nl_catalog if m.id and m.fuzzy]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(map(_describe, fuzzy)) + "\n" + HOW_TO_FIX


def test_dutch_plural_forms(nl_catalog):
    assert nl_catalog.num_plurals == 2
    assert nl_catalog.plural_expr.replace(" ", "") in ("(n!=1)", "n!=1")
    for message in nl_catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == 2 and all(message.string), message.id


# --- (b) placeholders survive translation ------------------------------------------------------

def test_translations_keep_the_placeholders(nl_catalog):
    wrong = []
    for message in nl_catalog:
        if not message.id or not all(_strings(message)):
            continue
        if isinstance(message.id, tuple):
            pairs = [(message.id[0], message.string[0])] + [(message.id[1], s) for s in message.string[1:]]
        else:
            pairs = [(message.id, message.string)]
        for source, target in pairs:
            if _placeholders(source) != _placeholders(target):
                wrong.append(f"  {source!r}\n    -> {target!r}: {_placeholders(source)} vs {_placeholders(target)}")
    assert not wrong, "translations whose %-placeholders differ from the English text:\n" + "\n".join(wrong)


def test_babel_catalogue_checks_pass(nl_catalog):
    errors = [(message.id, [str(e) for e in errs]) for message, errs in nl_catalog.check()]
    assert not errors, errors


# --- (c) the catalogue compiles and the compiled file is used ----------------------------------

def test_the_dutch_catalogue_compiles():
    catalog = _read(NL_PO, "nl")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(fp=buffer)
    assert translations.gettext("Sign in") == "Inloggen"
    assert translations.ngettext("%(num)d other session has been ended.",
                                 "%(num)d other sessions have been ended.", 3) % {"num": 3} \
        == "3 andere sessies zijn beëindigd."
    assert translations.ngettext("%(num)d other session has been ended.",
                                 "%(num)d other sessions have been ended.", 1) % {"num": 1} \
        == "1 andere sessie is beëindigd."


def test_the_compiled_catalogue_is_up_to_date():
    mo = NL_PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= NL_PO.stat().st_mtime


def test_flask_babel_finds_the_catalogues_in_ret_app_translations(app):
    directories = [Path(d).resolve() for d in app.extensions["babel"].translation_directories]
    assert TRANSLATIONS.resolve() in directories


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_update_script_check_mode_agrees():
    """`scripts/update-translations.sh --check` (for CI) writes nothing and exits 0 when complete."""
    before = NL_PO.read_bytes()
    result = subprocess.run(["bash", str(ROOT / "scripts" / "update-translations.sh"), "--check"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHON": sys.executable})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 to translate or check" in result.stdout
    assert NL_PO.read_bytes() == before


# --- (d) the pages: Dutch by default, English after choosing it --------------------------------

def test_login_page_is_dutch_by_default(client):
    html = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="nl"' in html
    assert "Inloggen bij RET" in html
    assert "<title>Inloggen — RET</title>" in html
    assert "E-mailadres" in html and "Wachtwoord" in html
    assert "Sign in to RET" not in html


def test_language_switch_to_english_and_back(client):
    token = csrf_token(client, "/inloggen")
    response = client.post("/taal", data={"csrf_token": token, "lang": "en", "next": "/inloggen"})
    assert response.status_code == 302
    html = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Sign in to RET" in html and "E-mail address" in html
    assert "Inloggen bij RET" not in html

    token = csrf_token(client, "/inloggen")
    client.post("/taal", data={"csrf_token": token, "lang": "nl", "next": "/inloggen"})
    html = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="nl"' in html and "Inloggen bij RET" in html


def test_unknown_language_is_ignored(client):
    token = csrf_token(client, "/inloggen")
    client.post("/taal", data={"csrf_token": token, "lang": "fr", "next": "/inloggen"})
    assert '<html lang="nl"' in client.get("/inloggen").get_data(as_text=True)


def test_messages_from_python_are_dutch(client):
    """Lazy texts (form errors defined at import time) and error pages follow the locale."""
    token = csrf_token(client, "/inloggen")
    html = client.post("/inloggen", data={"csrf_token": token, "email": "", "password": ""}).get_data(as_text=True)
    assert "Dit veld is verplicht." in html
    html = client.get("/bestaat-niet").get_data(as_text=True)
    assert "Pagina niet gevonden" in html


def test_signed_in_pages_are_dutch(client, login_as):
    login_as("admin")
    html = client.get("/start").get_data(as_text=True)
    assert "Welkom," in html
    assert "Functioneel beheerder" in html  # role label (lazy, from ret_app/templating.py)
    assert "Uitloggen" in html


# --- (e) WTForms' own messages (Flask-WTF's i18n with Flask-Babel 4) --------------------------

class _DateForm(FlaskForm):
    class Meta:
        csrf = False

    day = DateField()


def _date_errors(app, lang: str | None) -> list[str]:
    with app.test_request_context("/", method="POST", data={"day": "31-02-2026"}):
        from flask import session
        from flask_babel import refresh

        if lang:
            session["lang"] = lang
            refresh()
        form = _DateForm()
        form.validate()
        return [str(e) for e in form.day.errors]


def test_wtforms_builtin_messages_follow_the_locale(app):
    assert app.config.get("WTF_I18N_ENABLED", True)
    assert _date_errors(app, None) == ["Ongeldige datum."]
    assert _date_errors(app, "en") == ["Not a valid date value."]


def test_wtforms_builtin_message_on_a_page(client, login_as):
    login_as("admin")
    html = client.get("/beheer/audit?date_from=31-02-2026").get_data(as_text=True)
    assert "Ongeldige datum." in html
