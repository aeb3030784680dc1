"""The error a business rule raises, and how a form shows it: shared by the case and session
services (the admin services keep their own, which flashes general messages)."""

from __future__ import annotations

from typing import Any, Optional


class RuleError(Exception):
    """A business rule refused the change; `field` names the form field the message belongs next
    to (None: a message for the whole form)."""

    def __init__(self, message: Any, field: Optional[str] = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def add_to_form(form, error: RuleError) -> None:
    """Next to its field when the form has it, else among the form's own errors."""
    if error.field and error.field in form:
        form[error.field].errors = list(form[error.field].errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))
