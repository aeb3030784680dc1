"""The error summary shows every error of a form at once, the form's own errors included (WTForms
keeps those under the key ""; the summary used to crash on it with a 500)."""

from __future__ import annotations

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired


class _Form(FlaskForm):
    class Meta:
        csrf = False

    text = StringField("Tekst", validators=[InputRequired(message="Vul de tekst in.")])
    owner = StringField("Eigenaar", validators=[InputRequired(message="Kies een eigenaar.")])


def _summary(app, form) -> str:
    return render_template_string('{% from "macros/forms.html" import error_summary %}{{ error_summary(form) }}',
                                  form=form)


def test_form_level_and_field_errors_are_all_listed(app):
    with app.test_request_context(method="POST", data={}):
        form = _Form()
        assert not form.validate()
        form.form_errors.append("Dit overleg is gesloten.")
        assert "" in form.errors
        html = _summary(app, form)
    assert "Dit overleg is gesloten." in html
    assert 'href="#text"' in html and "Vul de tekst in." in html
    assert 'href="#owner"' in html and "Kies een eigenaar." in html
    assert html.index("Dit overleg is gesloten.") < html.index("Vul de tekst in.")


def test_only_a_form_level_error_needs_no_fields_sentence(app):
    with app.test_request_context(method="POST", data={"text": "x", "owner": "y"}):
        form = _Form()
        assert form.validate()
        form.form_errors.append("Dit overleg is gesloten.")
        html = _summary(app, form)
    assert "Dit overleg is gesloten." in html and 'href="#' not in html
