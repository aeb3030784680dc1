"""The collective's forms: field validation only; the rules (ages in order, crisis line when crisis
help is offered, dates not in the past, both parts of the expected places) are in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from ret_app.collective import rules
from ret_app.forms import NOT_A_NUMBER, REQUIRED, FlaskForm, MultiCheckboxField, Needed, SubmissionKeyField, WholeNumberField, date_field
from ret_app.forms import strip as _strip
from ret_app.labels import EXPERTISE_LABELS

PHONE = Regexp(rules.PHONE_PATTERN, message=rules.NOT_A_PHONE)


class ProfileForm(FlaskForm):
    """What the collective knows of the provider. Everything may be left empty; a crisis service
    that can be called needs its hours and its phone line."""

    summary = TextAreaField(_l("What your organisation offers"), filters=[_strip],
                            validators=[Optional(), Length(max=4000)])
    expertise = MultiCheckboxField(_l("Expertise areas"), choices=list(EXPERTISE_LABELS.items()),
                                   validators=[Optional()])
    # The route offers the region's catalogue (care_types.choices); these are the codes it keeps.
    care_types = MultiCheckboxField(_l("Care types offered"), choices=[], validate_choice=False,
                                    validators=[Optional()])
    min_age = WholeNumberField(_l("Youngest age helped"), invalid_value_message=NOT_A_NUMBER, validators=[
        Optional(), NumberRange(min=rules.MIN_AGE, max=rules.MAX_AGE, message=rules.AGE_RANGE)])
    max_age = WholeNumberField(_l("Oldest age helped"), invalid_value_message=NOT_A_NUMBER, validators=[
        Optional(), NumberRange(min=rules.MIN_AGE, max=rules.MAX_AGE, message=rules.AGE_RANGE)])
    crisis_available = BooleanField(_l("Our crisis service can be called for youths of the collective"))
    crisis_hours = StringField(_l("When the crisis service can be called"), filters=[_strip],
                               validators=[Optional(), Needed(rules.NEEDED_FOR_CRISIS), Length(max=200)])
    crisis_phone = StringField(_l("Phone number of the crisis line"), filters=[_strip],
                               validators=[Optional(), Needed(rules.NEEDED_FOR_CRISIS), Length(max=40), PHONE])
    # Optimistic locking: the version of the profile the form was loaded from ("" for none yet).
    version = HiddenField()


class ContactForm(FlaskForm):
    """A contact person of the provider for the RET and the other providers."""

    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(message=REQUIRED), Length(max=200)])
    role = StringField(_l("Role"), filters=[_strip], validators=[DataRequired(message=REQUIRED), Length(max=200)])
    phone = StringField(_l("Phone number"), filters=[_strip],
                        validators=[DataRequired(message=REQUIRED), Length(max=40), PHONE])
    email = StringField(_l("E-mail address"), filters=[_strip], validators=[
        Optional(), Length(max=254), Email(message=rules.NOT_AN_EMAIL, check_deliverability=False)])
    submission_key = SubmissionKeyField()  # the same form sent twice adds one contact person


class CapacityForm(FlaskForm):
    """One update of the capacity for one care type. Saving unchanged values confirms them: the
    entry is fresh again."""

    places_available = WholeNumberField(_l("Places available now"), invalid_value_message=NOT_A_NUMBER, validators=[
        InputRequired(message=REQUIRED),
        NumberRange(min=0, max=rules.MAX_PLACES, message=rules.PLACES_RANGE)])
    expected_places = WholeNumberField(_l("Places expected to come free"), invalid_value_message=NOT_A_NUMBER, validators=[
        Optional(), Needed(rules.NEEDED_WITH_DATE),
        NumberRange(min=0, max=rules.MAX_PLACES, message=rules.PLACES_RANGE)])
    expected_on = date_field(_l("Expected from"), Optional(), Needed(rules.NEEDED_WITH_PLACES))
    waiting_weeks = WholeNumberField(_l("Waiting time in weeks"), invalid_value_message=NOT_A_NUMBER, validators=[
        InputRequired(message=REQUIRED),
        NumberRange(min=0, max=rules.MAX_WAITING_WEEKS, message=rules.WEEKS_RANGE)])
    note = TextAreaField(_l("Note"), filters=[_strip], validators=[Optional(), Length(max=1000)])
    version = HiddenField()
