"""The re-referral blueprint (its routes are in routes.py; capability.py installs both)."""

from flask import Blueprint

bp = Blueprint("rereferrals", __name__)
