"""Running the destruction list: the nightly job drafts (and finishes any approved purge an interruption
left), approval hands the purge to the job runner, and `flask purge-expired` does both by hand
(`--dry-run`: only list the cases past retention).

The purge erases one case per transaction (its own unit of work: the erasure, its record, its audit
events and the entry's `erased_at` commit together), so a purge that dies halfway leaves every case either
whole or erased; running it again erases what is left."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import select

from ret_app.erasure import services
from ret_app.extensions import db
from ret_app.jobs import registry as jobs
from ret_app.jobs import tasks
from ret_app.kernel import uow
from ret_app.models import DestructionEntry, Region, User

TASK = "destruction-purge"
JOB = "destruction-list"


def purge(list_id: Optional[int] = None, actor_id: Optional[int] = None) -> int:
    """Erase the remaining entries of the approved lists (or of one), a unit of work per case."""
    erased = 0
    for _list_id, entry_id in services.approved_entries(list_id):
        with uow.unit_of_work():
            actor = db.session.get(User, actor_id) if actor_id else None
            entry = db.session.get(DestructionEntry, entry_id)
            if services.purge_entry(entry, actor) is not None:
                erased += 1
    with uow.unit_of_work():
        services.finish_lists()
    return erased


def approve_and_purge(destruction_list, actor: User) -> None:
    """The privacy officer approves the list; the purge is handed to the job runner (after the commit)."""
    services.approve(destruction_list, actor)
    tasks.defer(TASK, list_id=destruction_list.id, actor_id=actor.id)


def _run_task(list_id: int, actor_id: Optional[int] = None) -> None:
    purge(list_id, actor_id)


def nightly(today: date) -> int:
    """Draft every region's destruction list (cases past retention, not on hold); finish an approved
    purge that was interrupted. Runs in the job's unit of work; the purge's own units follow it."""
    added = 0
    for region_id in db.session.scalars(select(Region.id).order_by(Region.id)):
        _draft, cases = services.draft_list(region_id, today=today)
        added += len(cases)
    if services.approved_entries():
        uow.when_committed(lambda: purge())
    return added


tasks.register(TASK, _run_task)
jobs.register(JOB, nightly, "0 2 * * *", "Draft the destruction list of cases past retention")


def purge_expired_cases(*, dry_run: bool, echo, region_id: Optional[int] = None) -> int:
    """`flask purge-expired`: draft (or with `dry_run` only list) every region's cases past retention,
    then purge the approved lists. Returns how many cases were erased."""
    with uow.unit_of_work():
        stmt = select(Region.id, Region.name).order_by(Region.id)
        regions = db.session.execute(stmt.where(Region.id == region_id) if region_id else stmt).all()
        for rid, name in regions:
            draft, cases = services.draft_list(rid, dry_run=dry_run)
            verb = "would be put on the destruction list" if dry_run else "put on the destruction list"
            echo(f"{name} (region {rid}): {len(cases)} case(s) past retention {verb}"
                 + (f" (list {draft.id}, awaiting the privacy officer's approval)" if draft else ""))
            for case in cases:
                echo(f"  {case.reference}  retain until {case.retain_until.isoformat()}")
            waiting = services.awaiting_approval(rid)
            if waiting:
                echo(f"  {waiting} case(s) already on a draft list, awaiting the privacy officer's approval")
    if dry_run:
        waiting = len(services.approved_entries())
        echo(f"{waiting} case(s) of approved lists would be erased.")
        return 0
    erased = purge()
    echo(f"{erased} case(s) of approved destruction lists erased.")
    return erased
