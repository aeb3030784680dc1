"""What every route uses, so that a route reads: load -> policy -> validate -> service -> respond.

* `refuse(...)`: the user sees the object but may not do this: 403 with the reason (the denial
  audited). `not_found(...)`: 404 for an object the user may not see (the denial audited), so its
  existence does not leak.
* `int_arg(name, default)`: a whole-number query parameter (a page, an id to filter on), with every
  value the database could not hold treated like any other invalid one.
* `submit(form, work, refusal=...)`: validate the form, run the service call in a savepoint
  (`uow.attempt`), and on a RuleError put the message on the form, with everything the user typed
  kept (a Conflict comes back in the result for the page to show). A refused submission is audited
  (field names only, never what was typed) when the route says how (`Refusal`). Every error of a
  form at once: when the form itself is invalid, the service's rules still run (`rules_only`: in a
  savepoint that is always rolled back), so that the user sees what the form refused and what the
  rules refuse together, not one after the other.

Routes never commit, roll back or write audit events themselves: the unit of work commits at the
end of the request, loaders audit reads and denials, services emit events that are audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, NoReturn, Optional

from flask import abort, request

from ret_app import audit
from ret_app.errors import render_error
from ret_app.kernel.errors import Conflict, RuleError, show_on_form
from ret_app.kernel.ids import parse_id
from ret_app.kernel.uow import attempt

log = logging.getLogger(__name__)


def refuse(message: Any, *, object_type: str, object_id: Any = None, case_id: Optional[int] = None,
           action: audit.Action = audit.Action.UPDATE, detail: Optional[str] = None):
    """403 with the reason; the denial is audited."""
    audit.record(action, outcome=audit.Outcome.DENIED, object_type=object_type, object_id=object_id,
                 case_id=case_id, detail=detail)
    return render_error(403, str(message))


def not_found(*, object_type: str, object_id: Any = None, case_id: Optional[int] = None,
              action: audit.Action = audit.Action.READ, detail: Optional[str] = None) -> NoReturn:
    """404 (the object's existence does not leak); the denial is audited."""
    audit.record(action, outcome=audit.Outcome.DENIED, object_type=object_type, object_id=object_id,
                 case_id=case_id, detail=detail)
    abort(404)


def int_arg(name: str, default: Optional[int] = None, source: Any = None) -> Optional[int]:
    """The query parameter `name` (or the value `name` in `source`, e.g. a posted filter form's
    `request.form`) as a whole number from 1 to MAX_ID (a page number, an id to filter on); `default`
    when it is missing, not a number, 0 or less, or more than the database holds, so a hostile value is
    treated like any other invalid one and never reaches a query."""
    value = parse_id((request.args if source is None else source).get(name))
    return default if value is None else value


def error_fields(form) -> list[str]:
    """The names of the fields with errors (never their content), for the audit trail."""
    return sorted(field.short_name for field in form if field.errors and field.short_name != "csrf_token")


@dataclass(frozen=True)
class Refusal:
    """How a refused submission is recorded in the audit trail."""

    object_type: str
    object_id: Any = None
    case_id: Optional[int] = None
    action: audit.Action = audit.Action.UPDATE
    # The detail from the fields with errors (default: "invalid fields=a,b", or "invalid").
    detail: Optional[Callable[[list[str]], str]] = None

    def record(self, form=None, detail: Optional[str] = None) -> None:
        if detail is None:
            fields = error_fields(form) if form is not None else []
            detail = self.detail(fields) if self.detail else (
                "invalid fields=" + ",".join(fields) if fields else "invalid")
        audit.record(self.action, outcome=audit.Outcome.FAILED, object_type=self.object_type,
                     object_id=self.object_id, case_id=self.case_id, detail=detail)


@dataclass
class Result:
    """What `submit` did: truthy when the service call went through (its return value in `value`);
    otherwise `error` is the refusal (None when only the form itself refused the input). `invalid`:
    the form refused the input (then `error` holds what the rules refused besides, if anything)."""

    ok: bool
    value: Any = None
    error: Optional[RuleError | Conflict] = None
    invalid: bool = False

    def __bool__(self) -> bool:
        return self.ok

    @property
    def conflict(self) -> bool:
        return isinstance(self.error, Conflict)


def rules_only(work: Callable[[], Any]) -> Optional[RuleError]:
    """What the rules refuse in `work`, without keeping anything of it: `work` runs in a savepoint
    that is always rolled back (its changes, audit events, reactions and compensations go with it).
    For a form the user must correct anyway: the rules' refusals are shown with the form's own.
    The input may be incomplete (the form refused part of it), so any other failure of `work` only
    means there is nothing to add."""
    undo = RuleError("rules only")  # raised after `work` went through: its savepoint rolls back

    def run_and_undo():
        work()
        raise undo

    try:
        attempt(run_and_undo)
    except RuleError as error:
        return None if error is undo else error
    except Conflict:
        return None
    except Exception as error:  # input the service cannot take
        log.debug("rules-only run ended in %s", type(error).__name__)  # the type only: no personal data
    return None


def submit(form, work: Callable[[], Any], *, refusal: Optional[Refusal] = None, validate: bool = True,
           show: bool = True) -> Result:
    """Validate `form` (unless `validate` is False), then run `work` in a savepoint. A RuleError is put
    on the form (unless `show` is False); a Conflict is left to the caller (each page says in its own
    way what changed). Either leaves nothing of `work` behind.

    A posted form that is invalid still has its rules checked (`rules_only`): their refusals are put
    on the form next to the form's own errors (a field whose input could not be read keeps the
    form's message only) and come back in `error`; nothing is saved."""
    if validate and not form.validate_on_submit():
        error = None
        if form.is_submitted() and not form.errors.get("csrf_token"):
            error = rules_only(work)
            if error is not None and show:
                show_on_form(form, error)
        if refusal is not None:
            refusal.record(form)
        return Result(False, error=error, invalid=True)
    try:
        value = attempt(work)
    except (RuleError, Conflict) as error:
        if show and isinstance(error, RuleError):
            show_on_form(form, error)
        if refusal is not None:
            refusal.record(form, "conflict" if isinstance(error, Conflict) else None)
        return Result(False, error=error)
    return Result(True, value)


def attempt_or_error(work: Callable[[], Any]) -> Result:
    """Run `work` in a savepoint without a form: the refusal comes back in the Result."""
    try:
        return Result(True, attempt(work))
    except (RuleError, Conflict) as error:
        return Result(False, error=error)
