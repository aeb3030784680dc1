"""Forms of the live session page: field validation only; the rules are in the services
(attendance.py, notes.py, decisions.py, actions.py)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ret_app.forms import EuroField, IdField, Needed, coerce_optional_int
from ret_app.forms import date_field
from ret_app.labels import PLACEMENT_OUTCOME_LABELS
from ret_app.models import DecisionKind

from ret_app.labels import DECISION_KIND_CHOICES as DECISION_KIND_LABELS  # noqa: E402


MAX_TEXT = 8000
NEEDED_TO_COMMIT = _l("needed when the decision commits help")


def new_submission_key() -> str:
    """A fresh key per rendered form: the same form sent twice records one decision or action."""
    return secrets.token_urlsafe(24)


class PresenceForm(FlaskForm):
    """Check in (yourself), or the chair marks an invitee present or absent."""

    user_id = IdField(validators=[Optional()])
    present = StringField(validators=[DataRequired()])
    item = IdField(validators=[Optional()])  # the item shown on the page, for the response

    def validate_present(self, field):
        if field.data not in ("y", "n"):
            raise ValidationError(_l("Choose present or absent."))

    @property
    def is_present(self) -> bool:
        return self.present.data == "y"


class ActivateForm(FlaskForm):
    """"Discuss this item" / "Next item": the button is the whole form."""


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("Notes on this item"), validators=[Length(max=20000)])
    version = HiddenField()
    loaded = HiddenField()

    @property
    def version_number(self):
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class DecisionForm(FlaskForm):
    submission_key = HiddenField()
    text = TextAreaField(_l("Decision"), validators=[Length(max=MAX_TEXT)])
    kind = RadioField(_l("Kind of decision"), choices=list(DECISION_KIND_LABELS.items()),
                      default=DecisionKind.GENERAL.value, validate_choice=False)
    # Needed when the decision commits help (decisions.record refuses them then, all at once).
    care_type = SelectField(_l("Care type"), validate_choice=False, validators=[Needed(NEEDED_TO_COMMIT)])
    provider_id = SelectField(_l("Provider"), coerce=coerce_optional_int, validate_choice=False)
    amount_eur = EuroField(_l("Estimated cost per year (euros)"), validators=[Optional(), Needed(NEEDED_TO_COMMIT)])
    # Placement review items only.
    alternatives_considered = TextAreaField(_l("Alternatives to placement considered"),
                                            validators=[Length(max=MAX_TEXT)])
    behavioural_scientist_name = StringField(_l("Behavioural scientist present: name"),
                                             validators=[Length(max=200)])
    behavioural_scientist_role = StringField(_l("Behavioural scientist: role"), validators=[Length(max=200)])
    behavioural_scientist_judgement = TextAreaField(_l("Judgement of the behavioural scientist"),
                                                    validators=[Length(max=MAX_TEXT)])
    placement_outcome = SelectField(_l("Outcome"), validate_choice=False)
    placement_alternative = TextAreaField(_l("The alternative that prevents the placement"),
                                          validators=[Needed(_l("needed when the placement is prevented")),
                                                      Length(max=MAX_TEXT)])
    postponed_until = date_field(_l("Postponed until"), Optional(),
                                 Needed(_l("needed when the placement is postponed")))

    def __init__(self, *args, providers=(), care_types=(), placement: bool = False, **kwargs):
        """`care_types`: (code, name) of the region's catalogue (caretypes.services.choices)."""
        super().__init__(*args, **kwargs)
        self.placement = placement
        self.care_type.choices = [("", _l("— choose —"))] + list(care_types)
        self.provider_id.choices = [(None, _l("— none / not decided yet —"))] + [(o.id, o.name) for o in providers]
        self.placement_outcome.choices = [("", _l("— choose —"))] + list(PLACEMENT_OUTCOME_LABELS.items())
        # Required by the rules (decisions.record) when they apply; shown as such on the page.
        self.text.flags.required = True
        if placement:
            for name in ("alternatives_considered", "behavioural_scientist_name", "behavioural_scientist_role",
                         "behavioural_scientist_judgement", "placement_outcome"):
                self[name].flags.required = True
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()

    def validate_provider_id(self, field):
        if field.data is not None and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a provider of the collective in this region."))

    def values(self) -> dict:
        """The plain data decisions.record takes."""
        data = {name: self[name].data for name in ("submission_key", "text", "kind", "care_type", "provider_id")}
        data["amount_eur"] = self.amount_eur.data if isinstance(self.amount_eur.data, Decimal) else None
        if self.placement:
            for name in ("alternatives_considered", "behavioural_scientist_name", "behavioural_scientist_role",
                         "behavioural_scientist_judgement", "placement_outcome", "placement_alternative",
                         "postponed_until"):
                data[name] = self[name].data
        return data


class ActionForm(FlaskForm):
    submission_key = HiddenField()
    description = TextAreaField(_l("Action"), validators=[DataRequired(message=_l("Describe the action.")),
                                                          Length(max=MAX_TEXT)])
    owner = SelectField(_l("Owner"), validators=[DataRequired(message=_l("Choose who owns the action."))],
                        validate_choice=False)
    due_date = date_field(_l("Due date"), InputRequired(message=_l("Enter a due date.")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()

    def values(self) -> dict:
        return {"submission_key": self.submission_key.data, "description": self.description.data,
                "owner": self.owner.data or "", "due_date": self.due_date.data}
