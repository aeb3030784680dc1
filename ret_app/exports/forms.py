"""The exports' one form: asking for an export is a button. The form is its CSRF token; the params
are the offering page's hidden fields beside it, read by params.parse."""

from ret_app.forms import FlaskForm


class RequestForm(FlaskForm):
    """The CSRF token of a request for an export."""
