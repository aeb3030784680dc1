"""The cases blueprint; its routes are split per part of the work."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from ret_app.cases import routes  # noqa: E402,F401
