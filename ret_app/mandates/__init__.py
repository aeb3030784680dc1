from flask import Blueprint

bp = Blueprint("mandates", __name__)

from ret_app.mandates import routes  # noqa: E402,F401
