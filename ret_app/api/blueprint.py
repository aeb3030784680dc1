"""The API's blueprint (/api/v1: bearer token only, no session, no CSRF) and the administrator's
token pages (/beheer/api-sleutels: a signed-in administrator, CSRF-protected like every form)."""

from flask import Blueprint

bp = Blueprint("api", __name__)
tokens_bp = Blueprint("api_tokens", __name__)
