from flask import Blueprint

bp = Blueprint("account", __name__)

from ret_app.account import routes  # noqa: E402,F401
