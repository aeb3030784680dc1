"""GET /health: 200 {"status": "ok", ...} or 503 {"status": "unavailable", ...} for the load balancer."""

from __future__ import annotations

from flask import jsonify

from ret_app.operations import health
from ret_app.operations.blueprint import bp
from ret_app.policy import public


@bp.get("/health")
@public
def health_check():
    healthy, parts = health.check()
    response = jsonify({"status": "ok" if healthy else "unavailable", **parts})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
