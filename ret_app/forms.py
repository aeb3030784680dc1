"""Form fields and validators shared by every capability (field validation only; the rules are in
the services)."""

from __future__ import annotations

import decimal

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ret_app.kernel import dates

REQUIRED = _l("This field is required.")

# Browsers send date inputs as 2010-12-31; people without a date picker type 31-12-2010.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
NOT_A_DATE = _l("Enter a valid date, for example 31-12-2010.")
NOT_A_NUMBER = _l("Enter a whole number, for example 42.")
NOT_IN_FUTURE = _l("This date lies in the future.")
NOT_AN_AMOUNT = _l("Enter an amount in euros, for example 25000 or 25000,50.")


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
    if value in (None, "", "None"):
        return None
    return int(value)


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
