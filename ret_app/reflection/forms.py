"""The reflection report's choice: an access team or municipality of the user's region and a period (a
GET form: it changes nothing, so no CSRF token). Dutch messages next to each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange
from wtforms.validators import Optional as OptionalValue

from ret_app.forms import FlaskForm

MIN_YEAR = 2000
MAX_YEAR = 2100


class ReflectionForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form changes nothing

    subject = SelectField(_l("Access team or municipality"),
                          validators=[InputRequired(message=_l("Choose an access team or a municipality."))])
    kind = SelectField(_l("Kind of period"),
                       choices=[("quarter", _l("Quarter")), ("month", _l("Month")), ("year", _l("Year"))],
                       validators=[InputRequired(message=_l("Choose month, quarter or year."))])
    year = IntegerField(_l("Year"), validators=[
        InputRequired(message=_l("Enter a year, for example 2025.")),
        NumberRange(min=MIN_YEAR, max=MAX_YEAR, message=_l("Enter a year from %(min)s to %(max)s."))])
    number = IntegerField(_l("Month or quarter number"), validators=[OptionalValue()])
