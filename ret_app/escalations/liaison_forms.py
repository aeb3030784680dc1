"""The network liaison's forms on an escalation: field validation only; the rules (the lifecycle's steps
and guards, who may act for the network) are in services.py and lifecycle.py. Each form carries the
escalation's version (someone else changed it meanwhile: a conflict, the input kept) and a key (the same
form sent twice is recorded once)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ret_app.escalations.labels import RESULT_LABELS
from ret_app.escalations.services import MAX_NAME, MAX_TEXT
from ret_app.forms import REQUIRED, FlaskForm
from ret_app.forms import strip as _strip

NETWORK_MESSAGE_KINDS = {"question": _l("A question to the RET"), "advice": _l("Advice to the RET")}


class _Keyed:
    """Every network form's hidden fields (a mixin: WTForms collects fields from the whole class)."""

    submission_key = HiddenField()
    version = HiddenField()


class StepForm(_Keyed, FlaskForm):
    """Accept, or start working on it: nothing to fill in."""


class DeclineForm(_Keyed, FlaskForm):
    reason = TextAreaField(_l("Why the network declines the escalation"), filters=[_strip],
                           validators=[InputRequired(message=REQUIRED), Length(max=MAX_TEXT)])


class DirectorForm(_Keyed, FlaskForm):
    director_name = StringField(_l("Name of the network process director"), filters=[_strip],
                                validators=[InputRequired(message=REQUIRED), Length(max=MAX_NAME)])
    director_organisation = StringField(_l("Organisation of the network process director"), filters=[_strip],
                                        validators=[InputRequired(message=REQUIRED), Length(max=MAX_NAME)])


class NetworkMessageForm(_Keyed, FlaskForm):
    kind = SelectField(_l("Kind of message"), choices=[("", "—")] + list(NETWORK_MESSAGE_KINDS.items()),
                       validators=[InputRequired(message=REQUIRED)])
    text = TextAreaField(_l("Your message to the RET"), filters=[_strip],
                         validators=[InputRequired(message=REQUIRED), Length(max=MAX_TEXT)])


class AnswerForm(_Keyed, FlaskForm):
    text = TextAreaField(_l("The network's answer to the RET's question"), filters=[_strip],
                           validators=[InputRequired(message=REQUIRED), Length(max=MAX_TEXT)])


class CloseForm(_Keyed, FlaskForm):
    result = SelectField(_l("Result"), choices=[("", "—")] + list(RESULT_LABELS.items()),
                         validators=[InputRequired(message=REQUIRED)])
    result_text = TextAreaField(_l("Explanation of the result"), filters=[_strip],
                                validators=[Optional(), Length(max=MAX_TEXT)])
