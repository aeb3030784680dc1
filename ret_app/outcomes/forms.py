"""The outcome form and the gap taxonomy's forms: field validation only; the rules (a gap needs its
category, care types and categories of the region's lists, a placement result only for an intended
placement, who may record and until when) are in services.py and taxonomy.py.

The outcome page is one HTML form: `OutcomeForm` (the result, the placement, lessons) with rows of help
arranged (`HelpRowForm`, prefix help-<n>) and gaps met (`GapRowForm`, prefix gap-<n>). The rows have no
CSRF token of their own (the page's form has one) and are validated with the outcome form (`rows`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ret_app.forms import REQUIRED, FlaskForm, Needed, WholeNumberField, strip
from ret_app.models.outcomes import GAP_CODE_LENGTH, GAP_NAME_LENGTH
from ret_app.outcomes.labels import PLACEMENT_RESULT_LABELS, RESULT_LABELS

MAX_TEXT = 4000
MAX_DESCRIPTION = 2000
MAX_POSITION = 9999
MAX_PROVIDER = 200
NEEDED_FOR_HELP = _l("needed for each help arranged")
NEEDED_FOR_GAP = _l("needed for each gap")
NEEDED_FOR_PLACEMENT = _l("needed for an intended placement")


# --- the outcome ---------------------------------------------------------------------------------------

class OutcomeForm(FlaskForm):
    result = SelectField(_l("Outcome"), choices=[("", _l("— choose —"))] + list(RESULT_LABELS.items()),
                         validators=[InputRequired(message=REQUIRED)])
    placement_result = SelectField(_l("What became of the intended placement"),
                                   choices=[("", _l("— choose —"))] + list(PLACEMENT_RESULT_LABELS.items()),
                                   validators=[Optional(), Needed(NEEDED_FOR_PLACEMENT)])
    placement_note = TextAreaField(_l("Note on the placement"), filters=[strip],
                                   validators=[Optional(), Length(max=MAX_TEXT)])
    lessons = TextAreaField(_l("Lessons learned (RET-internal)"), filters=[strip],
                            validators=[Optional(), Length(max=MAX_TEXT)])
    version = HiddenField()

    rows: list = []  # the page's help and gap rows, validated with this form

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        rows_ok = [row.validate() for row in self.rows]  # every row, so that each shows its errors
        return ok and all(rows_ok)


class _Row(FlaskForm):
    class Meta(FlaskForm.Meta):
        csrf = False  # the outcome form's token covers the page's one form


class HelpRowForm(_Row):
    """One help arranged: the care type, the provider (one of the region's organisations, or a name),
    inside the region or not, via the network or not. Left blank, the row is left out."""

    care_type = SelectField(_l("Care type"), choices=[], validate_choice=False,
                            validators=[Optional(), Needed(NEEDED_FOR_HELP)])
    organisation_id = SelectField(_l("Provider"), choices=[], validate_choice=False, validators=[Optional()])
    provider_name = StringField(_l("Or the provider's name (not in the list)"), filters=[strip],
                                validators=[Optional(), Length(max=MAX_PROVIDER)])
    inside_region = BooleanField(_l("Inside the region"))
    via_network = BooleanField(_l("Arranged via the supra-regional network"))


class GapRowForm(_Row):
    """One gap met: its category (needed), the care type concerned where it applies, a note. Left
    blank, the row is left out."""

    category = SelectField(_l("Category"), choices=[], validate_choice=False,
                           validators=[Optional(), Needed(NEEDED_FOR_GAP)])
    care_type = SelectField(_l("Care type concerned"), choices=[], validate_choice=False, validators=[Optional()])
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=MAX_TEXT)])


# --- the gap taxonomy ------------------------------------------------------------------------------------

def _position():
    return WholeNumberField(_l("Position in the list"), validators=[
        Optional(), NumberRange(min=0, max=MAX_POSITION, message=_l("Enter a whole number from 0 to 9999."))])


class GapCategoryForm(FlaskForm):
    """A new gap category of a region."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(message=REQUIRED),
                                                                 Length(max=GAP_NAME_LENGTH)])
    code = StringField(_l("Code"), validators=[DataRequired(message=REQUIRED), Length(max=GAP_CODE_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    position = _position()


class GapCategoryEditForm(FlaskForm):
    """Name, description and position of a category (its code never changes)."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(message=REQUIRED),
                                                                 Length(max=GAP_NAME_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    position = _position()
    version = HiddenField()


class GapCategoryStatusForm(FlaskForm):
    """Retire or reactivate: a button, with the version the page showed."""

    version = HiddenField()
