"""Forms of the integrated screening (field validation only). The labels of the life domains and the
severity scale are in ret_app/labels.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ret_app.forms import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ret_app.forms import NEEDED_TO_FINALISE, REQUIRED, Needed, SubmissionKeyField
from ret_app.labels import DOMAIN_LABELS, SEVERITY_LABELS, severity_label  # noqa: F401
from ret_app.models.cases import SEVERITY_SCALE

# From this severity on, the notes must explain it.
NOTES_REQUIRED_FROM = 2
NOTES_NEEDED = _l("needed from severity 2, moderate")

MAX_NOTES = 8000
MAX_SOURCES = 4000
MAX_TEXT = 20000


class ContributionForm(FlaskForm):
    """One participant's view of one life domain (the form's prefix names the domain)."""

    severity = SelectField(_l("Severity"), validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Needed(NOTES_NEEDED), Length(max=MAX_NOTES)])
    sources = TextAreaField(_l("Sources"), validators=[Length(max=MAX_SOURCES)])
    # Optimistic locking: the version and the per-field fingerprint the form was loaded with.
    version = HiddenField()
    loaded_state = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.severity.choices = [("", _l("— choose —"))] + [(str(n), severity_label(n)) for n in SEVERITY_SCALE]
        # A contribution is a severity (the notes and sources explain it); only an all-empty form,
        # which removes the contribution, goes without. Shown as required, checked in validate().
        self.severity.flags.required = True

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        severity = (self.severity.data or "").strip()
        notes = (self.notes.data or "").strip()
        sources = (self.sources.data or "").strip()
        if severity and severity not in {str(n) for n in SEVERITY_SCALE}:
            self.severity.errors.append(str(_l("Choose a severity from 0 (no concern) to 4 (acute / unsafe).")))
            return False
        if not severity and (notes or sources):
            self.severity.errors.append(str(_l("Choose a severity: notes and sources belong to a severity.")))
            ok = False
        if severity and int(severity) >= NOTES_REQUIRED_FROM and not notes:
            self.notes.errors.append(str(_l("Explain in the notes why the concern is moderate or higher.")))
            ok = False
        return ok

    def values(self) -> dict:
        return {"severity": (self.severity.data or "").strip(), "notes": (self.notes.data or "").strip(),
                "sources": (self.sources.data or "").strip()}


class ViewsForm(FlaskForm):
    """The youth's and the family's own view, in their words (written down by the process director)."""

    youth_view = TextAreaField(_l("The youth's own view"), validators=[Length(max=MAX_TEXT)])
    family_view = TextAreaField(_l("The family's view"), validators=[Length(max=MAX_TEXT)])
    version = HiddenField()
    loaded_state = HiddenField()

    def values(self) -> dict:
        return {name: (self[name].data or "").strip() for name in ("youth_view", "family_view")}


class AnalysisForm(FlaskForm):
    """The process director's integrated analysis and advice: saved empty as often as needed,
    both needed to finalise the screening (services.finalise_problems)."""

    analysis = TextAreaField(_l("Integrated analysis"), validators=[Needed(NEEDED_TO_FINALISE), Length(max=MAX_TEXT)])
    advice = TextAreaField(_l("Advice"), validators=[Needed(NEEDED_TO_FINALISE), Length(max=MAX_TEXT)])
    version = HiddenField()
    loaded_state = HiddenField()

    def values(self) -> dict:
        return {name: (self[name].data or "").strip() for name in ("analysis", "advice")}


class FinaliseForm(FlaskForm):
    version = HiddenField()


class AddendumForm(FlaskForm):
    text = TextAreaField(_l("Addendum"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_NOTES)])
    submission_key = SubmissionKeyField()  # the same form sent twice adds one addendum


class InviteForm(FlaskForm):
    # The choices are set per case; whether the choice is allowed is the service's rule, which
    # says why (a plain "not a valid choice" would not).
    invitee = SelectField(_l("Invite"), validate_choice=False, validators=[DataRequired(message=_l("Choose whom to invite."))])


class RemoveParticipantForm(FlaskForm):
    pass
