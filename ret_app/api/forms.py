"""The token pages' forms: field validation only; who may hold a token and how long it may be valid
are the service's rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ret_app.forms import REQUIRED, FlaskForm, coerce_optional_int, date_field, strip
from ret_app.models.api import NAME_LENGTH


class TokenForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=coerce_optional_int,
                                  validators=[InputRequired(message=REQUIRED)], validate_choice=False)
    name = StringField(_l("Purpose"), filters=[strip], validators=[DataRequired(message=REQUIRED),
                                                                    Length(max=NAME_LENGTH)])
    expires_on = date_field(_l("Valid until"), InputRequired(message=REQUIRED))
    submission_key = HiddenField()


class TokenActionForm(FlaskForm):
    """Rotate or revoke: a button (the CSRF token is all it carries)."""
