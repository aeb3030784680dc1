"""A mandate holder's own mandates."""

from __future__ import annotations


from flask import render_template
from flask_login import current_user

from ret_app import audit
from ret_app.extensions import db
from ret_app.mandates.blueprint import bp
from ret_app.mandates import services
from ret_app.policy import Permission, requires
from ret_app.kernel import dates


@bp.route("/")
@requires(Permission.VIEW_OWN_MANDATES)
def mine():
    mandates = services.mandates_of(current_user)
    audit.record(audit.Action.READ, object_type="mandate_list", object_id=current_user.id, detail="own_mandates")
    db.session.commit()
    return render_template("mandates/mine.html", mandates=mandates, today=dates.today(),
                           expiring_soon=services.expiring_soon)
