"""The catalogue's management pages (routes.py; capability.py installs both under /beheer)."""

from flask import Blueprint

bp = Blueprint("caretypes", __name__)
