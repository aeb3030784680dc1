"""Referral forms (aanmelding): field validation only; the rules are in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ret_app.cases.completeness import age_problem
from ret_app.forms import (
    NEEDED_TO_RESUBMIT,
    SubmissionKeyField,
    NEEDED_TO_SUBMIT,
    NOT_A_NUMBER,
    REQUIRED,
    MultiCheckboxField,
    Needed,
    WholeNumberField,
    coerce_optional_int,
    date_field,
    not_in_future,
)
from ret_app.forms import strip as _strip
from ret_app.labels import (
    CONSENT_FORM_LABELS,
    GENDER_LABELS,
    RELATION_LABELS,
    SCOPE_LABELS,
    URGENCY_LABELS,
)
from ret_app.referrals.services import NOTHING_TICKED, bsn_is_valid


def _normalise_bsn(value):
    if value is None:
        return value
    return value.replace(" ", "").replace(".", "").replace("-", "").strip()


class ReferralForm(FlaskForm):
    """The youth and the question. Everything may be empty in a concept; what is filled in must be
    valid. Submitting needs the name, the date of birth, the question and why it is stuck (Needed:
    the labels say so; services.submit_problems refuses them all at once)."""

    youth_first_name = StringField(_l("First name"), filters=[_strip],
                                   validators=[Optional(), Needed(NEEDED_TO_SUBMIT), Length(max=100)])
    youth_last_name = StringField(_l("Last name"), filters=[_strip],
                                  validators=[Optional(), Needed(NEEDED_TO_SUBMIT), Length(max=100)])
    youth_birth_date = date_field(_l("Date of birth"), Optional(), Needed(NEEDED_TO_SUBMIT))
    youth_bsn = StringField(_l("BSN (citizen service number)"), filters=[_normalise_bsn],
                            validators=[Optional()])
    youth_gender = SelectField(_l("Gender"), choices=[("", _l("— not filled in —"))] + list(GENDER_LABELS.items()),
                               validators=[Optional()])
    youth_daytime_activity = StringField(_l("School or daytime activity"), filters=[_strip],
                                         validators=[Optional(), Length(max=200)])
    question = TextAreaField(_l("Question (hulpvraag)"),
                             validators=[Optional(), Needed(NEEDED_TO_SUBMIT), Length(max=8000)])
    why_stuck = TextAreaField(_l("Why it is stuck"), validators=[Optional(), Needed(NEEDED_TO_SUBMIT), Length(max=8000)])
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
    submission_key = SubmissionKeyField()  # adding: the same form sent twice adds one person

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
    submission_key = SubmissionKeyField()  # the same form sent twice adds the help once

    def validate_to_date(self, field):
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class ConsentGridForm(FlaskForm):
    """The family's consent in one go: the ticked cells (person x scope) with one date and form.
    Which cells exist is the age rules' business (the service checks each ticked one)."""

    cells = MultiCheckboxField(_l("Whose consent for what"), choices=[], validate_choice=False,
                               validators=[DataRequired(message=NOTHING_TICKED)])
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
    submission_key = SubmissionKeyField()  # the same form sent twice adds the file once


class SubmitForm(FlaskForm):
    resubmit_reason = TextAreaField(_l("What has changed since the advice"),
                                    validators=[Optional(), Needed(NEEDED_TO_RESUBMIT), Length(max=4000)])


class NewReferralForm(FlaskForm):
    submission_key = SubmissionKeyField()  # the same form sent twice starts one referral
    municipality_id = SelectField(_l("Municipality where the youth lives"), coerce=coerce_optional_int,
                                  validators=[DataRequired(message=REQUIRED)])
