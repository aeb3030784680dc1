"""The vignette forms: field validation only; the rules (closed cases, drafts only, the scrubbing, the
pack's choice) are in services.py and the lifecycle, every objection next to its field at once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ret_app.forms import REQUIRED, FlaskForm
from ret_app.forms import strip as _strip
from ret_app.vignettes.services import MAX_TEXT, MAX_TITLE


class GenerateForm(FlaskForm):
    """Generating a vignette of a closed case: the button only (CSRF)."""


class TextForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[InputRequired(message=REQUIRED),
                                                                  Length(max=MAX_TITLE)])
    text = TextAreaField(_l("Text of the vignette"), validators=[InputRequired(message=REQUIRED),
                                                                 Length(max=MAX_TEXT)])
    version = HiddenField()


class ApproveForm(FlaskForm):
    version = HiddenField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why the vignette is withdrawn"), filters=[_strip],
                           validators=[InputRequired(message=REQUIRED), Length(max=2000)])
    version = HiddenField()
