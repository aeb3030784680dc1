"""The two ways a change is refused, and the one way a form shows them.

`RuleError`: a business rule refused the input. It names the field its message belongs next to
(None: a message for the whole form); `RuleError.many` carries several at once, so that a form
reports every problem in one go. `Conflict`: someone else changed the same thing first (an
optimistic-locking version no longer matched); nothing of this change was saved.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc

STALE = _l("Someone else changed this at the same moment. Nothing of your last action was saved; check the "
           "page and try again.")


class RuleError(Exception):
    """A business rule refused the change.

    `message` belongs next to `field` (None: the whole form). `errors` holds every refusal as
    field -> message (one entry for a plain RuleError); `reasons` lists the messages.
    """

    def __init__(self, message: Any, field: Optional[str] = None, *, reasons: Optional[Iterable[Any]] = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.errors: dict[Optional[str], Any] = {field: message}
        self._reasons = list(reasons) if reasons is not None else None

    @classmethod
    def many(cls, errors: Mapping[Optional[str], Any], *, reasons: Optional[Iterable[Any]] = None) -> "RuleError":
        """Several refusals at once (field -> message; None for the whole form). `reasons`: every
        message in order, when there are more for the whole form than the one under None (a state
        machine's failed guards)."""
        if not errors:
            raise ValueError("RuleError.many needs at least one error")
        field, message = next(iter(errors.items()))
        error = cls(message, field, reasons=reasons)
        error.errors = dict(errors)
        return error

    @property
    def reasons(self) -> list:
        """Every message, in order (guards of a state machine can refuse for several reasons)."""
        if self._reasons is not None:
            return list(self._reasons)
        return list(self.errors.values())


class Conflict(Exception):
    """Someone else changed this first; nothing of the current change was saved."""

    def __init__(self, message: Any = STALE, *, detail: Any = None):
        super().__init__(str(message))
        self.message = message
        self.detail = detail  # what the caller needs to show the conflict (e.g. the fields that differ)


def show_on_form(form, error: RuleError | Conflict) -> None:
    """Put the refusal on the form: next to its field when the form has that field, otherwise
    among the form's own errors (shown above the fields), every message once. A field that already
    shows an error (the form could not read its input) keeps that message only. Nothing the user
    typed is touched."""
    def above(message) -> None:
        if str(message) not in form.form_errors:
            form.form_errors.append(str(message))

    if isinstance(error, Conflict):
        above(error.message)
        return
    for field, message in error.errors.items():
        if field and field in form:
            if not form[field].errors:
                form[field].errors = list(form[field].errors) + [str(message)]
        else:
            above(message)
    shown = {str(message) for message in error.errors.values()}
    for reason in error.reasons:  # more reasons for the whole form than the one under None
        if str(reason) not in shown:
            above(reason)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not be used (server down or restarting, connection
    lost or refused, no connection free in the pool, a transaction aborted by the server: deadlock,
    serialisation failure, cancelled statement): nothing of the request was saved and the same
    request may well succeed a moment later (503), unlike a fault in the code (500)."""
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)
