"""The catalogue's forms: field validation only; the rules (code format, uniqueness, the last type on
offer, someone else's change) are in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ret_app.forms import REQUIRED, FlaskForm, WholeNumberField, strip
from ret_app.models.caretypes import CODE_LENGTH, NAME_LENGTH

MAX_DESCRIPTION = 2000
MAX_POSITION = 9999


def _position():
    return WholeNumberField(_l("Position in the list"), validators=[
        Optional(), NumberRange(min=0, max=MAX_POSITION, message=_l("Enter a whole number from 0 to 9999."))])


class CareTypeForm(FlaskForm):
    """A new care type of a region."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(message=REQUIRED),
                                                                 Length(max=NAME_LENGTH)])
    # Lower case is what is stored (the service makes it so); shown again as typed.
    code = StringField(_l("Code"), validators=[DataRequired(message=REQUIRED), Length(max=CODE_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    position = _position()


class CareTypeEditForm(FlaskForm):
    """Name, description and position of a care type (its code never changes)."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(message=REQUIRED),
                                                                 Length(max=NAME_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    position = _position()
    version = HiddenField()


class CareTypeStatusForm(FlaskForm):
    """Retire, reactivate or remove: a button, with the version the page showed."""

    version = HiddenField()
