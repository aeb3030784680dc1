"""Every form's base, and the form fields and validators shared by every capability (field
validation only; the rules are in the services).

Every form derives from `FlaskForm` here (not flask_wtf's directly; tests/test_hostile_input.py
checks): it refuses a NUL character in any field with a message next to that field, before the
field's own validators run, so it never reaches the database (PostgreSQL text cannot hold it) and the
page shows the form again with everything typed; a file sent under a text field's name and a JSON
body are refused the same way."""

from __future__ import annotations

import decimal

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from flask_wtf.form import _Auto as _AUTO  # flask_wtf's "formdata not given: read the request"
from wtforms import DateField, DecimalField, FileField, HiddenField, IntegerField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ret_app.kernel import dates, submissions
from ret_app.kernel.ids import parse_id

REQUIRED = _l("This field is required.")

# Browsers send date inputs as 2010-12-31; people without a date picker type 31-12-2010.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
NOT_A_DATE = _l("Enter a valid date, for example 31-12-2010.")
NOT_A_NUMBER = _l("Enter a whole number, for example 42.")
NOT_IN_FUTURE = _l("This date lies in the future.")
NOT_AN_ID = _l("Not a valid integer value.")
NOT_TEXT = _l("Enter text here, not a file.")
NOT_AN_AMOUNT = _l("Enter an amount in euros, for example 25000 or 25000,50.")
HAS_NUL = _l("This contains an invisible control character (NUL) that cannot be saved. Remove it, for "
             "example by typing the text again.")


def refuse_nul(form, field) -> None:
    """No NUL character in what was sent for the field (every field of every form, see FlaskForm).
    A file sent instead of text (`_text_only`) was refused already: nothing more to say."""
    if getattr(field, "sent_a_file", False):
        raise StopValidation()
    if any(isinstance(value, str) and "\x00" in value for value in (field.raw_data or ())):
        raise StopValidation(str(HAS_NUL))


def drop_nul(value):
    """The field's data without NUL characters (what was sent stays in raw_data, for `refuse_nul`):
    code that reads a refused form's data (to report every problem at once) cannot send one to the
    database, and the form shown again looks just as typed."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [drop_nul(item) for item in value]
    return value


def _text_only(field) -> None:
    """Let `field` (not a file field) read text only: a file sent under its name is refused with one
    message (NOT_TEXT, no "required" after it) instead of reaching code that expects text, and only
    the text sent with it is kept to show again (a field shows its raw data joined as text)."""
    process_formdata = field.process_formdata

    def checked(valuelist):
        if any(not isinstance(value, str) for value in valuelist):
            field.raw_data = [value for value in valuelist if isinstance(value, str)]
            field.data = None
            field.sent_a_file = True
            raise ValueError(str(NOT_TEXT))
        field.sent_a_file = False
        process_formdata(valuelist)

    field.process_formdata = checked


class FlaskForm(_FlaskForm):
    """The base of every form: flask_wtf's FlaskForm (CSRF, request data), where every field refuses a
    NUL character first (`refuse_nul`; its data is without it: `drop_nul`), a field other than a file
    field reads text only, and a JSON body is not form input (RET's pages send forms only)."""

    class Meta(_FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            field.filters = (*field.filters, drop_nul)
            field.validators = [refuse_nul, *field.validators]
            if not isinstance(field, FileField):
                _text_only(field)
            return field

        def wrap_formdata(self, form, formdata):
            if formdata is _AUTO and has_request_context() and request.is_json:
                return None  # read as a form sent empty: every required field says so
            return super().wrap_formdata(form, formdata)


class BlankIsNone:
    """Left empty, the field is None without a message of its own ("not a valid date" would be wrong
    for a field nobody filled in): its validators say whether that is allowed (Optional) or not
    (InputRequired / DataRequired, with the "required" message)."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(str(value) for value in valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class DateInputField(BlankIsNone, DateField):
    pass


def date_field(label, *validators, **kwargs) -> DateField:
    return DateInputField(label, validators=list(validators), format=DATE_FORMATS, invalid_value_message=NOT_A_DATE,
                          **kwargs)


class WholeNumberField(BlankIsNone, IntegerField):
    """An integer whose "not a number" message is not followed by a range message. Left empty it is
    None without a message: the validators say whether it may be (Optional) or not (InputRequired)."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


# --- what the label says about a field ---------------------------------------------------------
#
# A field is required (its label says nothing more; the form refuses it empty), optional (the label
# says "(optional)": it can be left empty and saved), or needed at a later step or in a named case:
# it can be left empty and saved now, the step refuses it empty, and the label says so
# ("(needed to submit)"). The `field` macro reads the flags; tests/test_form_labels.py holds every
# form to what its labels say.

NEEDED_TO_SUBMIT = _l("needed to submit")
NEEDED_TO_RESUBMIT = _l("needed to submit again")
NEEDED_TO_FINALISE = _l("needed to finalise")


class Needed:
    """Marks a field that may be saved empty but that a later step (or a named case) needs: its
    label says when (`when`, e.g. NEEDED_TO_SUBMIT). It checks nothing itself: the step's rules
    refuse it, listing every missing field at once."""

    def __init__(self, when):
        self.when = when
        self.field_flags = {"needed": when}

    def __call__(self, form, field) -> None:
        return None


def not_in_future(form, field) -> None:
    if field.data and field.data > dates.today():
        raise ValidationError(NOT_IN_FUTURE)


def coerce_optional_int(value):
    """An optional id chosen in a select: None for no choice; a ValueError (WTForms' "not a valid
    choice") for anything that is not an id the database can hold."""
    if value in (None, "", "None"):
        return None
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


class IdField(IntegerField):
    """An id sent along by a page (hidden or a button's value): a whole number the database can hold,
    else the field's "not a valid integer" error and no data."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and parse_id(self.data) is None:
            self.data = None
            raise ValueError(str(NOT_AN_ID))


def strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EuroField(DecimalField):
    """An amount in euros as people type it: 25000, 25.000, 25000,50, € 25.000,50."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("places", 2)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
        if "," in raw and "." in raw:
            raw = raw.replace(".", "").replace(",", ".")
        elif "," in raw:
            raw = raw.replace(",", ".")
        elif raw.count(".") > 1 or (raw.count(".") == 1 and len(raw.rsplit(".", 1)[1]) == 3):
            raw = raw.replace(".", "")
        try:
            self.data = decimal.Decimal(raw)
            if not self.data.is_finite():
                raise decimal.InvalidOperation
        except (decimal.InvalidOperation, ValueError):
            self.data = None
            raise ValueError(str(NOT_AN_AMOUNT)) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # "not a number" says it all; skip the range check

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:.2f}".replace(".", ",")


class SubmissionKeyField(HiddenField):
    """The hidden key of a form that creates something (ret_app.kernel.submissions): a fresh one each time
    the empty form is shown, the one sent when the form comes back (with a problem, say), so that the
    same form sent twice creates one thing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", submissions.new_key)
        super().__init__(*args, **kwargs)
