"""Operations as a capability: the health check (GET /health, public, no data) and the commands
`backup`, `restore` and `reapply-erasures` (docs/production.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ret_app.expected import PUBLIC
from ret_app.extensions import csrf
from ret_app.kernel.registry import Capability
from ret_app.operations import routes  # noqa: F401  (views registered)
from ret_app.operations.blueprint import bp

csrf.exempt(bp)  # GET only

capability = (
    Capability("operations")
    .blueprint(bp)
    .expected_access({"operations.health_check": PUBLIC})
)


@capability.on_install
def _commands(app) -> None:
    @app.cli.command("backup")
    @click.argument("target", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(target: Path) -> None:
        """Back up the database and the attachment store into the new folder TARGET (with a manifest)."""
        from ret_app.operations import backup

        try:
            manifest = backup.make_backup(target)
        except backup.BackupError as error:
            click.echo(f"Backup failed: {error}", err=True)
            sys.exit(1)
        rows = sum(manifest["tables"].values())
        click.echo(f"Backup written to {target}: {rows} rows in {len(manifest['tables'])} tables, "
                   f"{len(manifest['attachments'])} attachment file(s), audit head {manifest['audit_head']}.")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Confirm: the database and the attachment store are replaced.")
    def restore_command(source: Path, yes: bool) -> None:
        """Replace the database and the attachment store with the backup in SOURCE, check them against its
        manifest, then erase again what the erasure ledger names. Stop gunicorn and the job workers first."""
        from ret_app.operations import backup

        if not yes:
            click.echo("Restore replaces the database and the attachment store: add --yes to go on.", err=True)
            sys.exit(2)
        try:
            check, erased = backup.restore_backup(source)
        except backup.BackupError as error:
            click.echo(f"Restore failed: {error}", err=True)
            sys.exit(1)
        click.echo(f"Restored from {source}: {backup.describe(check)}.")
        click.echo(f"{erased} case(s) erased again from the erasure ledger (erased after the backup was made).")
        if not check.ok:
            sys.exit(1)

    @app.cli.command("reapply-erasures")
    def reapply_erasures_command() -> None:
        """Erase again every case the erasure ledger names that is not erased (after restoring a backup)."""
        from ret_app.erasure import services

        click.echo(f"{services.reapply_ledger()} case(s) erased again from the erasure ledger.")
