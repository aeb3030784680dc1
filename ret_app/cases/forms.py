from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ret_app.admin.forms import coerce_optional_int
from ret_app.auth.forms import REQUIRED

TRACK_LABELS = {
    "consultation": _l("Consultation and advice"),
    "process_direction": _l("Process direction"),
    "placement_review": _l("Placement review (intended out-of-home placement)"),
}
URGENCY_LABELS = {"regular": _l("Regular"), "urgent": _l("Urgent"), "crisis": _l("Crisis")}


class NewReferralForm(FlaskForm):
    municipality_id = SelectField(_l("Municipality where the youth lives"), coerce=coerce_optional_int,
                                  validators=[DataRequired(message=REQUIRED)])


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
