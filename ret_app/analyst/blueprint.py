"""The analyst's blueprint (its routes are in routes.py; capability.py installs both)."""

from flask import Blueprint

bp = Blueprint("analyst", __name__)
