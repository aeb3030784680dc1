"""The plan's blueprint (its routes are in routes.py; capability.py installs both)."""

from flask import Blueprint

bp = Blueprint("plans", __name__)
