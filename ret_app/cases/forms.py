"""Case forms: the lifecycle step and the chair's intake decision (field validation only)."""

from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ret_app.forms import REQUIRED, coerce_optional_int
from ret_app.labels import TRACK_LABELS, URGENCY_LABELS


class StepForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])


class IntakeDecisionForm(FlaskForm):
    track = SelectField(_l("Track"), choices=[("", "—")] + list(TRACK_LABELS.items()),
                        validators=[DataRequired(message=REQUIRED)])
    urgency = SelectField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), validators=[DataRequired(message=REQUIRED)])
    process_director_id = SelectField(_l("Process director"), coerce=coerce_optional_int,
                                      validators=[DataRequired(message=REQUIRED)])
    reason = TextAreaField(_l("Why this track"), validators=[DataRequired(message=REQUIRED), Length(max=4000)])


class AdviceForm(FlaskForm):
    advice = TextAreaField(_l("Advice to the access team"), validators=[DataRequired(message=REQUIRED), Length(max=8000)])
