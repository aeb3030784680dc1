"""The erasure ledger: every erasure also written to a file outside the database (RET_ERASURE_LEDGER), so that
a restored backup made before an erasure does not bring the erased case back: `restore` (and
`flask --app ret_app reapply-erasures`) erases every case the ledger names that is not erased
(`services.reapply_ledger`).

A line is JSON: the case's id and reference, when and why. A reference is the system's own number, not
personal data. Keep the file on other storage than the database and its backups, and back it up on its own
(it only grows, a line per erased case)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Iterator

from flask import current_app
from ret_app.kernel import uow

log = logging.getLogger(__name__)


def path() -> Path:
    return Path(current_app.config["ERASURE_LEDGER"])


def note(case_id: int, reference: str, erased_at, why: str) -> None:
    """Add the erasure to the ledger once its transaction has committed."""
    line = json.dumps({"case_id": case_id, "reference": reference, "erased_at": erased_at.isoformat(),
                       "why": why}, sort_keys=True)
    target = path()

    def write() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as ledger:
            ledger.write(line + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    uow.when_committed(write)


def entries() -> Iterator[dict]:
    target = path()
    if not target.exists():
        return
    with target.open(encoding="utf-8") as ledger:
        for number, line in enumerate(ledger, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    log.warning("erasure ledger line %d is not JSON: skipped", number)

