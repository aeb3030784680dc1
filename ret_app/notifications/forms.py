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


class PreferencesForm(FlaskForm):
    """The choice of delivery per kind of notification: a radio group per registered kind, added by
    `_preferences_class` (the kinds are known once every capability has registered its own)."""


_classes: dict[tuple[str, ...], type] = {}


def _preferences_class(codes: tuple[str, ...]) -> type:
    """One form class per set of registered kinds (built once: the kinds are registered at start-up)."""
    if codes not in _classes:
        fields = {kind.code: RadioField(
            kind.label, choices=list(kinds.DELIVERY_LABELS.items()),
            validate_choice=False,  # the service refuses an unknown delivery, in Dutch, next to the field
            validators=[InputRequired(message=CHOOSE)]) for kind in kinds.choosable()}
        _classes[codes] = type("PreferencesForm", (PreferencesForm,), {"__module__": __name__, **fields})
    return _classes[codes]


def preferences_form(current: dict[str, str], **kwargs) -> FlaskForm:
    """A radio group per kind the user chooses, each showing the user's current choice."""
    codes = tuple(k.code for k in kinds.choosable())
    form = _preferences_class(codes)(data={code: current.get(code) for code in codes}, **kwargs)
    form.kind_codes = list(codes)  # type: ignore[attr-defined]
    return form
