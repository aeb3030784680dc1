"""The notifications' periodic work as `flask` commands (the job runner calls the same functions):
each one unit of work, idempotent (run twice, the second run notifies and mails nothing new)."""

from __future__ import annotations

from datetime import date
from typing import Optional

import click
from flask import Flask

from ret_app.kernel.uow import in_unit_of_work


def _day(value: Optional[str]) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


def register(app: Flask) -> None:
    from ret_app.notifications import services, watch

    @app.cli.command("send-digest")
    @click.option("--today", help="The day to summarise (YYYY-MM-DD; default: today in the Netherlands).")
    @in_unit_of_work
    def send_digest(today: Optional[str]) -> None:
        """Mail the daily summary of new notifications to everyone who chose it."""
        count = services.send_digest(_day(today))
        click.echo(f"Daily summaries to send: {count}")

    @app.cli.command("flag-overdue-requests")
    @click.option("--today", help="The day to check (YYYY-MM-DD; default: today in the Netherlands).")
    @in_unit_of_work
    def flag_overdue_requests(today: Optional[str]) -> None:
        """Notify process directors and chairs of requests unanswered past their reply-by date."""
        click.echo(f"Notifications made: {watch.flag_overdue_requests(_day(today))}")

    @app.cli.command("notify-expiring-mandates")
    @click.option("--today", help="The day to check (YYYY-MM-DD; default: today in the Netherlands).")
    @in_unit_of_work
    def notify_expiring_mandates(today: Optional[str]) -> None:
        """Notify holders and administrators of mandates that expire within 30 days."""
        click.echo(f"Notifications made: {watch.notify_expiring_mandates(_day(today))}")
