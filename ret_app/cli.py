"""Flask commands: seed-demo, verify-audit, seal-audit, create-admin, purge-expired, demo-totp.

Each command is one unit of work: it commits when it ends normally and rolls back when it fails or
refuses (exit status 2)."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from sqlalchemy import delete, or_, select

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.kernel.uow import in_unit_of_work


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    @in_unit_of_work
    def seed_demo(if_empty: bool) -> None:
        """Fill the database with the fictional demo regions, organisations, users and mandates."""
        if not current_app.config["DEMO_ALLOWED"]:
            click.echo("Refused: demo data must never be seeded with production configuration.", err=True)
            sys.exit(2)
        from ret_app import demo

        if if_empty and not demo.database_is_empty():
            click.echo("Database already has data; demo seeding skipped.")
            return
        if not demo.database_is_empty():
            click.echo("Refused: the database already has data. Use a fresh database for the demo.", err=True)
            sys.exit(2)
        summary = demo.seed()
        click.echo(f"Demo region seeded: {summary}")
        from ret_app.api.demo import DEMO_SECRET

        click.echo(f"Monitor API (demo token of the policy organisation of Midden-IJssel/Oost-Veluwe): "
                   f"curl -H 'Authorization: Bearer {DEMO_SECRET}' http://127.0.0.1:5000/api/v1/flow")

    @app.cli.command("verify-audit")
    @click.option("--full", is_flag=True, help="Check from the first event instead of from the newest checkpoint.")
    @in_unit_of_work
    def verify_audit(full: bool) -> None:
        """Check the audit trail's hash chain; exit 1 naming the first broken event. Without --full the
        check starts at the newest checkpoint (the end of the last successful check); a successful
        check records a new checkpoint."""
        report = audit.verify_chain(full=full, store_checkpoint=True)
        start = "the first event" if report.from_seq <= 1 else f"checkpoint seq {report.from_seq - 1}"
        waiting = ""
        if report.pending:
            age = utcnow() - report.oldest_pending if report.oldest_pending else timedelta(0)
            waiting = f" {report.pending} newer events wait to be linked (oldest {int(age.total_seconds())} s)."
            if age > timedelta(minutes=5):
                waiting += " That is longer than it should take: run `flask seal-audit`."
        if report.ok:
            click.echo(f"Audit trail intact: {report.checked} events verified from {start}.{waiting}")
            return
        click.echo(
            f"AUDIT TRAIL BROKEN at event seq {report.broken_seq} (id {report.broken_id}): {report.reason}. "
            f"{report.checked} events before it (from {start}) are intact.{waiting}",
            err=True,
        )
        sys.exit(1)

    @app.cli.command("seal-audit")
    def seal_audit() -> None:
        """Link audit events that wait for their place in the hash chain (normally done right after
        each request; useful after a crash or before a downgrade)."""
        linked = audit.seal_pending()
        click.echo(f"Linked {linked} audit events into the chain.")

    @app.cli.command("create-admin")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--organisation", "organisation_name", required=True,
                  help="Name of the management organisation; created when missing.")
    @in_unit_of_work
    def create_admin(email: str, name: str, organisation_name: str) -> None:
        """Create the first functional administrator and print their one-time activation link."""
        from ret_app.admin.services import RuleError, create_user
        from ret_app.models import Organisation, OrganisationKind

        org = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
        if org is None:
            org = Organisation(name=organisation_name, kind=OrganisationKind.MANAGEMENT.value)
            db.session.add(org)
            db.session.flush()
        try:
            created = create_user({"name": name, "email": email.strip().lower(), "role": "admin",
                                   "organisation_id": org.id}, actor=None)  # type: ignore[arg-type]
        except RuleError as error:
            click.echo(f"Refused: {error}", err=True)
            sys.exit(2)
        from ret_app.urls import external_url

        click.echo(f"Administrator created. One-time activation link (valid "
                   f"{current_app.config['ACTIVATION_VALID_DAYS']} days): "
                   f"{external_url('auth.activate', token=created.activation_token)}")

    @app.cli.command("purge-expired")
    @click.option("--dry-run", is_flag=True,
                  help="Change nothing: only list the closed cases past retention that a destruction list would get.")
    def purge_expired(dry_run: bool) -> None:
        """Delete ended sessions, stale login throttles and dead activation links; draft the destruction
        list of cases past retention (not on legal hold) and purge the lists the privacy officer approved
        (ret_app/erasure/purge.py: a transaction per case, so an interrupted purge finishes when run again)."""
        from ret_app.erasure import purge

        if not dry_run:
            _purge_sessions()
        purge.purge_expired_cases(dry_run=dry_run, echo=click.echo)

    @in_unit_of_work
    def _purge_sessions() -> None:
        from ret_app.models import ActivationToken, AuthThrottle, WebSession

        from ret_app.sessions import record_timeout, session_expiry_reason

        now = utcnow()
        idle = timedelta(minutes=current_app.config["SESSION_IDLE_TIMEOUT_MINUTES"])
        absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_TIMEOUT_HOURS"])
        # Signed-in sessions that timed out without their browser coming back: audited now.
        for row in db.session.scalars(select(WebSession).where(
                WebSession.ended_at.is_(None), WebSession.user_id.is_not(None),
                or_(WebSession.last_seen_at < now - idle, WebSession.created_at < now - absolute))):
            record_timeout(row, session_expiry_reason(row, now, current_app) or "", ";found_by_purge")
        sessions = db.session.execute(delete(WebSession).where(or_(
            WebSession.ended_at.is_not(None), WebSession.last_seen_at < now - idle,
            WebSession.created_at < now - absolute))).rowcount
        throttles = db.session.execute(delete(AuthThrottle).where(
            AuthThrottle.window_started_at < now - timedelta(days=1),
            or_(AuthThrottle.blocked_until.is_(None), AuthThrottle.blocked_until < now))).rowcount
        tokens = db.session.execute(delete(ActivationToken).where(or_(
            ActivationToken.expires_at < now - timedelta(days=30),
            ActivationToken.revoked_at < now - timedelta(days=30)))).rowcount
        click.echo(f"Purged {sessions} sessions, {throttles} throttle records, {tokens} activation links.")

    @app.cli.command("demo-totp")
    @click.argument("email")
    def demo_totp(email: str) -> None:
        """Print the current TOTP code of a demo account (demo configuration only)."""
        if not current_app.config["DEMO_ALLOWED"]:
            click.echo("Refused: only available for the demo.", err=True)
            sys.exit(2)
        from ret_app import demo

        code = demo.current_code(email)
        if code is None:
            click.echo("No such demo account.", err=True)
            sys.exit(1)
        click.echo(code)
