"""The start page per role, and the language switch."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user

from ret_app.kernel.registry import build_cards
from ret_app.main import services
from ret_app.main.blueprint import bp
from ret_app.policy import Permission, public, requires
from ret_app.urls import safe_next

STATEMENT_DATE = date(2026, 12, 5)  # when the accessibility statement was last drawn up (update with it)


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.start"))
    return redirect(url_for("auth.login"))


@bp.route("/start")
@requires(Permission.USE_APP)
def start():
    return render_template("main/start.html", region=current_user.organisation.region,
                           alerts=build_cards("alerts", current_user), cards=build_cards("cards", current_user))


@bp.get("/ijkpunt")
@requires(Permission.USE_APP)
def floor():
    """The cheapest page there is: the base layout for the signed-in user and one query (the database's
    clock). `make bench` measures every page against it (benchmarks/, docs/performance.md)."""
    return render_template("main/floor.html", database_time=services.database_time())


@bp.route("/taal", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang")
    if lang in ("nl", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/toegankelijkheid")
@public
def accessibility():
    """The accessibility statement (the model of the Dutch government: toegankelijkheidsverklaring.nl)."""
    return render_template("main/accessibility.html", statement_date=STATEMENT_DATE)
