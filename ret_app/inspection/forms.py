"""The forms of inspection and correction requests: field validation only (the services decide the rest).
The choices of the family member and the part of the file are set by the route."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ret_app.forms import FlaskForm, MultiCheckboxField, SubmissionKeyField, coerce_optional_int, date_field, not_in_future, strip
from ret_app.inspection.services import MAX_NAME, MAX_REASON, MAX_TEXT

KIND_CHOICES = [("youth", _l("The youth")), ("parent", _l("Parent")), ("guardian", _l("Guardian")),
                ("other", _l("Someone else"))]
KIND_LABELS = dict(KIND_CHOICES)
DECISION_CHOICES = [("granted", _l("Granted")), ("partly", _l("Partly granted")), ("refused", _l("Refused"))]
DECISION_LABELS = dict(DECISION_CHOICES)

TOO_LONG = _l("This text is too long (at most %(max)d characters).")
DATE_NEEDED = _l("Fill in the date the request was received.")
CHOOSE = _l("Choose from the list.")


class InspectionForm(FlaskForm):
    requester_kind = SelectField(_l("Who asks"), choices=KIND_CHOICES, validators=[InputRequired(message=CHOOSE)])
    family_member = SelectField(_l("Parent or guardian (from the family system)"), choices=[],
                                coerce=coerce_optional_int, validate_choice=False, validators=[Optional()])
    requester_name = StringField(_l("Name of the requester"), filters=[strip], validators=[
        Optional(), Length(max=MAX_NAME, message=TOO_LONG)])
    received_on = date_field(_l("Received on"), InputRequired(message=DATE_NEEDED), not_in_future)
    youth_objects = BooleanField(_l("The youth (16 or older) refuses the inspection by the parents"))
    submission_key = SubmissionKeyField()  # the same form sent twice records one request


class CorrectionForm(FlaskForm):
    requester_kind = SelectField(_l("Who asks"), choices=KIND_CHOICES, validators=[InputRequired(message=CHOOSE)])
    requester_name = StringField(_l("Name of the requester"), filters=[strip], validators=[
        InputRequired(message=_l("Fill in who asks (the name of the requester).")),
        Length(max=MAX_NAME, message=TOO_LONG)])
    received_on = date_field(_l("Received on"), InputRequired(message=DATE_NEEDED), not_in_future)
    section = SelectField(_l("Part of the file"), choices=[], validate_choice=False,
                          validators=[InputRequired(message=CHOOSE)])
    asked = TextAreaField(_l("What is asked"), filters=[strip], validators=[
        InputRequired(message=_l("Write what the requester asks to correct or add.")),
        Length(max=MAX_TEXT, message=TOO_LONG)])
    submission_key = SubmissionKeyField()  # the same form sent twice records one request


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=DECISION_CHOICES, validators=[InputRequired(message=CHOOSE)])
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[Optional(), Length(max=MAX_TEXT, message=TOO_LONG)])
    addendum = TextAreaField(_l("Addendum"), filters=[strip], validators=[
        Optional(), Length(max=MAX_TEXT, message=TOO_LONG)])


class StepForm(FlaskForm):
    """A button (check, hand over): only the CSRF token."""


def withheld_form(sections, **kwargs) -> FlaskForm:
    """The parts withheld from the copy: a box per registered section and its reason (`reason_<code>`),
    built for the sections registered when asked."""
    attrs = {"withheld": MultiCheckboxField(_l("Parts withheld"), choices=[(s.code, s.title) for s in sections],
                                            validate_choice=False)}
    for s in sections:
        attrs[f"reason_{s.code}"] = StringField(_l("Reason for withholding %(part)s", part=s.title), filters=[strip],
                                                validators=[Optional(), Length(max=MAX_REASON, message=TOO_LONG)])
    return type("WithheldForm", (FlaskForm,), attrs)(**kwargs)
