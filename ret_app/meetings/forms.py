"""Forms of actions, minutes and the follow-up of provisional decisions: field validation only; the
rules are in the services (actions.py, minutes.py, decisions.py). Planning and the live page have
theirs in planning_forms.py and live_forms.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ret_app import labels
from ret_app.forms import REQUIRED, SubmissionKeyField, coerce_optional_int, date_field, not_in_future
from ret_app.meetings.minutes import MAX_ADDENDUM
from ret_app.models import ActionStatus, DecisionStatus

STATUS_CHOICES = [(s.value, labels.ACTION_STATUS_LABELS[s.value]) for s in ActionStatus]


class ActionStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[InputRequired(message=REQUIRED)],
                         validate_choice=False)
    next = HiddenField()


class AddendumForm(FlaskForm):
    text = TextAreaField(_l("Correction or addition"),
                         validators=[DataRequired(message=REQUIRED), Length(max=MAX_ADDENDUM)])
    item_id = SelectField(_l("About"), coerce=coerce_optional_int,
                          validate_choice=False)
    submission_key = SubmissionKeyField()  # the same form sent twice adds one addendum


ANSWER_CHOICES = [(DecisionStatus.CONFIRMED.value, _l("Confirmed: the municipality commits the help")),
                  (DecisionStatus.REFUSED.value, _l("Refused: the municipality does not commit the help"))]


class FollowupAnswerForm(FlaskForm):
    answer = RadioField(_l("The municipality's answer"), choices=ANSWER_CHOICES,
                        validators=[InputRequired(message=_l("Choose confirmed or refused."))])
    answer_date = date_field(_l("Date of the answer"), InputRequired(message=REQUIRED), not_in_future)
    answer_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
