"""The aggregates page's filters: a GET form (changes nothing, so no CSRF token), validated with Dutch
messages next to each field; the choices come from the analyst's own region."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from ret_app.forms import REQUIRED, FlaskForm, coerce_optional_int

MIN_YEAR = 2000
MAX_YEAR = 2100


class FiltersForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter form changes nothing

    kind = SelectField(_l("Period"), choices=[("month", _l("Month")), ("quarter", _l("Quarter")), ("year", _l("Year"))],
                       validators=[InputRequired(message=REQUIRED)])
    year = IntegerField(_l("Year"), validators=[
        InputRequired(message=_l("Enter a year, for example 2025.")),
        NumberRange(min=MIN_YEAR, max=MAX_YEAR, message=_l("Enter a year from %(min)s to %(max)s."))])
    municipality = SelectField(_l("Municipality"), coerce=coerce_optional_int, validators=[Optional()])
    care_type = SelectField(_l("Care type (gaps)"), validators=[Optional()])
