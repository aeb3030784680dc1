"""The sessions' blueprints (routes in *_routes.py; capability.py installs them)."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
actions_bp = Blueprint("actions", __name__)
