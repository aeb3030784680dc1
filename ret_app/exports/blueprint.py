"""The exports blueprint (its routes are in routes.py; capability.py installs both)."""

from flask import Blueprint

bp = Blueprint("exports", __name__)
