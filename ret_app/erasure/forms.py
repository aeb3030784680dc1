"""The forms of erasure and retention: field validation only (the services decide the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from ret_app.forms import FlaskForm, Needed, SubmissionKeyField, date_field, not_in_future, strip
from ret_app.erasure.services import REASON_MAX

REQUIRED = _l("This field is required.")
NEEDED_TO_REFUSE = _l("needed to refuse")
TOO_LONG = _l("This text is too long (at most %(max)d characters).", max=REASON_MAX)
REQUESTER_KINDS = [("youth", _l("The youth")), ("parent", _l("A parent")), ("guardian", _l("A guardian")),
                   ("other", _l("Someone else"))]
GROUNDS = [("others_interest", _l("A substantial interest of someone else")),
           ("legal_duty", _l("A legal duty to keep the data")),
           ("case_open", _l("The case is still open")),
           ("legal_hold", _l("The case is on legal hold")),
           ("other", _l("Another legal ground"))]


def _reason(label):
    return TextAreaField(label, filters=[strip], validators=[InputRequired(message=REQUIRED),
                                                             Length(max=REASON_MAX, message=TOO_LONG)])


class RequestForm(FlaskForm):
    requester_kind = SelectField(_l("Who asks"), choices=REQUESTER_KINDS, validators=[InputRequired(message=REQUIRED)])
    requester_name = StringField(_l("Name of the requester"), filters=[strip], validators=[
        InputRequired(message=REQUIRED), Length(max=200, message=_l("At most 200 characters."))])
    received_on = date_field(_l("Received on"), InputRequired(message=REQUIRED), not_in_future)
    submission_key = SubmissionKeyField()  # the same form sent twice records one request


NEEDED_TO_GRANT = _l("needed to grant")
CONFIRM_ERASURE = _l("Tick that you understand that erasing the case cannot be undone.")


class DecisionForm(FlaskForm):
    # No decision chosen beforehand: erasing cannot be undone, so it is never one click on a default.
    decision = SelectField(_l("Decision"), choices=[("", _l("Choose a decision")),
                                                    ("grant", _l("Grant: erase the case")),
                                                    ("refuse", _l("Refuse"))],
                           validators=[InputRequired(message=_l("Choose a decision."))])
    confirm = BooleanField(_l("I understand that erasing the case cannot be undone"),
                           validators=[Needed(NEEDED_TO_GRANT)])
    ground = SelectField(_l("Legal ground of a refusal"), choices=[("", "—")] + GROUNDS,
                         validators=[Optional(), Needed(NEEDED_TO_REFUSE)])
    reason = TextAreaField(_l("Reason of a refusal"), filters=[strip], validators=[
        Optional(), Needed(NEEDED_TO_REFUSE), Length(max=REASON_MAX, message=TOO_LONG)])

    def validate_confirm(self, field) -> None:
        if self.decision.data == "grant" and not field.data:
            raise ValidationError(CONFIRM_ERASURE)


class HoldForm(FlaskForm):
    reason = _reason(_l("Reason for the legal hold"))


class LiftForm(FlaskForm):
    reason = _reason(_l("Reason for lifting the hold"))


class RetentionForm(FlaskForm):
    until = date_field(_l("Keep until"), Optional())
    reason = _reason(_l("Reason"))


class TakeOffForm(FlaskForm):
    reason = _reason(_l("Reason for taking the case off the list"))
