"""The access log's filter form (GET: changes nothing, no CSRF)."""

from flask_babel import lazy_gettext as _l

from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional, Regexp

from ret_app.forms import FlaskForm, date_field


class AccessLogFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    kind = SelectField(_l("Kind of action"), validators=[Optional()])
    who = StringField(_l("Person or organisation"), validators=[
        Optional(), Length(max=200, message=_l("Enter at most 200 characters."))])
    date_from = date_field(_l("From"), Optional())
    date_to = date_field(_l("Until"), Optional())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date lies before the start date."))


class FindCaseForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup changes nothing

    reference = StringField(_l("Case (reference)"), filters=[lambda value: value.strip().upper() if value else value],
                            validators=[Optional(), Length(max=20, message=_l("Enter at most 20 characters.")),
                                        Regexp(r"^[A-Z0-9-]+$", message=_l(
                                            "Enter a case reference, for example RET-2026-0004."))])
