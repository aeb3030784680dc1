"""The signal list, a signal's page, the gap overview and the signal report (routes.py)."""

from flask import Blueprint

bp = Blueprint("signals", __name__)
