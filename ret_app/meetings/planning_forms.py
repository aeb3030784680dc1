"""Forms for planning a RET session: field types only; the rules are in planning.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, StopValidation

from ret_app.forms import coerce_optional_int
from ret_app.forms import REQUIRED
from ret_app.labels import PURPOSE_LABELS
from ret_app.forms import DATE_FORMATS, NOT_A_DATE, NOT_A_NUMBER, BlankIsNone, Needed, SubmissionKeyField, WholeNumberField

def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _StopWhenUnreadable:
    """A value that could not be read gets one message ("enter a valid ..."), not also "required"."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class SessionDateField(_StopWhenUnreadable, BlankIsNone, DateField):
    pass


class ClockTimeField(_StopWhenUnreadable, BlankIsNone, TimeField):
    pass


class MeetingForm(FlaskForm):
    submission_key = SubmissionKeyField()  # planning: the same form sent twice plans one session
    date = SessionDateField(_l("Date"), format=DATE_FORMATS, invalid_value_message=NOT_A_DATE,
                            validators=[DataRequired(message=REQUIRED)])
    start_time = ClockTimeField(_l("Start time"), format=["%H:%M", "%H.%M", "%H:%M:%S"],
                                invalid_value_message=_l("Enter a time, for example 14:00."),
                                validators=[DataRequired(message=REQUIRED)])
    duration_minutes = WholeNumberField(_l("Duration in minutes"), default=120, invalid_value_message=NOT_A_NUMBER,
                                        validators=[InputRequired(message=REQUIRED)])
    # A place, an online link or both (planning.validate_details refuses a session without either).
    location = StringField(_l("Place"), filters=[_strip],
                           validators=[Optional(), Needed(_l("needed without an online link")), Length(max=200)])
    online_url = StringField(_l("Online link"), filters=[_strip],
                             validators=[Optional(), Needed(_l("needed without a place")), Length(max=500)])
    chair_id = SelectField(_l("Chair"), coerce=coerce_optional_int, validate_choice=False)
    # Optimistic locking: the version of the session the form was loaded from.
    version = HiddenField()


class ItemForm(FlaskForm):
    case_id = SelectField(_l("Case"), coerce=coerce_optional_int, validate_choice=False,
                          validators=[DataRequired(message=_l("Choose a case."))])
    purpose = SelectField(_l("Purpose"), choices=[("", _l("— choose —"))] + list(PURPOSE_LABELS.items()),
                          validators=[DataRequired(message=_l("Choose the purpose of the discussion."))])


class MoveForm(FlaskForm):
    direction = StringField(validators=[AnyOf(["up", "down"])])


class ConfirmForm(FlaskForm):
    """A POST that carries nothing but the CSRF token (remove an item)."""


class StepForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])
    # Ticked: the user confirms the step's question (starting a session before its day).
    confirm = BooleanField()
