from flask import Blueprint

bp = Blueprint("main", __name__)

from ret_app.main import routes  # noqa: E402,F401
