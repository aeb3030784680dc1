"""Configuration from environment variables.

`create_app()` picks a class by RET_ENV (development | test | production). Production refuses
to start without DATABASE_URL, SECRET_KEY and RET_BASE_URL.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str) -> list[str]:
    """A comma-separated environment variable as a list (empty items left out)."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def base_url_problem(url: str, *, require_https: bool) -> Optional[str]:
    """Why `url` cannot be RET's base URL (None when it can): scheme and host (and port) only."""
    if not url or any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        return "RET_BASE_URL must be an address like https://ret.example.nl (no spaces)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "RET_BASE_URL is not a valid address"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "RET_BASE_URL must start with https:// and name a host"
    if require_https and parts.scheme != "https":
        return "RET_BASE_URL must use https in production"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        return "RET_BASE_URL holds the scheme and host only (no path, query or user)"
    return None


class Config:
    ENV_NAME = "development"
    DEMO_ALLOWED = True
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'ret.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Uploads and request bodies larger than this answer 413.
    MAX_CONTENT_LENGTH = _env_int("RET_MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
    # Case attachments live outside static/ and are only served through the access policy.
    ATTACHMENT_DIR = os.environ.get("RET_ATTACHMENT_DIR", str(BASE_DIR / "instance" / "attachments"))
    ATTACHMENT_MAX_BYTES = _env_int("RET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    # Every erasure is also written here, outside the database, so that a restored backup does not bring an
    # erased case back (ret_app/erasure/ledger.py). Keep it on other storage than the database's backups.
    ERASURE_LEDGER = os.environ.get("RET_ERASURE_LEDGER", str(BASE_DIR / "instance" / "erasure-ledger.jsonl"))

    # Server-side sessions (ret_app/sessions.py).
    SESSION_COOKIE_NAME = os.environ.get("RET_SESSION_COOKIE", "ret_session")
    SESSION_COOKIE_SECURE = _env_bool("RET_COOKIE_SECURE", False)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_TIMEOUT_MINUTES = _env_int("RET_SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_TIMEOUT_HOURS = _env_int("RET_SESSION_ABSOLUTE_HOURS", 12)
    # A session row's last-seen time is written at most this often (seconds).
    SESSION_TOUCH_INTERVAL_SECONDS = 30
    # Sensitive actions (2FA reset, role change) need a password/TOTP check this recent.
    REAUTH_MAX_AGE_MINUTES = 15

    # Login throttling (state in the database, shared by all workers).
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_LOCKOUT_MINUTES = 15
    LOGIN_SLOWDOWN_AFTER = 3  # failures after which each attempt waits longer

    # Argon2id parameters (argon2-cffi defaults are RFC 9106 "low memory").
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    ACTIVATION_VALID_DAYS = 7
    RECOVERY_CODE_COUNT = 10
    TOTP_ISSUER = os.environ.get("RET_TOTP_ISSUER", "RET")

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server-side session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = {"nl": "Nederlands", "en": "English"}

    HSTS = False
    TRUSTED_PROXY_COUNT = _env_int("RET_TRUSTED_PROXIES", 0)
    # Where users reach RET (scheme and host): every absolute link handed out (activation links,
    # the calendar file) is built from it, never from the request's Host or X-Forwarded-Host.
    BASE_URL = os.environ.get("RET_BASE_URL", "http://127.0.0.1:5000")
    # Host names accepted besides BASE_URL's (RET_TRUSTED_HOSTS, comma-separated; ".example.nl"
    # accepts its subdomains). create_app() derives Flask's TRUSTED_HOSTS from both in production
    # (and elsewhere when RET_TRUSTED_HOSTS is set): a request for any other host answers 400.
    EXTRA_TRUSTED_HOSTS = env_list("RET_TRUSTED_HOSTS")
    TRUSTED_HOSTS: Optional[list[str]] = None  # None: any host (development and tests)
    AUDIT_PAGE_SIZE = 50

    # Periodic jobs (ret_app/jobs). On SQLite the development server runs the due jobs in its own
    # process when RET_JOBS_IN_PROCESS is set (the Makefile's `run` target sets it); never in
    # production, where `flask jobs-worker` processes run them from the PostgreSQL queue.
    JOBS_IN_PROCESS = _env_bool("RET_JOBS_IN_PROCESS", False)
    JOBS_IN_PROCESS_INTERVAL_SECONDS = _env_int("RET_JOBS_IN_PROCESS_INTERVAL", 60)
    JOBS_IN_PROCESS_START_SECONDS = 5  # the first check, once the server is up
    # The queue's workers (procrastinate): heartbeat, when a silent worker's jobs are taken back,
    # how often that is checked, how late a missed schedule point is still run, how long finished
    # jobs are kept.
    JOBS_HEARTBEAT_SECONDS = _env_int("RET_JOBS_HEARTBEAT_SECONDS", 10)
    JOBS_STALLED_AFTER_SECONDS = _env_int("RET_JOBS_STALLED_AFTER_SECONDS", 60)
    JOBS_STALLED_CHECK_CRON = "* * * * *"
    JOBS_CATCH_UP_SECONDS = 24 * 3600
    JOBS_KEEP_FINISHED_DAYS = 30
    # E-mail (Flask-Mailman): notifications, activation links and notices of credential changes.
    # SMTP when MAIL_SERVER is set; otherwise development prints each mail to the console and the
    # tests keep them in memory (locmem). Production without MAIL_SERVER sends no mail at all.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)  # seconds: a slow mail server never holds a request long
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "RET <noreply@ret.invalid>")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if os.environ.get("MAIL_SERVER") else "console")


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # Never the development attachments; tests that look at files point this at their tmp_path.
    ATTACHMENT_DIR = os.environ.get("RET_TEST_ATTACHMENT_DIR",
                                    os.path.join(tempfile.gettempdir(), "ret-test-attachments"))
    ERASURE_LEDGER = os.environ.get("RET_TEST_ERASURE_LEDGER",
                                    os.path.join(tempfile.gettempdir(), f"ret-test-erasure-ledger-{os.getpid()}.jsonl"))
    # Cheap hashing keeps the suite fast; the algorithm stays Argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8192
    ARGON2_PARALLELISM = 1
    SESSION_TOUCH_INTERVAL_SECONDS = 0
    # The test client's own address; links in tests must never depend on a developer's environment.
    BASE_URL = "http://localhost"
    EXTRA_TRUSTED_HOSTS: list[str] = []
    JOBS_IN_PROCESS = False  # tests run the jobs themselves
    MAIL_BACKEND = "locmem"  # the sent messages, for the tests to read (never a developer's SMTP server)
    MAIL_DEFAULT_SENDER = "RET <noreply@ret.invalid>"


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEMO_ALLOWED = False
    SESSION_COOKIE_NAME = "__Host-ret_session"
    SESSION_COOKIE_SECURE = True
    HSTS = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if os.environ.get("MAIL_SERVER") else "dummy")

    @classmethod
    def check(cls) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "RET_BASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production configuration needs these environment variables: " + ", ".join(missing)
            )
        if _env_bool("RET_JOBS_IN_PROCESS", False):
            raise RuntimeError("RET_JOBS_IN_PROCESS is for the development server only; in production "
                               "run `flask jobs-worker` processes (docs/production.md)")
        if len(os.environ["SECRET_KEY"]) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters in production")
        problem = base_url_problem(os.environ["RET_BASE_URL"], require_https=True)
        if problem:
            raise RuntimeError(problem)


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("RET_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown RET_ENV {name!r}; use one of {', '.join(CONFIGS)}") from None
