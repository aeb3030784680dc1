"""Referral forms (aanmelding): field validation only; the rules are in referral_services.py."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from ret_app.auth.forms import REQUIRED
from ret_app.cases.forms import URGENCY_LABELS
from ret_app.cases.referrals import age_problem, bsn_is_valid

# Browsers send date inputs as 2010-12-31; people without a date picker type 31-12-2010.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
NOT_A_DATE = _l("Enter a valid date, for example 31-12-2010.")
NOT_A_NUMBER = _l("Enter a whole number, for example 42.")
NOT_IN_FUTURE = _l("This date lies in the future.")

GENDER_LABELS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other_unknown": _l("Other / unknown"),
}

RELATION_LABELS = {
    "mother": _l("Mother"),
    "father": _l("Father"),
    "step_parent": _l("Step-parent"),
    "foster_parent": _l("Foster parent"),
    "guardian": _l("Guardian"),
    "sibling": _l("Brother or sister"),
    "other": _l("Other"),
}

SCOPE_LABELS = {
    "ret": _l("RET"),
    "collective": _l("Collective"),
    "network": _l("Supra-regional network"),
}

CONSENT_FORM_LABELS = {"written": _l("Written"), "verbal": _l("Verbal")}

GIVEN_BY_ROLE_LABELS = {"youth": _l("The youth"), "parent": _l("Parent with authority"),
                        "guardian": _l("Guardian")}

YOUTH = "youth"  # the value of the youth in the consent form's person choice


def date_field(label, *validators, **kwargs) -> DateField:
    return DateField(label, validators=list(validators), format=DATE_FORMATS, invalid_value_message=NOT_A_DATE,
                     **kwargs)


class WholeNumberField(IntegerField):
    """An integer whose "not a number" message is not followed by a range message."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def not_in_future(form, field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(NOT_IN_FUTURE)


def _normalise_bsn(value):
    if value is None:
        return value
    return value.replace(" ", "").replace(".", "").replace("-", "").strip()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ReferralForm(FlaskForm):
    """The youth and the question. Everything may be empty in a concept; what is filled in must be valid."""

    youth_first_name = StringField(_l("First name"), filters=[_strip], validators=[Optional(), Length(max=100)])
    youth_last_name = StringField(_l("Last name"), filters=[_strip], validators=[Optional(), Length(max=100)])
    youth_birth_date = date_field(_l("Date of birth"), Optional())
    youth_bsn = StringField(_l("BSN (citizen service number)"), filters=[_normalise_bsn],
                            validators=[Optional()])
    youth_gender = SelectField(_l("Gender"), choices=[("", _l("— not filled in —"))] + list(GENDER_LABELS.items()),
                               validators=[Optional()])
    youth_daytime_activity = StringField(_l("School or daytime activity"), filters=[_strip],
                                         validators=[Optional(), Length(max=200)])
    question = TextAreaField(_l("Question (hulpvraag)"), validators=[Optional(), Length(max=8000)])
    why_stuck = TextAreaField(_l("Why it is stuck"), validators=[Optional(), Length(max=8000)])
    urgency = SelectField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), default="regular",
                          validators=[DataRequired(message=REQUIRED)])
    placement_intended = BooleanField(_l("An out-of-home placement is intended"))
    # Optimistic locking: the version the form was loaded from, and a fingerprint of the values then.
    version = HiddenField()
    loaded_state = HiddenField()

    def validate_youth_birth_date(self, field):
        problem = age_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_youth_bsn(self, field):
        if not field.data:
            return
        if len(field.data) != 9 or not field.data.isdigit():
            raise ValidationError(_l("A BSN consists of 9 digits."))
        if not bsn_is_valid(field.data):
            raise ValidationError(_l("This is not a valid BSN (it fails the 11-check). Check the number."))


class FamilyMemberForm(FlaskForm):
    relation = SelectField(_l("Relation to the youth"),
                           choices=[("", _l("— choose —"))] + list(RELATION_LABELS.items()),
                           validators=[DataRequired(message=REQUIRED)])
    name = StringField(_l("Name"), filters=[_strip], validators=[Optional(), Length(max=200)])
    age = WholeNumberField(_l("Age"), invalid_value_message=NOT_A_NUMBER, validators=[
        Optional(), NumberRange(min=0, max=120, message=_l("Enter an age between 0 and 120."))])
    living_situation = StringField(_l("Living situation"), filters=[_strip], validators=[Optional(), Length(max=200)])
    parental_authority = BooleanField(_l("Holds parental authority (gezag) over the youth"))

    def validate_parental_authority(self, field):
        if field.data and self.age.data is not None and self.age.data < 18:
            raise ValidationError(_l("Someone under 18 cannot hold parental authority."))


class PriorHelpForm(FlaskForm):
    provider = StringField(_l("Provider"), filters=[_strip], validators=[DataRequired(message=REQUIRED), Length(max=200)])
    help_type = StringField(_l("Kind of help"), filters=[_strip],
                            validators=[DataRequired(message=REQUIRED), Length(max=200)])
    from_date = date_field(_l("From"), Optional(), not_in_future)
    to_date = date_field(_l("Until"), Optional())
    end_reason = TextAreaField(_l("Why it ended"), validators=[Optional(), Length(max=4000)])

    def validate_to_date(self, field):
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class ConsentForm(FlaskForm):
    person = SelectField(_l("Who gives consent"), validators=[DataRequired(message=REQUIRED)])
    scope = SelectField(_l("Consent for"), choices=list(SCOPE_LABELS.items()),
                        validators=[DataRequired(message=REQUIRED)])
    given_on = date_field(_l("Date given"), InputRequired(message=REQUIRED), not_in_future)
    kind = SelectField(_l("Form"), choices=list(CONSENT_FORM_LABELS.items()),
                       validators=[DataRequired(message=REQUIRED)])


class WithdrawConsentForm(FlaskForm):
    withdrawn_on = date_field(_l("Withdrawn on"), InputRequired(message=REQUIRED), not_in_future)


class LegalGroundForm(FlaskForm):
    scope = SelectField(_l("For"), choices=list(SCOPE_LABELS.items()), validators=[DataRequired(message=REQUIRED)])
    reason = TextAreaField(_l("Legal ground and reason"),
                           validators=[DataRequired(message=REQUIRED), Length(max=4000)])


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])


class SubmitForm(FlaskForm):
    resubmit_reason = TextAreaField(_l("What has changed since the advice"), validators=[Optional(), Length(max=4000)])
