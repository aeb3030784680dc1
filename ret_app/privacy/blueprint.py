"""The privacy hub, a case's access log and the register of processing (routes.py)."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
