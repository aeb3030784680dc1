"""The reflection report's page (routes.py)."""

from flask import Blueprint

bp = Blueprint("reflection", __name__)
