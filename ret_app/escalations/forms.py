"""The RET's escalation forms: field validation only; the rules (consent, the age limit, one open
escalation, items of the case only, dates not in the past) are in services.py and the lifecycle, and
every objection is shown at once next to its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ret_app.escalations.labels import QUESTION_KIND_LABELS
from ret_app.escalations.services import MAX_TEXT
from ret_app.forms import REQUIRED, FlaskForm, MultiCheckboxField, Needed, date_field
from ret_app.forms import strip as _strip
from ret_app.labels import URGENCY_LABELS

NEEDED_TO_ESCALATE = _l("needed to escalate")


class EscalationForm(FlaskForm):
    """The draft and the escalation itself: the button says which (`action`: draft or send)."""

    why_exhausted = TextAreaField(_l("Why the region's own options are exhausted"), filters=[_strip],
                                  validators=[Optional(), Needed(NEEDED_TO_ESCALATE), Length(max=MAX_TEXT)])
    # The route offers the case's own items; the service checks every one sent.
    tried = MultiCheckboxField(_l("What was tried"), choices=[], validate_choice=False,
                               validators=[Optional(), Needed(NEEDED_TO_ESCALATE)])
    question_kind = SelectField(_l("What you ask of the network"),
                                choices=[("", "—")] + list(QUESTION_KIND_LABELS.items()),
                                validators=[Optional(), Needed(NEEDED_TO_ESCALATE)])
    question = TextAreaField(_l("The question for the network"), filters=[_strip],
                             validators=[Optional(), Needed(NEEDED_TO_ESCALATE), Length(max=MAX_TEXT)])
    urgency = SelectField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), default="regular",
                          validators=[InputRequired(message=REQUIRED)])
    expected_answer_date = date_field(_l("Answer expected by"), Optional(), Needed(NEEDED_TO_ESCALATE))
    submission_key = HiddenField()
    version = HiddenField()


class ReminderForm(FlaskForm):
    note = TextAreaField(_l("Note with the reminder"), filters=[_strip], validators=[Optional(), Length(max=MAX_TEXT)])
    submission_key = HiddenField()


class NewDateForm(FlaskForm):
    new_date = date_field(_l("New expected answer date"), InputRequired(message=REQUIRED))
    date_reason = TextAreaField(_l("Reason for the new date"), filters=[_strip],
                                validators=[InputRequired(message=REQUIRED), Length(max=MAX_TEXT)])
    version = HiddenField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why the escalation is withdrawn"), filters=[_strip],
                           validators=[InputRequired(message=REQUIRED), Length(max=MAX_TEXT)])
    version = HiddenField()


class ReplyForm(FlaskForm):
    """The RET's answer to one question of the network (prefixed per question: q<id>)."""

    text = TextAreaField(_l("Your answer"), filters=[_strip],
                         validators=[InputRequired(message=REQUIRED), Length(max=MAX_TEXT)])
    submission_key = HiddenField()
