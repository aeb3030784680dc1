"""RET: case coordination for a Regional Expert Team and its HSWV collective."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from ret_app.extensions import babel, csrf, db, htmx, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent.parent


def _database_url(url: str) -> str:
    # Accept the common postgres:// and postgresql:// forms; we drive PostgreSQL with psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret(app: Flask) -> str:
    """A stable per-checkout key for development, so restarts keep CSRF tokens valid."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: Optional[type[config_module.Config]] = None, overrides: Optional[dict] = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    from ret_app.urls import IdConverter

    # Before any route is added: every <int:...> in a path is an id the database can hold (else 404).
    app.url_map.converters["int"] = IdConverter
    config_class = config or config_module.config_from_env()
    if config_class is config_module.ProductionConfig:
        config_module.ProductionConfig.check()
    app.config.from_object(config_class)
    if config_class is config_module.ProductionConfig:
        # The class attributes were read when config.py was imported; use the values check() approved.
        app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
                          BASE_URL=os.environ["RET_BASE_URL"],
                          EXTRA_TRUSTED_HOSTS=config_module.env_list("RET_TRUSTED_HOSTS"))
    app.config.update(overrides or {})
    _configure_hosts(app, production=config_class is config_module.ProductionConfig)
    if app.config["ENV_NAME"] == "development" and not os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)

    from ret_app.urls import TrustedHostCheck

    # Outermost first: the proxies' headers are applied, then the resulting host is checked.
    app.wsgi_app = TrustedHostCheck(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config["TRUSTED_PROXY_COUNT"]:
        n = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    _init_extensions(app)
    from ret_app.kernel import uow

    uow.register(app)  # first among the request hooks: everything after it belongs to the unit of work
    from ret_app import inputs

    inputs.register(app)  # no NUL in header values or query strings (outermost WSGI layer)
    _install_capabilities(app)

    from ret_app import cli, errors, security, templating

    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    uow.register_finish(app, errors.conflict_response)  # last: it runs first after the view
    logging.getLogger("ret_app").setLevel(logging.INFO)
    return app


def _configure_hosts(app: Flask, *, production: bool) -> None:
    """Check BASE_URL and derive the trusted host names from it: always in production, elsewhere
    only when extra hosts are configured (development and tests accept any host)."""
    from urllib.parse import urlsplit

    problem = config_module.base_url_problem(app.config["BASE_URL"], require_https=production)
    if problem:
        raise RuntimeError(problem)
    extra = list(app.config.get("EXTRA_TRUSTED_HOSTS") or [])
    if app.config.get("TRUSTED_HOSTS") is None and (production or extra):
        app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["BASE_URL"]).hostname, *extra]


def _init_extensions(app: Flask) -> None:
    from ret_app import models  # noqa: F401  (register all tables on the metadata)
    from ret_app.sessions import DatabaseSessionInterface

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Europe/Amsterdam")
    app.session_interface = DatabaseSessionInterface()

    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session is rotated on login instead
    login_manager.login_view = "auth.login"

    from sqlalchemy.orm import joinedload

    from ret_app.auth.login import unauthorized
    from ret_app.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            # With the organisation: the policy reads it on almost every page, and a list that happens to
            # show the user (the admin's user list) must not decide whether that costs a query.
            user = db.session.get(User, int(user_id), options=[joinedload(User.organisation)])
        except (TypeError, ValueError):
            return None
        return user if user is not None and user.is_active else None

    login_manager.unauthorized_handler(unauthorized)


def _select_locale() -> str:
    languages = ("nl", "en")
    chosen = session.get("lang") if request else None
    if chosen in languages:
        return chosen
    return "nl"


def _install_capabilities(app: Flask) -> None:
    """Install every capability listed in ret_app/capabilities.py (blueprints, registrations)."""
    import importlib

    from ret_app.capabilities import CAPABILITIES
    from ret_app.kernel.registry import Registry

    registry = app.extensions["ret_registry"] = Registry()
    for name in CAPABILITIES:
        registry.install(app, importlib.import_module(name).capability)
