"""Kinds of export for the tests of ret_app/exports (not a test module): registered by the test
modules that need them and by the job worker process of tests/test_exports_queue.py.

  test-report    params `steps` (an id: how many steps, default 4) and optional `region_id`; the
                 chair and RET members may ask for it (and, with `region_id`, only for their own
                 region). Each step reports its progress ("Stap i van n") and calls the hooks in
                 DURING (a test looks at the job's page while it is being made). Writes one audit
                 event as a case export would (its actor must be the requester). The file: a small
                 CSV naming the requester's id and the steps.
  test-refusing  its render refuses: "Er zijn geen gegevens in deze periode." (a RuleError).
  test-anyone    as test-report, but anyone signed in may ask for it (the access-policy matrix).
  test-failing   its render breaks with an error whose message holds personal data (it must never
                 reach the log or the page).
"""

from __future__ import annotations

from typing import Callable

from ret_app import audit
from ret_app.exports import registry as exports
from ret_app.kernel.errors import RuleError

REPORT = "test-report"
REFUSING = "test-refusing"
FAILING = "test-failing"
ANYONE = "test-anyone"
SECRET = "Jantje Geheim BSN 123456782"  # in the failing render's error message
NO_DATA = "Er zijn geen gegevens in deze periode."  # a render's own reason (already in Dutch)
DURING: list[Callable] = []  # hooks: fn(job, step, steps)


def may_request(user, params) -> bool:
    if user.role not in ("chair", "ret_member"):
        return False
    region_id = params.get("region_id")
    return region_id is None or (user.organisation is not None and user.organisation.region_id == region_id)


def render_report(job, progress):
    steps = int(job.params.get("steps", 4))
    for step in range(1, steps + 1):
        progress(step * 100 // (steps + 1), f"Stap {step} van {steps}")
        for hook in list(DURING):
            hook(job, step, steps)
    audit.record(audit.Action.EXPORT, object_type="test_report", object_id=job.id, detail=f"steps={steps}")
    rows = "\n".join(f"{step};ok" for step in range(1, steps + 1))
    return "testrapport.csv", "text/csv", f"requester;{job.requested_by_id}\n{rows}\n".encode()


def render_refusing(job, progress):
    progress(10)
    raise RuleError(NO_DATA, "period")


def render_failing(job, progress):
    progress(30, "Bijna")
    raise ValueError(f"could not render {SECRET}")


def anyone(user, params) -> bool:
    return True


def register() -> None:
    exports.register(REPORT, render_report, may_request, "Testrapport")
    exports.register(ANYONE, render_report, anyone, "Rapport voor iedereen")
    exports.register(REFUSING, render_refusing, may_request, "Weigerend rapport")
    exports.register(FAILING, render_failing, may_request, "Kapot rapport")


def unregister() -> None:
    for code in (REPORT, REFUSING, FAILING, ANYONE):
        exports.unregister(code)
