"""The cases blueprint; its routes are split per part of the work."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from ret_app.cases import routes  # noqa: E402,F401
from ret_app.cases import referral_routes  # noqa: E402,F401
from ret_app.cases import screening_routes  # noqa: E402,F401
