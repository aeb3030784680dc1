"""Admin forms: field validation only; the business rules are in admin/services.py."""

from __future__ import annotations


from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ret_app.forms import REQUIRED, DateInputField, EuroField, MultiCheckboxField, Needed, SubmissionKeyField, WholeNumberField, coerce_optional_int  # noqa: F401
from ret_app.labels import ORGANISATION_KIND_LABELS, ROLE_LABELS
from ret_app.models import OrganisationKind, Role
from ret_app.models.cases import MIN_RETENTION_YEARS
from ret_app.models.organisations import DEFAULT_ANSWER_DAYS



class NetworkForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(message=REQUIRED), Length(max=40)])
    # The default expected answer date of an escalation to the network (working days after sending).
    answer_days = WholeNumberField(_l("Answer time for escalations (working days)"), default=DEFAULT_ANSWER_DAYS,
                                   validators=[InputRequired(message=REQUIRED), NumberRange(
                                       min=1, max=60, message=_l("Enter a number of working days from 1 to 60."))])


class RegionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    network_id = SelectField(_l("Supra-regional network"), coerce=coerce_optional_int, validators=[Optional()])


class MunicipalityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    # Normalised before the validators run (an inline validate_ method would run after the Regexp).
    cbs_code = StringField(_l("CBS code"), filters=[lambda value: value.strip().upper() if value else value], validators=[
        DataRequired(message=REQUIRED),
        Regexp(r"^GM\d{4}$", message=_l("A CBS municipality code is GM followed by four digits, e.g. GM0200."))])
    region_id = SelectField(_l("Region"), coerce=coerce_optional_int, validators=[DataRequired(message=REQUIRED)])


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[(k.value, ORGANISATION_KIND_LABELS[k.value]) for k in OrganisationKind],
                       validators=[DataRequired(message=REQUIRED)])
    # Which of these an organisation needs depends on its kind (services.save_organisation).
    region_id = SelectField(_l("Region"), coerce=coerce_optional_int, validators=[
        Optional(), Needed(_l("needed for a RET, a provider or a certified institution"))])
    municipality_id = SelectField(_l("Municipality"), coerce=coerce_optional_int,
                                  validators=[Optional(), Needed(_l("needed for an access team"))])
    network_id = SelectField(_l("Network"), coerce=coerce_optional_int,
                             validators=[Optional(), Needed(_l("needed for a network organisation"))])
    collective_member = BooleanField(_l("Member of the region's HSWV collective (providers)"))
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(message=REQUIRED), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)])
    role = SelectField(_l("Role"), choices=[(r.value, ROLE_LABELS[r.value]) for r in Role],
                       validators=[DataRequired(message=REQUIRED)])
    organisation_id = SelectField(_l("Organisation"), coerce=coerce_optional_int,
                                  validators=[DataRequired(message=REQUIRED)])

    def validate_email(self, field):
        field.data = (field.data or "").strip().lower()


