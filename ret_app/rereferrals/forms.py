"""The chair's decision on an earlier case: the pressed button's value, and the page it was pressed on
(a word, never a URL). Nothing is typed: both are choices, anything else is refused (400)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ret_app.forms import FlaskForm

BACK_TO = ("case", "intake")


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("confirm", _l("Same youth")), ("dismiss", _l("Not the same youth"))])
    back = SelectField(choices=[(page, page) for page in BACK_TO])
