"""The chair's decision on an earlier case: the pressed button says which."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf

from ret_app.forms import FlaskForm

# Where the decision was taken, to go back there (a word, never a URL).
BACK_TO = ("case", "intake")


class DecisionForm(FlaskForm):
    decision = StringField(_l("Decision"), validators=[AnyOf(("confirm", "dismiss"),
                                                             message=_l("Choose whether this is the same youth."))])
    back = StringField(validators=[AnyOf(BACK_TO)])
