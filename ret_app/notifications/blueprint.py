"""The notifications blueprint (routes.py; capability.py installs both)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
