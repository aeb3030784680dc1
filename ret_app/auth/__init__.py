from flask import Blueprint

bp = Blueprint("auth", __name__)

from ret_app.auth import routes  # noqa: E402,F401
