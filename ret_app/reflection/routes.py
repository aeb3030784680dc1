"""The reflection report's page: load the user's region -> an access team or municipality of another
region answers 404 (audited) -> validate the choice (Dutch messages next to the fields, the input kept)
-> read the protected figures (audited) -> respond, with the button that asks for the PDF as an export
job. Counts only: no case, name, reference or free text is read here."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ret_app import policy, web
from ret_app.analyst import aggregates
from ret_app.kernel import dates
from ret_app.kernel.errors import RuleError, show_on_form
from ret_app.policy import Permission, requires
from ret_app.reflection import report, services
from ret_app.reflection.blueprint import bp
from ret_app.reflection.forms import ReflectionForm

MAX_QUERY = 2000  # characters of query string the page reads; more is no choice anyone made
FIELDS = ("subject", "kind", "year", "number")


@bp.route("/reflectie")
@requires(Permission.VIEW_REFLECTION)
def page():
    region_id = policy.reflection_region(current_user)
    if region_id is None:
        return render_template("reflection/page.html", form=None, result=None, no_region=True)
    args = request.args if len(request.query_string) <= MAX_QUERY else MultiDict()
    asked = report.parse_code(args.get("subject"))
    if asked is not None:
        subject = report.find_subject(*asked)
        if subject is not None and not policy.can_read_reflection(current_user, subject.region_id):
            web.not_found(object_type="reflection_report", object_id=args.get("subject"))
    default = report.default_period()
    defaults = {"kind": "quarter", "year": str(default.start.year), "number": str(default.quarter)}
    form = ReflectionForm(MultiDict({**defaults, **{k: v for k, v in args.items() if k in FIELDS}}))
    teams = aggregates.access_teams(region_id)
    municipalities = aggregates.municipalities(region_id)
    form.subject.choices = ([("", _("Choose an access team or a municipality"))]
                            + [(f"{report.TEAM}-{tid}", name) for tid, name, _m in teams]
                            + [(f"{report.MUNICIPALITY}-{mid}", _("Municipality %(name)s (every referrer)", name=name))
                               for mid, name in municipalities])
    result = None
    if "subject" in args:
        valid = form.validate()
        period = None
        if not form.kind.errors and not form.year.errors and not form.number.errors:
            try:  # the period's own rule too, so every error of the form shows at once
                period = services.period_of(form.kind.data, form.year.data, form.number.data)
            except RuleError as error:
                show_on_form(form, error)
        if valid and period is not None:
            result = services.read(report.find_subject(*report.parse_code(form.subject.data)), period)
    return render_template("reflection/page.html", form=form, result=result, today=dates.today(),
                           export_kind=services.KIND,
                           export_params=services.export_params(result.subject, result.period) if result else None)
