"""A mandate holder's own mandates (the reading is audited by the service)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ret_app.caretypes import services as caretypes
from ret_app.kernel import dates
from ret_app.mandates import services
from ret_app.mandates.blueprint import bp
from ret_app.policy import Permission, requires


@bp.route("/")
@requires(Permission.VIEW_OWN_MANDATES)
def mine():
    mandates = services.own_mandates(current_user)
    return render_template("mandates/mine.html", mandates=mandates, today=dates.today(),
                           expiring_soon=services.expiring_soon,
                           care_names=caretypes.names_for(m.municipality.region_id for m in mandates))
