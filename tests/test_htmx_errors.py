"""htmx swaps no 4xx/5xx answer: static/js/app.js shows a message instead (never for the background
poller). The message is translated: it travels in <body data-htmx-error>, as CSP forbids inline scripts."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale, gettext
from markupsafe import escape

from tests.conftest import csrf_token, login

HTMX_ERROR = ("Something went wrong while sending. What you entered is still in the form: "
              "try again, or reload the page.")
APP_JS = Path(__file__).resolve().parents[1] / "static" / "js" / "app.js"


def _translated(app, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(HTMX_ERROR)


def _body_tag(html: str) -> str:
    match = re.search(r"<body\b[^>]*>", html)
    assert match, "no <body>"
    return match.group(0)


def test_every_page_carries_the_translated_message(app, client, factory):
    # A public page (signed out) and a signed-in one.
    assert f'data-htmx-error="{escape(_translated(app, "nl"))}"' in _body_tag(
        client.get("/inloggen").get_data(as_text=True))
    user = factory.user("admin")
    login(client, app, user)
    body = _body_tag(client.get("/start").get_data(as_text=True))
    assert f'data-htmx-error="{escape(_translated(app, "nl"))}"' in body


def test_the_message_follows_the_language(app, client):
    token = csrf_token(client, "/inloggen")
    client.post("/taal", data={"csrf_token": token, "lang": "en", "next": "/inloggen"})
    tag = _body_tag(client.get("/inloggen").get_data(as_text=True))
    assert f'data-htmx-error="{escape(HTMX_ERROR)}"' in tag


def test_app_js_handles_htmx_errors_except_for_the_poller():
    script = APP_JS.read_text(encoding="utf-8")
    assert '"htmx:responseError"' in script and '"htmx:sendError"' in script
    assert "data-htmx-error" in script and "data-background-poll" in script
    assert 'setAttribute("role", "alert")' in script and "utrecht-alert--error" in script
    assert "innerHTML" not in script  # the message is text, never markup
