"""The forms of requests and commitments: field validation only; the rules (consent, providers of the
region's collective, dates not in the past, a reason to decline) are in services.py, and every
objection is shown at once next to its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ret_app.commitments.services import MAX_QUESTION, MAX_TEXT
from ret_app.forms import REQUIRED, FlaskForm, MultiCheckboxField, Needed, date_field
from ret_app.forms import strip as _strip
from ret_app.labels import DECLINE_REASON_LABELS, REQUEST_ROLE_LABELS

NEEDED_TO_ACCEPT = _l("needed to accept")
NEEDED_TO_DECLINE = _l("needed to decline")


class RequestForm(FlaskForm):
    """Ask one or more providers of the collective for a role on the case."""

    # The route offers the region's collective providers (the suggestions, ranked); the service checks
    # every id sent, so a choice outside the list gets the service's own message.
    providers = MultiCheckboxField(_l("Providers to ask"), choices=[], validate_choice=False,
                                   validators=[InputRequired(message=_l("Choose at least one provider to ask."))])
    role = SelectField(_l("Role on the case"), choices=[("", "—")] + list(REQUEST_ROLE_LABELS.items()),
                       validators=[InputRequired(message=REQUIRED)])
    care_type = SelectField(_l("Care type"), choices=[("", "—")],  # the route offers the region's catalogue
                            validators=[InputRequired(message=REQUIRED)])
    question = TextAreaField(_l("Question for the provider"), filters=[_strip],
                             validators=[InputRequired(message=REQUIRED), Length(max=MAX_QUESTION)])
    reply_by = date_field(_l("Reply by"), InputRequired(message=REQUIRED))
    submission_key = HiddenField()


class AnswerForm(FlaskForm):
    """Accept (a contact person, an intended start) or decline (a reason and a text): the button says
    which."""

    contact_name = StringField(_l("Contact person for this case"), filters=[_strip],
                               validators=[Optional(), Needed(NEEDED_TO_ACCEPT), Length(max=200)])
    intended_start = date_field(_l("Intended start"), Optional(), Needed(NEEDED_TO_ACCEPT))
    decline_reason = SelectField(_l("Reason for declining"), choices=[("", "—")] + list(DECLINE_REASON_LABELS.items()),
                                 validators=[Optional(), Needed(NEEDED_TO_DECLINE)])
    decline_text = TextAreaField(_l("Explanation"), filters=[_strip],
                                 validators=[Optional(), Needed(NEEDED_TO_DECLINE), Length(max=MAX_TEXT)])
    answer_key = HiddenField()
    version = HiddenField()


class WithdrawForm(FlaskForm):
    withdraw_text = TextAreaField(_l("Why the request is withdrawn"), filters=[_strip],
                                  validators=[Optional(), Length(max=MAX_TEXT)])
    version = HiddenField()


class StartForm(FlaskForm):
    started_on = date_field(_l("Started on"), InputRequired(message=REQUIRED))
    version = HiddenField()


class EndForm(FlaskForm):
    ended_on = date_field(_l("Ended on"), InputRequired(message=REQUIRED))
    version = HiddenField()
