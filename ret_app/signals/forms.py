"""The chair's response form on a signal's page: field validation only (the service decides the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ret_app.forms import FlaskForm, SubmissionKeyField, strip
from ret_app.signals.services import MAX_TEXT


class ResponseForm(FlaskForm):
    owner = SelectField(_l("Who takes it up"), choices=[], validate_choice=False, validators=[Optional()])
    step = SelectField(_l("Step"), choices=[], validate_choice=False, validators=[Optional()])
    text = TextAreaField(_l("Response"), filters=[strip], validators=[Optional(), Length(
        max=MAX_TEXT, message=_l("This text is too long (at most %(max)d characters).", max=MAX_TEXT))])
    version = HiddenField()
    submission_key = SubmissionKeyField()  # the same form sent twice records one response


PERIOD_FROM_LIST = _l("Choose a period from the list.")
FORMAT_FROM_LIST = _l("Choose PDF or CSV.")


class ReportForm(FlaskForm):
    """The signal report's period and format (the gap overview offers it; the choices are set by the route)."""

    period = SelectField(_l("Period"), choices=[], validate_choice=False,
                         validators=[InputRequired(message=PERIOD_FROM_LIST)])
    format = SelectField(_l("Format"), choices=[("pdf", "PDF"), ("csv", "CSV")], validate_choice=False,
                         validators=[InputRequired(message=FORMAT_FROM_LIST)])
    submission_key = SubmissionKeyField()  # the same form sent twice asks for one report

    def validate_period(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(str(PERIOD_FROM_LIST))

    def validate_format(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(str(FORMAT_FROM_LIST))
