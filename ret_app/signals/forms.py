"""The chair's response form on a signal's page: field validation only (the service decides the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from ret_app.forms import FlaskForm, strip
from ret_app.signals.services import MAX_TEXT


class ResponseForm(FlaskForm):
    owner = SelectField(_l("Who takes it up"), choices=[], validate_choice=False, validators=[Optional()])
    step = SelectField(_l("Step"), choices=[], validate_choice=False, validators=[Optional()])
    text = TextAreaField(_l("Response"), filters=[strip], validators=[Optional(), Length(
        max=MAX_TEXT, message=_l("This text is too long (at most %(max)d characters).", max=MAX_TEXT))])
    version = HiddenField()
