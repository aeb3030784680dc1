"""The forms of the notifications: marking one read or unread, and the choice per kind."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired

from ret_app.forms import FlaskForm
from ret_app.notifications import kinds

CHOOSE = _l("Choose how this kind of notification reaches you.")


class MarkForm(FlaskForm):
    """Mark one notification read ("1") or unread ("0"); `next`: the list's page to go back to."""

    read = HiddenField()
    next = HiddenField()


class BackForm(FlaskForm):
    next = HiddenField()


def preferences_form(current: dict[str, str], **kwargs) -> FlaskForm:
    """A radio group per kind the user chooses (kinds are registered at start-up, so the class is built
    per request)."""

    class PreferencesForm(FlaskForm):
        pass

    for kind in kinds.choosable():
        setattr(PreferencesForm, kind.code, RadioField(
            kind.label, choices=list(kinds.DELIVERY_LABELS.items()), default=current.get(kind.code, kind.default),
            validate_choice=False,  # the service refuses an unknown delivery, in Dutch, next to the field
            validators=[InputRequired(message=CHOOSE)]))
    form = PreferencesForm(**kwargs)
    form.kind_codes = [k.code for k in kinds.choosable()]  # type: ignore[attr-defined]
    return form