class MandateForm(FlaskForm):
    holder_id = SelectField(_l("Mandate holder"), coerce=coerce_optional_int, validators=[DataRequired(message=REQUIRED)])
    municipality_id = SelectField(_l("Municipality"), coerce=coerce_optional_int, validators=[DataRequired(message=REQUIRED)])
    # InputRequired keeps WTForms' "not a valid date" message; DataRequired would replace it.
    valid_from = DateInputField(_l("Valid from"), validators=[InputRequired(message=REQUIRED)])
    valid_until = DateInputField(_l("Valid until"), validators=[InputRequired(message=REQUIRED)])
    ceiling_eur = EuroField(_l("Ceiling per case (euros)"), validators=[
        # InputRequired, not DataRequired: the latter would hide the "not a number" message.
        InputRequired(message=REQUIRED),
        NumberRange(min=1, max=10_000_000, message=_l("Enter an amount between 1 and 10,000,000 euros."))])
    # The choices are the catalogue of the municipality's region (the route sets them); the service
    # refuses a code that region does not offer, next to the field.
    care_types = MultiCheckboxField(_l("Care types covered"), choices=[], validate_choice=False,
                                    validators=[DataRequired(message=_l("Choose at least one care type."))])
    granted_by = StringField(_l("Granted by"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    document_reference = StringField(_l("Document reference (mandate decision)"),
                                     validators=[DataRequired(message=REQUIRED), Length(max=200)])
    submission_key = SubmissionKeyField()  # the same form sent twice registers one mandate

    def validate_valid_until(self, field):
        if self.valid_from.data and field.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class RevokeMandateForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(message=REQUIRED), Length(max=1000)])


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    who = StringField(_l("User (name)"), validators=[Optional(), Length(max=200)])
    action = SelectField(_l("Action"), validators=[Optional()])
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=64)])
    outcome = SelectField(_l("Outcome"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    case_reference = StringField(_l("Case (reference)"), filters=[lambda value: value.strip().upper() if value else value],
                                 validators=[Optional(), Length(max=20), Regexp(r"^[A-Z0-9-]+$", message=_l(
                                     "Enter a case reference, for example RET-2026-0004."))])


class RegionNormsForm(FlaskForm):
    intake_decision = IntegerField(_l("Intake decision, after submission"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=0, max=260, message=_l("Enter 0 to 260 working days."))])
    first_session = IntegerField(_l("First RET session, after intake"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=0, max=260, message=_l("Enter 0 to 260 working days."))])
    first_session_crisis = IntegerField(_l("First RET session in a crisis, after intake"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=0, max=260, message=_l("Enter 0 to 260 working days."))])
    screening = IntegerField(_l("Screening finished, after intake"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=0, max=260, message=_l("Enter 0 to 260 working days."))])
    request_reply_days = IntegerField(_l("Reply to a provider request"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=1, max=60, message=_l("Enter 1 to 60 working days."))])
    request_reply_days_crisis = IntegerField(_l("Reply to a provider request in a crisis"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=1, max=60, message=_l("Enter 1 to 60 working days."))])
    # Calendar days, not working days: a provider's capacity ages over weekends too.
    capacity_stale_days = IntegerField(_l("Capacity stale after (days)"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=1, max=365, message=_l("Enter 1 to 365 days."))])
    # Gap signals (ret_app/signals/rule.py): so many cases within so many months raise a signal.
    signal_threshold = IntegerField(_l("Cases that raise a gap signal"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=2, max=100, message=_l("Enter 2 to 100 cases."))])
    signal_window_months = IntegerField(_l("Window of a gap signal (months)"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=1, max=36, message=_l("Enter 1 to 36 months."))])
    # The family's "who looked at my file" PDF (NEN 7513): organisation and role always, names by choice.
    access_log_shows_names = BooleanField(_l("Show staff members' names in the family's access log PDF"))
    # Retention (Jeugdwet 7.3.8): at least 20 years after the case closes; the destruction list follows it.
    retention_years = IntegerField(_l("Keep closed cases (years)"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=1, max=100, message=_l("Enter 1 to 100 years."))])

    def validate_retention_years(self, field):
        # A shorter period than the law's is refused; one the region already has (the demo's) can stay.
        if field.data is not None and field.data < MIN_RETENTION_YEARS and field.data != field.object_data:
            raise ValidationError(_l("The Youth Act requires at least %(years)d years (article 7.3.8).",
                                     years=MIN_RETENTION_YEARS))

    def validate_request_reply_days_crisis(self, field):
        if field.data is not None and self.request_reply_days.data is not None and \
                field.data > self.request_reply_days.data:
            raise ValidationError(_l("In a crisis the reply cannot be due later than normally."))

    def validate_first_session_crisis(self, field):
        if field.data is not None and self.first_session.data is not None and field.data > self.first_session.data:
            raise ValidationError(_l("In a crisis the first session cannot come later than normally."))
