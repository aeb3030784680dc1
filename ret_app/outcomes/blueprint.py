"""The outcome page of a case and the administrator's gap taxonomy (routes.py; capability.py installs
them, the taxonomy under /beheer)."""

from flask import Blueprint

bp = Blueprint("outcomes", __name__)
