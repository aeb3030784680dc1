"""The account blueprint (its routes are in routes.py; capability.py installs both)."""

from flask import Blueprint

bp = Blueprint("account", __name__)
