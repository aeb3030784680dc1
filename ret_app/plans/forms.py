"""Forms of the plan (field validation only; the rules are in services.py). A page shows a goal form
per goal and a review form per review moment: their prefixes keep the fields apart."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ret_app.forms import FlaskForm, Needed, SubmissionKeyField, coerce_optional_int, date_field
from ret_app.plans.labels import GOAL_STATUS_LABELS, HELP_FITS_LABELS, VOICE_LABELS

MAX_TEXT = 4000
MAX_NAME = 200


class GoalForm(FlaskForm):
    """A goal in the family's own words, its status and the help agreed for it."""

    text = TextAreaField(_l("Goal"), validators=[
        DataRequired(message=_l("Write the goal down, in the family's own words where possible.")),
        Length(max=MAX_TEXT)])
    voiced_by = SelectField(_l("In the words of"), choices=list(VOICE_LABELS.items()), validate_choice=False)
    status = SelectField(_l("Status"), choices=list(GOAL_STATUS_LABELS.items()), validate_choice=False)
    # The region's catalogue (caretypes.choices, with the goal's own code kept): set by the route.
    care_type = SelectField(_l("Care type"), validate_choice=False)
    provider_id = SelectField(_l("Provider of the collective"), coerce=coerce_optional_int, validate_choice=False)
    provider_name = StringField(_l("Or a provider outside the collective"), validators=[Length(max=MAX_NAME)])
    intended_start = date_field(_l("Intended start"), Optional())
    version = HiddenField()
    submission_key = SubmissionKeyField()  # adding: the same form sent twice adds one goal

    def __init__(self, *args, providers=(), care_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.care_type.choices = [("", _l("— not decided yet —"))] + list(care_types)
        self.provider_id.choices = [(None, _l("— none / not decided yet —"))] + [(o.id, o.name) for o in providers]
        # Chosen from a list that always holds a value: required (the service refuses anything else).
        self.voiced_by.flags.required = True
        self.status.flags.required = True

    def values(self) -> dict:
        return {name: self[name].data for name in ("text", "voiced_by", "status", "care_type", "provider_id",
                                                  "provider_name", "intended_start")}


class ReviewPlanForm(FlaskForm):
    planned_on = date_field(_l("Date of the review moment"), InputRequired(message=_l("Enter the date of the review moment.")))
    submission_key = SubmissionKeyField()  # the same form sent twice plans one review moment


class ReviewRecordForm(FlaskForm):
    """What was found at a review moment."""

    held_on = date_field(_l("Held on"), InputRequired(message=_l("Enter the day the review was held.")))
    help_fits = RadioField(_l("Does the help fit?"), choices=list(HELP_FITS_LABELS.items()), validate_choice=False,
                           validators=[InputRequired(message=_l("Choose whether the help fits."))])
    own_judgement = TextAreaField(_l("The youth's or family's own judgement"), validators=[
        DataRequired(message=_l("Write down the judgement of the youth or the family, in their own words.")),
        Length(max=MAX_TEXT)])
    what_changes = TextAreaField(_l("What changes"), validators=[
        Needed(_l("needed when the help does not fully fit")), Length(max=MAX_TEXT)])
    version = HiddenField()

    def values(self) -> dict:
        return {name: self[name].data for name in ("held_on", "help_fits", "own_judgement", "what_changes")}


class AgreeForm(FlaskForm):
    """Agree this version of the plan (with the family), perhaps as a session decided it."""

    decision_id = SelectField(_l("Session decision it comes from"), coerce=coerce_optional_int,
                              validate_choice=False)
    version = HiddenField()


class FittingHelpForm(FlaskForm):
    started_on = date_field(_l("Fitting help started on"), InputRequired(message=_l("Enter the day fitting help started.")))
    what = TextAreaField(_l("What started"), validators=[DataRequired(message=_l("Say what started: which help, by whom.")),
                                                        Length(max=MAX_TEXT)])


class ButtonForm(FlaskForm):
    """Remove a goal, cancel a review moment: the button is the whole form."""

